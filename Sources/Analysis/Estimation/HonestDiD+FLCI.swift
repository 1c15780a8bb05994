import Foundation

/// The fixed-length confidence interval (FLCI) for smoothness restrictions, R HonestDiD's default for Δ^SD(M)
/// (Rambachan & Roth 2023, section 4.1, after Armstrong & Kolesár): the shortest interval θ̂ ± χ over affine estimators
/// θ̂ = v′β̂ whose post-period weights are the target's, χ = σ_v · cv_α(b̄_v / σ_v), with σ_v the estimator's standard
/// error, b̄_v its worst-case bias over Δ^SD(M) and cv_α(t) the 1 − α quantile of |N(t, 1)|.
///
/// Δ^SD(M) is, with δ at the reference period fixed at 0, every δ whose second differences lie in [−M, M]: δ is a
/// linear map of its second differences and its slope at the reference period, so the bias v′δ is v′B s + slope·v′r,
/// with r the linear trend through the reference period. It is bounded only when v′r = 0 (the pre-period weights
/// undo the trend the post-period ones pick up), and then its worst case is M·‖B′v‖₁ exactly. The half-length is a
/// convex function of the pre-period weights (the perspective of the folded-normal quantile, nondecreasing in bias and
/// in standard error, of a convex bias and a convex standard error), minimised here by Nelder–Mead over the weights
/// that keep v′r = 0 (at most three free numbers for four pre-periods). HonestDiD instead searches a grid of standard
/// errors and simulates the folded-normal quantile from a million draws; with the exact quantile its half-lengths
/// equal these to solver precision (`Scripts/reference/honestdid_flci.py`).
extension HonestDiD {
    /// The FLCI at smoothness bound `m`: the interval, its estimator's weights (pre- then post-periods) and half-length.
    public func fixedLengthInterval(m: Double) -> (interval: ClosedRange<Double>, weights: [Double], halfLength: Double) {
        let n = periods
        // Every period's offset from the reference, t + 1: −preCount … −1 before, 1 … postCount after.
        let trend = (0..<n).map { Double($0 < preCount ? $0 - preCount : $0 - preCount + 1) }
        let b = secondDifferenceInverse()
        let postTrend = zip(target, trend[preCount...]).reduce(0) { $0 + $1.0 * $1.1 }
        // Free pre-period weights z (all but the last); the last makes v′r = 0 (its trend value is −1).
        func weights(_ z: [Double]) -> [Double] {
            var pre = z
            pre.append(postTrend + zip(z, trend).reduce(0) { $0 + $1.0 * $1.1 })
            return pre + target
        }
        func halfLength(_ z: [Double]) -> Double { fixedLengthHalfLength(weights(z), m: m, inverse: b) }
        let free = preCount - 1
        var best = [Double](repeating: 0, count: free)
        if free > 0 {
            // Restarts from the best point found, with a fresh simplex, until a restart no longer improves it.
            var value = halfLength(best)
            for _ in 0..<20 {
                let next = Self.nelderMead(halfLength, start: best, step: 0.5)
                let nextValue = halfLength(next)
                best = next
                if value - nextValue <= 1e-13 * max(value, 1e-300) { break }
                value = nextValue
            }
        }
        let v = weights(best), chi = halfLength(best)
        let estimate = zip(v, estimates).reduce(0) { $0 + $1.0 * $1.1 }
        return ((estimate - chi)...(estimate + chi), v, chi)
    }

    /// The smallest M at which zero is in the FLCI: 0 when it is in the usual interval's place already; found by doubling
    /// from `start` and bisecting; nil when zero stays out up to `ceiling`.
    public func fixedLengthBreakdown(start: Double, ceiling: Double) -> Double? {
        Self.smallestBound(start: start, ceiling: ceiling, tolerance: 1e-6) { fixedLengthInterval(m: $0).interval.contains(0) }
    }

