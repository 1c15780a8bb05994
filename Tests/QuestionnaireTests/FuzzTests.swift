// Requirements covered here:
// F1 the YAML reader and validator never trap on mutated questionnaires: every input gets diagnostics or a model
import Foundation
import Randomness
import TestSupport
import Testing

@testable import Questionnaire

struct QuestionnaireFuzzTests {
    static let fragments = [
        "- ", ": ", "${", "}", "[", "]", "{", "'", "\"", "\n", "  ", "\t", "type: repeat", "name: x",
        "children:", "relevant: ${a} >", "calculation: ${members}", "select_one yn", "&a", "*a", "? ",
        "required: maybe", "#", "|", ">", "\u{FEFF}", "é", "null", "~",
    ]

    static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
        var lines = text.components(separatedBy: "\n")
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !lines.isEmpty else { break }
            let index = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[Int.random(in: 0..<lines.count, using: &random)], at: index)
            case 2:
                var line = Array(lines[index])
                let position = line.isEmpty ? 0 : Int.random(in: 0...line.count, using: &random)
                line.insert(contentsOf: fragments.randomElement(using: &random)!, at: position)
                lines[index] = String(line)
            case 3:
                var line = Array(lines[index])
                if !line.isEmpty { line.remove(at: Int.random(in: 0..<line.count, using: &random)) }
                lines[index] = String(line)
            default:
                lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test("F1: mutated questionnaires never trap", arguments: [11, 12, 13] as [UInt64])
    func mutatedQuestionnaires(seed: UInt64) throws {
        let example = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Questionnaires/examples/household.yaml"), encoding: .utf8)
        var random = SplitMix64(seed: seed)
        var invalid = 0
        for _ in 0..<400 {
            let mutated = Self.mutate(example, &random)
            switch QuestionnaireLoader.load(yaml: mutated, file: "m.yaml") {
            case .success: break
            case .failure(let report):
                invalid += 1
                // Every failure explains itself with at least one located error.
                #expect(!report.errors.isEmpty)
                #expect(report.errors.allSatisfy { $0.location.line >= 1 && $0.location.column >= 1 && !$0.message.isEmpty })
                _ = report.rendered(withSource: true)
            }
        }
        #expect(invalid > 100)
    }
}

struct NestingTests {
    @Test("F1: deeply nested YAML and groups get a message, never a stack overflow")
    func deepNesting() {
        let flow = "settings: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        guard case .failure(let flowReport) = QuestionnaireLoader.load(yaml: flow, file: "d.yaml") else {
            Issue.record("expected an error")
            return
        }
        #expect(flowReport.errors.first?.code == "Q001")

        var yaml = "settings: {form_id: t, title: T, version: \"1\"}\nsurvey:\n"
        var indent = "  "
        for level in 0..<200 {
            yaml += "\(indent)- type: group\n\(indent)  name: g\(level)\n\(indent)  label: G\n\(indent)  children:\n"
            indent += "    "
        }
        yaml += "\(indent)- {type: integer, name: x, label: X}\n"
        guard case .failure(let report) = QuestionnaireLoader.load(yaml: yaml, file: "d.yaml") else {
            Issue.record("expected an error")
            return
        }
        #expect(report.errors.map(\.message) == ["group 'g32' is nested 33 deep; groups and repeats may nest at most 32 deep"])
    }
}
