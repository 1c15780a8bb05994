// Requirements covered here (issue: a codebase on checks that cannot lie; the workflows behind the commands):
// W1 the 2×2 DiD from a CSV file reproduces Wooldridge's Example 13.3 (kielmc), and each input problem is a named error
// W2 the panel from a CSV file names a missing column and an empty file instead of estimating
// W3 the demo never empties a folder it did not make
// W4 a round's last day comes from the store, else from a six-monthly code, else it is unknown (no made-up date)
// W5 an indicator run over a store without completed interviews is a named error
// W6 Callaway & Sant'Anna from repeated cross-sections and from an unbalanced panel kept whole equal csdid's
// W7 a dose column (--dose) gives de Chaisemartin & D'Haultfœuille's dynamic effects of a non-binary treatment; other
//    estimators and a row without a dose are named errors
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

    @Test("W7: a dose column: the dynamic effects and the effects per unit of dose; other estimators and a missing dose are named errors")
    func dose() throws {
        // A small panel: 8 units over 4 periods, doses 0, 1 and 2, the outcome up 1.5 per unit of dose.
        var lines = ["unit,period,dose,y"]
        for unit in 0..<8 {
            for period in 0..<4 {
                let dose = unit < 3 ? 0 : period >= 1 + unit % 3 ? Double(1 + unit % 2) : 0
                lines.append(
                    "u\(unit),\(period),\(Int(dose)),\(Double(unit) * 0.3 + 0.2 * Double(period) + 1.5 * dose + Double((unit * 7 + period) % 5) * 0.01)")
            }
        }
        let path = try temporaryPath("dose.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var request = PanelCSV(path: path, outcome: "y", unit: "unit", time: "period", adoption: .dose(column: "dose"))
        request.estimators = [.chaisemartinDHaultfoeuille]
        (request.leads, request.lags) = (0, 1)
        request.sensitivity = false
        let output = try request.run(format: .md).output
        #expect(output.contains("dynamic effects of a dose") && output.contains("| event time 0 (DID_1) | 2.4000"))
        #expect(output.contains("DID^n_1 (event time 0, per unit of dose) | 1.5"))
        request.estimators = [.twfe, .chaisemartinDHaultfoeuille]
        #expect(throws: WorkflowError.estimation(source: nil, .doseNeedsChaisemartin(estimator: "twfe"))) { try request.run(format: .md) }
        request.estimators = [.chaisemartinDHaultfoeuille]
        try (lines.joined(separator: "\n").replacingOccurrences(of: "u5,3,2,", with: "u5,3,,") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: WorkflowError.estimation(source: nil, .missingDose(column: "dose", unit: "u5", period: "3"))) { try request.run(format: .md) }
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

    /// Each term's estimate and standard error from a JSON report's first table.
    static func terms(_ json: String) throws -> [String: (Double, Double)] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let table = try #require((object?["estimators"] as? [[String: Any]])?.first)
        var terms: [String: (Double, Double)] = [:]
        for term in table["terms"] as? [[String: Any]] ?? [] {
            terms[term["term"] as? String ?? ""] = (term["estimate"] as? Double ?? .nan, term["std_error"] as? Double ?? .nan)
        }
        return terms
    }

    @Test(
        "W6: --cross-sections and --keep-unbalanced: Callaway & Sant'Anna equal csdid's (panel = False, allow_unbalanced_panel); a panel estimator on cross-sections is refused"
    )
    func crossSectionsAndUnbalanced() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AnalysisTests/Fixtures")
        // Plain comma-separated numbers and names, without quotes.
        let text = try String(contentsOf: fixtures.appendingPathComponent("cs_unbalanced_reference.csv"), encoding: .utf8)
        let reference: [[String]] = text.split(separator: "\n").map { line in line.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        func expected(_ sample: String, _ kind: String, _ g: String, _ t: String) throws -> (Double, Double) {
            let row = try #require(reference.first { $0[0] == "\(sample):notyettreated+dr" && $0[1] == kind && $0[2] == g && $0[3] == t })
            return (Double(row[4])!, Double(row[5])!)
        }
        func close(_ a: (Double, Double), _ b: (Double, Double)) -> Bool {
            abs(a.0 - b.0) <= 1e-6 * max(abs(b.0), 1e-3) && abs(a.1 - b.1) <= 1e-6 * max(abs(b.1), 1e-3)
        }
        var cross = PanelCSV(path: referenceData("mpdta.csv").path, outcome: "lemp", unit: "", time: "year", adoption: .cohort(column: "first_treat"))
        cross.crossSections = true
        cross.estimators = [.callawaySantAnna]
        let fromRows = try Self.terms(try cross.run(format: .json).output)
        #expect(close(try #require(fromRows["ATT(2004, 2006)"]), try expected("cross_sections", "attgt", "2004", "2006")))
        #expect(close(try #require(fromRows["overall ATT (simple)"]), try expected("cross_sections", "simple", "", "")))
        #expect(close(try #require(fromRows["event time -2"]), try expected("cross_sections", "event", "-2", "")))
        cross.estimators = [.callawaySantAnna, .twfe]
        #expect(throws: WorkflowError.estimation(source: nil, .needsPanel(estimator: "twfe"))) { try cross.run(format: .md) }

        var unbalanced = PanelCSV(
            path: fixtures.appendingPathComponent("mpdta_unbalanced.csv").path, outcome: "lemp", unit: "countyreal", time: "year",
            adoption: .cohort(column: "first_treat"))
        unbalanced.estimators = [.callawaySantAnna]
        unbalanced.keepUnbalanced = true
        let kept = try Self.terms(try unbalanced.run(format: .json).output)
        #expect(close(try #require(kept["ATT(2007, 2007)"]), try expected("unbalanced", "attgt", "2007", "2007")))
        #expect(close(try #require(kept["overall ATT (group)"]), try expected("unbalanced", "group", "", "")))
        unbalanced.keepUnbalanced = false
        let report = try unbalanced.run(format: .md).output
        #expect(report.contains("balanced panel: 225 units observed in every period, 275 units missing a period left out"))
    }
}
