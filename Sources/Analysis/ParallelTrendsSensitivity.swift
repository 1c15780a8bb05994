import Foundation

/// How far parallel trends may fail before an event study's conclusion does (Rambachan & Roth 2023), and how well
/// its pre-test could have seen a failure (Roth 2022): for the effect at event time 0 and for the average post-period
/// effect, robust 95% confidence sets over a grid of relative-magnitude bounds M̄ and of smoothness bounds M, the
/// breakdown value of each (the smallest bound at which zero enters the set), and the linear trends the pre-test
/// detects half and four-fifths of the time.
public struct ParallelTrendsSensitivity: Sendable {
    public struct Bounded: Sendable {
        public let bound: Double
        /// Nil when every value is rejected (the pre-periods contradict the restriction at this bound).
        public let interval: ClosedRange<Double>?
        /// For smoothness: the fixed-length interval (FLCI, R HonestDiD's default for smoothness) at the same bound.
        public var fixedLength: ClosedRange<Double>? = nil
    }

    public struct Target: Sendable {
        /// "effect at event time 0", "average post-period effect".
        public let name: String
        public let estimate: Double
        public let original: ClosedRange<Double>
        public let relativeMagnitudes: [Bounded]
        public let smoothness: [Bounded]
        /// Smallest M̄ (M) at which zero is in the robust set; 0 when it is in the usual interval; nil when not even
        /// at the search's ceiling.
        public let relativeMagnitudesBreakdown: Double?
        public let smoothnessBreakdown: Double?
        /// The smallest M at which zero is in the FLCI (nil when not even at the search's ceiling).
        public var smoothnessFixedLengthBreakdown: Double? = nil
    }

    public struct Pretest: Sendable {
        /// Slopes per period of a linear violation δ_t = γ·(t + 1) that the pre-test detects with 50% and 80% probability.
        public let slopeForHalf: Double
        public let slopeForFourFifths: Double
        /// The effect at event time 0 is biased by γ·1 under that trend; the average post-period effect by γ·mean(t + 1).
        public let averageBiasForHalf: Double
    }

    public let preTimes: [Int]
    public let postTimes: [Int]
    /// The estimates and covariance the analysis read (pre- then post-periods), so that it can be rerun elsewhere.
    public let estimates: [Double]
    public let covariance: [[Double]]
    public let method: HonestDiD.Method
    public let targets: [Target]
    public let pretest: Pretest?
    /// Why some event times were not used, when some were not.
    public let note: String?

