import Foundation
import Randomness

/// Wild cluster bootstrap (WCR: the null imposed, restricted residuals), for one coefficient of a regression
/// with few clusters. The p-value counts draws with |t*| ≥ |t| (ties included); with Rademacher weights and at
/// most 25 clusters all 2^G sign patterns are enumerated and the p-value and interval are exact (see
/// WildBootstrap+Enumeration.swift). Deterministic for a seed.
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
        /// The coefficient's estimate.
        public let estimate: Double
        /// The 95% (or `level`) interval by test inversion: every value β₀ whose null β = β₀ the same bootstrap
        /// does not reject, with the same draws for every β₀. Nil when not asked for.
        public let interval: ClosedRange<Double>?
        /// True for the wild bootstrap of a regression coefficient (restricted residuals); false for the multiplier
        /// bootstrap of an influence function, which has no null to impose.
        public var nullImposed: Bool = true
    }

    /// `x` includes the intercept column; `term` names the coefficient tested against zero. With `level`, the
    /// confidence interval by test inversion is found too.
    public static func test(
        y: [Double], x: [[Double]], names: [String], term: String, clusters: [String],
        weights: Weights = .rademacher, draws: Int = 9999, seed: UInt64 = 20_211_201,
        level: Double? = nil
    ) throws -> Result {
        let setup = try Setup(y: y, x: x, names: names, term: term, clusters: clusters)
        // Each draw reduced once to its parts for y and for x_j, so that every null of the interval's search costs
        // O(draws) (`SampledDraws`); `Setup.pValue` computes the same from the fit's pieces directly.
        return test(setup.enumeration, term: term, weights: weights, draws: draws, seed: seed, level: level)
    }

    /// The draws: every Rademacher sign pattern when 2^G is no more than the draws asked for, else sampled.
    struct Multipliers {
        let enumerated: Bool
        let count: Int
        let clusters: Int
        private let sampled: [[Double]]

        init(clusters g: Int, weights: Weights, draws: Int, seed: UInt64) {
            clusters = g
            enumerated = weights == .rademacher && g < 63 && (1 << g) <= draws
            if enumerated {
                count = 1 << g
                sampled = []
            } else {
                count = draws
                var generator = SplitMix64(seed: seed)
                let webb = [-(1.5).squareRoot(), -1, -(0.5).squareRoot(), (0.5).squareRoot(), 1, (1.5).squareRoot()]
                sampled = (0..<draws).map { _ in
                    (0..<g).map { _ -> Double in
                        weights == .rademacher ? (generator.next() & 1 == 1 ? 1 : -1) : webb[Int(generator.next() % 6)]
                    }
                }
            }
        }

        func draw(_ index: Int) -> [Double] {
            enumerated ? (0..<clusters).map { (index >> $0) & 1 == 1 ? 1.0 : -1.0 } : sampled[index]
        }
    }

    /// What every null needs, computed once. The restricted fit under β = β₀ is that of y − β₀·x_j on the other
    /// columns, which is linear in β₀: so each per-cluster piece is stored for y and for x_j, and a null costs
    /// only the draws.
    struct Setup {
        let g: Int
        let k: Int
        let j: Int
        let estimate: Double
        let standardError: Double
        let factor: Double
        // Per-cluster pieces for the response y (suffix Y) and for the column x_j (suffix X).
        let a0Y: [Double], a0X: [Double]
        let cY: [[Double]], cX: [[Double]]
        let pY: [Double], pX: [Double]
        let qY: [Double], qX: [Double]
        let m: [[Double]]

        init(y: [Double], x: [[Double]], names: [String], term: String, clusters: [String]) throws {
            guard let j = names.firstIndex(of: term) else { throw EstimationError.noVariation(column: term) }
            self.j = j
            let n = y.count, k = names.count
            self.k = k
            let full = try QRLeastSquares(x: x, y: y, names: names)
            let ids = Dictionary(Set(clusters).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let g = ids.count
            guard g > 1 else { throw EstimationError.oneCluster(column: "cluster") }
            self.g = g
            let cluster = clusters.map { ids[$0]! }
            factor = Double(g) / Double(g - 1) * Double(n - 1) / Double(n - k)
            let bread = full.inverseGram
            // The CR1 standard error of the coefficient (unchanged by the null: the unrestricted residuals are the same).
            var totals = [Double](repeating: 0, count: g)
            var rowJ = [Double](repeating: 0, count: n)
            for i in 0..<n {
                for a in 0..<k { rowJ[i] += bread[j][a] * x[i][a] }
                totals[cluster[i]] += rowJ[i] * full.residuals[i]
            }
            estimate = full.coefficients[j]
            standardError = (factor * totals.reduce(0) { $0 + $1 * $1 }).squareRoot()
            // The restricted model: the tested column left out, fitted to y and to x_j.
            let others = x.map { row in row.enumerated().filter { $0.offset != j }.map(\.element) }
            let otherNames = names.enumerated().filter { $0.offset != j }.map(\.element)
            let xj = x.map { $0[j] }
            let restrictedY: (fitted: [Double], residuals: [Double])
            let restrictedX: (fitted: [Double], residuals: [Double])
            if otherNames.isEmpty {
                restrictedY = ([Double](repeating: 0, count: n), y)
                restrictedX = ([Double](repeating: 0, count: n), xj)
            } else {
                let fitY = try QRLeastSquares(x: others, y: y, names: otherNames)
                let fitX = try QRLeastSquares(x: others, y: xj, names: otherNames)
                restrictedY = (fitY.fitted, fitY.residuals)
                restrictedX = (fitX.fitted, fitX.residuals)
            }
            // β* = a0 + Σ v_g c_g; the tested row of the sandwich is r_g = p_g + v_g q_g − m_g · β*.
            var a0Y = [Double](repeating: 0, count: k), a0X = a0Y
            var cY = [[Double]](repeating: [Double](repeating: 0, count: k), count: g), cX = cY, m = cY
            var pY = [Double](repeating: 0, count: g), pX = pY, qY = pY, qX = pY
            for i in 0..<n {
                let h = cluster[i]
                for a in 0..<k {
                    var column = 0.0
                    for b in 0..<k { column += bread[a][b] * x[i][b] }
                    a0Y[a] += column * restrictedY.fitted[i]
                    a0X[a] += column * restrictedX.fitted[i]
                    cY[h][a] += column * restrictedY.residuals[i]
                    cX[h][a] += column * restrictedX.residuals[i]
                    m[h][a] += rowJ[i] * x[i][a]
                }
                pY[h] += rowJ[i] * restrictedY.fitted[i]
                pX[h] += rowJ[i] * restrictedX.fitted[i]
                qY[h] += rowJ[i] * restrictedY.residuals[i]
                qX[h] += rowJ[i] * restrictedX.residuals[i]
            }
            (self.a0Y, self.a0X, self.cY, self.cX, self.pY, self.pX, self.qY, self.qX, self.m) = (a0Y, a0X, cY, cX, pY, pX, qY, qX, m)
        }

        func statistic(null: Double) -> Double { (estimate - null) / standardError }

        /// The share of draws with |t*| ≥ |t| under the null β = `null` (ties included).
        func pValue(null b0: Double, _ multipliers: Multipliers) -> Double {
            let a0 = (0..<k).map { a0Y[$0] - b0 * a0X[$0] }
            let c = (0..<g).map { h in (0..<k).map { cY[h][$0] - b0 * cX[h][$0] } }
            let p = (0..<g).map { pY[$0] - b0 * pX[$0] }, q = (0..<g).map { qY[$0] - b0 * qX[$0] }
            let limit = abs(statistic(null: b0)) * (1 - 1e-12)
            var exceed = 0
            var beta = a0
            for index in 0..<multipliers.count {
                let v = multipliers.draw(index)
                for a in 0..<k { beta[a] = a0[a] }
                for h in 0..<g { for a in 0..<k { beta[a] += v[h] * c[h][a] } }
                var sum = 0.0
                for h in 0..<g {
                    var r = p[h] + v[h] * q[h]
                    for a in 0..<k { r -= m[h][a] * beta[a] }
                    sum += r * r
                }
                if abs(beta[j] / (factor * sum).squareRoot()) >= limit { exceed += 1 }
            }
            return Double(exceed) / Double(multipliers.count)
        }

        /// The values not rejected at 1 − `level`, by bisection on each side of the estimate (where p = 1).
        func interval(level: Double, _ multipliers: Multipliers) -> ClosedRange<Double>? {
            WildClusterBootstrap.invert(estimate: estimate, standardError: standardError, level: level) { pValue(null: $0, multipliers) }
        }
    }

    /// A test inverted: the values whose p-value exceeds 1 − `level`, found on each side of the estimate by doubling a
    /// step of two standard errors until rejected, then bisecting to 1e-9 standard errors; nil when a side never
    /// rejects.
    static func invert(estimate: Double, standardError: Double, level: Double, pValue: (Double) -> Double) -> ClosedRange<Double>? {
        let alpha = 1 - level
        guard standardError > 0, standardError.isFinite else { return nil }
        func bound(_ direction: Double) -> Double? {
            var inside = estimate, step = 2 * standardError
            var outside = estimate + direction * step
            var expansions = 0
            while pValue(outside) > alpha {
                inside = outside
                step *= 2
                outside = estimate + direction * step
                expansions += 1
                if expansions > 40 { return nil }
            }
            for _ in 0..<60 {
                let middle = (inside + outside) / 2
                if pValue(middle) > alpha { inside = middle } else { outside = middle }
                if abs(outside - inside) <= 1e-9 * standardError { break }
            }
            return (inside + outside) / 2
        }
        guard let low = bound(-1), let high = bound(1) else { return nil }
        return finiteRange(low, high)
    }
}
