import Foundation
import Randomness

/// Randomisation inference over cluster assignments, for when one side has fewer than 5 clusters and
/// cluster-robust standard errors cannot be trusted: the clusters' treatment paths (each cluster's adoption period,
/// or never) are permuted across clusters, the estimator is fitted again on each arrangement, and the p-value is the
/// share of arrangements whose estimate is at least as far from zero as the data's (Fisher's sharp null of no
/// effect for any unit). Every distinct arrangement is used when there are at most `draws` of them, else `draws`
/// random ones (seeded) beside the observed one.
public struct RandomisationInference: Sendable, Hashable {
    public let term: String
    public let estimate: Double
    public let pValue: Double
    /// Arrangements the estimator was fitted on (including the observed one).
    public let assignments: Int
    public let enumerated: Bool

    /// Why it could not run on this panel, or nil when it can.
    public static func obstacle(_ panel: LongPanel) -> String? {
        if panel.reportedTreatment != nil { return "adoption is not absorbing, so treatment paths are not one adoption period per cluster" }
        return clusterCohorts(panel) == nil ? "treatment varies within clusters, so whole clusters' assignments cannot be permuted" : nil
    }

    /// Each cluster's adoption period (nil: never treated), when all of a cluster's units share one.
    static func clusterCohorts(_ panel: LongPanel) -> [Int?]? {
        var cohorts = [Int??](repeating: nil, count: panel.clusterLabels.count)
        for row in panel.outcome.indices {
            let c = panel.cluster[row], cohort = panel.cohort[panel.unit[row]]
            if let seen = cohorts[c] {
                if seen != cohort { return nil }
            } else {
                cohorts[c] = .some(cohort)
            }
        }
        return cohorts.map { $0 ?? nil }
    }

    /// The panel with each unit's cohort taken from its cluster's entry in `cohorts`.
    static func reassigned(_ panel: LongPanel, _ cohorts: [Int?]) throws -> LongPanel {
        var unitCohort = panel.cohort
        for row in panel.outcome.indices { unitCohort[panel.unit[row]] = cohorts[panel.cluster[row]] }
        return try LongPanel(
            outcome: panel.outcome, unit: panel.unit, unitLabels: panel.unitLabels, period: panel.period, periods: panel.periods,
            cohort: unitCohort, cluster: panel.cluster, clusterLabels: panel.clusterLabels, clusterName: panel.clusterName,
            weight: panel.weight, weightName: panel.weightName, covariateNames: panel.covariateNames, covariates: panel.covariates)
    }

    /// Runs the test; `estimate` fits the estimator on a panel and returns the coefficient tested. Arrangements the
    /// estimator cannot fit (an empty cell) are left out and not counted.
    public static func run(
        _ panel: LongPanel, term: String, draws: Int = 9999, seed: UInt64 = 20_211_201, estimate: (LongPanel) throws -> Double?
    ) throws -> RandomisationInference? {
        guard let observed = clusterCohorts(panel), let actual = try estimate(panel), actual.isFinite else { return nil }
        // Codes for the distinct cohorts, sorted so that the next-permutation walk starts at the first arrangement.
        let distinct = Array(Set(observed.map { $0 ?? -1 })).sorted()
        let codes = observed.map { distinct.firstIndex(of: $0 ?? -1)! }
        let limit = abs(actual) * (1 - 1e-12)
        var extreme = 0, fitted = 0
        func fit(_ arrangement: [Int]) throws {
            let cohorts = arrangement.map { distinct[$0] == -1 ? nil : distinct[$0] } as [Int?]
            guard let value = try? estimate(try reassigned(panel, cohorts)), value.isFinite else { return }
            fitted += 1
            if abs(value) >= limit { extreme += 1 }
        }
        let total = arrangements(codes)
        if total <= Double(draws) {
            var arrangement = codes.sorted()
            repeat { try fit(arrangement) } while nextPermutation(&arrangement)
            guard fitted > 0 else { return nil }
            return RandomisationInference(
                term: term, estimate: actual, pValue: Double(extreme) / Double(fitted), assignments: fitted, enumerated: true)
        }
        var generator = SplitMix64(seed: seed)
        var arrangement = codes
        for _ in 0..<draws {
            for i in stride(from: arrangement.count - 1, to: 0, by: -1) { arrangement.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            try fit(arrangement)
        }
        // The observed arrangement counts among the draws (it is one of them, and as extreme as itself).
        return RandomisationInference(
            term: term, estimate: actual, pValue: Double(extreme + 1) / Double(fitted + 1), assignments: fitted + 1, enumerated: false)
    }

    /// G! / Π m_i!: the number of distinct arrangements of the codes (as a Double: it may be astronomically large).
    static func arrangements(_ codes: [Int]) -> Double {
        var counts: [Int: Int] = [:]
        for code in codes { counts[code, default: 0] += 1 }
        func logFactorial(_ n: Int) -> Double { (1...max(1, n)).reduce(0) { $0 + log(Double($1)) } }
        var logTotal = logFactorial(codes.count)
        for m in counts.values { logTotal -= logFactorial(m) }
        return exp(logTotal).rounded()
    }

    /// The next arrangement in lexicographic order; false after the last.
    static func nextPermutation(_ a: inout [Int]) -> Bool {
        guard a.count > 1 else { return false }
        var i = a.count - 2
        while i >= 0 && a[i] >= a[i + 1] { i -= 1 }
        guard i >= 0 else { return false }
        var j = a.count - 1
        while a[j] <= a[i] { j -= 1 }
        a.swapAt(i, j)
        a[(i + 1)...].reverse()
        return true
    }
}

extension PanelEstimation {
    /// When either side has fewer than 5 clusters, randomisation inference for the table's main coefficient (the
    /// 2×2's difference-in-differences, the regression's group × post, TWFE's treated), as a result on the table
    /// and a note; otherwise the table as it is.
    public static func withRandomisationInference(
        _ table: DiDTable, _ panel: LongPanel, preset: SmallSamplePreset = .fixest, sides known: (treated: Int, comparison: Int)? = nil
    ) throws -> DiDTable {
        guard ["two_by_two", "regression", "twfe"].contains(table.estimator) else { return table }
        let sides = known ?? clusterSides(panel)
        guard sides.treated < 5 || sides.comparison < 5 else { return table }
        let term: String, refit: (LongPanel) throws -> DiDTable
        switch table.estimator {
        case "two_by_two": (term, refit) = ("difference-in-differences", { try twoByTwo($0) })
        case "regression": (term, refit) = ("group × post", { try regression($0, bootstrap: false) })
        case "twfe": (term, refit) = ("treated", { try twoWayFixedEffects($0, preset: preset, bootstrap: false) })
        default: return table
        }
        guard table.rows.contains(where: { $0.term == term }) else { return table }
        if let obstacle = RandomisationInference.obstacle(panel) { return table.adding(note: "randomisation inference not run: \(obstacle)") }
        let result = try RandomisationInference.run(panel, term: term) { permuted in
            try refit(permuted).rows.first { $0.term == term }?.coefficient.estimate
        }
        guard let result else { return table }
        var out = table.adding(
            note: String(
                format:
                    "randomisation inference for %@ over %@ of the clusters' adoption periods: p = %.4f (the share with an estimate at least as far from 0)",
                term as NSString,
                (result.enumerated ? "all \(result.assignments) arrangements" : "\(result.assignments) random arrangements, seed 20211201") as NSString,
                result.pValue))
        out.randomisation = result
        return out
    }
}
