import Foundation

/// The wild cluster bootstrap with the null imposed (WCR) for estimators that are not one least-squares fit but are
/// linear in the outcome, with a clustered variance whose cluster scores are linear in it too: the two-stage and
/// imputation estimators. Such an estimate is τ(z) = Σ a_i z_i and each cluster's score s_h(z) = Σ u_h,i z_i. A
/// bootstrap outcome is the restricted fit plus each cluster's restricted residuals times its sign, so its estimate
/// and scores are sums over clusters of the same functionals applied to one cluster's residuals at a time: a G×G
/// matrix, after which a draw costs O(G²) and a sign pattern of the exact enumeration O(G), as for a regression
/// coefficient (`WildClusterBootstrap.test`). Under the null τ = β₀ the bootstrap world is y − β₀·d, with d the
/// tested effect's column, so every piece is (y's part) − β₀·(d's part) and the interval is found by test inversion
/// with the same draws for every β₀.
extension WildClusterBootstrap {
    /// How to bootstrap: weights, draws, seed and the interval's level.
    public struct Request: Sendable {
        public var weights: Weights
        public var draws: Int
        public var seed: UInt64
        public var level: Double

        public init(weights: Weights, draws: Int = 9999, seed: UInt64 = 20_211_201, level: Double = 0.95) {
            (self.weights, self.draws, self.seed, self.level) = (weights, draws, seed, level)
        }

        /// pantau's convention for a given number of clusters: Webb weights under 12, Rademacher otherwise.
        public static func conventional(clusters: Int) -> Request { Request(weights: clusters < 12 ? .webb : .rademacher) }
    }

    /// A linear estimate as the bootstrap needs it, over n rows: each row's weight in the estimate, each row's
    /// cluster (0..<clusterCount; −1 for rows the estimate does not use), the variance's constant factor, and each
    /// cluster's score weights u_h (asked for once per cluster).
    struct LinearStatistic {
        let implied: [Double]
        let cluster: [Int]
        let clusterCount: Int
        let factor: Double
        let scoreWeights: (Int) throws -> [Double]
    }

    /// The bootstrap of `statistic` under the null, given the restricted fits of the outcome and of the tested
    /// effect's column (each fit leaving its own residuals): the estimate's statistic with its own standard error,
    /// the p-value at zero and the interval by test inversion.
    static func linearTest(
        term: String, statistic: LinearStatistic, y: [Double], fittedY: [Double], d: [Double], fittedD: [Double], request: Request
    ) throws -> (result: Result, exact: PatternEnumeration) {
        let exact = try linearEnumeration(term: term, statistic: statistic, y: y, fittedY: fittedY, d: d, fittedD: fittedD)
        return (test(exact, term: term, request: request), exact)
    }

    /// The pieces of a linear statistic's bootstrap: its estimate and standard error on y, and per cluster the parts
    /// of the bootstrap estimate and scores that its residuals (of y and of d) bring.
    static func linearEnumeration(
        term: String, statistic: LinearStatistic, y: [Double], fittedY: [Double], d: [Double], fittedD: [Double]
    ) throws -> PatternEnumeration {
        let g = statistic.clusterCount
        guard g > 1 else { throw EstimationError.oneCluster(column: "cluster") }
        let n = y.count
        let residualY = (0..<n).map { y[$0] - fittedY[$0] }, residualD = (0..<n).map { d[$0] - fittedD[$0] }
        var numeratorY = [Double](repeating: 0, count: g), numeratorX = numeratorY
        var numeratorY0 = 0.0, numeratorX0 = 0.0, estimate = 0.0
        for i in 0..<n where statistic.cluster[i] >= 0 {
            let a = statistic.implied[i], c = statistic.cluster[i]
            estimate += a * y[i]
            numeratorY0 += a * fittedY[i]
            numeratorX0 += a * fittedD[i]
            numeratorY[c] += a * residualY[i]
            numeratorX[c] += a * residualD[i]
        }
        var scoreY = [Double](repeating: 0, count: g), scoreX = scoreY
        var columnY = [Double](repeating: 0, count: g * g), columnX = columnY
        var ownVariance = 0.0
        for h in 0..<g {
            let u = try statistic.scoreWeights(h)
            var data = 0.0
            for i in 0..<n where statistic.cluster[i] >= 0 && u[i] != 0 {
                let c = statistic.cluster[i]
                data += u[i] * y[i]
                scoreY[h] += u[i] * fittedY[i]
                scoreX[h] += u[i] * fittedD[i]
                columnY[c * g + h] += u[i] * residualY[i]
                columnX[c * g + h] += u[i] * residualD[i]
            }
            ownVariance += data * data
        }
        let standardError = (statistic.factor * ownVariance).squareRoot()
        guard standardError > 0, standardError.isFinite else { throw EstimationError.emptyCell("variation for the wild bootstrap of \(term)") }
        let pieces = Pieces(
            g: g, scoreY: scoreY, scoreX: scoreX, columnY: columnY, columnX: columnX, numeratorY: numeratorY, numeratorX: numeratorX,
            numeratorY0: numeratorY0, numeratorX0: numeratorX0)
        return PatternEnumeration(pieces: pieces, estimate: estimate, standardError: standardError, factor: statistic.factor)
    }

