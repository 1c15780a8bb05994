// Requirements covered here (issue: DiD you can defend):
// J1 under 50 clusters, Callaway & Sant'Anna's and the event study's standard errors are the delete-one-cluster
//    jackknife of every reported quantity: equal to refitting by hand without each cluster
// J2 the conventional standard errors stay visible beside them (R did's influence function, fixest's CR1)
// J3 where leaving a cluster out loses a reported quantity, the table says so and keeps the conventional errors
import Foundation
import Randomness
import Testing

@testable import Analysis

struct PanelJackknifeTests {
    static let clusterCount = 10, unitsPerCluster = 6, periodCount = 5

    /// 60 units in 10 clusters over 5 periods; cohorts 2, 3, 4 (period indices) and never treated, each spread
    /// over several clusters (or, with `loneCohort`, cohort 4 only in cluster c0); cluster shocks make the
    /// clustering matter.
    static func panel(loneCohort: Bool = false) throws -> (LongPanel, cohortOf: [String: Int]) {
        var random = SplitMix64(seed: 41)
        var outcome: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = []
        var firstTreated: [String: Int] = [:]
        for c in 0..<clusterCount {
            let shocks = (0..<periodCount).map { _ in random.normal(0, 0.6) }
            for k in 0..<unitsPerCluster {
                let label = "c\(c)u\(k)"
                let cohort: Int? =
                    loneCohort ? (c == 0 && k < 3 ? 4 : [2, 3, nil][(c + k) % 3]) : [2, 3, 4, nil][(c + k) % 4]
                if let cohort { firstTreated[label] = cohort }
                let level = random.normal(0, 1)
                for t in 0..<periodCount {
                    let effect = cohort.map { t >= $0 ? 1.0 + 0.3 * Double(t - $0) : 0 } ?? 0
                    outcome.append(level + 0.2 * Double(t) + shocks[t] + effect + random.normal(0, 0.5))
                    unit.append(label)
                    period.append(t)
                    cluster.append("c\(c)")
                }
            }
        }
        let panel = try LongPanel(
            outcome: outcome, unit: unit, period: period, periods: (1...periodCount).map(String.init), firstTreated: firstTreated,
            cluster: cluster, clusterName: "cluster")
        return (panel, firstTreated)
    }

    /// The quantity a table row reports, from the public estimator.
    static func callawaySantAnnaValue(_ estimator: CallawaySantAnna, term: String) -> Double? {
        if term == "overall ATT (simple)" { return estimator.simple.att }
        if term == "overall ATT (dynamic)" { return estimator.dynamic.overall.att }
        if term == "overall ATT (group)" { return estimator.byGroup.overall.att }
        if term.hasPrefix("event time "), let e = Int(term.dropFirst(11)) { return estimator.dynamic.byEventTime.first { $0.0 == e }?.1.att }
        return estimator.estimates.first { "ATT(\($0.group), \($0.time))" == term }?.att
    }

