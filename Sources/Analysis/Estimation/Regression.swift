import Foundation

/// Standard errors, each named in every table so that differences between packages are never silent.
public enum StandardErrors: Hashable, Sendable {
    case classical
    /// Heteroskedasticity-robust with the n/(n − k) factor (Stata's `robust`).
    case hc1
    /// Cluster-robust with G/(G − 1) · (n − 1)/(n − k), as fixest and Stata's reghdfe.
    case cr1(cluster: String)
    /// The cluster jackknife: (G − 1)/G · Σ (β₋g − β̄)(β₋g − β̄)ᵀ over the fits that leave one cluster out; more
    /// conservative than CR1 with few clusters (MacKinnon, Nielsen and Webb 2023). Regressions only.
    case cr3(cluster: String)
    /// CR2 (Bell–McCaffrey): residuals adjusted by (I − H_gg)^(−½) per cluster, with Satterthwaite degrees of freedom
    /// per coefficient, as R's clubSandwich. Regressions only.
    case cr2(cluster: String)

    public var name: String {
        switch self {
        case .classical: "classical (iid)"
        case .hc1: "HC1 (heteroskedasticity-robust, n/(n−k))"
        case .cr1(let cluster): "CR1 clustered by \(cluster) (G/(G−1)·(n−1)/(n−k))"
        case .cr3(let cluster): "CR3 clustered by \(cluster) (the cluster jackknife)"
        case .cr2(let cluster): "CR2 clustered by \(cluster) (Bell–McCaffrey, Satterthwaite degrees of freedom)"
        }
    }
}

public struct Coefficient: Hashable, Sendable {
    public let term: String
    public let estimate: Double
    public let standardError: Double
    public var statistic: Double { estimate / standardError }
    public let pValue: Double
    public let low: Double
    public let high: Double

    public init(term: String, estimate: Double, standardError: Double, pValue: Double, low: Double, high: Double) {
        self.term = term
        self.estimate = estimate
        self.standardError = standardError
        self.pValue = pValue
        self.low = low
        self.high = high
    }
}

public struct RegressionResult: Sendable {
    public let coefficients: [Coefficient]
    public let observations: Int
    public let clusters: Int?
    public let standardErrors: StandardErrors
    public let rSquared: Double
    /// Degrees of freedom of the t distribution used for p-values and intervals.
    public let degreesOfFreedom: Int
    /// The estimated covariance of the coefficients, in their order.
    public let covariance: [[Double]]
    /// Each coefficient's own degrees of freedom where they differ (CR2's Satterthwaite), else nil.
    public var coefficientDegreesOfFreedom: [Double]? = nil

    public func coefficient(_ term: String) -> Coefficient? { coefficients.first { $0.term == term } }
}

