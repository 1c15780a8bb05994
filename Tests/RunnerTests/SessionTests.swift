// Requirements covered here (issue: interviews; the runner as a library, without a terminal):
// N1 a session driven line by line completes, and every answer is in the store before the next prompt
// N2 input that ends mid-interview leaves a draft with every answer given so far, and a new session resumes it
// N3 identifiers come from the unit's lineage in the frame
import Expressions
import Foundation
import Questionnaire
import Runner
import Store
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct SessionTests {
    static let form = """
        settings: {form_id: s, title: {id: Singkat, en: Short}, version: "1", languages: [id, en], unit_level: village}
        survey:
          - {type: identifier, name: village_code, label: {id: Kode, en: Code}}
          - {type: identifier, name: district_name, label: {id: Kabupaten, en: District}}
          - {type: integer, name: q1, label: {id: Satu, en: One}, required: true}
          - {type: text, name: q2, label: {id: Dua, en: Two}}
        """

    let questionnaire: Questionnaire
    let store: ResponseStore

    init() throws {
        questionnaire = try QuestionnaireLoader.load(yaml: Self.form, file: "s.yaml").get()
        store = try ResponseStore(path: try temporaryPath("s.sqlite"))
        _ = try store.importFrame([
            FrameUnit(code: "11", name: "Aceh Barat", level: "district", parentCode: nil, attributes: []),
            FrameUnit(code: "1101", name: "Desa Satu", level: "village", parentCode: "11", attributes: []),
        ])
    }

    func session() throws -> InterviewSession {
        try InterviewSession(
            store: store, questionnaire: questionnaire, unit: "1101", round: "2021-H1", enumerator: "ani", language: "en",
            reopen: false, mode: .lines, resumeCommand: "resume", clock: { Scenario.fixedNow })
    }

    @Test("N1: completed through the line protocol; the answers are stored")
    func completes() throws {
        var lines = ["7", "hello", ":finish"][...]
        var screens: [String] = []
        let end = try session().run(readLine: { lines.popFirst() }, write: { screens.append($0) })
        #expect(end == .completed)
        #expect(screens.first?.contains("? q1 integer *") == true)
        let answers = try #require(try store.completedAnswers(formID: "s", round: "2021-H1").first)
        #expect(answers.values[Address("q1")] == .number(7) && answers.values[Address("q2")] == .string("hello"))
    }

    @Test("N2: input ends mid-interview: a draft with the answers so far, resumed by the next session")
    func resumes() throws {
        var first = ["7"][...]
        #expect(try session().run(readLine: { first.popFirst() }, write: { _ in }) == .inputEnded)
        #expect(try store.completedAnswers(formID: "s", round: "2021-H1").isEmpty)
        let resumed = try session()
        #expect(resumed.opened == .resumed)
        #expect(resumed.engine.records[Address("q1")]?.value == .number(7))
        var second = ["there", ":finish"][...]
        #expect(try resumed.run(readLine: { second.popFirst() }, write: { _ in }) == .completed)
        #expect(try store.completedAnswers(formID: "s", round: "2021-H1").first?.values[Address("q2")] == .string("there"))
    }

    @Test("N3: identifiers from the unit's lineage")
    func identifiers() throws {
        let lineage = try store.lineage(of: "1101")
        let prefill = identifierPrefill(for: questionnaire, lineage: lineage)
        #expect(prefill == ["village_code": .string("1101"), "district_name": .string("Aceh Barat")])
    }
}