    public static let relativeMagnitudeGrid: [Double] = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]

    /// `eventTimes` ascending without −1 (the reference), `exact` whether each is a single period (not a bin).
    /// Uses the longest run of consecutive exact event times around −1; nil when it has no pre- or post-period.
    public init?(eventTimes: [Int], exact: [Bool], estimates: [Double], covariance: [[Double]], method: HonestDiD.Method = .leastFavourableHybrid) {
        var pre: [Int] = [], post: [Int] = []
        var t = -2
        while let i = eventTimes.firstIndex(of: t), exact[i] {
            pre.insert(i, at: 0)
            t -= 1
        }
        t = 0
        while let i = eventTimes.firstIndex(of: t), exact[i] {
            post.append(i)
            t += 1
        }
        guard !pre.isEmpty, !post.isEmpty else { return nil }
        // Nothing to bound where an estimate or a variance is missing, infinite or zero.
        guard (pre + post).allSatisfy({ estimates[$0].isFinite && covariance[$0][$0].isFinite && covariance[$0][$0] > 0 }),
            (pre + post).allSatisfy({ a in (pre + post).allSatisfy { covariance[a][$0].isFinite } })
        else { return nil }
        let used = pre + post
        let left = eventTimes.indices.filter { !used.contains($0) }
        note =
            left.isEmpty
            ? nil
            : "event time\(left.count == 1 ? "" : "s") \(left.map { String(eventTimes[$0]) }.joined(separator: ", ")) left out of the sensitivity analysis "
                + "(binned, or not adjacent to the reference period through single periods)"
        preTimes = pre.map { eventTimes[$0] }
        postTimes = post.map { eventTimes[$0] }
        self.method = method
        let beta = used.map { estimates[$0] }, sigma = used.map { a in used.map { covariance[a][$0] } }
        (self.estimates, self.covariance) = (beta, sigma)
        let postCount = post.count
        let choices: [(String, [Double])] =
            [("effect at event time 0", (0..<postCount).map { $0 == 0 ? 1.0 : 0 })]
            + (postCount > 1 ? [("average post-period effect", [Double](repeating: 1 / Double(postCount), count: postCount))] : [])
        var built: [Target] = []
        for (name, weights) in choices {
            guard let plain = try? HonestDiD(estimates: beta, covariance: sigma, preCount: pre.count, postCount: postCount, target: weights)
            else { return nil }
            let fit = method == .leastFavourableHybrid ? plain.withSmoothnessCriticalValue() : plain
            let mGrid = (0..<10).map { fit.smoothnessGridTop * Double($0) / 9 }
            let rm = Self.relativeMagnitudeGrid.map { Bounded(bound: $0, interval: fit.interval(.relativeMagnitudes($0), method: method)) }
            let sd = mGrid.map {
                Bounded(bound: $0, interval: fit.interval(.smoothness($0), method: method), fixedLength: fit.fixedLengthInterval(m: $0).interval)
            }
            let scale = max(fit.original.standardError, 1e-12)
            var target = Target(
                name: name, estimate: fit.original.estimate, original: fit.originalInterval, relativeMagnitudes: rm, smoothness: sd,
                relativeMagnitudesBreakdown: fit.breakdown({ .relativeMagnitudes($0) }, method: method, start: 0.5, ceiling: 64),
                smoothnessBreakdown: fit.breakdown({ .smoothness($0) }, method: method, start: scale / 4, ceiling: 1000 * scale))
            target.smoothnessFixedLengthBreakdown = fit.fixedLengthBreakdown(start: scale / 4, ceiling: 1000 * scale)
            built.append(target)
        }
        targets = built
        let preSigma = pre.indices.map { a in pre.indices.map { sigma[a][$0] } }
        if let power = try? PretrendPower(eventTimes: preTimes, covariance: preSigma) {
            let half = power.slope(forPower: 0.5)
            pretest = Pretest(
                slopeForHalf: half, slopeForFourFifths: power.slope(forPower: 0.8),
                averageBiasForHalf: half * postTimes.reduce(0) { $0 + Double($1 + 1) } / Double(postCount))
        } else {
            pretest = nil
        }
    }

    /// One sentence for readers: where each restriction's conclusion breaks down.
    public func sentence(for target: Target) -> String {
        func breakdown(_ value: Double?, _ symbol: String, _ meaning: String) -> String {
            guard let value else { return "zero stays outside the robust interval for every \(symbol) tried" }
            if value == 0 { return "zero is already inside the robust interval at \(symbol) = 0" }
            return String(format: "the interval excludes zero until %@ = %.3g (%@)", symbol, value, meaning)
        }
        if target.original.contains(0) {
            return "The \(target.name) is not distinguishable from zero even under exact parallel trends, so there is no conclusion to break down."
        }
        return "For the \(target.name): "
            + breakdown(target.relativeMagnitudesBreakdown, "M̄", "post-period trend changes up to that multiple of the largest pre-period one")
            + "; " + breakdown(target.smoothnessBreakdown, "M", "the trend's slope changing by up to that much per period")
            + (target.smoothnessFixedLengthBreakdown.map {
                $0 == 0
                    ? "; zero is inside the fixed-length interval (R HonestDiD's default for M) already at M = 0"
                    : String(format: "; the fixed-length interval (R HonestDiD's default for M) excludes zero until M = %.3g", $0)
            } ?? "") + "."
    }
}
