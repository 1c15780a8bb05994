import Foundation
import Randomness

/// An event study: leads and lags relative to each unit's first treated period, binned at the ends, with
/// period −1 as the reference, estimated by two-way fixed effects.
public struct EventStudy: Sendable {
    public struct Term: Sendable {
        /// Periods relative to adoption; the first and last bins hold everything beyond them.
        public let eventTime: Int
        public let coefficient: Coefficient
        public let binned: Bool
    }

    public let terms: [Term]
    public let regression: RegressionResult
    /// Joint test that every pre-period coefficient (event time ≤ −2) is zero.
    public let preTrendStatistic: Double?
    public let preTrendPValue: Double?
    public let preTrendTerms: Int
    /// The mean of the post-period coefficients (event time ≥ 0) with its standard error.
    public let averagePost: Coefficient?
    /// The regressors as fitted (before the fixed effects are absorbed) and their names, when asked to keep them
    /// (for the wild bootstrap of each coefficient).
    public let design: (names: [String], columns: [[Double]])?

    /// `cohort` is each row's unit's first treated period (an index into the ordered periods), nil for units never
    /// treated; `period` is the row's period index. Leads beyond `leads` and lags beyond `lags` are binned.
    /// `weights` (survey weights) make it weighted least squares, as in `TwoWayFixedEffects.fit`.
    /// `covariates` are extra regressors per row (named by `covariateNames`), reported in `regression` only.
    public init(
        y: [Double], units: [String], period: [Int], cohort: [Int?], leads: Int, lags: Int,
        standardErrors: StandardErrors = .classical, clusters: [String]? = nil, weights: [Double]? = nil,
        covariates: [[Double]]? = nil, covariateNames: [String] = []
    ) throws {
        let unitIndex = Dictionary(Set(units).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var clusterCodes: [Int]?, clusterCount = 0
        if let clusters {
            let clusterIndex = Dictionary(Set(clusters).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            clusterCodes = clusters.map { clusterIndex[$0]! }
            clusterCount = clusterIndex.count
        }
        try self.init(
            y: y, unit: units.map { unitIndex[$0]! }, unitCount: unitIndex.count, period: period, periodCount: (period.max() ?? 0) + 1,
            cohort: cohort, leads: leads, lags: lags, standardErrors: standardErrors, cluster: clusterCodes, clusterCount: clusterCount,
            weights: weights, covariates: covariateNames.indices.map { c in (covariates ?? []).map { $0[c] } }, covariateNames: covariateNames)
    }

    /// The same with integer codes for units and clusters (0..<count) and covariates column by column.
    public init(
        y: [Double], unit: [Int], unitCount: Int, period: [Int], periodCount: Int, cohort: [Int?], leads: Int, lags: Int,
        standardErrors: StandardErrors = .classical, cluster: [Int]? = nil, clusterCount: Int = 0, weights: [Double]? = nil,
        covariates: [[Double]] = [], covariateNames: [String] = [], keepingDesign: Bool = false
    ) throws {
        guard leads >= 2 || lags >= 0 else { throw EstimationError.noVariation(column: "event time") }
        let window = Array(-leads...lags).filter { $0 != -1 }
        // The column of each event time (offset by the leads), −1 for the reference period; each row's column.
        var position = [Int](repeating: -1, count: leads + lags + 1)
        for (j, e) in window.enumerated() { position[e + leads] = j }
        let n = y.count
        var bin = [Int](repeating: -1, count: n)
        var used = Array(repeating: false, count: window.count)
        for i in 0..<n {
            guard let g = cohort[i] else { continue }
            let j = position[min(max(period[i] - g, -leads), lags) + leads]
            guard j >= 0 else { continue }
            bin[i] = j
            used[j] = true
        }
        let kept = window.indices.filter { used[$0] }
        guard kept.contains(where: { window[$0] >= 0 }) else { throw EstimationError.emptyCell("post-treatment event time") }
        // Covariates go after the event dummies, so the dummies keep their positions in the covariance matrix.
        let names = kept.map { "event_\(window[$0])" } + covariateNames
        // On a balanced panel without weights the dummies are written already demeaned, d − d̄ᵢ − d̄ₜ + d̄, from counts
        // per unit and period: no column of zeros and ones is built and then copied to be demeaned.
        let direct =
            weights == nil && covariates.isEmpty
            && TwoWayFixedEffects.isBalanced(units: unit, periods: period, unitCount: unitCount, periodCount: periodCount)
        var columns: [[Double]]
        if direct {
            let k = window.count
            var unitCounts = [Double](repeating: 0, count: unitCount * k), periodCounts = [Double](repeating: 0, count: periodCount * k)
            var totals = [Double](repeating: 0, count: k)
            for i in 0..<n where bin[i] >= 0 {
                unitCounts[unit[i] * k + bin[i]] += 1
                periodCounts[period[i] * k + bin[i]] += 1
                totals[bin[i]] += 1
            }
            let perUnit = 1 / Double(periodCount), perPeriod = 1 / Double(unitCount), perRow = 1 / Double(n)
            columns = kept.map { j in
                let grand = totals[j] * perRow
                // Every element is written below: no zeros written first (megabytes per event time).
                return [Double](unsafeUninitializedCapacity: n) { x, initialized in
                    for i in 0..<n {
                        x[i] = (bin[i] == j ? 1 : 0) - unitCounts[unit[i] * k + j] * perUnit - periodCounts[period[i] * k + j] * perPeriod + grand
                    }
                    initialized = n
                }
            }
        } else {
            columns = kept.map { j in bin.map { $0 == j ? 1.0 : 0.0 } } + covariates
        }
        let regression = try TwoWayFixedEffects.fit(
            y: y, columns: columns, names: names, unit: unit, unitCount: unitCount,
            period: period, periodCount: periodCount, standardErrors: standardErrors,
            cluster: cluster, clusterCount: clusterCount, preset: .fixest, weights: weights,
            regressorsDemeaned: direct)
        self.regression = regression
        design = keepingDesign ? (names, columns) : nil
        let built = kept.enumerated().map { position, j in
            Term(
                eventTime: window[j], coefficient: regression.coefficients[position],
                binned: (window[j] == -leads && leads > 1) || (window[j] == lags && lags > 0))
        }
        terms = built
        // Wald test on the pre-period coefficients: W = b' V⁻¹ b, reported as F = W/m with the regression's degrees of freedom.
        let pre = built.indices.filter { built[$0].eventTime <= -2 }
        preTrendTerms = pre.count
        if !pre.isEmpty, let inverse = Self.invert(pre.map { a in pre.map { b in regression.covariance[a][b] } }) {
            let b = pre.map { built[$0].coefficient.estimate }
            var wald = 0.0
            for i in pre.indices { for j in pre.indices { wald += b[i] * inverse[i][j] * b[j] } }
            let f = wald / Double(pre.count)
            preTrendStatistic = f
            preTrendPValue = 1 - FDistribution.cdf(f, numerator: Double(pre.count), denominator: Double(regression.degreesOfFreedom))
        } else {
            preTrendStatistic = nil
            preTrendPValue = nil
        }
        let post = built.indices.filter { built[$0].eventTime >= 0 }
        let weight = 1 / Double(post.count)
        let estimate = post.reduce(0) { $0 + weight * built[$1].coefficient.estimate }
        var variance = 0.0
        for a in post { for b in post { variance += weight * weight * regression.covariance[a][b] } }
        let se = variance.squareRoot()
        let critical = StudentT.quantile(0.975, degreesOfFreedom: Double(regression.degreesOfFreedom))
        averagePost = Coefficient(
            term: "average post-period effect", estimate: estimate, standardError: se,
            pValue: 2 * (1 - StudentT.cdf(abs(estimate / se), degreesOfFreedom: Double(regression.degreesOfFreedom))),
            low: estimate - critical * se, high: estimate + critical * se)
    }

    /// The critical value of a uniform (simultaneous) 95% band over the event-time coefficients: the sup-t band
    /// (Montiel Olea and Plagborg-Møller 2019), the `level` quantile of max_k |T_k| for T drawn from a multivariate t
    /// with the regression's degrees of freedom (G − 1 when clustered, as the pointwise intervals) and the
    /// coefficients' estimated correlation. Deterministic for a seed; between the pointwise t and Bonferroni's.
    public func uniformCriticalValue(level: Double = 0.95, draws: Int = 9999, seed: UInt64 = 20_211_201) -> Double {
        let k = terms.count
        return Self.supTCriticalValue(
            covariance: (0..<k).map { a in (0..<k).map { regression.covariance[a][$0] } }, level: level, draws: draws, seed: seed,
            degreesOfFreedom: Double(regression.degreesOfFreedom))
    }

    /// The sup-t critical value for estimates with this covariance matrix: normal margins when `degreesOfFreedom`
    /// is nil (or above 1,000), t margins otherwise (a normal draw divided by one shared √(χ²_ν/ν)).
    static func supTCriticalValue(covariance: [[Double]], level: Double, draws: Int, seed: UInt64, degreesOfFreedom: Double? = nil) -> Double {
        let k = covariance.count
        guard k > 0 else { return 0 }
        let standardErrors = (0..<k).map { covariance[$0][$0].squareRoot() }
        // Cholesky of the correlation matrix, with a tiny ridge should it be only positive semi-definite.
        let correlation: [[Double]] = (0..<k).map { a in
            (0..<k).map { b -> Double in
                let ridge: Double = a == b ? 1e-12 : 0
                return covariance[a][b] / (standardErrors[a] * standardErrors[b]) + ridge
            }
        }
        let lower = Cholesky.lower(correlation)
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { (Double(generator.next() >> 11) + 0.5) / Double(UInt64(1) << 53) }
        var maxima: [Double] = []
        maxima.reserveCapacity(draws)
        let nu = degreesOfFreedom.flatMap { $0 <= 1000 && $0 >= 1 ? Int($0.rounded()) : nil }
        // Up to 100 degrees of freedom the χ² is a sum of squared normals; beyond, Wilson–Hilferty's cube of one normal.
        let exactChiSquare = (nu ?? 0) <= 100
        var z = [Double](repeating: 0, count: k + (nu.map { exactChiSquare ? $0 : 1 } ?? 0))
        for _ in 0..<draws {
            // Box–Muller pairs: k for the normal vector, ν more for the χ² of the t's denominator.
            var index = 0
            while index < z.count {
                let radius = (-2 * log(uniform())).squareRoot(), angle = 2 * Double.pi * uniform()
                z[index] = radius * cos(angle)
                if index + 1 < z.count { z[index + 1] = radius * sin(angle) }
                index += 2
            }
            var scale = 1.0
            if let nu {
                let v = Double(nu)
                let chiSquare =
                    exactChiSquare ? (k..<(k + nu)).reduce(0) { $0 + z[$1] * z[$1] } : v * pow(max(0, 1 - 2 / (9 * v) + z[k] * (2 / (9 * v)).squareRoot()), 3)
                scale = 1 / (chiSquare / v).squareRoot()
            }
            var largest = 0.0
            for a in 0..<k {
                var value = 0.0
                for c in 0...a { value += lower[a][c] * z[c] }
                largest = max(largest, abs(value))
            }
            maxima.append(largest * scale)
        }
        maxima.sort()
        return maxima[min(draws - 1, Int((level * Double(draws)).rounded(.up)) - 1)]
    }

    /// Gauss–Jordan with partial pivoting for the small pre-period block; nil when singular.
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        var a = matrix
        var inverse = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), abs(a[pivot][column]) > 1e-300 else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let scale = a[column][column]
            for j in 0..<n {
                a[column][j] /= scale
                inverse[column][j] /= scale
            }
            for row in 0..<n where row != column {
                let factor = a[row][column]
                if factor == 0 { continue }
                for j in 0..<n {
                    a[row][j] -= factor * a[column][j]
                    inverse[row][j] -= factor * inverse[column][j]
                }
            }
        }
        return inverse
    }
}
