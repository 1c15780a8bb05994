import Foundation

/// The event-time estimates of every estimator that gives them, side by side, and a sentence saying whether they
/// agree: at each event time, whether every two estimators' 95% intervals overlap. What a referee asks first of a
/// staggered design: does the result survive the other heterogeneity-robust estimators?
public struct EstimatorComparison: Sendable {
    public struct Estimate: Sendable, Equatable {
        public let estimate: Double
        public let low: Double
        public let high: Double
    }

    /// The estimators compared (their names), in the report's order.
    public let estimators: [String]
    public let eventTimes: [Int]
    /// `estimates[eventTime][estimator]`, nil where that estimator has no such event time.
    public let estimates: [[Estimate?]]
    /// The event times at which some two intervals do not overlap, with the pair.
    public let disagreements: [(eventTime: Int, first: String, second: String)]

    /// Nil when fewer than two tables have event-time estimates.
    public init?(_ tables: [DiDTable]) {
        let dynamic = tables.filter { table in table.rows.filter { $0.eventTime != nil && $0.coefficient.estimate.isFinite }.count > 1 }
        guard dynamic.count > 1 else { return nil }
        estimators = dynamic.map(\.estimator)
        let times = Array(Set(dynamic.flatMap { $0.rows.compactMap(\.eventTime) })).sorted()
        let table = times.map { time in
            dynamic.map { table in
                table.rows.first { $0.eventTime == time && $0.coefficient.estimate.isFinite }.map {
                    Estimate(estimate: $0.coefficient.estimate, low: $0.coefficient.low, high: $0.coefficient.high)
                }
            }
        }
        let names = dynamic.map(\.estimator)
        var found: [(Int, String, String)] = []
        for (row, time) in times.enumerated() {
            let present = table[row].indices.filter { table[row][$0] != nil }
            pairs: for a in present {
                for b in present where b > a {
                    let x = table[row][a]!, y = table[row][b]!
                    if x.high < y.low || y.high < x.low {
                        found.append((time, names[a], names[b]))
                        break pairs
                    }
                }
            }
        }
        (eventTimes, estimates, disagreements) = (times, table, found)
    }

    /// One sentence for readers: agreement, or where and between which estimators the intervals part.
    public var sentence: String {
        let shared = eventTimes.indices.filter { row in estimates[row].compactMap { $0 }.count > 1 }
        if disagreements.isEmpty {
            return "The \(estimators.count) estimators agree: at each of the \(shared.count) event times two or more of them estimate, "
                + "every two 95% intervals overlap."
        }
        let places = disagreements.map { "event time \($0.eventTime) (\($0.first) and \($0.second))" }
        return "The estimators disagree at \(places.joined(separator: ", ")): their 95% intervals do not overlap there; "
            + "read the estimators' notes on what each compares with."
    }
}
