import Foundation

/// A small dense linear program in standard form, maximise c′x subject to Ax = b and x ≥ 0, solved by the two-phase
/// simplex method with Bland's rule (no cycling). Written for the moment-inequality tests of the parallel-trends
/// sensitivity analysis, whose programs have a few dozen rows and columns and are solved hundreds of thousands of
/// times: a dense tableau without allocation per pivot beats any general solver's set-up there.
struct LinearProgram {
    enum Outcome: Equatable {
        /// The optimal value and a basic optimal solution (a vertex of the feasible set).
        case optimal(value: Double, solution: [Double])
        case infeasible
        case unbounded
    }

    /// `constraints` is row-major, m × n.
    static func maximise(objective c: [Double], constraints a: [[Double]], bounds b: [Double]) -> Outcome {
        let m = a.count, n = c.count
        guard m > 0 else { return c.contains { $0 > 1e-12 } ? .unbounded : .optimal(value: 0, solution: [Double](repeating: 0, count: n)) }
        // Tableau: m constraint rows then the objective row; columns: n variables, m artificials, right-hand side.
        let width = n + m + 1
        var t = [Double](repeating: 0, count: (m + 1) * width)
        var basis = [Int](repeating: 0, count: m)
        for i in 0..<m {
            let sign: Double = b[i] < 0 ? -1 : 1
            for j in 0..<n { t[i * width + j] = sign * a[i][j] }
            t[i * width + n + i] = 1
            t[i * width + n + m] = sign * b[i]
            basis[i] = n + i
        }
        let scale = max(1, a.lazy.flatMap { $0 }.reduce(0) { max($0, abs($1)) })
        let tolerance = 1e-11 * scale
        // Phase one: maximise −Σ artificials; the objective row holds reduced costs as (z − c).
        let objectiveRow = m * width
        for j in 0..<width {
            var sum = 0.0
            for i in 0..<m where j < n || j == n + m { sum += t[i * width + j] }
            t[objectiveRow + j] = j < n || j == n + m ? -sum : 0
        }
        guard pivotToOptimum(&t, &basis, rows: m, width: width, allowed: n + m, tolerance: tolerance) else { return .unbounded }
        if -t[objectiveRow + n + m] > 1e-9 * max(1, b.reduce(0) { max($0, abs($1)) }) { return .infeasible }
        // Artificials still basic at zero leave the basis where a real column can replace them; rows where none can are redundant.
        for i in 0..<m where basis[i] >= n {
            if let j = (0..<n).first(where: { abs(t[i * width + $0]) > tolerance }) { pivot(&t, &basis, row: i, column: j, rows: m, width: width) }
        }
        // Phase two: the real objective, reduced against the current basis.
        for j in 0..<width { t[objectiveRow + j] = j < n ? -c[j] : 0 }
        for i in 0..<m where basis[i] < n {
            let cost = c[basis[i]]
            guard cost != 0 else { continue }
            for j in 0..<width { t[objectiveRow + j] += cost * t[i * width + j] }
        }
        guard pivotToOptimum(&t, &basis, rows: m, width: width, allowed: n, tolerance: tolerance) else { return .unbounded }
        var solution = [Double](repeating: 0, count: n)
        for i in 0..<m where basis[i] < n { solution[basis[i]] = t[i * width + n + m] }
        return .optimal(value: t[objectiveRow + n + m], solution: solution)
    }

    /// Maximise c′z subject to Gz ≤ h with z free (z = p − q, slacks added): the form of identified-set bounds.
    static func maximiseFree(objective c: [Double], inequalities g: [[Double]], bounds h: [Double]) -> Outcome {
        let n = c.count, m = g.count
        let rows = (0..<m).map { i in g[i] + g[i].map { -$0 } + (0..<m).map { $0 == i ? 1.0 : 0 } }
        switch maximise(objective: c + c.map { -$0 } + [Double](repeating: 0, count: m), constraints: rows, bounds: h) {
        case .optimal(let value, let x): return .optimal(value: value, solution: (0..<n).map { x[$0] - x[n + $0] })
        case let other: return other
        }
    }

    /// Pivots by Bland's rule until no column below `allowed` improves the objective; false when unbounded.
    private static func pivotToOptimum(_ t: inout [Double], _ basis: inout [Int], rows m: Int, width: Int, allowed: Int, tolerance: Double) -> Bool {
        let objectiveRow = m * width, rhs = width - 1
        for _ in 0..<10_000 {
            guard let entering = (0..<allowed).first(where: { t[objectiveRow + $0] < -tolerance }) else { return true }
            var leaving = -1
            var best = Double.infinity
            for i in 0..<m {
                let entry = t[i * width + entering]
                guard entry > tolerance else { continue }
                let ratio = t[i * width + rhs] / entry
                if ratio < best - 1e-14 || (abs(ratio - best) <= 1e-14 && leaving >= 0 && basis[i] < basis[leaving]) {
                    best = ratio
                    leaving = i
                }
            }
            guard leaving >= 0 else { return false }
            pivot(&t, &basis, row: leaving, column: entering, rows: m, width: width)
        }
        return true
    }

    private static func pivot(_ t: inout [Double], _ basis: inout [Int], row r: Int, column q: Int, rows m: Int, width: Int) {
        let inverse = 1 / t[r * width + q]
        for j in 0..<width { t[r * width + j] *= inverse }
        t[r * width + q] = 1
        for i in 0...m where i != r {
            let factor = t[i * width + q]
            guard factor != 0 else { continue }
            for j in 0..<width { t[i * width + j] -= factor * t[r * width + j] }
            t[i * width + q] = 0
        }
        basis[r] = q
    }
}
