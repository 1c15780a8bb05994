// Requirements covered here (issue: XLSForms as the field writes them):
// T5 pulldata() reads a lookup table the form carries, offline, through the interview engine; a table or column
//    the form does not carry is an error at load time
import Foundation
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