    static func jackknifeStandardError(_ fits: [Double]) -> Double {
        let g = Double(fits.count), mean = fits.reduce(0, +) / g
        return ((g - 1) / g * fits.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }).squareRoot()
    }

    @Test("J1, J2: Callaway & Sant'Anna's standard errors are the jackknife of every row; R did's stay beside them")
    func callawaySantAnna() throws {
        let (panel, cohortOf) = try Self.panel()
        let table = try PanelEstimation.callawaySantAnna(panel, comparison: .notYetTreated)
        #expect(table.seType.contains("cluster jackknife"))
        // By hand: the public estimator on the units of the other nine clusters.
        func estimator(without left: Int?) throws -> CallawaySantAnna {
            let units = (0..<Self.clusterCount).filter { $0 != left }.flatMap { c in (0..<Self.unitsPerCluster).map { "c\(c)u\($0)" } }
            return try CallawaySantAnna(
                outcome: units.map { u in (0..<Self.periodCount).map { t in panel.outcome[panel.unitLabels.firstIndex(of: u)! * Self.periodCount + t] } },
                periods: Array(1...Self.periodCount), group: units.map { cohortOf[$0].map { $0 + 1 } ?? 0 }, comparison: .notYetTreated,
                cluster: left == nil ? units.map { String($0.prefix { $0 != "u" }) } : nil)
        }
        let leftOut = try (0..<Self.clusterCount).map { try estimator(without: $0) }
        let whole = try estimator(without: nil)
        #expect(table.rows.count == whole.estimates.count + whole.dynamic.byEventTime.count + 3)
        for row in table.rows {
            let fits = try leftOut.map { try #require(Self.callawaySantAnnaValue($0, term: row.term), "\(row.term)") }
            let expected = Self.jackknifeStandardError(fits)
            #expect(abs(row.coefficient.standardError - expected) < 1e-10 * max(1, expected), "\(row.term)")
            #expect(abs(row.coefficient.estimate - (Self.callawaySantAnnaValue(whole, term: row.term) ?? .nan)) < 1e-12)
            // t(G − 1) intervals on the jackknife standard error.
            let half = StudentT.quantile(0.975, degreesOfFreedom: 9) * expected
            #expect(abs(row.coefficient.high - row.coefficient.estimate - half) < 1e-9)
            #expect(row.conventionalStandardError?.name == "influence_function_std_error")
        }
        let simple = try #require(table.rows.first { $0.term == "overall ATT (simple)" })
        #expect(abs((simple.conventionalStandardError?.value ?? 0) - whole.simple.standardError) < 1e-12)
        // The jackknife is not the influence function's: here it is the larger.
        #expect(simple.coefficient.standardError > whole.simple.standardError)
    }

    @Test("J1, J2: the event study's standard errors are the jackknife of every coefficient and the average; CR1 beside them")
    func eventStudy() throws {
        let (panel, cohortOf) = try Self.panel()
        let table = try PanelEstimation.eventStudy(panel, leads: 2, lags: 2)
        #expect(table.seType.contains("cluster jackknife"))
        func study(without left: Int?) throws -> EventStudy {
            let rows = panel.outcome.indices.filter { left == nil || panel.clusterLabels[panel.cluster[$0]] != "c\(left!)" }
            return try EventStudy(
                y: rows.map { panel.outcome[$0] }, units: rows.map { panel.unitLabels[panel.unit[$0]] }, period: rows.map { panel.period[$0] },
                cohort: rows.map { cohortOf[panel.unitLabels[panel.unit[$0]]] }, leads: 2, lags: 2,
                standardErrors: .cr1(cluster: "cluster"), clusters: rows.map { panel.clusterLabels[panel.cluster[$0]] })
        }
        func value(_ study: EventStudy, _ term: String) -> Double? {
            term == "average post-period effect"
                ? study.averagePost?.estimate
                : study.terms.first { "event time \($0.eventTime)\($0.binned ? " (binned)" : "")" == term }?.coefficient.estimate
        }
        let whole = try study(without: nil)
        let leftOut = try (0..<Self.clusterCount).map { try study(without: $0) }
        #expect(table.rows.count == whole.terms.count + 1)
        for row in table.rows {
            let fits = try leftOut.map { try #require(value($0, row.term)) }
            #expect(abs(row.coefficient.standardError - Self.jackknifeStandardError(fits)) < 1e-9, "\(row.term)")
            let cr1 =
                row.term == "average post-period effect"
                ? whole.averagePost?.standardError : whole.terms.first { value(whole, row.term) == $0.coefficient.estimate }?.coefficient.standardError
            #expect(row.conventionalStandardError?.name == "cr1_std_error")
            #expect(abs((row.conventionalStandardError?.value ?? 0) - (cr1 ?? .nan)) < 1e-12, "\(row.term)")
            if row.eventTime != nil { #expect(row.band.map { $0.upperBound > row.coefficient.high } == true) }
        }
    }

    @Test("J3: a cohort in one cluster: no jackknife, the influence-function standard errors, and a note saying why")
    func loneCohort() throws {
        let (panel, _) = try Self.panel(loneCohort: true)
        let table = try PanelEstimation.callawaySantAnna(panel, comparison: .notYetTreated)
        #expect(table.seType.contains("influence function"))
        #expect(table.notes.contains { $0.hasPrefix("cluster jackknife not computed (without cluster c0: ATT(") })
        #expect(table.rows.allSatisfy { $0.conventionalStandardError == nil })
    }

    @Test("the jackknife's formula: an intercept-only fit equals the regression's CR3")
    func formula() throws {
        var random = SplitMix64(seed: 3)
        let y = (0..<40).map { _ in random.normal(0, 1) }, clusters = (0..<40).map { "g\($0 % 7)" }
        let labels = Array(Set(clusters)).sorted()
        let jackknife = try ClusterJackknife(
            full: [y.reduce(0, +) / 40], clusterCount: labels.count, clusterLabel: { labels[$0] },
            refit: { g in
                let kept = y.indices.filter { clusters[$0] != labels[g] }.map { y[$0] }
                return [kept.reduce(0, +) / Double(kept.count)]
            })
        let cr3 = try Regression.fit(y: y, x: y.map { _ in [1] }, names: ["mean"], standardErrors: .cr3(cluster: "g"), clusters: clusters)
        #expect(abs(jackknife.standardErrors[0] - cr3.coefficients[0].standardError) < 1e-14)
        // And both equal the formula written out: (G − 1)/G · Σ (mean without g − their mean)².
        let leftOut = labels.map { label in
            let kept = y.indices.filter { clusters[$0] != label }.map { y[$0] }
            return kept.reduce(0, +) / Double(kept.count)
        }
        #expect(abs(jackknife.standardErrors[0] - Self.jackknifeStandardError(leftOut)) < 1e-14)
        #expect(throws: ClusterJackknife.Failure.self) {
            try ClusterJackknife(full: [0], clusterCount: 3, clusterLabel: { "g\($0)" }, refit: { g in g == 1 ? [.nan] : [0] })
        }
    }
}

struct MultiplierBootstrapTests {
    /// |t*| of one sign pattern, written out: the perturbed totals' sum over their centred standard deviation.
    static func studentised(_ totals: [Double], _ signs: [Double]) -> Double {
        let perturbed = zip(totals, signs).map { $0 * $1 }
        let g = Double(totals.count), sum = perturbed.reduce(0, +), mean = sum / g
        let variance = perturbed.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } * g / (g - 1)
        return abs(sum) / variance.squareRoot()
    }

    @Test("the studentised multiplier bootstrap: its p-value and critical value equal every sign pattern written out")
    func enumerated() throws {
        let totals = [0.8, -1.3, 0.2, 2.1, -0.6, -0.9, 1.4, -1.7]
        let estimate = 0.9, standardError = 0.45
        let result = try #require(
            WildClusterBootstrap.influence(
                term: "x", estimate: estimate, clusterTotals: totals, units: 100, standardError: standardError, weights: .rademacher))
        #expect(result.enumerated && result.draws == 256)
        // The half of the patterns with the first sign +1 (v and −v give the same |t*|).
        let patterns = (0..<128).map { bits in [1.0] + (0..<7).map { bits >> $0 & 1 == 1 ? -1.0 : 1.0 } }
        let statistics = patterns.map { Self.studentised(totals, $0) }.sorted(by: >)
        let observed = estimate / standardError
        #expect(abs(result.pValue - Double(statistics.filter { $0 >= observed * (1 - 1e-12) }.count) / 128) < 1e-15)
        let q = statistics[Int((0.05 * 128).rounded(.down))]
        let interval = try #require(result.interval)
        #expect(abs(interval.upperBound - (estimate + q * standardError)) < 1e-12)
        #expect(abs(interval.lowerBound - (estimate - q * standardError)) < 1e-12)
        // Re-estimating the variance fattens the tails: the critical value is beyond the normal's.
        #expect(q > 1.96)
    }

    @Test("the Callaway & Sant'Anna table's bootstrap interval is the estimate ± q × the jackknife standard error")
    func tableUsesTheJackknife() throws {
        let (panel, _) = try PanelJackknifeTests.panel()
        let table = try PanelEstimation.callawaySantAnna(panel, comparison: .notYetTreated)
        let simple = try #require(table.rows.first { $0.term == "overall ATT (simple)" })
        let interval = try #require(simple.wildBootstrap?.interval)
        let c = simple.coefficient
        // Symmetric about the estimate, on the table's (jackknife) scale: q·s.e. on both sides, q a |t*| quantile.
        #expect(abs((interval.upperBound - c.estimate) - (c.estimate - interval.lowerBound)) < 1e-12)
        #expect(abs(simple.wildBootstrap!.statistic - c.estimate / c.standardError) < 1e-12)
        // 10 clusters: Webb weights drawn.
        #expect(simple.wildBootstrap?.weights == .webb && simple.wildBootstrap?.enumerated == false)
    }
}
