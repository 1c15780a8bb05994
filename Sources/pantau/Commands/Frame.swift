import ArgumentParser
import Foundation
import Store
import Tabular

struct Frame: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The sample frame: the units interviews cover (provinces, districts, sub-districts, villages, …).",
        subcommands: [Import.self, List.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import units from a CSV file: code,name,level,parent_code, then any attribute columns.",
            discussion: "All or nothing: any bad row is reported with its row number and nothing is imported. Known codes are updated."
        )

        @Argument(help: "The frame file (.csv, UTF-8).")
        var file: String

        @OptionGroup var store: StoreOptions

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandError.unreadable(path: file) }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandError.notUTF8(path: file) }
            let database = try store.openCreating()
            let result = try database.importFrame(try FrameFile.parse(text).get())
            print("\(file): \(result.added) units added, \(result.updated) updated")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the units of the frame.")

        @Option(help: "Only units of this level.")
        var level: String?

        @Option(help: "table, csv or json.")
        var format: ListFormat = .table

        @OptionGroup var store: StoreOptions

        func run() throws {
            let database = try store.openExisting()
            let units = try database.units(level: level)
            let attributeKeys = units.reduce(into: [String]()) { keys, unit in
                for (key, _) in unit.attributes where !keys.contains(key) { keys.append(key) }
            }
            let header = ["code", "name", "level", "parent_code"] + attributeKeys
            let rows = units.map { unit in
                [unit.code, unit.name, unit.level, unit.parentCode ?? ""] + attributeKeys.map { unit.attribute($0) ?? "" }
            }
            switch format {
            case .table: print(renderTable(header, rows), terminator: "")
            case .csv: print(CSV.write([header] + rows), terminator: "")
            case .json:
                print(
                    try jsonText(
                        units.map { unit -> [String: Any] in
                            [
                                "code": unit.code, "name": unit.name, "level": unit.level, "parent_code": unit.parentCode ?? NSNull(),
                                "attributes": Dictionary(unit.attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }),
                            ]
                        }), terminator: "")
            }
        }
    }
}
