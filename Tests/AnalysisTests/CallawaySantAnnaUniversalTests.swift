// Callaway & Sant'Anna with the universal base period (pre-periods compared with the period before adoption, as R did's
// base_period = "universal"), against diff-diff (PyPI) on mpdta to 1e-6: every ATT(g,t), each event time, the simple
// ATT and the event times' covariance, which the sensitivity analysis reads; never-treated and not-yet-treated,
// unconditional and by outcome regression on lpop. Reference: Fixtures/cs_universal_reference.csv, written by
// Scripts/reference/cs_universal_mpdta.py (Scripts/validate_did.sh reruns it and compares).
import Foundation
import Testing

@testable import Analysis

struct CallawaySantAnnaUniversalTests {
    func close(_ a: Double, _ b: Double, scale: Double = 1e-3) -> Bool { abs(a - b) <= 1e-6 * max(abs(b), scale) }

    @Test(
        "universal base period: ATT(g,t), event times, the simple ATT and the event-time covariance equal diff-diff's to 1e-6",
        arguments: [
            (CallawaySantAnna.Comparison.neverTreated, false), (.notYetTreated, false), (.neverTreated, true), (.notYetTreated, true),
        ])
    func matchesDiffDiff(comparison: CallawaySantAnna.Comparison, withCovariate: Bool) throws {
        let data = try CallawaySantAnnaTests.mpdta()
        let table = try referenceTable("mpdta.csv")
        let county = column(table, "countyreal").map { Int($0!) }, lpop = column(table, "lpop").map { $0! }
        var byCounty: [Int: Double] = [:]
        for i in county.indices { byCounty[county[i]] = lpop[i] }
        let estimator = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison,
            covariates: withCovariate ? data.counties.map { [byCounty[Int($0)!]!] } : nil, method: .outcomeRegression,
            universalBase: true)
        let name = (comparison == .neverTreated ? "never_treated" : "not_yet_treated") + (withCovariate ? "+lpop" : "")
        let reference = try CallawaySantAnnaRowsTests.fixture("cs_universal_reference.csv").rows.filter { $0[0] == name }
        // 12 ATT(g,t) without the three reference cells, 7 event times without −1, the simple ATT, 7 × 7 covariances.
        #expect(reference.count == 12 + 7 + 1 + 49)
        #expect(!estimator.estimates.contains { $0.time == $0.group - 1 }, "the reference cells are not estimated")
        let events = estimator.dynamic.byEventTime
        let covariance = estimator.covariance(of: events.map(\.1))
        for row in reference {
            if row[1] == "vcov" {
                let a = try #require(events.firstIndex { $0.0 == Int(row[2]) }), b = try #require(events.firstIndex { $0.0 == Int(row[3]) })
                #expect(close(covariance[a][b], Double(row[4])!, scale: 1e-6), "\(name) cov(\(row[2]), \(row[3])): \(covariance[a][b]) vs \(row[4])")
                continue
            }
            let mine = try #require(CallawaySantAnnaTests.estimate(estimator, for: row), "\(name): no estimate for \(row)")
            #expect(close(mine.0, Double(row[4])!), "\(name) \(row[1]) \(row[2]) \(row[3]): \(mine.0) vs \(row[4])")
            #expect(close(mine.1, Double(row[5])!), "\(name) \(row[1]) \(row[2]) \(row[3]) SE: \(mine.1) vs \(row[5])")
        }
    }

    @Test("the unbalanced-panel path compares with the same base periods: on a balanced panel it gives the balanced path's estimates")
    func rowsAgree() throws {
        let data = try CallawaySantAnnaTests.mpdta()
        var unit: [Int] = [], period: [Int] = [], outcome: [Double] = []
        for (u, values) in data.outcome.enumerated() {
            for (p, value) in values.enumerated() {
                unit.append(u)
                period.append(p)
                outcome.append(value)
            }
        }
        let rows = PanelRows(unit: unit, period: period, outcome: outcome, covariates: nil, weights: nil, group: data.group)
        let fromRows = try CallawaySantAnna(
            rows: rows, periods: data.periods, comparison: .neverTreated, clusterCodes: nil, method: .outcomeRegression, universalBase: true)
        let balanced = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated, universalBase: true)
        #expect(fromRows.estimates.map { [$0.group, $0.time] } == balanced.estimates.map { [$0.group, $0.time] })
        for (a, b) in zip(fromRows.estimates, balanced.estimates) { #expect(abs(a.att - b.att) < 1e-9, "ATT(\(a.group), \(a.time))") }
    }
}
