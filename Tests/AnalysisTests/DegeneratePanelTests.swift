// Requirements covered here (issue: DiD you can defend):
// F1 degenerate panels never trap and never fail the report: every estimator either estimates or says why not,
//    and every format renders (JSON parses, with null where a number cannot be computed; no "nan" in any table)
import Foundation
import Randomness
import Testing

@testable import Analysis
@testable import Reports

struct DegeneratePanelTests {
    enum Case: String, CaseIterable {
        case noVariation, oneCluster, allTreated, cohortOfOneUnit, collinearCovariates, neverTreated
    }

    /// 12 units × 4 periods, bent into the case's shape.
    static func panel(_ shape: Case) throws -> LongPanel {
        var random = SplitMix64(seed: 9)
        var outcome: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = [], x: [Double?] = [], twice: [Double?] = []
        var firstTreated: [String: Int] = [:]
        for u in 0..<12 {
            switch shape {
            case .allTreated: firstTreated["u\(u)"] = 0
            case .cohortOfOneUnit: if u == 0 { firstTreated["u\(u)"] = 2 }
            case .neverTreated: break
            default: if u < 6 { firstTreated["u\(u)"] = u < 3 ? 1 : 2 }
            }
            for t in 0..<4 {
                let value = random.normal(0, 1)
                outcome.append(shape == .noVariation ? 5 : value + Double(t))
                unit.append("u\(u)")
                period.append(t)
                cluster.append(shape == .oneCluster ? "all" : "c\(u % 4)")
                x.append(Double(u % 3))
                twice.append(2 * Double(u % 3))
            }
        }
        let collinear = shape == .collinearCovariates
        return try LongPanel(
            outcome: outcome, unit: unit, period: period, periods: ["1", "2", "3", "4"], firstTreated: firstTreated, cluster: cluster, clusterName: "c",
            covariateNames: collinear ? ["x", "twice_x"] : [], covariates: collinear ? [x, twice] : [])
    }

    @Test("F1: every estimator estimates or says why not, and every format renders", arguments: Case.allCases)
    func degenerate(shape: Case) throws {
        let panel = try Self.panel(shape)
        let tables = [
            try PanelEstimation.attempt("two_by_two") { try PanelEstimation.twoByTwo(panel) },
            try PanelEstimation.attempt("regression") { try PanelEstimation.regression(panel) },
            try PanelEstimation.attempt("twfe") { try PanelEstimation.twoWayFixedEffects(panel) },
            try PanelEstimation.attempt("event_study") { try PanelEstimation.eventStudy(panel, leads: 2, lags: 2) },
            try PanelEstimation.attempt("callaway_santanna") { try PanelEstimation.callawaySantAnna(panel, comparison: .notYetTreated, method: .doublyRobust) },
        ]
        #expect(tables.count == 5)
        for table in tables {
            #expect(!table.rows.isEmpty || table.notes.first?.hasPrefix("not computed: ") == true, "\(shape) \(table.estimator)")
        }
        let report = DiDReport(title: "Degenerate: \(shape)", header: "h", notes: [], tables: tables)
        let json = try DiDReports.render(report, as: .json)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "\(shape): the JSON parses")
        for format in [DiDReports.Format.md, .html, .csv, .latex] {
            let text = try DiDReports.render(report, as: format)
            #expect(!text.lowercased().contains("nan") && !text.contains("inf "), "\(shape) \(format)")
        }
    }
}
