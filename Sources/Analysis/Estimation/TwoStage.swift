import Foundation

/// Gardner's two-stage difference-in-differences (Gardner 2022; R's did2s, pyfixest's did2s): unit and period effects
/// are estimated on the untreated unit-periods alone (never-treated units, and treated units before adoption), removed
/// from every row, and what remains is regressed on the treatment (the ATT) or on event-time dummies. Because the
/// effects come from untreated rows only, treated rows never serve as controls: no forbidden comparisons, no negative
/// weights. Standard errors are the two-step GMM ones clustered (Butts & Gardner 2022): each cluster's score net of
/// what the first stage's estimation error carries into the second, with no small-sample factor, as did2s computes them.
public struct TwoStageDiD: Sendable {
    public let result: RegressionResult
    /// Rows left out because stage one cannot estimate their effects: units never untreated, periods with no untreated
    /// unit.
    public let rowsLeftOut: Int
    /// With a request, the wild cluster bootstrap (null imposed) of each coefficient whose rows are all treated, by name
    /// (a pre-period coefficient's rows are in stage one, where no null can be imposed on them).
    public let bootstrap: [String: WildClusterBootstrap.Result]
    /// The bootstrap's pieces, by name (for the tests, which rebuild bootstrap samples and refit).
    let enumerations: [String: WildClusterBootstrap.PatternEnumeration]
    /// Why the bootstrap of a target could not run, by name.
    public let bootstrapFailures: [String: String]

