// The repository as a newcomer meets it: the README's map matches the package, its links lead somewhere, and the
// size rules the contributing section states hold.
// P1 the README's architecture table names every target of Package.swift (tests aside) with exactly its dependencies
// P2 every docs/ page the README links exists, and the README stays a page (at most 20,000 characters)
// P3 no Swift source file is longer than 600 lines
// P4 the top level holds only what the developers' guide fixes there (and what .gitignore keeps out of git)
import Foundation
import TestSupport
import Testing

struct RepositoryTests {
    /// Non-test targets of Package.swift with their dependencies (a product by its name, a target by its name).
    static func packageTargets() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var targets: [String: Set<String>] = [:]
        var searchFrom = manifest.startIndex
        while let start = manifest.range(of: #"\.(target|executableTarget)\("#, options: .regularExpression, range: searchFrom..<manifest.endIndex) {
            // The call's text, to its matching parenthesis.
            var depth = 0
            var end = start.upperBound
            var index = manifest.index(before: start.upperBound)
            while index < manifest.endIndex {
                if manifest[index] == "(" { depth += 1 }
                if manifest[index] == ")" {
                    depth -= 1
                    if depth == 0 {
                        end = manifest.index(after: index)
                        break
                    }
                }
                index = manifest.index(after: index)
            }
            let call = String(manifest[start.lowerBound..<end])
            searchFrom = end
            guard let name = call.firstMatch(of: /name: "([^"]+)"/)?.1 else { continue }
            var dependencies: Set<String> = []
            if let list = call.firstMatch(of: /dependencies: \[([^\]]*)\]/)?.1 {
                let withoutPackages = String(list).replacing(/package: "[^"]+"/, with: "")
                for match in withoutPackages.matches(of: /"([^"]+)"/) { dependencies.insert(String(match.1)) }
            }
            targets[String(name)] = dependencies
        }
        return targets
    }

    /// The README's architecture table: target → the names in its "depends on" column ("nothing" is none).
    static func readmeTargets() throws -> [String: Set<String>] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var targets: [String: Set<String>] = [:]
        for line in readme.split(separator: "\n") {
            guard let match = line.wholeMatch(of: /\| `([A-Za-z]+)` \| .* \| ([^|]+) \|/) else { continue }
            let column = match.2.trimmingCharacters(in: .whitespaces)
            targets[String(match.1)] = column == "nothing" ? [] : Set(column.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return targets
    }

    @Test("P1: the README's architecture table matches Package.swift, target by target")
    func architectureTable() throws {
        let package = try Self.packageTargets(), readme = try Self.readmeTargets()
        #expect(package.count > 15, "the manifest was read")
        #expect(
            Set(readme.keys) == Set(package.keys),
            "targets only in the README: \(Set(readme.keys).subtracting(package.keys).sorted()); only in Package.swift: \(Set(package.keys).subtracting(readme.keys).sorted())"
        )
        for (target, dependencies) in package.sorted(by: { $0.key < $1.key }) {
            #expect(readme[target] == dependencies, "\(target): the README says \(readme[target]?.sorted() ?? []), Package.swift \(dependencies.sorted())")
        }
    }

    @Test("P2: the README is a page, and every docs/ page it links exists")
    func readmeLinks() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.count <= 20_000, "README.md has \(readme.count) characters")
        let links = readme.matches(of: /\]\((docs\/[^)#]+)\)/).map { String($0.1) }
        #expect(links.count >= 10)
        for link in Set(links) {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(link).path), "\(link) is linked but missing")
        }
    }

    @Test("P3: no Swift source file is longer than 600 lines")
    func fileLengths() throws {
        var checked = 0
        for folder in ["Sources", "Tests"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in files where file.pathExtension == "swift" {
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
                #expect(lines <= 600, "\(file.path.dropFirst(repositoryRoot.path.count + 1)) has \(lines) lines")
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    @Test("P4: the top level holds only Package.swift, Sources, Tests, Questionnaires, Analysis, Scripts, docs and the README")
    func topLevel() throws {
        let fixed: Set = ["Package.swift", "Sources", "Tests", "Questionnaires", "Analysis", "Scripts", "docs", "README.md"]
        // Hidden entries (.ci, .git, .build…) and what .gitignore names at the top level are not part of the tree.
        let ignored: Set = ["Package.resolved", "out", "data"]
        let entries = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.path)
        let stray = entries.filter { !$0.hasPrefix(".") && !fixed.contains($0) && !ignored.contains($0) }.sorted()
        #expect(stray.isEmpty, "not part of the fixed top level: \(stray.joined(separator: ", "))")
        #expect(fixed.isSubset(of: Set(entries)))
    }
}
