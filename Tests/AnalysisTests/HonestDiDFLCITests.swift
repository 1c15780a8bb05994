// The fixed-length confidence interval for smoothness restrictions against honestdid 0.1.1's find_optimal_flci with
// the exact folded-normal quantile (Fixtures/honestdid_flci_reference.csv, from Scripts/reference/honestdid_flci.py):
// its intervals and its estimators' weights.
import Foundation
import Testing

@testable import Analysis

struct HonestDiDFLCITests {
    @Test(
        "FLCI: at honestdid's optimal weights pantau's half-length is honestdid's to 1e-6 (its worst-case bias is a conic solver's); pantau's own optimum is no longer, and within 0.1%"
    )
    func matchesHonestDiD() throws {
        let cases = try HonestDiDTests.cases()
        let reference = try CallawaySantAnnaRowsTests.fixture("honestdid_flci_reference.csv").rows
        #expect(reference.count == 16)
        for row in reference {
            let fit = try #require(cases[row[0]]?.sensitivity)
            let m = Double(row[1])!, low = Double(row[2])!, high = Double(row[3])!
            let theirs = (high - low) / 2
            let weights = (0..<fit.periods).map { Double(row[4 + $0])! }
            // The objective: honestdid's estimator, evaluated by pantau (worst-case bias and exact quantile).
            #expect(abs(fit.fixedLengthHalfLength(weights, m: m) - theirs) < 1e-6 * theirs, "\(row[0]) M = \(m)")
            #expect(abs(zip(weights, fit.estimates).reduce(0) { $0 + $1.0 * $1.1 } - (low + high) / 2) < 1e-12)
            // The optimisation: pantau's estimator is at least as short (honestdid searches a grid of standard errors).
            let mine = fit.fixedLengthInterval(m: m)
            #expect(mine.halfLength <= theirs * (1 + 1e-6), "\(row[0]) M = \(m): \(mine.halfLength) against \(theirs)")
            #expect(mine.halfLength >= theirs * (1 - 1e-3), "\(row[0]) M = \(m): \(mine.halfLength) against \(theirs)")
            // Its post-period weights are the target's, and its pre-period weights undo a linear trend.
            let pre = fit.preCount
            #expect(Array(mine.weights[pre...]) == fit.target)
            let trend = (0..<fit.periods).map { Double($0 < pre ? $0 - pre : $0 - pre + 1) }
            #expect(abs(zip(mine.weights, trend).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-12)
        }
    }

    @Test(
        "FLCI: at M = 0 the half-length is 1.96 times the smallest standard error of a trend-adjusted estimator; it widens with M; the folded-normal quantile is exact"
    )
    func properties() throws {
        #expect(abs(HonestDiD.foldedNormalQuantile(0.95, mean: 0) - 1.959963984540054) < 1e-12)
        // |N(3, 1)| ≤ c with probability 0.95: Φ(c − 3) − Φ(−c − 3) = 0.95.
        let c = HonestDiD.foldedNormalQuantile(0.95, mean: 3)
        #expect(abs(Normal.cdf(c - 3) - Normal.cdf(-c - 3) - 0.95) < 1e-13)
        for (name, test) in try HonestDiDTests.cases() {
            let fit = test.sensitivity
            let lengths = [0, 0.02, 0.05, 0.1, 0.2].map { fit.fixedLengthInterval(m: $0).halfLength }
            #expect(zip(lengths, lengths.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "\(name): \(lengths)")
        }
        // One pre-period: the weights are fixed (v_pre = the target's trend), nothing to optimise.
        let e = try #require(try HonestDiDTests.cases()["e"]?.sensitivity)
        let flci = e.fixedLengthInterval(m: 0)
        let v = flci.weights
        var variance = 0.0
        for i in v.indices { for j in v.indices { variance += v[i] * e.covariance[i][j] * v[j] } }
        #expect(abs(flci.halfLength - 1.959963984540054 * variance.squareRoot()) < 1e-12)
    }

    @Test("the sensitivity analysis gives each smoothness row its FLCI, and the FLCI's breakdown value is where zero enters it")
    func inTheAnalysis() throws {
        let fit = try #require(try HonestDiDTests.cases()["b"]?.sensitivity)
        let times = [-5, -4, -3, -2, 0]
        let analysis = try #require(
            ParallelTrendsSensitivity(
                eventTimes: times, exact: times.map { _ in true }, estimates: fit.estimates, covariance: fit.covariance, method: .conditional))
        let target = try #require(analysis.targets.first)
        for row in target.smoothness {
            let expected = fit.fixedLengthInterval(m: row.bound).interval
            #expect(row.fixedLength == expected, "M = \(row.bound)")
        }
        let breakdown = try #require(target.smoothnessFixedLengthBreakdown)
        #expect(breakdown > 0)
        #expect(fit.fixedLengthInterval(m: breakdown).interval.contains(0))
        #expect(!fit.fixedLengthInterval(m: breakdown * 0.999).interval.contains(0))
        #expect(
            analysis.sentence(for: target).contains(
                String(format: "the fixed-length interval (R HonestDiD's default for M) excludes zero until M = %.3g", breakdown)))
    }
}