    /// `regressors` are the second stage's columns (one array per column, over every input row); `untreated` says which
    /// rows stage one may use. Units, periods and clusters are integer codes.
    public init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, untreated: [Bool], regressors: [[Double]],
        names: [String], cluster: [Int], clusterCount: Int, clusterName: String, covariates: [[Double]] = [], weights: [Double]? = nil,
        tolerance: Double = 1e-13, wildBootstrap request: WildClusterBootstrap.Request? = nil, cr2: Bool = false
    ) throws {
        let stage = try FirstStage(
            y: y, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount, untreated: untreated, covariates: covariates,
            weights: weights, tolerance: tolerance)
        let rows = stage.rows
        // Every row net of its unit's and period's effects (and the covariates'): for treated rows, the effect of
        // treatment plus noise; for untreated rows, the first stage's residual.
        let adjusted = rows.map(stage.adjusted)
        let columns = regressors.map { column in rows.map { column[$0] } }
        let fit = try QRLeastSquares(columns: columns, y: adjusted, weights: weights.map { w in rows.map { w[$0] } }, names: names)
        let k = names.count
        let carried = columns.map { column in stage.carry(rows.indices.map { (rows[$0], column[$0]) }) }
        let w = stage.effects.weight
        // The second stage's residuals as they are (not scaled by the weights' roots).
        let secondResiduals = rows.indices.map { position in
            adjusted[position] - columns.indices.reduce(0.0) { $0 + fit.coefficients[$1] * columns[$1][position] }
        }
        // Each cluster's score: x₂ε₂ summed over its rows, less the carried effects times ε₁ over its untreated rows.
        var scores = [[Double]](repeating: [Double](repeating: 0, count: k), count: clusterCount)
        for (position, i) in rows.enumerated() {
            let g = cluster[i], e2 = secondResiduals[position]
            for j in 0..<k { scores[g][j] += w[i] * columns[j][position] * e2 }
            if untreated[i] {
                let e1 = adjusted[position]
                for j in 0..<k { scores[g][j] -= w[i] * stage.carried(carried[j], at: i) * e1 }
            }
        }
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var present = [Bool](repeating: false, count: clusterCount)
        for i in rows { present[cluster[i]] = true }
        let used = scores.indices.filter { present[$0] }
        for g in used {
            for a in 0..<k { for b in 0..<k { meat[a][b] += scores[g][a] * scores[g][b] } }
        }
        var covariance = Regression.sandwich(fit.inverseGram, meat)
        let clusters = used.count
        let degrees = max(1, clusters - 1)
        // CR2: the same estimates' weights on the outcomes, each cluster's residuals adjusted (LinearBellMcCaffrey).
        var perCoefficient: [Double]?
        if cr2 {
            let directions = names.indices.map {
                Self.linearPieces(stage, rows: rows, columns: columns, inverseGram: fit.inverseGram, coefficient: $0, cluster: cluster).implied
            }
            let adjusted = try LinearBellMcCaffrey.compute(
                stage: stage, secondStage: regressors, directions: directions, cluster: cluster, clusterCount: clusterCount)
            covariance = adjusted.covariance
            perCoefficient = adjusted.degreesOfFreedom
        }
        let coefficients = names.indices.map { j -> Coefficient in
            let estimate = fit.coefficients[j], se = covariance[j][j].squareRoot()
            let nu = perCoefficient?[j] ?? Double(degrees)
            let critical = StudentT.quantile(0.975, degreesOfFreedom: nu)
            let p = 2 * (1 - StudentT.cdf(abs(estimate / se), degreesOfFreedom: nu))
            return Coefficient(term: names[j], estimate: estimate, standardError: se, pValue: p, low: estimate - critical * se, high: estimate + critical * se)
        }
        let total = adjusted.reduce(0) { $0 + $1 * $1 }, unexplained = secondResiduals.reduce(0) { $0 + $1 * $1 }
        var result = RegressionResult(
            coefficients: coefficients, observations: rows.count, clusters: clusters,
            standardErrors: cr2 ? .cr2(cluster: clusterName) : .cr1(cluster: clusterName), rSquared: total > 0 ? 1 - unexplained / total : 0,
            degreesOfFreedom: degrees, covariance: covariance)
        result.coefficientDegreesOfFreedom = perCoefficient
        self.result = result
        rowsLeftOut = y.count - rows.count
        var bootstrap: [String: WildClusterBootstrap.Result] = [:], enumerations: [String: WildClusterBootstrap.PatternEnumeration] = [:],
            bootstrapFailures: [String: String] = [:]
        if let request {
            let code = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
            var compact = [Int](repeating: -1, count: y.count)
            for i in rows { compact[i] = code[cluster[i]]! }
            // Each treated row's second-stage column (the group whose mean effect the null fit keeps).
            var columnOf = [Int?](repeating: nil, count: y.count)
            for (position, i) in rows.enumerated() where !untreated[i] { columnOf[i] = columns.indices.first { columns[$0][position] != 0 } }
            for j in names.indices {
                let tested = rows.indices.filter { columns[j][$0] != 0 }
                guard !tested.isEmpty, tested.allSatisfy({ !untreated[rows[$0]] }) else { continue }
                let pieces = Self.linearPieces(stage, rows: rows, columns: columns, inverseGram: fit.inverseGram, coefficient: j, cluster: cluster)
                var isTested = [Bool](repeating: false, count: y.count), d = [Double](repeating: 0, count: y.count)
                for position in tested {
                    isTested[rows[position]] = true
                    d[rows[position]] = columns[j][position]
                }
                let group = columnOf.map { $0 == j ? nil : $0 }
                func fitted(_ z: [Double]) throws -> [Double] {
                    try FirstStage.restrictedFit(
                        z, tested: isTested, group: group, rows: rows, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount,
                        untreated: untreated, covariates: covariates, weights: weights)
                }
                let statistic = WildClusterBootstrap.LinearStatistic(
                    implied: pieces.implied, cluster: compact, clusterCount: used.count, factor: 1,
                    scoreWeights: { h in pieces.scoreWeights(used[h]) })
                // A bootstrap that cannot run (no variation left in a cluster's scores) leaves the row without one, not the table.
                do {
                    (bootstrap[names[j]], enumerations[names[j]]) = try WildClusterBootstrap.linearTest(
                        term: names[j], statistic: statistic, y: y, fittedY: try fitted(y), d: d, fittedD: try fitted(d), request: request)
                } catch let error as EstimationError {
                    bootstrapFailures[names[j]] = "\(error)"
                }
            }
        }
        self.bootstrap = bootstrap
        self.enumerations = enumerations
        self.bootstrapFailures = bootstrapFailures
    }

    /// Coefficient j as a linear function of the outcome, with its clustered GMM scores: the estimate is
    /// b′X₂ᵀW·adjusted (b the j-th row of (X₂ᵀWX₂)⁻¹), and cluster h's score is b′ of its second-stage score
    /// (x₂·ε₂ over its rows, ε₂ the second stage's residual) less the first stage's carried effects times ε₁ over its
    /// untreated rows; both are linear in the adjusted outcomes, carried back to the outcomes.
    static func linearPieces(
        _ stage: FirstStage, rows: [Int], columns: [[Double]], inverseGram: [[Double]], coefficient j: Int, cluster: [Int]
    ) -> (implied: [Double], scoreWeights: (Int) -> [Double]) {
        let n = stage.y.count, k = columns.count, w = stage.effects.weight
        let b = inverseGram[j]
        var xb = [Double](repeating: 0, count: n)
        for (position, i) in rows.enumerated() { xb[i] = (0..<k).reduce(0) { $0 + columns[$1][position] * b[$1] } }
        let implied = stage.transposeAdjusted((0..<n).map { w[$0] * xb[$0] })
        let carriedXB = stage.carry(rows.map { ($0, xb[$0]) })
        let scoreWeights: (Int) -> [Double] = { h in
            // r_h = Σ_{rows in h} W x₂ (x₂′b): how cluster h's score moves with the second stage's coefficients.
            var r = [Double](repeating: 0, count: k)
            for (position, i) in rows.enumerated() where cluster[i] == h && xb[i] != 0 {
                for a in 0..<k { r[a] += w[i] * columns[a][position] * xb[i] }
            }
            let moved = (0..<k).map { a in (0..<k).reduce(0) { $0 + inverseGram[a][$1] * r[$1] } }
            var q = [Double](repeating: 0, count: n)
            for (position, i) in rows.enumerated() {
                var value = -w[i] * (0..<k).reduce(0) { $0 + columns[$1][position] * moved[$1] }
                if cluster[i] == h {
                    value += w[i] * xb[i]
                    if stage.effects.untreated[i] { value -= w[i] * stage.carried(carriedXB, at: i) }
                }
                q[i] = value
            }
            return stage.transposeAdjusted(q)
        }
        return (implied, scoreWeights)
    }
}

