// Requirements covered here (issue: XLSForms as the field writes them):
// T5 pulldata() reads a lookup table the form carries, offline, through the interview engine; a table or column
//    the form does not carry is an error at load time
import Foundation
import Interview
import Questionnaire
import Runner
import Store
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct LookupTests {
    static let form = """
        settings: {form_id: hh, title: Households, version: "1", unit_level: village}
        survey:
          - {type: text, name: hhid, label: Household ID}
          - {type: calculate, name: head, calculation: "pulldata('households', 'head', 'hhid', ${hhid})"}
          - {type: integer, name: members, label: "Members of ${head}'s household", default: "pulldata('households', 'size', 'hhid', ${hhid})"}
        lookups:
          households:
            - {hhid: H1, head: Ani, size: "4"}
            - {hhid: H2, head: Budi, size: "6"}
        """

    @Test("T5: pulldata() fills a calculation and a default from the form's table; the label shows it")
    func pulls() throws {
        let questionnaire = try QuestionnaireLoader.load(yaml: Self.form, file: "hh.yaml").get()
        #expect(questionnaire.lookups["households"]?.columns == ["hhid", "head", "size"])
        let store = try ResponseStore(path: try temporaryPath("hh.sqlite"))
        _ = try store.importFrame([FrameUnit(code: "v1", name: "Desa Satu", level: "village", parentCode: nil, attributes: [])])
        let session = try InterviewSession(
            store: store, questionnaire: questionnaire, unit: "v1", round: "2021-H1", enumerator: "ani", language: nil, reopen: false,
            mode: .lines, resumeCommand: "resume", clock: { Scenario.fixedNow })
        var lines = ["H2", "", ":finish"][...]
        var screens: [String] = []
        #expect(try session.run(readLine: { lines.popFirst() }, write: { screens.append($0) }) == .completed)
        #expect(screens.joined().contains("Members of Budi's household"))
        let answers = try #require(try store.completedAnswers(formID: "hh", round: "2021-H1").first)
        #expect(answers.values[Address("head")] == .string("Budi"))
        #expect(answers.values[Address("members")] == .number(6))
    }

    @Test("T5: a table or a column the form does not carry is an error where pulldata() names it")
    func checked() {
        for (call, message) in [
            ("pulldata('houses', 'head', 'hhid', ${hhid})", "pulldata() reads the table 'houses', which the form does not carry; the tables are households"),
            ("pulldata('households', 'name', 'hhid', ${hhid})", "the table 'households' has no column 'name'; its columns are hhid, head, size"),
        ] {
            let yaml = Self.form.replacingOccurrences(of: "pulldata('households', 'head', 'hhid', ${hhid})", with: call)
            guard case .failure(let report) = QuestionnaireLoader.load(yaml: yaml, file: "hh.yaml") else {
                Issue.record("\(call) was accepted")
                continue
            }
            #expect(report.diagnostics.map(\.message) == [message])
        }
    }
}

@Suite(.temporaryFiles)
struct RandomTests {
    @Test("random() is a number in [0, 1) fixed by form, unit, round and field: the same when the interview is evaluated again")
    func fixed() throws {
        let form = try QuestionnaireLoader.load(
            yaml: """
                settings: {form_id: r, title: R, version: "1", unit_level: village}
                survey:
                  - {type: calculate, name: draw, calculation: "once(random())"}
                  - {type: text, name: q, label: Q}
                """, file: "r.yaml"
        ).get()
        let store = try ResponseStore(path: try temporaryPath("r.sqlite"))
        _ = try store.importFrame(["v1", "v2"].map { FrameUnit(code: $0, name: $0, level: "village", parentCode: nil, attributes: []) })
        func draw(_ unit: String) throws -> Double {
            let session = try InterviewSession(
                store: store, questionnaire: form, unit: unit, round: "2021-H1", enumerator: "ani", language: nil, reopen: false, mode: .lines,
                resumeCommand: "resume", clock: { Scenario.fixedNow })
            guard case .number(let value)? = session.engine.records[Address("draw")]?.value else { return .nan }
            var lines = ["x", ":finish"][...]
            _ = try session.run(readLine: { lines.popFirst() }, write: { _ in })
            return value
        }
        let first = try draw("v1"), second = try draw("v2")
        #expect((0..<1).contains(first) && (0..<1).contains(second) && first != second)
        let stored = try store.completedAnswers(formID: "r", round: "2021-H1").map { $0.values[Address("draw")] }
        #expect(stored.contains(.number(first)) && stored.contains(.number(second)))
        // A review re-runs the engine on the stored answers: the same draw, so no constraint or calculation moves.
        let engine = InterviewEngine(
            questionnaire: form,
            environment: {
                var environment = InterviewEnvironment(clock: { Scenario.fixedNow })
                environment.randomKey = "r\u{1}v1\u{1}2021-H1"
                return environment
            }())
        #expect(engine.records[Address("draw")]?.value == .number(first))
    }
}
