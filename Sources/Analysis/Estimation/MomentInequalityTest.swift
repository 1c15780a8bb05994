import Foundation
import Randomness

/// Andrews, Roth & Pakes's conditional test (and its least-favourable hybrid) of moment inequalities with linear
/// nuisance parameters: H₀: there is a τ with E[Y] − Xτ ≤ 0, for Y ~ N(μ, Σ). The statistic is
/// η̂ = min over (η, τ) of η subject to Y − Xτ ≤ η·σ̃ (σ̃ the moments' standard deviations), solved in its dual form,
/// max γ′Y over γ ≥ 0, X′γ = 0, σ̃′γ = 1, whose optimal vertex γ* the test conditions on: given the part of Y
/// independent of γ*′Y, γ*′Y is normal truncated to the interval [v_lo, v_up] on which γ* stays optimal.
struct MomentInequalityTest {
    let sigma: [[Double]]
    let x: [[Double]]
    let scale: [Double]
    let rows: Int
    /// Where there is no nuisance parameter, HonestDiD compares γ*′(Y + d) rather than η̂ with the floor of zero;
    /// `floorShift[i]` is d̃ᵢ for that convention (zero elsewhere).
    let floorShift: [Double]

    /// `x` is rows × k (k may be zero), `sigma` the covariance of Y.
    init(sigma: [[Double]], x: [[Double]], floorShift: [Double]? = nil) {
        self.sigma = sigma
        self.x = x
        rows = sigma.count
        scale = (0..<sigma.count).map { sigma[$0][$0].squareRoot() }
        self.floorShift = floorShift ?? [Double](repeating: 0, count: sigma.count)
    }

    private var columns: Int { x.first?.count ?? 0 }

    /// The dual program at `y`: the statistic and its optimal vertex; nil when infeasible (the statistic is −∞).
    func statistic(_ y: [Double]) -> (eta: Double, vertex: [Double])? {
        switch optimise(y) {
        case .optimal(let value, let vertex): return (value, vertex)
        default: return nil
        }
    }

    private func optimise(_ objective: [Double]) -> LinearProgram.Outcome {
        let k = columns
        var constraints = (0..<k).map { j in (0..<rows).map { x[$0][j] } }
        constraints.append(scale)
        return LinearProgram.maximise(objective: objective, constraints: constraints, bounds: [Double](repeating: 0, count: k) + [1])
    }

    /// The least-favourable critical value: the (1 − κ) quantile of η̂ when μ = 0, by simulation (`draws` draws of Y
    /// as `loading` · z, z standard normal, so a singular Σ needs no factorisation).
    static func leastFavourableCriticalValue(
        test: MomentInequalityTest, loading: [[Double]], kappa: Double, draws: Int = 1000, seed: UInt64
    ) -> Double {
        var generator = SplitMix64(seed: seed)
        let width = loading.first?.count ?? 0
        var values: [Double] = []
        values.reserveCapacity(draws)
        var z = [Double](repeating: 0, count: width)
        for _ in 0..<draws {
            for j in 0..<width { z[j] = generator.normal() }
            let y = loading.map { row in zip(row, z).reduce(0) { $0 + $1.0 * $1.1 } }
            if let eta = test.statistic(y)?.eta { values.append(eta) }
        }
        guard !values.isEmpty else { return .infinity }
        values.sort()
        // The quantile by linear interpolation (R's type 7), as HonestDiD takes it.
        let position = (1 - kappa) * Double(values.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, values.count - 1)
        return values[below] + (position - Double(below)) * (values[above] - values[below])
    }

    /// Whether the test at size α rejects at `y`. `leastFavourable` is the first stage's critical value for the hybrid.
    func rejects(_ y: [Double], alpha: Double, method: HonestDiD.Method, leastFavourable: Double?, kappa: Double) -> Bool {
        guard let (eta, vertex) = statistic(y) else { return false }
        var size = alpha
        var ceiling = Double.infinity
        if method == .leastFavourableHybrid, let critical = leastFavourable {
            if eta > critical { return true }
            size = (alpha - kappa) / (1 - kappa)
            ceiling = critical
        }
        let sigmaVertex = (0..<rows).map { i in (0..<rows).reduce(0) { $0 + sigma[i][$1] * vertex[$1] } }
        let variance = zip(vertex, sigmaVertex).reduce(0) { $0 + $1.0 * $1.1 }
        guard variance > 1e-300 else { return eta > 0 }
        let sd = variance.squareRoot()
        let c = sigmaVertex.map { $0 / variance }
        let s = (0..<rows).map { y[$0] - c[$0] * eta }
        let (low, high) = truncation(s: s, c: c)
        let zLow = low / sd, zHigh = min(high, ceiling) / sd, statistic = eta / sd
        // Outside its own truncation interval only through rounding: HonestDiD does not reject there.
        guard statistic >= zLow - 1e-9, statistic <= zHigh + 1e-9 else { return false }
        let shift = (0..<rows).filter { vertex[$0] > 0 }.map { floorShift[$0] }.max() ?? 0
        let critical = max(-shift, Normal.truncatedQuantile(1 - size, low: zLow, high: zHigh))
        return statistic > critical
    }

    /// The interval of t over which the vertex stays optimal on the line y(t) = s + c·t, where g(t) = η(y(t)) − t is
    /// convex, non-negative and zero at the observed statistic: each end found by walking to the zero crossing of
    /// the line of the vertex optimal beyond it (finitely many vertices, so finitely many steps).
    private func truncation(s: [Double], c: [Double]) -> (Double, Double) {
        func line(_ vertex: [Double]) -> (intercept: Double, slope: Double) {
            (zip(vertex, s).reduce(0) { $0 + $1.0 * $1.1 }, zip(vertex, c).reduce(0) { $0 + $1.0 * $1.1 } - 1)
        }
        func end(upward: Bool) -> Double {
            let direction: Double = upward ? 1 : -1
            guard case .optimal(_, let steepest) = optimise(c.map { $0 * direction }) else { return direction * .infinity }
            var (intercept, slope) = line(steepest)
            guard slope * direction > 1e-10 else { return direction * .infinity }
            var t = -intercept / slope
            for _ in 0..<200 {
                let y = (0..<rows).map { s[$0] + c[$0] * t }
                guard case .optimal(let value, let vertex) = optimise(y) else { return t }
                let tolerance = 1e-10 * max(1, abs(t), abs(value))
                if value - t <= tolerance { return t }
                (intercept, slope) = line(vertex)
                guard slope * direction > 1e-12 else { return t }
                let next = -intercept / slope
                if abs(next - t) <= tolerance { return next }
                t = next
            }
            return t
        }
        return (end(upward: false), end(upward: true))
    }
}
