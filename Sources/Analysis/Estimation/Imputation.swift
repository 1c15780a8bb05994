import Foundation

/// Borusyak, Jaravel & Spiess's imputation estimator (2024; Stata's did_imputation, PyPI's did-imputation): each
/// treated unit-period's untreated outcome is imputed from unit and period effects estimated on untreated unit-periods
/// only, and the effect of interest is a weighted average of the imputed effects: the overall effect on treated
/// unit-periods, or one per event time. Its point estimates are the two-stage estimator's; its standard errors are the
/// paper's conservative clustered ones (Theorem 3): each row's implied weight times a residual, where treated rows'
/// residuals are their effects less the average effect of their cohort and period (weighted by cluster, as
/// did_imputation averages them).
public struct ImputationDiD: Sendable {
    public let estimates: [Coefficient]
    public let observations: Int
    public let clusters: Int
    public let rowsLeftOut: Int

    /// `targets` are the estimands: a name and a weight for each treated row (normalised here to sum to one; rows
    /// not named weigh nothing). `cohort` is each row's unit's adoption period (nil: never treated).
    public init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, cohort: [Int?], untreated: [Bool],
        targets: [(name: String, weights: [Int: Double])], cluster: [Int], clusterCount: Int, covariates: [[Double]] = [],
        surveyWeights: [Double]? = nil
    ) throws {
        let stage = try FirstStage(
            y: y, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount, untreated: untreated, covariates: covariates,
            weights: surveyWeights)
        // Survey weights (did_imputation's aw) weight the imputation model and the estimand: each treated row's weight
        // in a target is multiplied by its survey weight, and each untreated row's implied weight carries its own.
        let survey = surveyWeights ?? [Double](repeating: 1, count: y.count)
        let reachable = Set(stage.rows)
        var present = [Bool](repeating: false, count: clusterCount)
        for i in stage.rows { present[cluster[i]] = true }
        let used = present.filter { $0 }.count
        let degrees = Double(max(1, used - 1))
        let critical = StudentT.quantile(0.975, degreesOfFreedom: degrees)
        var estimates: [Coefficient] = []
        for target in targets {
            let weights = Dictionary(
                uniqueKeysWithValues: target.weights.filter { reachable.contains($0.key) && !untreated[$0.key] && $0.value != 0 }.map {
                    ($0.key, $0.value * survey[$0.key])
                })
            let total = weights.values.reduce(0, +)
            guard total != 0 else { throw EstimationError.emptyCell("treated unit-periods for \(target.name)") }
            let w = weights.mapValues { $0 / total }
            let effect = w.reduce(0) { $0 + $1.value * stage.adjusted($1.key) }
            // The weight each untreated row carries in the estimate: −x₀(X₀ᵀX₀)⁻¹X₁ᵀw (X the dummies and covariates).
            let carried = stage.carry(w.map { ($0.key, $0.value / survey[$0.key]) })
            // Treated rows' residuals: their effect less the cluster-weighted average effect of their cohort and period.
            var clusterWeight: [[Int]: Double] = [:]
            for (row, weight) in w { clusterWeight[[cluster[row], cohort[row] ?? -1, period[row]], default: 0] += weight }
            var numerator: [[Int]: Double] = [:], denominator: [[Int]: Double] = [:]
            for (row, weight) in w {
                let cell = [cohort[row] ?? -1, period[row]]
                let smart = clusterWeight[[cluster[row], cohort[row] ?? -1, period[row]]]! * weight
                numerator[cell, default: 0] += smart * stage.adjusted(row)
                denominator[cell, default: 0] += smart
            }
            var sums = [Double](repeating: 0, count: clusterCount)
            for (row, weight) in w {
                let cell = [cohort[row] ?? -1, period[row]]
                let average = denominator[cell]! != 0 ? numerator[cell]! / denominator[cell]! : 0
                sums[cluster[row]] += weight * (stage.adjusted(row) - average)
            }
            for row in stage.untreatedRows {
                let v = -survey[row] * stage.carried(carried, at: row)
                sums[cluster[row]] += v * stage.adjusted(row)
            }
            let se = sums.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let p = 2 * (1 - StudentT.cdf(abs(effect / se), degreesOfFreedom: degrees))
            estimates.append(
                Coefficient(term: target.name, estimate: effect, standardError: se, pValue: p, low: effect - critical * se, high: effect + critical * se))
        }
        self.estimates = estimates
        observations = stage.rows.count
        clusters = used
        rowsLeftOut = y.count - stage.rows.count
    }
}
