import Expressions
// Requirements covered here:
// M1 a valid file builds an immutable model with types, labels per language, checks and non-responses
// M2 the dependency graph lists exactly the items downstream of a field, in evaluation order
// M3 every questionnaire in Questionnaires/ validates without errors
import Foundation
import TestSupport
import Testing

@testable import Questionnaire

struct ModelTests {
    static let yaml = """
        settings:
          form_id: village
          title: {id: Desa, en: Village}
          version: "2021-H1"
          languages: [id, en]
          unit_level: village
        survey:
          - type: select_one sid_status
            name: sid_status
            label: {id: "Status SID (putaran lalu: ${previous(${sid_status})})", en: "SID status (last round: ${previous(${sid_status})})"}
            default: previous(${sid_status})
            allow: [dont_know]
          - type: select_multiple sid_use
            name: sid_use
            label: {id: Penggunaan SID, en: SID uses}
            relevant: ${sid_status} != 'none'
          - type: integer
            name: budget
            label: {id: Anggaran, en: Budget}
            required: true
            constraint: . >= 0
            warning: . < 10000000000
            warning_message: {id: Sangat besar, en: Very large}
          - type: integer
            name: health
            label: {id: Kesehatan, en: Health}
            constraint: . <= ${budget}
          - type: calculate
            name: health_share
            calculation: if(${budget} > 0, 100 * ${health} div ${budget}, 0)
          - type: note
            name: share_note
            label: {id: "Porsi: ${health_share}%", en: "Share: ${health_share}%"}
            relevant: ${health_share} > 50
        choices:
          sid_status:
            - {name: none, label: {id: Tidak ada, en: None}}
            - {name: online, label: {id: Daring, en: Online}}
          sid_use:
            - {name: planning, label: {id: Perencanaan, en: Planning}}
        """

    @Test("M1: the model keeps what the file says")
    func model() throws {
        let questionnaire = try load(Self.yaml)
        #expect(questionnaire.settings.formID == "village")
        #expect(questionnaire.settings.languages == ["id", "en"])
        #expect(questionnaire.settings.defaultLanguage == "id")
        #expect(questionnaire.summary.description == "6 items, 4 questions, 0 groups, 0 repeats, 2 choice lists, languages: id, en")
        let status = try #require(questionnaire.item(named: "sid_status"))
        #expect(status.type == .selectOne(list: "sid_status"))
        #expect(status.allowedNonResponses == [.dontKnow])
        #expect(status.label?.text(in: "en") == "SID status (last round: ${previous(${sid_status})})")
        guard case .expression(let preload) = status.defaultValue else {
            Issue.record("default should be an expression")
            return
        }
        #expect(preload.expression.previousReferences == ["sid_status"])
        let budget = try #require(questionnaire.item(named: "budget"))
        #expect(budget.required == .yes)
        #expect(budget.warningMessage?.text(in: "en") == "Very large")
        #expect(questionnaire.sourceText == Self.yaml)
    }

    @Test("M2: downstream items in evaluation order")
    func dependencies() throws {
        let graph = try load(Self.yaml).dependencies
        #expect(graph.dependents(of: "budget") == ["health", "health_share"])
        #expect(graph.affected(by: "health") == ["health_share", "share_note"])
        #expect(graph.affected(by: "sid_status") == ["sid_use"])
        // A preload reads last round's answers, which never change during an interview.
        #expect(!graph.dependents(of: "sid_status").contains("sid_status"))
        let order = graph.evaluationOrder
        #expect(order.firstIndex(of: "health_share")! < order.firstIndex(of: "share_note")!)
    }

    @Test("M2: a cycle names every item in the loop")
    func cycleMessage() {
        let yaml = form(
            """
              - type: calculate
                name: a
                calculation: ${c} + 1
              - type: calculate
                name: b
                calculation: ${a} + 1
              - type: integer
                name: c
                label: C
                relevant: ${b} > 1
              - type: integer
                name: d
                label: D
                relevant: ${a} > 1

            """)
        guard case .failure(let report) = QuestionnaireLoader.load(yaml: yaml, file: "t.yaml") else {
            Issue.record("expected a cycle")
            return
        }
        #expect(
            report.diagnostics.map(\.message) == [
                "cycle among calculations, defaults and relevance: a → b → c → a; each of these waits for another"
            ])
    }

    @Test("M3: every bundled questionnaire validates")
    func bundledQuestionnaires() throws {
        let folder = repositoryRoot.appendingPathComponent("Questionnaires")
        let files =
            FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") && !SurveyPlan.isPlan($0) } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let result = QuestionnaireLoader.load(path: folder.appendingPathComponent(file).path)
            if case .failure(let report) = result { Issue.record("\(file):\n\(report)") }
        }
        let plans = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter(SurveyPlan.isPlan) ?? []
        for plan in plans {
            if case .failure(let report) = SurveyPlan.load(path: folder.appendingPathComponent(plan).path) { Issue.record("\(plan):\n\(report)") }
        }
    }
}
