// CR2 (Bell–McCaffrey) with Satterthwaite degrees of freedom for TWFE and Sun & Abraham against R's clubSandwich 0.5.8
// on the dummy-variable regressions (Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv, written by
// Scripts/reference/cr2_panel_clubsandwich.R on the simulated unbalanced staggered panel did2s_panel.csv, 25 clusters),
// unweighted and with survey weights (clubSandwich's default for a weighted lm, the identity working model).
import Foundation
import Testing

@testable import Analysis

struct PanelCR2Tests {
    static func reference() throws -> [String: (estimate: Double, se: Double, df: Double)] {
        let rows = try WildBootstrapTests.fixture("cr2_panel_reference.csv")
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0[0]) \($0[1])", (Double($0[2])!, Double($0[3])!, Double($0[4])!)) })
    }

    @Test(
        "TWFE with CR2: the estimate, standard error and Satterthwaite degrees of freedom equal clubSandwich's to 1e-8, unweighted and weighted",
        arguments: [false, true])
    func twoWayFixedEffects(weighted: Bool) throws {
        let expected = try #require(try Self.reference()[weighted ? "twfe+w treated" : "twfe treated"])
        let panel = try TwoStageTests.panel(weighted: weighted)
        let table = try PanelEstimation.twoWayFixedEffects(panel, bootstrap: false, cr2: true)
        let row = try #require(table.rows.first { $0.term == "treated" })
        #expect(abs(row.coefficient.estimate - expected.estimate) < 1e-8)
        #expect(abs(row.coefficient.standardError - expected.se) < 1e-8)
        // The interval's half-width is the t quantile at the Satterthwaite degrees of freedom times the standard error.
        let critical = (row.coefficient.high - row.coefficient.estimate) / row.coefficient.standardError
        #expect(abs(critical - StudentT.quantile(0.975, degreesOfFreedom: expected.df)) < 1e-8)
        #expect(table.seType.hasPrefix("CR2 clustered by cluster"))
        #expect(table.notes.contains { $0.contains(String(format: "Satterthwaite degrees of freedom: treated %.1f", expected.df)) })
    }

    @Test("TWFE with CR2 and weights that vary within units (the units' weighted means absorbed) equals clubSandwich's to 1e-8")
    func weightsWithinUnits() throws {
        let expected = try #require(try Self.reference()["twfe+wrow treated"])
        let rows = try WildBootstrapTests.fixture("did2s_panel.csv")
        let fit = try TwoWayFixedEffects.fit(
            y: rows.map { Double($0[4])! }, regressors: rows.map { [$0[2] != "0" && Int($0[1])! >= Int($0[2])! ? 1 : 0] }, names: ["treated"],
            units: rows.map { $0[0] }, periods: rows.map { $0[1] }, standardErrors: .cr2(cluster: "cluster"), clusters: rows.map { $0[3] },
            weights: rows.map { 1 + Double((Int($0[0])! + Int($0[1])!) % 3) / 2 })
        let c = try #require(fit.coefficient("treated"))
        #expect(abs(c.estimate - expected.estimate) < 1e-8)
        #expect(abs(c.standardError - expected.se) < 1e-8, "\(c.standardError) against \(expected.se)")
        #expect(abs(try #require(fit.coefficientDegreesOfFreedom)[0] - expected.df) < 1e-7)
    }

    @Test(
        "Sun & Abraham with CR2: every event time's and the average's standard error and degrees of freedom equal clubSandwich's to 1e-8, unweighted and weighted"
    )
    func sunAbraham() throws {
        for weighted in [false, true] {
            let name = weighted ? "sun_abraham+w" : "sun_abraham"
            let reference = try Self.reference().filter { $0.key.hasPrefix(name + " ") }
            try checkSunAbraham(weighted: weighted, name: name, reference: reference)
        }
    }

    func checkSunAbraham(weighted: Bool, name: String, reference: [String: (estimate: Double, se: Double, df: Double)]) throws {
        let table = try PanelEstimation.sunAbraham(try TwoStageTests.panel(weighted: weighted), leads: 4, lags: 3, bootstrap: false, cr2: true)
        #expect(table.rows.count == reference.count)
        for row in table.rows {
            let expected = try #require(reference["\(name) \(row.term)"], "\(row.term)")
            #expect(abs(row.coefficient.estimate - expected.estimate) < 1e-8, "\(row.term)")
            #expect(abs(row.coefficient.standardError - expected.se) < 1e-8, "\(row.term)")
            let critical = (row.coefficient.high - row.coefficient.estimate) / row.coefficient.standardError
            #expect(abs(critical - StudentT.quantile(0.975, degreesOfFreedom: expected.df)) < 1e-8, "\(row.term)")
        }
        // CR2 replaces the jackknife: no conventional column, the CR2 covariance feeds the sensitivity analysis.
        #expect(table.rows.allSatisfy { $0.conventionalStandardError == nil })
        #expect(table.seType.hasPrefix("CR2"))
    }

    @Test("CR2 is refused, with the reason, when units are not nested in the clusters")
    func refusals() throws {
        let panel = try TwoStageTests.panel()
        // Clusters by period: every unit is in several.
        let crossed = try LongPanel(
            outcome: panel.outcome, unit: panel.unit, unitLabels: panel.unitLabels, period: panel.period, periods: panel.periods,
            cohort: panel.cohort, cluster: panel.period, clusterLabels: panel.periods, clusterName: "period")
        do {
            _ = try PanelEstimation.twoWayFixedEffects(crossed, bootstrap: false, cr2: true)
            Issue.record("CR2 with units in several clusters was not refused")
        } catch let error as EstimationError {
            #expect("\(error)".contains("CR2 (units not nested in the clusters) standard errors (clustered by period) are not offered"))
        }
    }
}