    /// The half-length σ_v · cv_α(b̄_v / σ_v) of the interval around v′β̂, for weights v with v′r = 0 (`inverse`: B).
    func fixedLengthHalfLength(_ v: [Double], m: Double, inverse b: [[Double]]? = nil) -> Double {
        let n = periods, b = b ?? secondDifferenceInverse()
        var variance = 0.0
        for i in 0..<n { for j in 0..<n { variance += v[i] * covariance[i][j] * v[j] } }
        let sd = max(variance, 0).squareRoot()
        var bias = 0.0
        for column in 0..<(n - 1) { bias += abs((0..<n).reduce(0) { $0 + b[$1][column] * v[$1] }) }
        bias *= m
        return sd > 0 ? sd * Self.foldedNormalQuantile(1 - alpha, mean: bias / sd) : bias * 1e12
    }

    /// B with δ = B s + slope·r over the periods (pre then post, the reference left out): the inverse of the map from
    /// δ to its second differences (consecutive triples over every period, the reference's δ zero) and its first
    /// post-period value (the slope from the reference), without its last column.
    func secondDifferenceInverse() -> [[Double]] {
        let n = periods
        // Columns of the full vector (with the reference at position preCount) mapped to δ's positions.
        func position(_ full: Int) -> Int? { full < preCount ? full : (full == preCount ? nil : full - 1) }
        var a = [[Double]]()
        for middle in 1..<n {
            var row = [Double](repeating: 0, count: n)
            for (offset, coefficient) in [(-1, 1.0), (0, -2.0), (1, 1.0)] {
                if let p = position(middle + offset) { row[p] += coefficient }
            }
            a.append(row)
        }
        a.append((0..<n).map { $0 == preCount ? 1.0 : 0 })
        let inverse = EventStudy.invert(a) ?? a.map { $0.map { _ in 0 } }
        return inverse.map { Array($0.prefix(n - 1)) }
    }

    /// The p quantile of |X| for X ~ N(mean, 1), by bisection on its distribution function.
    static func foldedNormalQuantile(_ p: Double, mean: Double) -> Double {
        let shift = abs(mean)
        var low = 0.0, high = shift + 40
        for _ in 0..<200 {
            let middle = (low + high) / 2
            let mass = Normal.cdf(middle - shift) - Normal.cdf(-middle - shift)
            if mass < p { low = middle } else { high = middle }
            if high - low <= 1e-15 * max(1, high) { break }
        }
        return (low + high) / 2
    }

    /// A local minimum of f by Nelder–Mead from `start` (a convex f has no other), to a relative tolerance of 1e-14.
    static func nelderMead(_ f: ([Double]) -> Double, start: [Double], step: Double) -> [Double] {
        let d = start.count
        var points =
            [start]
            + (0..<d).map { i -> [Double] in
                var p = start
                p[i] += step
                return p
            }
        var values = points.map(f)
        for _ in 0..<20_000 {
            let order = values.indices.sorted { values[$0] < values[$1] }
            (points, values) = (order.map { points[$0] }, order.map { values[$0] })
            let spread = abs(values[d] - values[0])
            let size = points.dropFirst().map { p in zip(p, points[0]).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            if spread <= 1e-14 * max(abs(values[0]), 1e-300) && size <= 1e-12 { break }
            let centroid = (0..<d).map { i in points.prefix(d).reduce(0) { $0 + $1[i] } / Double(d) }
            func along(_ t: Double) -> [Double] { (0..<d).map { centroid[$0] + t * (points[d][$0] - centroid[$0]) } }
            let reflected = along(-1), reflectedValue = f(reflected)
            if reflectedValue < values[0] {
                let expanded = along(-2), expandedValue = f(expanded)
                (points[d], values[d]) = expandedValue < reflectedValue ? (expanded, expandedValue) : (reflected, reflectedValue)
            } else if reflectedValue < values[d - 1] {
                (points[d], values[d]) = (reflected, reflectedValue)
            } else {
                let contracted = reflectedValue < values[d] ? along(-0.5) : along(0.5)
                let contractedValue = f(contracted)
                if contractedValue < min(reflectedValue, values[d]) {
                    (points[d], values[d]) = (contracted, contractedValue)
                } else {
                    // Shrink towards the best point.
                    for i in 1...d {
                        points[i] = zip(points[i], points[0]).map { $1 + 0.5 * ($0 - $1) }
                        values[i] = f(points[i])
                    }
                }
            }
        }
        return points[values.indices.min { values[$0] < values[$1] }!]
    }
}
