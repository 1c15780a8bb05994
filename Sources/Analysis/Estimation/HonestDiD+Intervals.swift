import Foundation

extension HonestDiD {
    /// One polyhedron's test of H₀: θ = θ̄, set up once: the moments are Y(θ̄) = Aβ̂ − d − A_post u θ̄ with the nuisance
    /// X = A_post N (u with l′u = 1, N a basis of l's null space), on the rows the test uses.
    struct PolyhedronTest {
        let test: MomentInequalityTest
        let base: [Double]
        let direction: [Double]
        let leastFavourable: Double?
        let method: Method
        let alpha: Double

        func accepts(_ theta: Double) -> Bool {
            let y = zip(base, direction).map { $0 - $1 * theta }
            return !test.rejects(y, alpha: alpha, method: method, leastFavourable: leastFavourable, kappa: alpha / 10)
        }
    }

    func prepare(_ polyhedron: Polyhedron, method: Method, seed: UInt64) -> PolyhedronTest {
        let rows = polyhedron.testRows
        let a = rows.map { polyhedron.a[$0] }, d = rows.map { polyhedron.d[$0] }
        // u = e_j / l_j for the last non-zero weight j; N's columns e_i − (l_i / l_j) e_j for i ≠ j.
        let j = target.lastIndex { $0 != 0 }!
        let direction = a.map { $0[preCount + j] / target[j] }
        let nuisance = a.map { row in (0..<postCount).filter { $0 != j }.map { i in row[preCount + i] - target[i] / target[j] * row[preCount + j] } }
        let base = zip(a, d).map { row, bound in zip(row, estimates).reduce(0) { $0 + $1.0 * $1.1 } - bound }
        let sigmaRow = a.map { row in (0..<periods).map { c in (0..<periods).reduce(0) { $0 + row[$1] * covariance[$1][c] } } }
        let sigmaY = sigmaRow.map { left in a.map { right in zip(left, right).reduce(0) { $0 + $1.0 * $1.1 } } }
        // Without a nuisance parameter HonestDiD floors γ′(Y + d) at zero rather than η̂ (see MomentInequalityTest).
        let floorShift = postCount == 1 ? rows.indices.map { d[$0] / sigmaY[$0][$0].squareRoot() } : nil
        let test = MomentInequalityTest(sigma: sigmaY, x: nuisance, floorShift: floorShift)
        var leastFavourable: Double?
        if method == .leastFavourableHybrid, polyhedron.smoothness, let shared = smoothnessLeastFavourable {
            leastFavourable = shared
        } else if method == .leastFavourableHybrid {
            let lower = Cholesky.lower(covariance)
            let loading = a.map { row in (0..<periods).map { c in (c..<periods).reduce(0) { $0 + row[$1] * lower[$1][c] } } }
            leastFavourable = MomentInequalityTest.leastFavourableCriticalValue(test: test, loading: loading, kappa: alpha / 10, seed: seed)
        }
        return PolyhedronTest(test: test, base: base, direction: direction, leastFavourable: leastFavourable, method: method, alpha: alpha)
    }

    /// The same analysis with the smoothness restriction's least-favourable critical value computed once (it does not
    /// depend on M): what a grid of M and a breakdown search should use.
    public func withSmoothnessCriticalValue() -> HonestDiD {
        var copy = self
        copy.smoothnessLeastFavourable = prepare(smoothness(0), method: .leastFavourableHybrid, seed: 20_180_601).leastFavourable
        return copy
    }

    /// The bounds of θ over the polyhedron at δ_pre = β̂_pre: where the search for the accepted values starts.
    func identifiedSet(_ polyhedron: Polyhedron) -> ClosedRange<Double> {
        let centre = original.estimate
        let postColumns = polyhedron.a.map { Array($0[preCount..<periods]) }
        let bounds = zip(polyhedron.a, polyhedron.d).map { row, bound in bound - (0..<preCount).reduce(0) { $0 + row[$1] * estimates[$1] } }
        func largest(_ sign: Double) -> Double? {
            if case .optimal(let value, _) = LinearProgram.maximiseFree(objective: target.map { sign * $0 }, inequalities: postColumns, bounds: bounds) {
                return value
            }
            return nil
        }
        guard let up = largest(1), let down = largest(-1) else { return centre...centre }
        return min(centre - up, centre + down)...max(centre - up, centre + down)
    }

