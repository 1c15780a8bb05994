// Requirements covered here (issue: DiD you can defend):
// E2 every table says how many clusters hold treated units and how many untreated unit-periods, and warns under 5
// E1 the regression DiD has the time effect: on a balanced panel with one adoption date it equals TWFE to rounding,
//    even with a strong common trend (which the model without period effects would have taken for an effect)
import Foundation
import Randomness
import Testing

@testable import Analysis
@testable import Reports

struct RegressionDiDTests {
    /// 40 units × 4 periods, half treated from period 2, a common trend of 3 per period and an effect of 0.5 (or `effect`).
    static func panel(seed: UInt64, effect: Double = 0.5, clusterOf: (Int) -> String = { "c\($0 % 10)" }) throws -> LongPanel {
        var random = SplitMix64(seed: seed)
        var outcome: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = []
        var firstTreated: [String: Int] = [:]
        for u in 0..<40 {
            let treated = u < 20, level = random.normal(0, 1)
            if treated { firstTreated["u\(u)"] = 2 }
            for t in 0..<4 {
                outcome.append(level + 3 * Double(t) + (treated && t >= 2 ? effect : 0) + random.normal(0, 0.3))
                unit.append("u\(u)")
                period.append(t)
                cluster.append(clusterOf(u))
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
        // Every cluster holds treated and never-treated units: 10 on each side, no warning.
        #expect(PanelEstimation.clusterNote(try Self.panel(seed: 1)) == "clusters (c): 10 with treated units, 10 with untreated unit-periods")
        // Units 0–19 (treated) in 4 clusters, 20–39 in 10: 4 treated clusters, and the pre-periods of the treated
        // units make all 14 clusters hold untreated unit-periods.
        let nested = try RandomisationInferenceTests.nested(effect: 0.5)
        #expect(
            PanelEstimation.clusterNote(nested)
                == "clusters (c): 4 with treated units, 14 with untreated unit-periods; with fewer than 5 on a side, clustered standard errors and t-based intervals are unreliable: read the wild bootstrap"
        )
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
        #expect(try DiDReports.render(report, as: .md).contains("| bootstrap p | bootstrap 95% CI |"))
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

struct RandomisationInferenceTests {
    /// 4 treated clusters of 14 (units 0–19 treated in t0…t3, 20–39 never treated in n0…n9), effect `effect`.
    static func nested(effect: Double, seed: UInt64 = 1) throws -> LongPanel {
        try RegressionDiDTests.panel(seed: seed, effect: effect) { $0 < 20 ? "t\($0 % 4)" : "n\($0 % 10)" }
    }

    @Test("E3: with 4 treated clusters, every arrangement of the 14 clusters' adoption is fitted, and the p-value is the brute-force one")
    func enumeratesArrangements() throws {
        for effect in [0.0, 0.5] {
            let panel = try Self.nested(effect: effect)
            let table = try PanelEstimation.withRandomisationInference(try PanelEstimation.regression(panel), panel)
            let result = try #require(table.randomisation)
            #expect(result.enumerated && result.assignments == 1001, "C(14, 4) arrangements")
            // Independently: every 4-subset of the clusters treated, the regression refitted on a panel built from labels.
            let labels = panel.clusterLabels
            let estimate = try #require(table.rows.first { $0.term == "group × post" }?.coefficient.estimate)
            var extreme = 0, total = 0
            func subsets(_ start: Int, _ chosen: [Int]) throws {
                if chosen.count == 4 {
                    let treatedClusters = Set(chosen.map { labels[$0] })
                    var firstTreated: [String: Int] = [:]
                    for row in panel.outcome.indices where treatedClusters.contains(labels[panel.cluster[row]]) {
                        firstTreated[panel.unitLabels[panel.unit[row]]] = 2
                    }
                    let permuted = try LongPanel(
                        outcome: panel.outcome, unit: panel.unit.map { panel.unitLabels[$0] }, period: panel.period, periods: panel.periods,
                        firstTreated: firstTreated, cluster: panel.cluster.map { labels[$0] }, clusterName: "c")
                    let value = try #require(try PanelEstimation.regression(permuted, bootstrap: false).rows.first { $0.term == "group × post" })
                    total += 1
                    if abs(value.coefficient.estimate) >= abs(estimate) * (1 - 1e-12) { extreme += 1 }
                    return
                }
                guard start < labels.count else { return }
                for c in start..<labels.count { try subsets(c + 1, chosen + [c]) }
            }
            try subsets(0, [])
            #expect(total == 1001)
            #expect(abs(result.pValue - Double(extreme) / Double(total)) < 1e-12, "effect \(effect): \(result.pValue) against \(extreme)/\(total)")
            if effect > 0 { #expect(result.pValue < 0.05) } else { #expect(result.pValue > 0.05) }
            #expect(table.notes.last?.hasPrefix("randomisation inference for group × post over all 1001 arrangements") == true)
        }
    }

    @Test("E3: randomisation inference is not run where treatment varies within clusters, and says why; not at all with 5+ clusters a side")
    func obstacles() throws {
        let mixed = try RegressionDiDTests.panel(seed: 1) { $0 < 20 ? "t\($0 % 4)" : "t\($0 % 3)" }
        let table = try PanelEstimation.withRandomisationInference(try PanelEstimation.twoWayFixedEffects(mixed), mixed)
        #expect(table.randomisation == nil)
        #expect(table.notes.last == "randomisation inference not run: treatment varies within clusters, so whole clusters' assignments cannot be permuted")
        let many = try RegressionDiDTests.panel(seed: 1)
        let plain = try PanelEstimation.twoWayFixedEffects(many)
        let unchanged = try PanelEstimation.withRandomisationInference(plain, many)
        #expect(unchanged.randomisation == nil && unchanged.notes == plain.notes)
    }
}

struct EventStudyBootstrapTests {
    @Test("under 50 clusters every event-time coefficient and the average post-period effect carry a wild bootstrap of their own estimate")
    func everyRow() throws {
        let panel = try RegressionDiDTests.panel(seed: 4)
        let table = try PanelEstimation.eventStudy(panel, leads: 2, lags: 1)
        #expect(table.rows.count >= 3)
        for row in table.rows {
            let wild = try #require(row.wildBootstrap, "\(row.term)")
            // The reparametrised fit gives the average itself as one coefficient: the same number as the table's.
            #expect(abs(wild.estimate - row.coefficient.estimate) < 1e-10, "\(row.term): \(wild.estimate) against \(row.coefficient.estimate)")
            let interval = try #require(wild.interval)
            #expect(interval.contains(row.coefficient.estimate) && wild.nullImposed)
        }
    }
}
