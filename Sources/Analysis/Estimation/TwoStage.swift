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
    /// The rows the second stage used, as positions in the input.
    public let rows: [Int]

    /// `regressors` are the second stage's columns (one array per column, over every input row); `untreated` says which
    /// rows stage one may use. Units, periods and clusters are integer codes.
    public init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, untreated: [Bool], regressors: [[Double]],
        names: [String], cluster: [Int], clusterCount: Int, clusterName: String, tolerance: Double = 1e-13
    ) throws {
        var unitSeen = [Bool](repeating: false, count: unitCount), periodSeen = [Bool](repeating: false, count: periodCount)
        for i in y.indices where untreated[i] {
            unitSeen[unit[i]] = true
            periodSeen[period[i]] = true
        }
        let rows = y.indices.filter { unitSeen[unit[$0]] && periodSeen[period[$0]] }
        let stageOne = rows.filter { untreated[$0] }
        guard !stageOne.isEmpty else { throw EstimationError.emptyCell("untreated unit-periods") }
        // Stage one: alternating projections on the untreated rows, with each sweep's means kept as the effects.
        var unitEffect = [Double](repeating: 0, count: unitCount), periodEffect = [Double](repeating: 0, count: periodCount)
        var unitSize = [Double](repeating: 0, count: unitCount), periodSize = [Double](repeating: 0, count: periodCount)
        for i in stageOne {
            unitSize[unit[i]] += 1
            periodSize[period[i]] += 1
        }
        var residual = stageOne.map { y[$0] }
        let scale = max(1e-300, residual.map(abs).max() ?? 1)
        for _ in 0..<100_000 {
            var moved = 0.0
            var sums = [Double](repeating: 0, count: unitCount)
            for (position, i) in stageOne.enumerated() { sums[unit[i]] += residual[position] }
            for u in 0..<unitCount where unitSize[u] > 0 {
                sums[u] /= unitSize[u]
                unitEffect[u] += sums[u]
                moved = max(moved, abs(sums[u]))
            }
            for (position, i) in stageOne.enumerated() { residual[position] -= sums[unit[i]] }
            var periodSums = [Double](repeating: 0, count: periodCount)
            for (position, i) in stageOne.enumerated() { periodSums[period[i]] += residual[position] }
            for t in 0..<periodCount where periodSize[t] > 0 {
                periodSums[t] /= periodSize[t]
                periodEffect[t] += periodSums[t]
                moved = max(moved, abs(periodSums[t]))
            }
            for (position, i) in stageOne.enumerated() { residual[position] -= periodSums[period[i]] }
            if moved <= tolerance * scale { break }
        }
        // Every row net of its unit's and period's effects: for treated rows, the effect of treatment plus noise.
        let adjusted = rows.map { y[$0] - unitEffect[unit[$0]] - periodEffect[period[$0]] }
        let columns = regressors.map { column in rows.map { column[$0] } }
        let fit = try QRLeastSquares(columns: columns, y: adjusted, names: names)
        let k = names.count
        // What stage one's error carries into stage two: for each regressor, the effects m solving
        // (X₁₀ᵀX₁₀) m = X₁ᵀx₂ (unit and period dummies X₁, on untreated rows X₁₀), by Gauss–Seidel over the two factors.
        var unitCarry = [[Double]](repeating: [Double](repeating: 0, count: k), count: unitCount)
        var periodCarry = [[Double]](repeating: [Double](repeating: 0, count: k), count: periodCount)
        for j in 0..<k {
            var unitTarget = [Double](repeating: 0, count: unitCount), periodTarget = [Double](repeating: 0, count: periodCount)
            for (position, i) in rows.enumerated() {
                unitTarget[unit[i]] += columns[j][position]
                periodTarget[period[i]] += columns[j][position]
            }
            var m = [Double](repeating: 0, count: unitCount), p = [Double](repeating: 0, count: periodCount)
            let size = max(1e-300, (unitTarget.map(abs).max() ?? 0) + (periodTarget.map(abs).max() ?? 0))
            for _ in 0..<100_000 {
                var moved = 0.0
                var sums = [Double](repeating: 0, count: unitCount)
                for i in stageOne { sums[unit[i]] += p[period[i]] }
                for u in 0..<unitCount where unitSize[u] > 0 {
                    let next = (unitTarget[u] - sums[u]) / unitSize[u]
                    moved = max(moved, abs(next - m[u]) * unitSize[u])
                    m[u] = next
                }
                var periodSums = [Double](repeating: 0, count: periodCount)
                for i in stageOne { periodSums[period[i]] += m[unit[i]] }
                for t in 0..<periodCount where periodSize[t] > 0 {
                    let next = (periodTarget[t] - periodSums[t]) / periodSize[t]
                    moved = max(moved, abs(next - p[t]) * periodSize[t])
                    p[t] = next
                }
                if moved <= tolerance * size { break }
            }
            for u in 0..<unitCount { unitCarry[u][j] = m[u] }
            for t in 0..<periodCount { periodCarry[t][j] = p[t] }
        }
        // Each cluster's score: x₂ε₂ summed over its rows, less the carried effects times ε₁ over its untreated rows.
        var scores = [[Double]](repeating: [Double](repeating: 0, count: k), count: clusterCount)
        for (position, i) in rows.enumerated() {
            let g = cluster[i], e2 = fit.residuals[position]
            for j in 0..<k { scores[g][j] += columns[j][position] * e2 }
            if untreated[i] {
                let e1 = adjusted[position]
                for j in 0..<k { scores[g][j] -= (unitCarry[unit[i]][j] + periodCarry[period[i]][j]) * e1 }
            }
        }
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var present = [Bool](repeating: false, count: clusterCount)
        for i in rows { present[cluster[i]] = true }
        let used = scores.indices.filter { present[$0] }
        for g in used {
            for a in 0..<k { for b in 0..<k { meat[a][b] += scores[g][a] * scores[g][b] } }
        }
        let covariance = Regression.sandwich(fit.inverseGram, meat)
        let clusters = used.count
        let degrees = max(1, clusters - 1)
        let critical = StudentT.quantile(0.975, degreesOfFreedom: Double(degrees))
        let coefficients = names.indices.map { j -> Coefficient in
            let estimate = fit.coefficients[j], se = covariance[j][j].squareRoot()
            let p = 2 * (1 - StudentT.cdf(abs(estimate / se), degreesOfFreedom: Double(degrees)))
            return Coefficient(term: names[j], estimate: estimate, standardError: se, pValue: p, low: estimate - critical * se, high: estimate + critical * se)
        }
        let total = adjusted.reduce(0) { $0 + $1 * $1 }, unexplained = fit.residuals.reduce(0) { $0 + $1 * $1 }
        result = RegressionResult(
            coefficients: coefficients, observations: rows.count, clusters: clusters, standardErrors: .cr1(cluster: clusterName),
            rSquared: total > 0 ? 1 - unexplained / total : 0, degreesOfFreedom: degrees, covariance: covariance)
        rowsLeftOut = y.count - rows.count
        self.rows = rows
    }
}
