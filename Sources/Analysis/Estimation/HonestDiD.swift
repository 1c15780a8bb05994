import Foundation

/// Rambachan & Roth's robust confidence sets for an event study when parallel trends may fail. The event-time
/// estimates β̂ (pre-periods then post-periods, the reference period −1 left out) are N(τ + δ, Σ) with τ zero before
/// adoption; δ, the difference in trends, is only known to lie in a set Δ. The target θ = l′τ_post is tested value by
/// value with Andrews, Roth & Pakes's conditional (or hybrid) moment-inequality test, and the confidence set is every
/// θ not rejected. Two families of Δ, as HonestDiD defines them:
/// - relative magnitudes Δ^RM(M̄): no post-period change in δ larger than M̄ times the largest pre-period change;
/// - smoothness Δ^SD(M): the slope of δ changes by at most M between consecutive periods (M = 0: linear trends).
public struct HonestDiD: Sendable {
    public enum Restriction: Sendable, Equatable {
        case relativeMagnitudes(Double)
        case smoothness(Double)
    }

    /// Which test the confidence sets invert.
    public enum Method: String, Sendable, Equatable {
        /// Andrews, Roth & Pakes's conditional test alone (HonestDiD's "Conditional").
        case conditional
        /// First a least-favourable test at size κ = α/10, then the conditional test at (α − κ)/(1 − κ) given the first
        /// did not reject (HonestDiD's "C-LF", its default for relative magnitudes).
        case leastFavourableHybrid = "conditional_least_favourable"
    }

    public let estimates: [Double]
    public let covariance: [[Double]]
    public let preCount: Int
    public let postCount: Int
    /// The target's weights on the post-period estimates.
    public let target: [Double]
    public let alpha: Double
    /// The least-favourable first stage's critical value for smoothness, which depends on the moments' covariance and
    /// not on M: computed once by `withSmoothnessCriticalValue()` and reused for every M.
    var smoothnessLeastFavourable: Double?

    public init(estimates: [Double], covariance: [[Double]], preCount: Int, postCount: Int, target: [Double], alpha: Double = 0.05) throws {
        guard preCount >= 1, postCount >= 1, estimates.count == preCount + postCount, covariance.count == estimates.count,
            target.count == postCount, target.contains(where: { $0 != 0 })
        else { throw EstimationError.emptyCell("pre- and post-period event times for the sensitivity analysis") }
        (self.estimates, self.covariance, self.preCount, self.postCount, self.target, self.alpha) =
            (estimates, covariance, preCount, postCount, target, alpha)
    }

    var periods: Int { preCount + postCount }

    /// l′β̂_post and its standard error: the estimate under exact parallel trends.
    public var original: (estimate: Double, standardError: Double) {
        let post = preCount..<periods
        let estimate = zip(target, post).reduce(0) { $0 + $1.0 * estimates[$1.1] }
        var variance = 0.0
        for (a, i) in post.enumerated() { for (b, j) in post.enumerated() { variance += target[a] * target[b] * covariance[i][j] } }
        return (estimate, variance.squareRoot())
    }

    /// The usual (1 − α) interval, for the first row of a sensitivity table.
    public var originalInterval: ClosedRange<Double> {
        let (estimate, se) = original
        let z = Normal.quantile(1 - alpha / 2)
        return (estimate - z * se)...(estimate + z * se)
    }

    // MARK: The restrictions as polyhedra Aδ ≤ d

    /// One polyhedron: A over the periods (reference left out), d, and the rows the test uses.
    struct Polyhedron {
        let a: [[Double]]
        let d: [Double]
        let testRows: [Int]
        /// Smoothness polyhedra differ only in d, so their least-favourable critical value is shared.
        var smoothness = false
    }

    /// The periods with the reference inserted (at index `preCount`, fixed at zero), then the reference column dropped.
    private func droppingReference(_ rows: [[Double]]) -> [[Double]] {
        rows.map { row in row.enumerated().filter { $0.offset != preCount }.map(\.element) }
    }

    private func postRows(_ a: [[Double]]) -> [Int] {
        a.indices.filter { i in (preCount..<periods).contains { a[i][$0] != 0 } }
    }

    func smoothness(_ m: Double) -> Polyhedron {
        let extended = periods + 1
        let second = (0..<(extended - 2)).map { r in (0..<extended).map { c in c == r || c == r + 2 ? 1.0 : c == r + 1 ? -2 : 0 } }
        let a = droppingReference(second + second.map { $0.map { -$0 } })
        // HonestDiD tests only the moments that involve a post-period when there is more than one.
        return Polyhedron(a: a, d: [Double](repeating: m, count: a.count), testRows: postCount > 1 ? postRows(a) : Array(a.indices), smoothness: true)
    }

    /// Δ^RM with the largest pre-period change at `s` (−(pre − 1)…0, the change into period s) of sign `positive`.
    func relativeMagnitudes(_ mBar: Double, s: Int, positive: Bool) -> Polyhedron {
        let extended = periods + 1
        let first = (0..<periods).map { r in (0..<extended).map { c in c == r + 1 ? 1.0 : c == r ? -1 : 0 } }
        let index = preCount + s - 1
        let sign: Double = positive ? 1 : -1
        let largest = (0..<extended).map { c in c == index + 1 ? sign : c == index ? -sign : 0 }
        var rows: [[Double]] = []
        for direction in [1.0, -1.0] {
            for r in 0..<periods {
                let bound = r < preCount ? 1 : mBar
                let row = (0..<extended).map { direction * first[r][$0] - bound * largest[$0] }
                if row.contains(where: { abs($0) > 1e-10 }) { rows.append(row) }
            }
        }
        let a = droppingReference(rows)
        return Polyhedron(a: a, d: [Double](repeating: 0, count: a.count), testRows: postRows(a))
    }

    /// The polyhedra whose union is Δ.
    func polyhedra(_ restriction: Restriction) -> [Polyhedron] {
        switch restriction {
        case .smoothness(let m): return [smoothness(m)]
        case .relativeMagnitudes(let mBar):
            return (-(preCount - 1)...0).flatMap { s in [true, false].map { relativeMagnitudes(mBar, s: s, positive: $0) } }
        }
    }
}
