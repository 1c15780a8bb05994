// Sun & Abraham's interaction-weighted event study on the did package's mpdta against pyfixest 0.60.0's saturated
// event study and its aggregation by event time (Tests/AnalysisTests/Fixtures/sun_abraham_reference.csv, written by
// Scripts/reference/sun_abraham_pyfixest.py); with a time-varying covariate and with survey weights against pyfixest's
// feols on the saturated regression written out (sun_abraham_covariates_reference.csv, from
// Scripts/reference/sun_abraham_covariates_pyfixest.py on the two-stage test panel).
import Foundation
import Testing

@testable import Analysis

struct SunAbrahamTests {
    static func mpdta() throws -> LongPanel {
        let data = try referenceTable("mpdta.csv")
        let year = column(data, "year").map { Int($0!) }, county = column(data, "countyreal").map { String(Int($0!)) }
        let first = column(data, "first_treat").map { Int($0!) }
        let periods = Array(Set(year)).sorted()
        var firstTreated: [String: Int] = [:]
        for (index, code) in county.enumerated() where first[index] != 0 { firstTreated[code] = periods.firstIndex(of: first[index]) }
        return try LongPanel(
            outcome: column(data, "lemp").map { $0! }, unit: county, period: year.map { periods.firstIndex(of: $0)! }, periods: periods.map(String.init),
            firstTreated: firstTreated, cluster: county, clusterName: "countyreal")
    }

    @Test("every event time's interaction-weighted effect and its delta-method CR1 standard error equal pyfixest's, to 1e-8")
    func matchesPyfixest() throws {
        let reference = try WildBootstrapTests.fixture("sun_abraham_reference.csv")
        let table = try PanelEstimation.sunAbraham(try Self.mpdta(), leads: 4, lags: 3)
        #expect(table.rows.filter { $0.eventTime != nil }.map(\.term) == reference.map { $0[0] })
        for row in reference {
            let term = try #require(table.rows.first { $0.term == row[0] }, "\(row[0])")
            #expect(abs(term.coefficient.estimate - Double(row[1])!) < 1e-8, "\(row[0])")
            #expect(abs(term.coefficient.standardError - Double(row[2])!) < 1e-8, "\(row[0])")
        }
        #expect(table.notes.contains("comparison: the never-treated units"))
    }

    @Test("with a covariate, and with it and survey weights: every event time and the average post-period effect equal pyfixest's feols, to 1e-8")
    func covariatesAndWeights() throws {
        let reference = try WildBootstrapTests.fixture("sun_abraham_covariates_reference.csv")
        for (variant, weighted) in [("+x", false), ("+x+w", true)] {
            // The table before the jackknife (25 clusters would replace CR1 by it), CR1 as the peer computes it.
            let table = try PanelEstimation.sunAbrahamTable(try TwoStageTests.panel(covariate: true, weighted: weighted), leads: 6, lags: 4)
            let expected = reference.filter { $0[0].hasPrefix(variant + " ") }
            #expect(table.rows.map(\.term) == expected.map { String($0[0].dropFirst(variant.count + 1)) })
            for row in expected {
                let term = try #require(table.rows.first { $0.term == String(row[0].dropFirst(variant.count + 1)) }, "\(row[0])")
                #expect(abs(term.coefficient.estimate - Double(row[1])!) < 1e-8, "\(row[0]): \(term.coefficient.estimate)")
                #expect(abs(term.coefficient.standardError - Double(row[2])!) < 1e-8, "\(row[0]) SE: \(term.coefficient.standardError)")
            }
            #expect(table.notes.contains { $0.hasPrefix("covariates in the saturated regression: x") })
            #expect(table.notes.contains { $0.hasPrefix("weighted by w") } == weighted)
        }
    }

    @Test("without never-treated units the last cohort is the comparison, and its treated periods are left out")
    func lastCohortComparison() throws {
        let panel = try Self.mpdta()
        let treatedOnly = panel.outcome.indices.filter { panel.cohort[panel.unit[$0]] != nil }
        let labels = treatedOnly.map { panel.unitLabels[panel.unit[$0]] }
        var firstTreated: [String: Int] = [:]
        for row in treatedOnly { firstTreated[panel.unitLabels[panel.unit[row]]] = panel.cohort[panel.unit[row]] }
        let subset = try LongPanel(
            outcome: treatedOnly.map { panel.outcome[$0] }, unit: labels, period: treatedOnly.map { panel.period[$0] }, periods: panel.periods,
            firstTreated: firstTreated, cluster: labels, clusterName: "countyreal")
        let table = try PanelEstimation.sunAbraham(subset, leads: 4, lags: 3)
        #expect(table.notes.contains { $0.contains("the last cohort to adopt (2007) is the comparison") })
        // 2004 and 2006 adopters against 2007's, in 2003–2006: event times −3 … 2 at most.
        #expect(table.rows.compactMap(\.eventTime) == [-3, -2, 0, 1, 2])
    }
}
