// Rambachan & Roth's sensitivity analysis against honestdid 0.1.1 (PyPI; a port of R's HonestDiD) on five seeded event
// studies (1–4 pre-periods, 1–4 post-periods, first post-period or average target, with and without a pre-trend).
// With the conditional test the decision at every grid point of the peer's within three points of each end of its
// confidence set must be the same (the test is deterministic), and pantau's ends, found by bisection, must lie within
// one grid step of the peer's grid ends; with the least-favourable hybrid, whose first stage is simulated, the ends
// within 2% of the set's width. The pre-test's power (Roth 2022) against scipy's multivariate normal to 2e-5.
// Fixtures: Fixtures/honestdid_cases.csv and honestdid_reference.csv, from Scripts/reference/honestdid_sensitivity.py.
import Foundation
import Testing

@testable import Analysis

struct HonestDiDTests {
    struct Case {
        let sensitivity: HonestDiD
        let preTimes: [Int]
    }

    static func cases() throws -> [String: Case] {
        let rows = try CallawaySantAnnaRowsTests.fixture("honestdid_cases.csv").rows.map { $0 + [String](repeating: "", count: 16 - $0.count) }
        var out: [String: Case] = [:]
        for name in Set(rows.map { $0[0] }) {
            let mine = rows.filter { $0[0] == name }
            let pre = Int(mine[0][1])!, post = Int(mine[0][2])!, k = pre + post
            let target = mine[0][3] == "first" ? (0..<post).map { $0 == 0 ? 1.0 : 0 } : [Double](repeating: 1 / Double(post), count: post)
            out[name] = Case(
                sensitivity: try HonestDiD(
                    estimates: mine.map { Double($0[6])! }, covariance: mine.map { row in (0..<k).map { Double(row[7 + $0])! } },
                    preCount: pre, postCount: post, target: target),
                preTimes: mine.prefix(pre).map { Int($0[5])! })
        }
        return out
    }

    static func restriction(_ kind: String, _ bound: Double) -> HonestDiD.Restriction {
        kind == "smoothness" ? .smoothness(bound) : .relativeMagnitudes(bound)
    }

    @Test("the conditional test decides as honestdid's at every grid point near the ends of its confidence sets")
    func conditionalDecisions() throws {
        let cases = try Self.cases()
        let points = try CallawaySantAnnaRowsTests.fixture("honestdid_reference.csv").rows.filter { $0[3] == "conditional" && $0[4] == "point" }
        #expect(points.count > 400)
        var differing: [String] = []
        for row in points {
            let fit = try #require(cases[row[0]]).sensitivity
            let accepted = fit.accepts(Double(row[5])!, Self.restriction(row[1], Double(row[2])!), method: .conditional)
            if accepted != (row[6] == "1") { differing.append("\(row[0]) \(row[1]) \(row[2]) θ=\(row[5]): peer \(row[6])") }
        }
        #expect(differing.isEmpty, "\(differing.count) decisions differ: \(differing.prefix(5))")
    }

