// The comparison view: every estimator's event-time estimates side by side, and whether their intervals overlap.
import Foundation
import Testing

@testable import Analysis

struct EstimatorComparisonTests {
    static func table(_ estimator: String, _ estimates: [Int: (Double, Double, Double)]) -> DiDTable {
        DiDTable(
            title: estimator, estimator: estimator,
            rows: estimates.sorted { $0.key < $1.key }.map { time, value in
                DiDTable.Row(
                    term: "event time \(time)",
                    coefficient: Coefficient(term: "event time \(time)", estimate: value.0, standardError: 0.1, pValue: 0.5, low: value.1, high: value.2),
                    eventTime: time)
            } + [DiDTable.Row(term: "treated", coefficient: Coefficient(term: "treated", estimate: 1, standardError: 0.1, pValue: 0, low: 0.8, high: 1.2))],
            observations: 100, clusters: 10, seType: "CR1", notes: [])
    }

    @Test("estimators whose intervals overlap at every event time agree; a pair that parts is named with its event time")
    func agreement() throws {
        let a = Self.table("event_study", [-2: (0, -0.2, 0.2), 0: (1, 0.8, 1.2), 1: (1.5, 1.2, 1.8)])
        let b = Self.table("sun_abraham", [-2: (0.1, -0.1, 0.3), 0: (1.1, 0.9, 1.3), 2: (2, 1.5, 2.5)])
        let agreeing = try #require(EstimatorComparison([a, b]))
        #expect(agreeing.eventTimes == [-2, 0, 1, 2])
        #expect(agreeing.estimates[2] == [EstimatorComparison.Estimate(estimate: 1.5, low: 1.2, high: 1.8), nil])
        #expect(agreeing.disagreements.isEmpty)
        #expect(agreeing.sentence == "The 2 estimators agree: at each of the 2 event times two or more of them estimate, every two 95% intervals overlap.")
        let c = Self.table("imputation", [0: (2, 1.6, 2.4), 1: (1.6, 1.3, 1.9)])
        let parting = try #require(EstimatorComparison([a, b, c]))
        #expect(parting.disagreements.map(\.eventTime) == [0])
        #expect(parting.sentence.hasPrefix("The estimators disagree at event time 0 (event_study and imputation)"), "\(parting.sentence)")
        // One table of event times is nothing to compare.
        #expect(EstimatorComparison([a]) == nil)
    }
}