    /// The p-value at zero and the interval by test inversion (when `level` is given), from a statistic's pieces:
    /// sampled draws, or every sign pattern with Rademacher weights up to 25 clusters.
    static func test(_ exact: PatternEnumeration, term: String, request: Request) -> Result {
        test(exact, term: term, weights: request.weights, draws: request.draws, seed: request.seed, level: request.level)
    }

    static func test(_ exact: PatternEnumeration, term: String, weights: Weights, draws: Int, seed: UInt64, level: Double?) -> Result {
        let (g, estimate, standardError) = (exact.g, exact.estimate, exact.standardError)
        let multipliers = Multipliers(clusters: g, weights: weights, draws: draws, seed: seed)
        let sampled = SampledDraws(exact, multipliers)
        var interval = level.flatMap { sampled.interval(level: $0) }
        var pValue = sampled.pValue(null: 0)
        let statistic = estimate / standardError
        if weights == .rademacher, !multipliers.enumerated, g <= enumerationLimit,
            let near = interval ?? finiteRange(estimate - 2 * standardError, estimate + 2 * standardError)
        {
            // Every sign pattern: the sampled interval only says where to look for the exact bounds.
            let all = exact.enumeratedInterval(level: level ?? 0.95, near: near)
            pValue = all.pValue
            if level != nil { interval = all.interval }
            return Result(
                term: term, statistic: statistic, pValue: pValue, draws: 1 << g, enumerated: true, weights: weights, clusters: g,
                estimate: estimate, interval: interval)
        }
        return Result(
            term: term, statistic: statistic, pValue: pValue, draws: multipliers.count, enumerated: multipliers.enumerated, weights: weights,
            clusters: g, estimate: estimate, interval: interval)
    }

    /// The sampled draws reduced to five numbers each (the estimate's and the scores' parts for y and for d), so a
    /// null costs O(draws).
    struct SampledDraws {
        let exact: PatternEnumeration
        let parts: [(ny: Double, nx: Double, aa: Double, ab: Double, bb: Double)]

        init(_ exact: PatternEnumeration, _ multipliers: Multipliers) {
            self.exact = exact
            let p = exact.pieces, g = p.g
            parts = (0..<multipliers.count).map { index in
                let (ny, nx, uY, uX) = p.applied(multipliers.draw(index))
                var aa = 0.0, ab = 0.0, bb = 0.0
                for row in 0..<g {
                    aa += uY[row] * uY[row]
                    ab += uY[row] * uX[row]
                    bb += uX[row] * uX[row]
                }
                return (ny, nx, aa, ab, bb)
            }
        }

        /// The share of draws at least as extreme as the data under the null β₀ = `null` (ties included).
        func pValue(null b: Double) -> Double {
            let extreme = parts.count { exact.margin(b, $0.ny, $0.nx, $0.aa, $0.ab, $0.bb) >= 0 }
            return Double(extreme) / Double(parts.count)
        }

        /// The values not rejected at 1 − `level`, by bisection on each side of the estimate.
        func interval(level: Double) -> ClosedRange<Double>? {
            WildClusterBootstrap.invert(estimate: exact.estimate, standardError: exact.standardError, level: level) { pValue(null: $0) }
        }
    }
}

extension FirstStage {
    /// The fit under the null that the effect on the `tested` rows is zero, for the bootstrap of the two-stage and
    /// imputation estimators: unit and period effects (and the covariates') estimated on the untreated rows and the
    /// tested rows together; every other row of `rows` that is neither (a treated row of another effect) fitted as
    /// those effects plus the weighted mean of what they leave in its group. Applying the estimator to this fit gives
    /// exactly zero for the tested effect, and the estimator's clustered scores are zero on it. Rows outside `rows`
    /// are fitted by themselves (they take no part).
    static func restrictedFit(
        _ z: [Double], tested: [Bool], group: [Int?], rows: [Int], unit: [Int], unitCount: Int, period: [Int], periodCount: Int,
        untreated: [Bool], covariates: [[Double]], weights: [Double]?
    ) throws -> [Double] {
        let null = zip(untreated, tested).map { $0 || $1 }
        let stage = try FirstStage(
            y: z, unit: unit, unitCount: unitCount, period: period, periodCount: periodCount, untreated: null, covariates: covariates,
            weights: weights)
        var fitted = z
        let w = stage.effects.weight
        var sums: [Int: (Double, Double)] = [:]
        for i in rows where !null[i] {
            guard let key = group[i] else { continue }
            let entry = sums[key] ?? (0, 0)
            sums[key] = (entry.0 + w[i] * stage.adjusted(i), entry.1 + w[i])
        }
        for i in rows {
            let left = stage.adjusted(i)
            var value = z[i] - left
            if !null[i], let key = group[i], let (sum, total) = sums[key], total > 0 { value += sum / total }
            fitted[i] = value
        }
        return fitted
    }

    /// The weights u with Σ u_i z_i = Σ q_i adjusted_i(z) for every outcome z: q less what the first stage's estimation
    /// carries back to the untreated rows (the transpose of "net of the unit, period and covariate effects").
    func transposeAdjusted(_ q: [Double]) -> [Double] {
        let w = effects.weight
        let entries = q.indices.compactMap { i in q[i] != 0 ? (row: i, value: q[i] / w[i]) : nil }
        guard !entries.isEmpty else { return q }
        let m = carry(entries)
        var u = q
        for i in untreatedRows { u[i] -= w[i] * carried(m, at: i) }
        return u
    }
}