    @Test("confidence sets end within one of honestdid's grid steps (conditional) or 2% of their width (hybrid)")
    func intervalEnds() throws {
        let cases = try Self.cases()
        let ends = try CallawaySantAnnaRowsTests.fixture("honestdid_reference.csv").rows.filter { $0[4] == "ends" || $0[4] == "empty" }
        #expect(ends.count == 5 * 7 * 2)
        for row in ends {
            let fit = try #require(cases[row[0]]).sensitivity
            let method: HonestDiD.Method = row[3] == "conditional" ? .conditional : .leastFavourableHybrid
            let interval = fit.interval(Self.restriction(row[1], Double(row[2])!), method: method)
            let label = "\(row[0]) \(row[1]) \(row[2]) \(row[3])"
            guard row[4] == "ends" else {
                #expect(interval == nil, "\(label): peer rejects every value, pantau \(String(describing: interval))")
                continue
            }
            let interval1 = try #require(interval, "\(label): pantau rejects every value")
            let low = Double(row[5])!, high = Double(row[6])!, step = Double(row[7])!
            if method == .conditional {
                #expect(interval1.lowerBound > low - step && interval1.lowerBound <= low + 1e-9, "\(label) low: \(interval1.lowerBound) vs \(low)")
                #expect(interval1.upperBound < high + step && interval1.upperBound >= high - 1e-9, "\(label) high: \(interval1.upperBound) vs \(high)")
            } else {
                let tolerance = 0.02 * (high - low) + step
                #expect(
                    abs(interval1.lowerBound - low) < tolerance && abs(interval1.upperBound - high) < tolerance, "\(label): \(interval1) vs \(low)...\(high)")
            }
        }
    }

    @Test("the pre-test's power against a linear trend equals scipy's multivariate normal to 2e-5")
    func pretestPower() throws {
        let cases = try Self.cases()
        let rows = try CallawaySantAnnaRowsTests.fixture("honestdid_reference.csv").rows.filter { $0[1] == "pretest_power" }
        #expect(rows.count == 20)
        for row in rows {
            let fit = try #require(cases[row[0]])
            let pre = fit.preTimes.count
            let power = try PretrendPower(eventTimes: fit.preTimes, covariance: fit.sensitivity.covariance.prefix(pre).map { Array($0.prefix(pre)) })
            let mine = power.power(slope: Double(row[2])!)
            #expect(abs(mine - Double(row[5])!) < 2e-5, "\(row[0]) slope \(row[2]): \(mine) vs \(row[5])")
        }
    }

    @Test("the simplex solves textbook programs and says when one is infeasible or unbounded")
    func linearPrograms() {
        // max 3x + 2y s.t. x + y + s1 = 4, x + 3y + s2 = 6, all ≥ 0: optimum 12 at x = 4.
        #expect(
            LinearProgram.maximise(objective: [3, 2, 0, 0], constraints: [[1, 1, 1, 0], [1, 3, 0, 1]], bounds: [4, 6])
                == .optimal(value: 12, solution: [4, 0, 0, 2]))
        // An equality with a negative right-hand side needs phase one: x − y = −2, x + y = 4 → x = 1, y = 3.
        guard case .optimal(let value, let solution) = LinearProgram.maximise(objective: [1, 0], constraints: [[1, -1], [1, 1]], bounds: [-2, 4]) else {
            Issue.record("expected an optimum")
            return
        }
        #expect(abs(value - 1) < 1e-12 && abs(solution[1] - 3) < 1e-12)
        #expect(LinearProgram.maximise(objective: [1, 1], constraints: [[1, 1]], bounds: [-1]) == .infeasible)
        #expect(LinearProgram.maximise(objective: [1, 0], constraints: [[0, 1]], bounds: [1]) == .unbounded)
        // Free variables: max x subject to x ≤ 2.5 and −x ≤ 7.
        guard case .optimal(let free, _) = LinearProgram.maximiseFree(objective: [1], inequalities: [[1], [-1]], bounds: [2.5, 7]) else {
            Issue.record("expected an optimum")
            return
        }
        #expect(abs(free - 2.5) < 1e-12)
    }

    @Test("normal quantiles and truncated-normal quantiles hold far into the tails")
    func normalQuantiles() {
        for p in [1e-12, 1e-6, 0.025, 0.3, 0.5, 0.8, 0.975, 1 - 1e-9] {
            #expect(abs(Normal.cdf(Normal.quantile(p)) - p) <= 1e-14 + 1e-12 * p, "p = \(p)")
        }
        #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-13)
        // On [9, 12] the median is where the upper tail halves: Q(q) = Q(9)/2 (Q(12) is negligible).
        let median = Normal.truncatedQuantile(0.5, low: 9, high: 12)
        #expect(abs(Normal.upperTail(median) / Normal.upperTail(9) - 0.5) < 1e-9 && median > 9 && median < 9.2)
        #expect(abs(Normal.truncatedQuantile(0.95, low: -.infinity, high: .infinity) - 1.6448536269514722) < 1e-12)
        #expect(abs(Normal.truncatedQuantile(0.3, low: -12, high: -9) + Normal.truncatedQuantile(0.7, low: 9, high: 12)) < 1e-12)
    }

    @Test("zero enters the robust interval at the breakdown value and not just below it; the sets grow with the bound")
    func breakdownValue() throws {
        let times = [-4, -3, -2, 0, 1, 2]
        let fit = try HonestDiD(
            estimates: [0.03, -0.02, 0.01, 0.35, 0.4, 0.5], covariance: times.indices.map { a in times.indices.map { 0.004 * ((a == $0 ? 1 : 0) + 0.3) } },
            preCount: 3, postCount: 3, target: [1, 0, 0])
        let breakdown = try #require(fit.breakdown({ .relativeMagnitudes($0) }, method: .conditional, start: 0.5, ceiling: 64))
        #expect(breakdown > 0)
        #expect(fit.accepts(0, .relativeMagnitudes(breakdown), method: .conditional))
        #expect(!fit.accepts(0, .relativeMagnitudes(breakdown * 0.99), method: .conditional))
        let narrow = try #require(fit.interval(.relativeMagnitudes(0.5), method: .conditional))
        let wide = try #require(fit.interval(.relativeMagnitudes(1.5), method: .conditional))
        #expect(wide.lowerBound < narrow.lowerBound && wide.upperBound > narrow.upperBound)
    }

    @Test("the pre-test's power is its size without a trend, and the slope for a power is where the power is")
    func pretestSlopes() throws {
        let power = try PretrendPower(eventTimes: [-3, -2], covariance: [[0.01, 0.003], [0.003, 0.012]])
        // Two correlated 5% tests: the chance either rejects lies between 5% and 10%.
        let size = power.power(slope: 0)
        #expect(size > 0.05 && size < 0.0975)
        for target in [0.5, 0.8] {
            let slope = power.slope(forPower: target)
            #expect(abs(power.power(slope: slope) - target) < 1e-6, "\(target): slope \(slope)")
            #expect(abs(power.power(slope: -slope) - target) < 1e-6)
        }
        // One pre-period: exact, P(|N(γ·(−1), σ²)| > 1.96σ).
        let single = try PretrendPower(eventTimes: [-2], covariance: [[0.04]])
        let expected = Normal.upperTail(1.959963984540054 - (-0.1 / 0.2)) + Normal.cdf(-1.959963984540054 - (-0.1 / 0.2))
        #expect(abs(single.power(slope: 0.1) - expected) < 1e-12)
    }

    @Test("the sensitivity analysis uses the event times next to the reference as single periods, and says what it left out")
    func eventTimesUsed() throws {
        let times = [-4, -3, -2, 0, 1, 2]
        let sigma = times.indices.map { a in times.indices.map { b in 0.01 * ((a == b ? 1 : 0) + 0.3) } }
        let s = try #require(
            ParallelTrendsSensitivity(
                eventTimes: times, exact: [false, true, true, true, true, false], estimates: [0.02, -0.01, 0.01, 0.5, 0.6, 0.7], covariance: sigma,
                method: .conditional))
        #expect(s.preTimes == [-3, -2] && s.postTimes == [0, 1])
        #expect(s.note?.contains("-4, 2") == true)
        #expect(s.targets.map(\.name) == ["effect at event time 0", "average post-period effect"])
        // Estimates far from zero with small pre-period changes: the conclusion survives well past M̄ = 1.
        #expect((s.targets[0].relativeMagnitudesBreakdown ?? 0) > 1)
        #expect(ParallelTrendsSensitivity(eventTimes: [0, 1], exact: [true, true], estimates: [1, 1], covariance: [[1, 0], [0, 1]]) == nil)
        // A missing estimate or a zero variance (a degenerate panel) gives no analysis rather than a loop or NaN intervals.
        #expect(ParallelTrendsSensitivity(eventTimes: [-2, 0], exact: [true, true], estimates: [.nan, 1], covariance: [[1, 0], [0, 1]]) == nil)
        #expect(ParallelTrendsSensitivity(eventTimes: [-2, 0], exact: [true, true], estimates: [0, 1], covariance: [[0, 0], [0, 1]]) == nil)
        #expect(try PretrendPower(eventTimes: [-2], covariance: [[0]]).slope(forPower: 0.5).isNaN)
    }
}
