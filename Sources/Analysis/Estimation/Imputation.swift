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
    /// With a request, the wild cluster bootstrap (null imposed) of each target, by name.
    public let bootstrap: [String: WildClusterBootstrap.Result]
    /// The bootstrap's pieces, by name (for the tests, which rebuild bootstrap samples and refit).
    let enumerations: [String: WildClusterBootstrap.PatternEnumeration]
    /// Why the bootstrap of a target could not run, by name.
    public let bootstrapFailures: [String: String]
    /// Targets none of whose rows the first stage reaches (every one is in a period with no untreated unit, or its unit
    /// is never untreated): not estimated, in the order given.
    public let unidentified: [String]
    /// With CR2, each estimate's Satterthwaite degrees of freedom (in the order of `estimates`).
    public let degreesOfFreedom: [Double]?

    /// `targets` are the estimands: a name and a weight for each treated row (normalised here to sum to one; rows
    /// not named weigh nothing). `cohort` is each row's unit's adoption period (nil: never treated).
    public init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, cohort: [Int?], untreated: [Bool],
        targets: [(name: String, weights: [Int: Double])], cluster: [Int], clusterCount: Int, covariates: [[Double]] = [],
        surveyWeights: [Double]? = nil, wildBootstrap request: WildClusterBootstrap.Request? = nil, cr2: Bool = false, clusterName: String = "cluster"
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
        var estimates: [Coefficient] = [], bootstrap: [String: WildClusterBootstrap.Result] = [:]
        var enumerations: [String: WildClusterBootstrap.PatternEnumeration] = [:], bootstrapFailures: [String: String] = [:]
        var unidentified: [String] = []
        var implied: [[Double]] = []
        for target in targets {
            let weights = Dictionary(
                uniqueKeysWithValues: target.weights.filter { reachable.contains($0.key) && !untreated[$0.key] && $0.value != 0 }.map {
                    ($0.key, $0.value * survey[$0.key])
                })
            let total = weights.values.reduce(0, +)
            // A target whose rows all lie beyond the first stage has nothing to impute from: it is set aside (as
            // did_imputation's autosample does), and an estimate with no target left fails.
            guard total != 0 else {
                unidentified.append(target.name)
                continue
            }
            let parts = Self.parts(stage, weights.mapValues { $0 / total }, cohort: cohort, period: period, cluster: cluster, survey: survey)
            let effect = parts.w.reduce(0) { $0 + $1.value * stage.adjusted($1.key) }
            implied.append(parts.implied)
            // Each cluster's score: its target rows' effects less their cells' averages, and its untreated rows'
            // implied weights times their residuals.
            var average: [[Int]: Double] = [:]
            for row in parts.w.keys { average[parts.cell[row]!, default: 0] += parts.share[row]! * stage.adjusted(row) }
            var sums = [Double](repeating: 0, count: clusterCount)
            for (row, weight) in parts.w { sums[cluster[row]] += weight * (stage.adjusted(row) - average[parts.cell[row]!]!) }
            for row in stage.untreatedRows { sums[cluster[row]] += parts.implied[row] * stage.adjusted(row) }
            let se = sums.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let p = 2 * (1 - StudentT.cdf(abs(effect / se), degreesOfFreedom: degrees))
            estimates.append(
                Coefficient(term: target.name, estimate: effect, standardError: se, pValue: p, low: effect - critical * se, high: effect + critical * se))
            guard let request else { continue }
            // The bootstrap: the null fit treats the target's rows as untreated; other treated rows keep their cohort
            // and period's average effect (the cells of the conservative residuals).
            let tested = y.indices.map { parts.w[$0] != nil }
            let d = tested.map { $0 ? 1.0 : 0.0 }
            let group = y.indices.map { i -> Int? in untreated[i] ? nil : (cohort[i] ?? -1) * periodCount + period[i] }
            func fit(_ z: [Double]) throws -> [Double] {
                try FirstStage.restrictedFit(
                    z, tested: tested, group: group, rows: stage.rows, unit: unit, unitCount: unitCount, period: period,
                    periodCount: periodCount, untreated: untreated, covariates: covariates, weights: surveyWeights)
            }
            let codes = present.indices.filter { present[$0] }
            let code = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
            var compact = [Int](repeating: -1, count: y.count)
            for i in stage.rows { compact[i] = code[cluster[i]]! }
            let statistic = WildClusterBootstrap.LinearStatistic(
                implied: parts.implied, cluster: compact, clusterCount: codes.count, factor: 1,
                scoreWeights: { h in Self.scoreWeights(stage, parts, cluster: codes[h], clusterOf: cluster, count: y.count) })
            // A bootstrap that cannot run (no variation left in a cluster's scores) leaves the row without one, not the table.
            do {
                (bootstrap[target.name], enumerations[target.name]) = try WildClusterBootstrap.linearTest(
                    term: target.name, statistic: statistic, y: y, fittedY: try fit(y), d: d, fittedD: try fit(d), request: request)
            } catch let error as EstimationError {
                bootstrapFailures[target.name] = "\(error)"
            }
        }
        guard !estimates.isEmpty else { throw EstimationError.emptyCell("treated unit-periods the imputation model reaches") }
        if cr2 {
            // The residuals CR2 adjusts: treated rows' effects net of their cohort and period's mean effect (the cells of the
            // conservative standard errors, here plain means, weighted by the survey weights where there are any, so that the
            // correction is exact), untreated rows' as they are.
            var cellOf: [[Int]: Int] = [:]
            var cells: [[Double]] = []
            for i in stage.rows where !untreated[i] {
                let key = [cohort[i] ?? -1, period[i]]
                let column = cellOf[key] ?? cells.count
                if column == cells.count {
                    cellOf[key] = column
                    cells.append([Double](repeating: 0, count: y.count))
                }
                cells[column][i] = 1
            }
            let adjusted = try LinearBellMcCaffrey.compute(
                stage: stage, secondStage: cells, directions: implied, cluster: cluster, clusterCount: clusterCount)
            estimates = estimates.indices.map { j in
                DiDTable.t(
                    estimates[j].estimate, adjusted.covariance[j][j].squareRoot(), degreesOfFreedom: adjusted.degreesOfFreedom[j],
                    term: estimates[j].term)
            }
            degreesOfFreedom = adjusted.degreesOfFreedom
        } else {
            degreesOfFreedom = nil
        }
        self.estimates = estimates
        self.unidentified = unidentified
        self.bootstrap = bootstrap
        self.enumerations = enumerations
        self.bootstrapFailures = bootstrapFailures
        observations = stage.rows.count
        clusters = used
        rowsLeftOut = y.count - stage.rows.count
    }

    /// One target's linear parts: the normalised weights of its rows, every row's weight in the estimate (BJS's implied
    /// weights: the target's weights on its rows, minus what the first stage carries to the untreated ones).
    struct Parts {
        let w: [Int: Double]
        let implied: [Double]
        /// Treated rows' residuals are their effects less the cluster-weighted average effect of their cohort and
        /// period: each target row's share of that average (smart weight over the cell's total), and its cell.
        let share: [Int: Double]
        let cell: [Int: [Int]]
        let clusterWeight: [[Int]: Double]
    }

    static func parts(_ stage: FirstStage, _ w: [Int: Double], cohort: [Int?], period: [Int], cluster: [Int], survey: [Double]) -> Parts {
        let n = survey.count
        // The weight each untreated row carries in the estimate: −x₀(X₀ᵀX₀)⁻¹X₁ᵀw (X the dummies and covariates).
        let carried = stage.carry(w.map { ($0.key, $0.value / survey[$0.key]) })
        var implied = [Double](repeating: 0, count: n)
        for (row, weight) in w { implied[row] = weight }
        for row in stage.untreatedRows { implied[row] = -survey[row] * stage.carried(carried, at: row) }
        // Treated rows' residuals: their effect less the cluster-weighted average effect of their cohort and period.
        var clusterWeight: [[Int]: Double] = [:], cell: [Int: [Int]] = [:]
        for (row, weight) in w {
            cell[row] = [cohort[row] ?? -1, period[row]]
            clusterWeight[[cluster[row]] + cell[row]!, default: 0] += weight
        }
        var denominator: [[Int]: Double] = [:], smart: [Int: Double] = [:]
        for (row, weight) in w {
            smart[row] = clusterWeight[[cluster[row]] + cell[row]!]! * weight
            denominator[cell[row]!, default: 0] += smart[row]!
        }
        let share = Dictionary(
            uniqueKeysWithValues: smart.map { row, value in
                let total = denominator[cell[row]!]!
                return (row, total != 0 ? value / total : 0)
            })
        return Parts(w: w, implied: implied, share: share, cell: cell, clusterWeight: clusterWeight)
    }

    /// Cluster h's score weights u_h: its score is Σ_{target rows in h} w·(effect − cell average) + Σ_{untreated rows
    /// in h} implied·residual, a linear function of the adjusted outcomes, carried back to the outcomes.
    static func scoreWeights(_ stage: FirstStage, _ parts: Parts, cluster h: Int, clusterOf cluster: [Int], count n: Int) -> [Double] {
        var q = [Double](repeating: 0, count: n)
        for (row, weight) in parts.w {
            if cluster[row] == h { q[row] += weight }
            // Each target row's part in the averages subtracted from cluster h's rows of its cell.
            let inH = parts.clusterWeight[[h] + parts.cell[row]!] ?? 0
            if inH != 0 { q[row] -= inH * parts.share[row]! }
        }
        for row in stage.untreatedRows where cluster[row] == h { q[row] += parts.implied[row] }
        return stage.transposeAdjusted(q)
    }
}