    /// The accepted values of θ for one polyhedron, as an interval (its hull), nil when every value is rejected.
    func acceptedInterval(_ polyhedron: Polyhedron, test: PolyhedronTest) -> ClosedRange<Double>? {
        let identified = identifiedSet(polyhedron)
        let spread = 20 * original.standardError
        let low = identified.lowerBound - spread, high = identified.upperBound + spread
        let points = 401
        let grid = (0..<points).map { low + (high - low) * Double($0) / Double(points - 1) }
        let accepted = grid.map(test.accepts)
        guard let first = accepted.firstIndex(of: true), let last = accepted.lastIndex(of: true) else { return nil }
        let lower = first > 0 ? boundary(accepted: grid[first], rejected: grid[first - 1], test) : outward(from: grid[0], step: -(high - low), test)
        let upper = last < points - 1 ? boundary(accepted: grid[last], rejected: grid[last + 1], test) : outward(from: grid[points - 1], step: high - low, test)
        return lower...upper
    }

    /// Bisection between an accepted and a rejected value, to about 1e-10 of the distance.
    private func boundary(accepted: Double, rejected: Double, _ test: PolyhedronTest) -> Double {
        var (inside, outside) = (accepted, rejected)
        for _ in 0..<45 {
            let middle = (inside + outside) / 2
            if test.accepts(middle) { inside = middle } else { outside = middle }
        }
        return (inside + outside) / 2
    }

    /// Past the end of the grid: doubling steps until a value is rejected, then bisection; ±∞ if none is.
    private func outward(from start: Double, step: Double, _ test: PolyhedronTest) -> Double {
        var inside = start, distance = step
        for _ in 0..<12 {
            let candidate = inside + distance
            if !test.accepts(candidate) { return boundary(accepted: inside, rejected: candidate, test) }
            inside = candidate
            distance *= 2
        }
        return step > 0 ? .infinity : -.infinity
    }

    /// The robust (1 − α) confidence set for θ under the restriction: the hull of the union over its polyhedra.
    /// Nil when every value of θ is rejected (the pre-periods themselves contradict the restriction).
    public func interval(_ restriction: Restriction, method: Method) -> ClosedRange<Double>? {
        let intervals = polyhedra(restriction).enumerated().compactMap { index, polyhedron in
            acceptedInterval(polyhedron, test: prepare(polyhedron, method: method, seed: 20_180_601 &+ UInt64(index)))
        }
        guard let low = intervals.map(\.lowerBound).min(), let high = intervals.map(\.upperBound).max() else { return nil }
        return low...high
    }

    /// Whether θ is in the confidence set (some polyhedron's test accepts it).
    public func accepts(_ theta: Double, _ restriction: Restriction, method: Method) -> Bool {
        polyhedra(restriction).enumerated().contains { index, polyhedron in
            prepare(polyhedron, method: method, seed: 20_180_601 &+ UInt64(index)).accepts(theta)
        }
    }

    /// The breakdown value: the smallest bound (M̄ or M, as `restriction` builds it) at which θ = 0 enters the
    /// confidence set, to 0.1% of its size; zero when it is in the set already at 0, nil when not even at `ceiling`.
    public func breakdown(_ restriction: (Double) -> Restriction, method: Method, start: Double, ceiling: Double) -> Double? {
        Self.smallestBound(start: start, ceiling: ceiling, tolerance: 1e-3) { accepts(0, restriction($0), method: method) }
    }

    /// The smallest bound at which `containsZero` holds, assuming it holds from some bound on: 0 if it holds there,
    /// else found by doubling from `start` (nil past `ceiling`) and bisecting to `tolerance` of the bound.
    static func smallestBound(start: Double, ceiling: Double, tolerance: Double, _ containsZero: (Double) -> Bool) -> Double? {
        if containsZero(0) { return 0 }
        var low = 0.0, high = start
        while !containsZero(high) {
            low = high
            high *= 2
            if high > ceiling { return nil }
        }
        while high - low > tolerance * high {
            let middle = (low + high) / 2
            if containsZero(middle) { high = middle } else { low = middle }
        }
        return high
    }

    /// HonestDiD's default grid of M for smoothness: 0 up to the largest pre-period second difference's one-sided
    /// 95% upper bound (with a single pre-period, its standard error).
    public var smoothnessGridTop: Double {
        guard preCount > 1 else { return covariance[0][0].squareRoot() }
        let extended = preCount + 1
        let second = (0..<(extended - 2)).map { r in (0..<preCount).map { c in c == r || c == r + 2 ? 1.0 : c == r + 1 ? -2 : 0 } }
        let rows = second + second.map { $0.map { -$0 } }
        let z = Normal.quantile(0.95)
        return rows.map { row in
            let value = zip(row, estimates).reduce(0) { $0 + $1.0 * $1.1 }
            var variance = 0.0
            for a in 0..<preCount { for b in 0..<preCount { variance += row[a] * row[b] * covariance[a][b] } }
            return value + z * variance.squareRoot()
        }.max() ?? 0
    }
}