/// The first stage of the two-stage and imputation estimators: unit and period effects, and the covariates' β, on
/// untreated unit-periods. Covariates by Frisch–Waugh–Lovell: each covariate's own unit and period effects, β from the
/// residuals; the effects are linear in the outcome, so a row's adjusted value is y's less β times each covariate's.
struct FirstStage {
    let effects: UntreatedEffects
    let y: [Double], covariates: [[Double]]
    let covariateEffects: [UntreatedEffects]
    let beta: [Double]
    /// (Z̃₀ᵀZ̃₀)⁻¹ for the covariates' residuals on untreated rows.
    let residualGramInverse: [[Double]]
    /// Each covariate's carry over the untreated rows (the dummies' part of its own normal equations).
    let covariateCarry: [(unit: [Double], period: [Double])]

    var rows: [Int] { effects.rows }
    var untreatedRows: [Int] { effects.untreatedRows }

    init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, untreated: [Bool], covariates: [[Double]],
        weights: [Double]? = nil, tolerance: Double = 1e-13
    ) throws {
        effects = try UntreatedEffects(
            y: y, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount, untreated: untreated, weights: weights,
            tolerance: tolerance)
        covariateEffects = try covariates.map { z in
            try UntreatedEffects(
                y: z, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount, untreated: untreated, weights: weights,
                tolerance: tolerance)
        }
        (self.y, self.covariates) = (y, covariates)
        let untreatedRows = effects.untreatedRows
        if covariates.isEmpty {
            (beta, residualGramInverse, covariateCarry) = ([], [], [])
        } else {
            let effects = effects, covariateEffects = covariateEffects
            let residuals = covariates.indices.map { k in untreatedRows.map { covariateEffects[k].adjusted($0, covariates[k][$0]) } }
            let fit = try QRLeastSquares(
                columns: residuals, y: untreatedRows.map { effects.adjusted($0, y[$0]) }, weights: weights.map { w in untreatedRows.map { w[$0] } },
                names: covariates.indices.map { "covariate \($0 + 1)" })
            (beta, residualGramInverse) = (fit.coefficients, fit.inverseGram)
            covariateCarry = covariates.map { z in effects.carry(untreatedRows.map { ($0, z[$0]) }) }
        }
    }

    /// A row's outcome net of its unit's and period's effects and the covariates' part: the imputed effect on a
    /// treated row, the first stage's residual on an untreated one.
    func adjusted(_ i: Int) -> Double {
        var value = effects.adjusted(i, y[i])
        for k in beta.indices { value -= beta[k] * covariateEffects[k].adjusted(i, covariates[k][i]) }
        return value
    }

    /// m solving (X₁₀ᵀWX₁₀) m = X₁ᵀWx for values x on some rows, X₁ the unit and period dummies and the covariates (X₁₀
    /// on untreated rows). With covariates, by blocks: the covariates' part from their residual Gram matrix, the
    /// dummies' part corrected by it.
    func carry(_ values: [(row: Int, value: Double)]) -> (unit: [Double], period: [Double], covariates: [Double]) {
        var (unitPart, periodPart) = effects.carry(values)
        guard !covariates.isEmpty else { return (unitPart, periodPart, []) }
        let w = effects.weight
        var target = covariates.indices.map { c in values.reduce(0.0) { $0 + covariates[c][$1.row] * w[$1.row] * $1.value } }
        for i in untreatedRows {
            let dummies = unitPart[effects.unit[i]] + periodPart[effects.period[i]]
            for c in covariates.indices { target[c] -= covariates[c][i] * w[i] * dummies }
        }
        let m = covariates.indices.map { a in covariates.indices.reduce(0.0) { $0 + residualGramInverse[a][$1] * target[$1] } }
        for c in covariates.indices {
            for u in unitPart.indices { unitPart[u] -= m[c] * covariateCarry[c].unit[u] }
            for t in periodPart.indices { periodPart[t] -= m[c] * covariateCarry[c].period[t] }
        }
        return (unitPart, periodPart, m)
    }

    /// x₁ᵀm at a row: its unit's and period's parts of a carry and its covariates times theirs.
    func carried(_ m: (unit: [Double], period: [Double], covariates: [Double]), at i: Int) -> Double {
        var value = m.unit[effects.unit[i]] + m.period[effects.period[i]]
        for c in m.covariates.indices { value += covariates[c][i] * m.covariates[c] }
        return value
    }
}