/// Ordinary (or weighted) least squares with classical, HC1 or CR1 standard errors.
public enum Regression {
    /// `x` is one row per observation (include a column of ones for the intercept); `clusters` one label per row.
    public static func fit(
        y: [Double], x: [[Double]], names: [String], weights: [Double]? = nil,
        standardErrors: StandardErrors = .classical, clusters: [String]? = nil
    ) throws -> RegressionResult {
        let n = y.count, k = names.count
        let solution = try QRLeastSquares(x: x, y: y, weights: weights, names: names)
        let e = solution.residuals
        let w = weights ?? Array(repeating: 1, count: n)
        let bread = solution.inverseGram
        var covariance: [[Double]]
        var clusterCount: Int?
        var dof = n - k
        var perCoefficient: [Double]?
        switch standardErrors {
        case .classical:
            let sigma2 = (0..<n).reduce(0) { $0 + w[$1] * e[$1] * e[$1] } / Double(n - k)
            covariance = bread.map { $0.map { $0 * sigma2 } }
        case .hc1:
            var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            for i in 0..<n {
                let u = w[i] * e[i]
                for a in 0..<k { for b in 0..<k { meat[a][b] += x[i][a] * x[i][b] * u * u } }
            }
            covariance = sandwich(bread, meat).map { $0.map { $0 * Double(n) / Double(n - k) } }
        case .cr1(let name):
            let clusters = try Self.clusterLabels(clusters, rows: n, name: name)
            var scores: [String: [Double]] = [:]
            for i in 0..<n {
                let u = w[i] * e[i]
                var score = scores[clusters[i]] ?? [Double](repeating: 0, count: k)
                for a in 0..<k { score[a] += x[i][a] * u }
                scores[clusters[i]] = score
            }
            let g = scores.count
            guard g > 1 else { throw EstimationError.oneCluster(column: name) }
            var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            for key in scores.keys.sorted() {
                let score = scores[key]!
                for a in 0..<k { for b in 0..<k { meat[a][b] += score[a] * score[b] } }
            }  // sorted: the same sums, bit for bit, on every run
            let factor = Double(g) / Double(g - 1) * Double(n - 1) / Double(n - k)
            covariance = sandwich(bread, meat).map { $0.map { $0 * factor } }
            clusterCount = g
            dof = g - 1
        case .cr3(let name):
            let clusters = try Self.clusterLabels(clusters, rows: n, name: name)
            let groups = Dictionary(grouping: 0..<n, by: { clusters[$0] })
            let g = groups.count
            guard g > 1 else { throw EstimationError.oneCluster(column: name) }
            // Each cluster left out in turn, in a fixed order so that the sums are the same on every run.
            let keys = groups.keys.sorted()
            covariance = try ClusterJackknife(
                full: solution.coefficients, clusterCount: g, clusterLabel: { keys[$0] },
                refit: { left in
                    let leftOut = Set(groups[keys[left]]!)
                    let rows = (0..<n).filter { !leftOut.contains($0) }
                    return try QRLeastSquares(
                        x: rows.map { x[$0] }, y: rows.map { y[$0] }, weights: weights.map { w in rows.map { w[$0] } }, names: names
                    ).coefficients
                }
            ).covariance
            clusterCount = g
            dof = g - 1
        case .cr2(let name):
            let clusters = try Self.clusterLabels(clusters, rows: n, name: name)
            let codes = Dictionary(Set(clusters).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            guard codes.count > 1 else { throw EstimationError.oneCluster(column: name) }
            let coded = clusters.map { codes[$0]! }
            let computed: BellMcCaffrey.Result?
            if let weights {
                // Survey weights are not inverse variances: clubSandwich's default for a weighted lm (identity working
                // model), which decomposes each cluster's n_g×n_g matrix, so very large clusters are refused.
                computed = BellMcCaffrey.computeWeighted(x: x, e: e, w: weights, bread: bread, cluster: coded, clusterCount: codes.count)
            } else {
                computed = BellMcCaffrey.compute(x: x, e: e, bread: bread, cluster: coded, clusterCount: codes.count)
            }
            guard let cr2 = computed else {
                let largest = Dictionary(grouping: coded, by: { $0 }).values.map(\.count).max() ?? 0
                throw EstimationError.clusterTooLargeForCR2(rows: largest, limit: BellMcCaffrey.maximumClusterRows)
            }
            covariance = cr2.covariance
            perCoefficient = cr2.degreesOfFreedom
            clusterCount = codes.count
            dof = codes.count - 1
        }
        let meanY = (0..<n).reduce(0) { $0 + w[$1] * y[$1] } / w.reduce(0, +)
        let total = (0..<n).reduce(0) { $0 + w[$1] * (y[$1] - meanY) * (y[$1] - meanY) }
        let residual = (0..<n).reduce(0) { $0 + w[$1] * e[$1] * e[$1] }
        let coefficients = (0..<k).map { j -> Coefficient in
            let se = covariance[j][j].squareRoot()
            let estimate = solution.coefficients[j]
            let t = estimate / se
            let nu = perCoefficient?[j] ?? Double(dof)
            let critical = StudentT.quantile(0.975, degreesOfFreedom: nu)
            return Coefficient(
                term: names[j], estimate: estimate, standardError: se,
                pValue: 2 * (1 - StudentT.cdf(abs(t), degreesOfFreedom: nu)),
                low: estimate - critical * se, high: estimate + critical * se)
        }
        var result = RegressionResult(
            coefficients: coefficients, observations: n, clusters: clusterCount, standardErrors: standardErrors,
            rSquared: 1 - residual / total, degreesOfFreedom: dof, covariance: covariance)
        result.coefficientDegreesOfFreedom = perCoefficient
        return result
    }

    /// One cluster label per row, none empty: the check every clustered variance starts with.
    static func clusterLabels(_ clusters: [String]?, rows n: Int, name: String) throws -> [String] {
        guard let clusters, clusters.count == n else { throw EstimationError.missingClusterValues(column: name, rows: n) }
        let missing = clusters.filter(\.isEmpty).count
        if missing > 0 { throw EstimationError.missingClusterValues(column: name, rows: missing) }
        return clusters
    }

    static func sandwich(_ bread: [[Double]], _ meat: [[Double]]) -> [[Double]] {
        let k = bread.count
        var left = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k { for j in 0..<k { for m in 0..<k { left[i][j] += bread[i][m] * meat[m][j] } } }
        var result = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k { for j in 0..<k { for m in 0..<k { result[i][j] += left[i][m] * bread[m][j] } } }
        return result
    }
}

/// Student's t distribution through the regularized incomplete beta function (continued fraction).
/// Snedecor's F distribution, through the same incomplete beta function.
public enum FDistribution {
    public static func cdf(_ f: Double, numerator m: Double, denominator d: Double) -> Double {
        guard f > 0 else { return 0 }
        return StudentT.incompleteBeta(m * f / (m * f + d), m / 2, d / 2)
    }
}

public enum StudentT {
    public static func cdf(_ t: Double, degreesOfFreedom v: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let x = v / (v + t * t)
        let tail = 0.5 * incompleteBeta(x, v / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    public static func quantile(_ p: Double, degreesOfFreedom v: Double) -> Double {
        // Bisection on the cdf: slow but exact enough (1e-12) and free of approximation formulas.
        var low = -1e3, high = 1e3
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if cdf(mid, degreesOfFreedom: v) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        // Lentz's continued fraction.
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < 1e-300 { d = 1e-300 }
        d = 1 / d
        var result = d
        for m in 1...500 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d
            if abs(d) < 1e-300 { d = 1e-300 }
            c = 1 + numerator / c
            if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            result *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d
            if abs(d) < 1e-300 { d = 1e-300 }
            c = 1 + numerator / c
            if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return front * result / a
    }
}
