import Foundation

/// Wild cluster bootstrap (WCR: the null imposed, restricted residuals), for one coefficient of a regression
/// with few clusters. The p-value counts draws with |t*| ≥ |t| (ties included); when 2^G is no more than the
/// number of draws, all 2^G Rademacher sign patterns are enumerated and the p-value is exact. Deterministic for a
/// seed.
public enum WildClusterBootstrap {
    public enum Weights: String, Sendable, CaseIterable {
        case rademacher
        /// Webb's six-point weights, better with very few clusters.
        case webb
    }

    public struct Result: Sendable {
        public let term: String
        /// The coefficient's t statistic with CR1 standard errors.
        public let statistic: Double
        public let pValue: Double
        public let draws: Int
        public let enumerated: Bool
        public let weights: Weights
        public let clusters: Int
    }

    /// `x` includes the intercept column; `term` names the coefficient tested against zero.
    public static func test(y: [Double], x: [[Double]], names: [String], term: String, clusters: [String],
                            weights: Weights = .rademacher, draws: Int = 9999, seed: UInt64 = 20_211_201) throws -> Result {
        guard let j = names.firstIndex(of: term) else { throw EstimationError.noVariation(column: term) }
        let n = y.count, k = names.count
        let full = try QRLeastSquares(x: x, y: y, names: names)
        let ids = Dictionary(Set(clusters).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let g = ids.count
        guard g > 1 else { throw EstimationError.oneCluster(column: "cluster") }
        let cluster = clusters.map { ids[$0]! }
        let factor = Double(g) / Double(g - 1) * Double(n - 1) / Double(n - k)
        let bread = full.inverseGram
        // The original t statistic with CR1.
        func tStatistic(beta: [Double], residuals: [Double]) -> Double {
            var totals = [Double](repeating: 0, count: g)
            for i in 0..<n {
                var row = 0.0
                for a in 0..<k { row += bread[j][a] * x[i][a] }
                totals[cluster[i]] += row * residuals[i]
            }
            return beta[j] / (factor * totals.reduce(0) { $0 + $1 * $1 }).squareRoot()
        }
        let statistic = tStatistic(beta: full.coefficients, residuals: full.residuals)
        // The restricted model: the tested coefficient set to zero.
        let restrictedNames = names.enumerated().filter { $0.offset != j }.map(\.element)
        let restricted = try QRLeastSquares(x: x.map { row in row.enumerated().filter { $0.offset != j }.map(\.element) }, y: y, names: restrictedNames)
        let fitted = restricted.fitted, residual = restricted.residuals
        // Per-cluster pieces, so each draw costs O(G·k): β* = a0 + Σ v_g c_g; the tested row of the sandwich is
        // r_g = p_g + v_g q_g − m_g · β*.
        var a0 = [Double](repeating: 0, count: k)
        var c = [[Double]](repeating: [Double](repeating: 0, count: k), count: g)
        var p = [Double](repeating: 0, count: g), q = [Double](repeating: 0, count: g)
        var m = [[Double]](repeating: [Double](repeating: 0, count: k), count: g)
        for i in 0..<n {
            var rowJ = 0.0
            for a in 0..<k { rowJ += bread[j][a] * x[i][a] }
            for a in 0..<k {
                var column = 0.0
                for b in 0..<k { column += bread[a][b] * x[i][b] }
                a0[a] += column * fitted[i]
                c[cluster[i]][a] += column * residual[i]
                m[cluster[i]][a] += rowJ * x[i][a]
            }
            p[cluster[i]] += rowJ * fitted[i]
            q[cluster[i]] += rowJ * residual[i]
        }
        func drawStatistic(_ v: [Double]) -> Double {
            var beta = a0
            for h in 0..<g where v[h] != 0 { for a in 0..<k { beta[a] += v[h] * c[h][a] } }
            var sum = 0.0
            for h in 0..<g {
                var r = p[h] + v[h] * q[h]
                for a in 0..<k { r -= m[h][a] * beta[a] }
                sum += r * r
            }
            return beta[j] / (factor * sum).squareRoot()
        }
        let limit = abs(statistic)
        var exceed = 0, total = 0
        let enumerate = weights == .rademacher && g < 63 && (1 << g) <= draws
        if enumerate {
            for pattern in 0..<(1 << g) {
                let v = (0..<g).map { (pattern >> $0) & 1 == 1 ? 1.0 : -1.0 }
                if abs(drawStatistic(v)) >= limit * (1 - 1e-12) { exceed += 1 }
                total += 1
            }
        } else {
            var generator = SplitMix64(seed: seed)
            let webb = [-(1.5).squareRoot(), -1, -(0.5).squareRoot(), (0.5).squareRoot(), 1, (1.5).squareRoot()]
            for _ in 0..<draws {
                let v = (0..<g).map { _ -> Double in
                    weights == .rademacher ? (generator.next() & 1 == 1 ? 1 : -1) : webb[Int(generator.next() % 6)]
                }
                if abs(drawStatistic(v)) >= limit * (1 - 1e-12) { exceed += 1 }
                total += 1
            }
        }
        return Result(term: term, statistic: statistic, pValue: Double(exceed) / Double(total), draws: total, enumerated: enumerate,
                      weights: weights, clusters: g)
    }
}