/// Unit and period effects estimated on untreated unit-periods only: the first stage of the two-stage and imputation
/// estimators. Rows whose unit is never untreated, or whose period has no untreated unit, cannot be reached.
struct UntreatedEffects {
    let unit: [Int], period: [Int], untreated: [Bool]
    /// Each row's weight (1 without weights): the effects are weighted least squares.
    let weight: [Double]
    let unitEffect: [Double], periodEffect: [Double]
    /// Untreated rows per unit and per period.
    let unitSize: [Double], periodSize: [Double]
    /// The rows whose effects are estimated (in input order), and the untreated ones among them.
    let rows: [Int], untreatedRows: [Int]
    let tolerance: Double

    init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, untreated: [Bool], weights: [Double]? = nil,
        tolerance: Double = 1e-13
    ) throws {
        let weight = weights ?? [Double](repeating: 1, count: y.count)
        var unitSize = [Double](repeating: 0, count: unitCount), periodSize = [Double](repeating: 0, count: periodCount)
        for i in y.indices where untreated[i] {
            unitSize[unit[i]] += weight[i]
            periodSize[period[i]] += weight[i]
        }
        let rows = y.indices.filter { unitSize[unit[$0]] > 0 && periodSize[period[$0]] > 0 }
        let stageOne = rows.filter { untreated[$0] }
        guard !stageOne.isEmpty else { throw EstimationError.emptyCell("untreated unit-periods") }
        // Alternating projections on the untreated rows, each sweep's means added to the effects.
        var unitEffect = [Double](repeating: 0, count: unitCount), periodEffect = [Double](repeating: 0, count: periodCount)
        var residual = stageOne.map { y[$0] }
        let scale = max(1e-300, residual.map(abs).max() ?? 1)
        // One sweep over a factor: its groups' mean residuals added to their effects and taken from the residuals.
        func sweep(_ group: [Int], _ size: [Double], _ effect: inout [Double]) -> Double {
            var means = [Double](repeating: 0, count: size.count)
            for (position, i) in stageOne.enumerated() { means[group[i]] += weight[i] * residual[position] }
            var moved = 0.0
            for g in means.indices where size[g] > 0 {
                means[g] /= size[g]
                effect[g] += means[g]
                moved = max(moved, abs(means[g]))
            }
            for (position, i) in stageOne.enumerated() { residual[position] -= means[group[i]] }
            return moved
        }
        for _ in 0..<100_000 {
            let moved = max(sweep(unit, unitSize, &unitEffect), sweep(period, periodSize, &periodEffect))
            if moved <= tolerance * scale { break }
        }
        (self.unit, self.period, self.untreated, self.unitEffect, self.periodEffect) = (unit, period, untreated, unitEffect, periodEffect)
        self.weight = weight
        (self.unitSize, self.periodSize, self.rows, self.untreatedRows, self.tolerance) = (unitSize, periodSize, rows, stageOne, tolerance)
    }

    /// A row's outcome net of its unit's and period's effects: the imputed effect on a treated row, the residual on
    /// an untreated one.
    func adjusted(_ row: Int, _ y: Double) -> Double { y - unitEffect[unit[row]] - periodEffect[period[row]] }

    /// The effects m solving (X₀ᵀWX₀) m = X₁ᵀWx for the values x on some rows (row, value): X₀ the unit and period
    /// dummies of the untreated rows, X₁ those of the given rows, W the rows' weights. By Gauss–Seidel over the two
    /// factors; the system is singular (a constant moves between units and periods) but consistent, and m_unit +
    /// m_period is what is used.
    func carry(_ values: [(row: Int, value: Double)]) -> (unit: [Double], period: [Double]) {
        var unitTarget = [Double](repeating: 0, count: unitSize.count), periodTarget = [Double](repeating: 0, count: periodSize.count)
        for (row, value) in values {
            unitTarget[unit[row]] += weight[row] * value
            periodTarget[period[row]] += weight[row] * value
        }
        var m = [Double](repeating: 0, count: unitSize.count), p = [Double](repeating: 0, count: periodSize.count)
        let size = max(1e-300, (unitTarget.map(abs).max() ?? 0) + (periodTarget.map(abs).max() ?? 0))
        // One factor's effects solved given the other's; how far they moved (scaled by the group sizes).
        func solve(_ group: [Int], _ target: [Double], _ groupSize: [Double], given other: [Int], _ otherEffect: [Double], into effect: inout [Double])
            -> Double
        {
            var sums = [Double](repeating: 0, count: groupSize.count)
            for i in untreatedRows { sums[group[i]] += weight[i] * otherEffect[other[i]] }
            var moved = 0.0
            for g in effect.indices where groupSize[g] > 0 {
                let next = (target[g] - sums[g]) / groupSize[g]
                moved = max(moved, abs(next - effect[g]) * groupSize[g])
                effect[g] = next
            }
            return moved
        }
        for _ in 0..<100_000 {
            let moved = max(solve(unit, unitTarget, unitSize, given: period, p, into: &m), solve(period, periodTarget, periodSize, given: unit, m, into: &p))
            if moved <= tolerance * size { break }
        }
        return (m, p)
    }
}
