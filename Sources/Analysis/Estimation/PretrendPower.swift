import Foundation
import Randomness

/// Roth (2022): how likely the usual pre-test (reject parallel trends when any pre-period estimate is individually
/// significant at level α) is to notice a violation that is linear in event time, δ_t = γ·(t + 1), zero at the
/// reference period −1; and the slopes it would notice half and four-fifths of the time. A trend the pre-test misses
/// half the time can still bias the post-period estimates by γ·(t + 1).
public struct PretrendPower: Sendable {
    /// Pre-period event times (≤ −2) and their estimates' covariance.
    public let eventTimes: [Int]
    public let covariance: [[Double]]
    public let alpha: Double

    public init(eventTimes: [Int], covariance: [[Double]], alpha: Double = 0.05) throws {
        guard !eventTimes.isEmpty, covariance.count == eventTimes.count, eventTimes.allSatisfy({ $0 <= -2 })
        else { throw EstimationError.emptyCell("pre-period event times for the pre-test's power") }
        (self.eventTimes, self.covariance, self.alpha) = (eventTimes, covariance, alpha)
    }

    /// The probability that the pre-test rejects when the pre-period means are γ·(t + 1).
    public func power(slope: Double) -> Double {
        let z = Normal.quantile(1 - alpha / 2)
        let sd = eventTimes.indices.map { covariance[$0][$0].squareRoot() }
        let means = eventTimes.map { slope * Double($0 + 1) }
        let lower = eventTimes.indices.map { -z * sd[$0] - means[$0] }, upper = eventTimes.indices.map { z * sd[$0] - means[$0] }
        return 1 - Self.rectangleProbability(covariance: covariance, lower: lower, upper: upper)
    }

    /// The positive slope at which the pre-test rejects with probability `target` (the power is symmetric in γ).
    public func slope(forPower target: Double) -> Double {
        var low = 0.0, high = eventTimes.indices.map { covariance[$0][$0].squareRoot() }.max()!
        guard high > 0, high.isFinite else { return .nan }
        var doublings = 0
        while doublings < 200, power(slope: high) < target {
            (low, high) = (high, high * 2)
            doublings += 1
        }
        for _ in 0..<60 where high - low > 1e-10 * high {
            let middle = (low + high) / 2
            if power(slope: middle) < target { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// P(lower ≤ X ≤ upper) for X ~ N(0, Σ): exact in one dimension; otherwise Genz's separation of variables, integrated
    /// by a randomly shifted Richtmyer lattice with antithetic points (fixed seed: the same figures every run), which
    /// holds the error near 1e-6 in the few dimensions an event study's pre-periods have.
    static func rectangleProbability(covariance: [[Double]], lower: [Double], upper: [Double]) -> Double {
        let k = covariance.count
        let l = Cholesky.lower(covariance)
        guard l.indices.allSatisfy({ l[$0][$0] > 0 }) else { return .nan }
        let firstLow = Normal.cdf(lower[0] / l[0][0]), firstHigh = Normal.cdf(upper[0] / l[0][0])
        guard k > 1 else { return firstHigh - firstLow }
        let primes: [Double] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]
        let steps = (0..<(k - 1)).map { primes[$0 % primes.count].squareRoot().truncatingRemainder(dividingBy: 1) }
        var generator = SplitMix64(seed: 2022)
        let shifts = 16, points = 4096
        var y = [Double](repeating: 0, count: k)
        func integrand(_ w: [Double]) -> Double {
            var (d, e) = (firstLow, firstHigh)
            var f = e - d
            for i in 1..<k {
                guard f > 0 else { return 0 }
                y[i - 1] = Normal.quantile(min(max(d + w[i - 1] * (e - d), 1e-300), 1 - 1e-16))
                var s = 0.0
                for j in 0..<i { s += l[i][j] * y[j] }
                d = Normal.cdf((lower[i] - s) / l[i][i])
                e = Normal.cdf((upper[i] - s) / l[i][i])
                f *= max(e - d, 0)
            }
            return f
        }
        var total = 0.0
        var w = [Double](repeating: 0, count: k - 1), mirrored = w
        for _ in 0..<shifts {
            let shift = (0..<(k - 1)).map { _ in generator.uniform() }
            var sum = 0.0
            for n in 1...points {
                for j in 0..<(k - 1) {
                    w[j] = (Double(n) * steps[j] + shift[j]).truncatingRemainder(dividingBy: 1)
                    mirrored[j] = 1 - w[j]
                }
                sum += (integrand(w) + integrand(mirrored)) / 2
            }
            total += sum / Double(points)
        }
        return total / Double(shifts)
    }
}
