// Requirements covered here (issue: DiD you can defend):
// E2 every table says how many clusters hold treated units and how many only comparison units, and warns under 5
// E1 the regression DiD has the time effect: on a balanced panel with one adoption date it equals TWFE to rounding,
//    even with a strong common trend (which the model without period effects would have taken for an effect)
import Foundation
import Randomness
import Testing

@testable import Analysis
@testable import Reports

struct RegressionDiDTests {
    /// 40 units × 4 periods, half treated from period 2, a common trend of 3 per period and an effect of 0.5.
    static func panel(seed: UInt64) throws -> LongPanel {
        var random = SplitMix64(seed: seed)
        var outcome: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = []
        var firstTreated: [String: Int] = [:]
        for u in 0..<40 {
            let treated = u < 20, level = random.normal(0, 1)
            if treated { firstTreated["u\(u)"] = 2 }
            for t in 0..<4 {
                outcome.append(level + 3 * Double(t) + (treated && t >= 2 ? 0.5 : 0) + random.normal(0, 0.3))
                unit.append("u\(u)")
                period.append(t)
                cluster.append("c\(u % 10)")
            }
        }
        return try LongPanel(
            outcome: outcome, unit: unit, period: period, periods: ["2001", "2002", "2003", "2004"], firstTreated: firstTreated, cluster: cluster,
            clusterName: "c")
    }

    @Test("E1: with period effects, regression DiD equals TWFE on a balanced panel with one adoption date", arguments: [1, 2, 3] as [UInt64])
    func equalsTWFE(seed: UInt64) throws {
        let panel = try Self.panel(seed: seed)
        let regression = try PanelEstimation.regression(panel)
        let twfe = try PanelEstimation.twoWayFixedEffects(panel)
        let d = try #require(regression.rows.first { $0.term == "group × post" }?.coefficient.estimate)
        let treated = try #require(twfe.rows.first { $0.term == "treated" }?.coefficient.estimate)
        #expect(abs(d - treated) < 1e-9, "regression \(d), TWFE \(treated)")
        #expect(abs(d - 0.5) < 0.3, "the true effect is 0.5, the common trend 3 per period")
        #expect(regression.rows.map(\.term).contains("period 2004") && regression.notes.first?.hasPrefix("estimand:") == true)
    }

    @Test("E2: treated and comparison clusters are counted, with a warning under 5 on a side")
    func clusterCounts() throws {
        let note = PanelEstimation.clusterNote(try Self.panel(seed: 1))
        #expect(note.hasPrefix("clusters (c): 10 with treated units, 0 with comparison units only; with fewer than 5 on a side"))
    }
}

struct WildBootstrapFieldTests {
    @Test("under 50 clusters the wild bootstrap is a result on its row, a JSON object and a table column, not only a note")
    func structured() throws {
        let table = try PanelEstimation.twoWayFixedEffects(try RegressionDiDTests.panel(seed: 2))
        let row = try #require(table.rows.first { $0.term == "treated" })
        let wild = try #require(row.wildBootstrap)
        #expect(wild.clusters == 10 && wild.weights == .webb && wild.draws == 9999 && wild.interval != nil)
        let report = DiDReport(title: "T", header: "h", notes: [], tables: [table])
        let object = try JSONSerialization.jsonObject(with: Data(try DiDReports.render(report, as: .json).utf8)) as? [String: Any]
        let terms = (object?["estimators"] as? [[String: Any]])?.first?["terms"] as? [[String: Any]]
        let field = terms?.first { $0["term"] as? String == "treated" }?["wild_bootstrap"] as? [String: Any]
        #expect(field?["p_value"] as? Double == wild.pValue && field?["weights"] as? String == "webb" && field?["draws"] as? Int == 9999)
        #expect(field?["enumerated"] as? Bool == false && field?["conf_low"] as? Double == wild.interval?.lowerBound)
        #expect(try DiDReports.render(report, as: .md).contains("| wild bootstrap p | wild bootstrap 95% CI |"))
    }
}

struct ClusterJackknifeTests {
    @Test("CR3 is the cluster jackknife: (G−1)/G · Σ (β₋g − β̄)², checked against refits without each cluster; t(G−1) intervals")
    func jackknife() throws {
        var random = SplitMix64(seed: 4)
        var y: [Double] = [], x: [[Double]] = [], clusters: [String] = []
        for g in 0..<7 {
            let shock = random.normal(0, 1)
            for _ in 0..<15 {
                let d = random.uniform() < 0.5 ? 1.0 : 0.0
                x.append([1, d])
                y.append(1 + 0.5 * d + shock + random.normal(0, 1))
                clusters.append("g\(g)")
            }
        }
        let names = ["(Intercept)", "d"]
        let result = try Regression.fit(y: y, x: x, names: names, standardErrors: .cr3(cluster: "g"), clusters: clusters)
        var slopes: [Double] = []
        for g in 0..<7 {
            let keep = clusters.indices.filter { clusters[$0] != "g\(g)" }
            slopes.append(try Regression.fit(y: keep.map { y[$0] }, x: keep.map { x[$0] }, names: names).coefficients[1].estimate)
        }
        let mean = slopes.reduce(0, +) / 7
        let variance = slopes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } * 6 / 7
        let d = try #require(result.coefficient("d"))
        #expect(abs(d.standardError - variance.squareRoot()) < 1e-12)
        #expect(result.clusters == 7 && result.degreesOfFreedom == 6)
        #expect(abs(d.high - (d.estimate + StudentT.quantile(0.975, degreesOfFreedom: 6) * d.standardError)) < 1e-12)
        #expect(throws: EstimationError.oneCluster(column: "g")) {
            try Regression.fit(y: y, x: x, names: names, standardErrors: .cr3(cluster: "g"), clusters: Array(repeating: "one", count: y.count))
        }
    }
}
