// Requirements covered here (issue: a codebase on checks that cannot lie; the workflows behind the commands):
// W1 the 2×2 DiD from a CSV file reproduces Wooldridge's Example 13.3 (kielmc), and each input problem is a named error
// W2 the panel from a CSV file names a missing column and an empty file instead of estimating
// W3 the demo never empties a folder it did not make
// W4 a round's last day comes from the store, else from a six-monthly code, else it is unknown (no made-up date)
// W5 an indicator run over a store without completed interviews is a named error
import Analysis
import Expressions
import Foundation
import Questionnaire
import Reports
import Store
import TestSupport
import Testing

@testable import Workflows

@Suite(.temporaryFiles)
struct WorkflowTests {
    @Test("W1: kielmc through the 2×2 workflow: the published DiD; bad inputs are named errors")
    func twoByTwo() throws {
        let path = referenceData("kielmc.csv").path
        let json = try TwoByTwoCSV(path: path, outcome: "rprice", group: "nearinc", post: "y81").run(format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let terms = try #require(object["terms"] as? [[String: Any]])
        let did = try #require(terms.first { $0["term"] as? String == "nearinc:y81" })
        #expect(abs((did["estimate"] as? Double ?? 0) - -11_863.90) < 0.01)
        #expect(abs((did["std_error"] as? Double ?? 0) - 7_456.65) < 0.01)

        #expect(throws: WorkflowError.missingColumn(path: path, column: "no_such", columns: try header(path))) {
            try TwoByTwoCSV(path: path, outcome: "no_such", group: "nearinc", post: "y81").run(format: .md)
        }
        #expect(throws: WorkflowError.unreadable(path: "/nonexistent.csv")) {
            try TwoByTwoCSV(path: "/nonexistent.csv", outcome: "y", group: "g", post: "p").run(format: .md)
        }
        let constant = try temporaryPath("constant.csv")
        try "y,g,p\n1,1,0\n2,1,1\n3,1,0\n".write(toFile: constant, atomically: true, encoding: .utf8)
        #expect(throws: WorkflowError.estimation(source: nil, .noVariation(column: "g"))) {
            try TwoByTwoCSV(path: constant, outcome: "y", group: "g", post: "p").run(format: .md)
        }
        var weighted = TwoByTwoCSV(path: path, outcome: "rprice", group: "nearinc", post: "y81")
        weighted.weights = "y81"
        #expect(throws: WorkflowError.nonPositiveWeights(column: "y81")) { try weighted.run(format: .md) }
    }

    func header(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\n" }.split(separator: ",").map(String.init)
    }

    @Test("W2: the panel workflow names a missing column and an empty file")
    func panel() throws {
        let path = referenceData("mpdta.csv").path
        let missing = PanelCSV(path: path, outcome: "lemp", unit: "county", time: "year", adoption: .cohort(column: "first_treat"))
        #expect(throws: WorkflowError.missingColumn(path: path, column: "county", columns: try header(path))) { try missing.run(format: .md) }
        let empty = try temporaryPath("empty.csv")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: WorkflowError.emptyFile(path: empty)) {
            try PanelCSV(path: empty, outcome: "y", unit: "u", time: "t", adoption: .cohort(column: "g")).run(format: .md)
        }
    }

    @Test("W3: the demo refuses a folder it did not make, and leaves it as it was")
    func demoFolder() throws {
        let folder = try temporaryDirectory()
        try "keep me".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let demo = DemoWorkflow(plan: "no-such.plan.yaml", indicators: nil, out: folder.path, seed: 1)
        #expect(throws: WorkflowError.outputFolderNotOurs(folder.path)) { try demo.run { _ in } }
        #expect(try String(contentsOf: folder.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep me")
        let kompak = DemoWorkflow(plan: "Questionnaires/kompak/kompak.plan.yaml", indicators: nil, out: "o", seed: 1)
        #expect(kompak.defaultIndicatorPath == "Analysis/kompak/indicators.yaml")
        #expect(
            DemoWorkflow(plan: "/srv/pantau/Questionnaires/kompak/kompak.plan.yaml", indicators: nil, out: "o", seed: 1).defaultIndicatorPath
                == "/srv/pantau/Analysis/kompak/indicators.yaml")
        #expect(
            DemoWorkflow(plan: "kompak/k.plan.yaml", indicators: nil, out: "o", seed: 1).defaultIndicatorPath == "kompak/../../Analysis/kompak/indicators.yaml")
    }

    @Test("W4: a round's last day: the store's date, else the six-monthly code's, else unknown")
    func roundDates() {
        #expect(Round(code: "R1", startsOn: nil, endsOn: "2021-03-31").lastDay == CivilDate(year: 2021, month: 3, day: 31)!.days)
        #expect(Round(code: "2021-H1", startsOn: nil, endsOn: nil).lastDay == CivilDate(year: 2021, month: 6, day: 30)!.days)
        #expect(Round(code: "2020-H2", startsOn: nil, endsOn: nil).lastDay == CivilDate(year: 2020, month: 12, day: 31)!.days)
        #expect(Round(code: "R1", startsOn: nil, endsOn: nil).lastDay == nil)
        #expect(Round(code: "2021-H3", startsOn: nil, endsOn: nil).lastDay == nil)
    }

    @Test("W5: indicators over a store with no completed interviews: a named error")
    func noInterviews() throws {
        let store = try ResponseStore(path: try temporaryPath("s.sqlite"))
        let questionnaire = try QuestionnaireLoader.load(
            yaml: """
                settings: {form_id: f, title: F, version: "1", unit_level: village}
                survey:
                  - {type: integer, name: n, label: N}
                """, file: "f.yaml"
        ).get()
        _ = try store.register(questionnaire, at: Scenario.fixedNow)
        let spec = try temporaryPath("f.indicators.yaml")
        try """
        indicators:
          - {id: mean_n, label: Mean n, instrument: f, mean: "${n}"}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        #expect(throws: WorkflowError.noCompletedInterviews(instruments: ["f"])) {
            try IndicatorWorkflow.table(spec: spec, store: store, round: nil, intervals: .fpc, language: nil)
        }
    }
}
