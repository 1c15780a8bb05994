// Gardner's two-stage DiD against pyfixest 0.60.0's did2s, without and with a time-varying covariate in the first stage,
// and weighted
// (Tests/AnalysisTests/Fixtures/did2s_reference.csv, written by Scripts/reference/did2s_pyfixest.py with the simulated
// unbalanced staggered panel did2s_panel.csv), and
// Borusyak–Jaravel–Spiess imputation against PyPI's did-imputation 0.1.0, without and with the covariate, and with it and survey
// weights (aw) (imputation_reference.csv, written by Scripts/reference/imputation_did.py on the same panel).
import Foundation
import Testing

@testable import Analysis

struct TwoStageTests {
    static func panel(covariate: Bool = false, weighted: Bool = false) throws -> LongPanel {
        let rows = try WildBootstrapTests.fixture("did2s_panel.csv")
        let periods = Array(Set(rows.map { $0[1] })).sorted()
        var firstTreated: [String: Int] = [:]
        for row in rows where row[2] != "0" { firstTreated[row[0]] = periods.firstIndex(of: row[2]) }
        return try LongPanel(
            outcome: rows.map { Double($0[4])! }, unit: rows.map { $0[0] }, period: rows.map { periods.firstIndex(of: $0[1])! }, periods: periods,
            firstTreated: firstTreated, cluster: rows.map { $0[3] }, clusterName: "cluster",
            weight: weighted ? rows.map { 1 + Double(Int($0[0])! % 5) } : nil, weightName: weighted ? "w" : nil,
            covariateNames: covariate ? ["x"] : [], covariates: covariate ? [rows.map { Double($0[5]) }] : [])
    }

    @Test("the overall effect and the event study equal pyfixest's did2s, estimates and GMM standard errors to 1e-8")
    func matchesPyfixest() throws {
        let reference = try WildBootstrapTests.fixture("did2s_reference.csv")
        let panel = try Self.panel(), withX = try Self.panel(covariate: true)
        let tables = [
            "two_stage": try PanelEstimation.twoStage(panel, bootstrap: false),
            "two_stage_event_study": try PanelEstimation.twoStageEventStudy(panel, leads: 3, lags: 3, bootstrap: false),
            "two_stage+x": try PanelEstimation.twoStage(withX, bootstrap: false),
            "two_stage_event_study+x": try PanelEstimation.twoStageEventStudy(withX, leads: 3, lags: 3, bootstrap: false),
            "two_stage+x+w": try PanelEstimation.twoStage(try Self.panel(covariate: true, weighted: true), bootstrap: false),
        ]
        #expect(Set(reference.map { $0[0] }) == Set(tables.keys))
        for row in reference {
            let table = try #require(tables[row[0]])
            let term = try #require(table.rows.first { $0.term == row[1] }, "\(row[1])")
            #expect(abs(term.coefficient.estimate - Double(row[2])!) < 1e-8, "\(row[0]) \(row[1])")
            // 25 clusters: the table's standard errors are the jackknife's, the GMM ones kept beside them.
            #expect(term.conventionalStandardError?.name == "gmm_std_error")
            #expect(abs((term.conventionalStandardError?.value ?? .nan) - Double(row[3])!) < 1e-8, "\(row[0]) \(row[1])")
        }
        #expect(tables["two_stage_event_study"]?.rows.map(\.eventTime) == [-3, -2, 0, 1, 2, 3])
        #expect(tables["two_stage+x"]?.notes.contains { $0.hasPrefix("covariates in the first stage (y on unit and period effects and x") } == true)
    }

    @Test("imputation: the overall effect and every event time equal did-imputation's, with its conservative standard errors, to 1e-8")
    func imputationMatchesDidImputation() throws {
        let all = try WildBootstrapTests.fixture("imputation_reference.csv")
        let reference = all.filter { !$0[0].hasPrefix("+") }
        let table = try PanelEstimation.imputation(try Self.panel(), lags: 4, pretrends: 3, bootstrap: false)
        #expect(table.rows.map(\.term) == reference.map { $0[0] })
        // With the covariate x in the imputation model and the pre-trend test (did_imputation's controls).
        let withX = try PanelEstimation.imputation(try Self.panel(covariate: true), lags: 4, pretrends: 3, bootstrap: false)
        let covariateRows = all.filter { $0[0].hasPrefix("+x ") }
        #expect(withX.rows.map(\.term) == covariateRows.map { String($0[0].dropFirst(3)) })
        for row in covariateRows {
            let term = try #require(withX.rows.first { $0.term == String(row[0].dropFirst(3)) }, "\(row[0])")
            #expect(abs(term.coefficient.estimate - Double(row[1])!) < 1e-8, "\(row[0])")
            #expect(abs((term.conventionalStandardError?.value ?? .nan) - Double(row[2])!) < 1e-8, "\(row[0])")
        }
        // With the covariate and survey weights (did_imputation's aw).
        let weighted = try PanelEstimation.imputation(try Self.panel(covariate: true, weighted: true), lags: 4, pretrends: 3, bootstrap: false)
        let weightedRows = all.filter { $0[0].hasPrefix("+x+w ") }
        #expect(weighted.rows.map(\.term) == weightedRows.map { String($0[0].dropFirst(5)) })
        for row in weightedRows {
            let term = try #require(weighted.rows.first { $0.term == String(row[0].dropFirst(5)) }, "\(row[0])")
            #expect(abs(term.coefficient.estimate - Double(row[1])!) < 1e-8, "\(row[0]): \(term.coefficient.estimate)")
            #expect(
                abs((term.conventionalStandardError?.value ?? .nan) - Double(row[2])!) < 1e-8, "\(row[0]) SE: \(term.conventionalStandardError?.value ?? .nan)")
        }
        #expect(table.notes.contains { $0.hasPrefix("pre-trend test (BJS): on untreated unit-periods, the 3 pre-adoption dummies are jointly zero: F = ") })
        for row in reference {
            let term = try #require(table.rows.first { $0.term == row[0] }, "\(row[0])")
            #expect(abs(term.coefficient.estimate - Double(row[1])!) < 1e-8, "\(row[0])")
            #expect(abs((term.conventionalStandardError?.value ?? .nan) - Double(row[2])!) < 1e-8, "\(row[0])")
        }
        // Its point estimates are the two-stage estimator's; binned, the last event time averages those beyond it.
        let twoStage = try PanelEstimation.twoStage(try Self.panel(), bootstrap: false)
        #expect(abs(table.rows[3].coefficient.estimate - twoStage.rows[0].coefficient.estimate) < 1e-12)
        let binned = try PanelEstimation.imputation(try Self.panel(), lags: 3, pretrends: 0, bootstrap: false)
        #expect(binned.rows.map(\.eventTime) == [nil, 0, 1, 2, 3])
        #expect(binned.rows[4].coefficient.estimate > Double(reference[7][1])! && binned.rows[4].coefficient.estimate < Double(reference[8][1])!)
    }

    @Test("the true effect is recovered where TWFE's forbidden comparisons bias it, and what the first stage cannot reach is said")
    func heterogeneousEffects() throws {
        // Two cohorts, effects growing with time since adoption, no never-treated units: TWFE compares late adopters
        // with early adopters already treated; the two-stage estimator uses untreated unit-periods only.
        var y: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = []
        var firstTreated: [String: Int] = [:]
        for u in 0..<40 {
            let adoption = u < 20 ? 2 : 5
            firstTreated["u\(u)"] = adoption
            for t in 0..<8 {
                let effect = t >= adoption ? Double(t - adoption + 1) : 0
                y.append(Double(u % 7) + 0.5 * Double(t) + effect)
                unit.append("u\(u)")
                period.append(t)
                cluster.append("c\(u % 10)")
            }
        }
        let panel = try LongPanel(
            outcome: y, unit: unit, period: period, periods: (0..<8).map { "p\($0)" }, firstTreated: firstTreated, cluster: cluster, clusterName: "c")
        let twoStage = try PanelEstimation.twoStage(panel, bootstrap: false)
        let att = try #require(twoStage.rows.first?.coefficient.estimate)
        // Periods 5–7 have no untreated unit: their rows are left out, and the ATT is that of periods 2–4.
        // The early cohort's effects there are 1, 2 and 3.
        #expect(abs(att - 2) < 1e-9)
        #expect(twoStage.notes.contains { $0.contains("120 rows left out") && !$0.contains("every round") }, "\(twoStage.notes)")
        // Imputation reaches event times 0–2 only: the later ones are set aside with a note, not the whole estimate.
        let imputation = try PanelEstimation.imputation(panel, lags: 5, pretrends: 0, bootstrap: false)
        #expect(imputation.rows.map(\.term) == ["treated", "event time 0", "event time 1", "event time 2"])
        #expect(zip(imputation.rows.dropFirst(), [1.0, 2, 3]).allSatisfy { abs($0.coefficient.estimate - $1) < 1e-9 })
        #expect(imputation.rows.dropFirst().map(\.eventTime) == [0, 1, 2])
        #expect(imputation.notes.contains { $0.hasPrefix("event time 3, event time 4, event time 5 not estimated") }, "\(imputation.notes)")
        let twfe = try PanelEstimation.twoWayFixedEffects(panel, bootstrap: false)
        #expect(abs(try #require(twfe.rows.first?.coefficient.estimate) - att) > 0.3, "TWFE is biased here")
    }

    @Test("with reversible adoption, a unit that switches the treatment off stays treated in the two-stage and imputation estimators")
    func switchedOffStaysTreated() throws {
        let absorbing = try Self.panel()
        // Every treated unit reports the treatment off in its last period: stage one must not take those rows as untreated.
        let last = absorbing.periods.count - 1
        let reported = absorbing.outcome.indices.map { row in
            absorbing.cohort[absorbing.unit[row]].map { absorbing.period[row] >= $0 && absorbing.period[row] < last } ?? false
        }
        #expect(reported.indices.contains { !reported[$0] && absorbing.treated($0) }, "the panel has switched-off rows")
        let reversible = try LongPanel(
            outcome: absorbing.outcome, unit: absorbing.unit, unitLabels: absorbing.unitLabels, period: absorbing.period, periods: absorbing.periods,
            cohort: absorbing.cohort, cluster: absorbing.cluster, clusterLabels: absorbing.clusterLabels, clusterName: absorbing.clusterName,
            reportedTreatment: reported)
        for estimate in [
            { try PanelEstimation.twoStage($0, bootstrap: false) },
            { try PanelEstimation.twoStageEventStudy($0, leads: 3, lags: 3, bootstrap: false) },
            { try PanelEstimation.imputation($0, lags: 3, pretrends: 2, bootstrap: false) },
        ] as [(LongPanel) throws -> DiDTable] {
            let expected = try estimate(absorbing), got = try estimate(reversible)
            #expect(got.rows.map(\.term) == expected.rows.map(\.term))
            #expect(zip(got.rows, expected.rows).allSatisfy { abs($0.coefficient.estimate - $1.coefficient.estimate) < 1e-12 }, "\(got.title)")
        }
    }

    @Test("under 50 clusters the three estimators' standard errors are the delete-one-cluster jackknife's, refitted by hand here")
    func jackknife() throws {
        let panel = try Self.panel()
        let clusters = Array(Set(panel.cluster)).sorted()
        #expect(clusters.count == 25)
        for (name, estimate) in [
            ("two_stage", { (p: LongPanel) in try PanelEstimation.twoStageTable(p) }),
            ("imputation", { (p: LongPanel) in try PanelEstimation.imputationTable(p, lags: 4, pretrends: 0) }),
            ("sun_abraham", { (p: LongPanel) in try PanelEstimation.sunAbrahamTable(p, leads: 3, lags: 3) }),
        ] {
            let table =
                switch name {
                case "two_stage": try PanelEstimation.twoStage(panel, bootstrap: false)
                case "imputation": try PanelEstimation.imputation(panel, lags: 4, pretrends: 0, bootstrap: false)
                default: try PanelEstimation.sunAbraham(panel, leads: 3, lags: 3, bootstrap: false)
                }
            #expect(table.seType.hasPrefix("cluster jackknife"), "\(name): \(table.notes)")
            let row = table.rows[table.rows.count - 1]
            // Each cluster left out by hand: (G − 1)/G · Σ (θ₍g₎ − θ̄)².
            let refits = try clusters.map { left -> Double in
                let kept = panel.outcome.indices.filter { panel.cluster[$0] != left }
                let without = try LongPanel(
                    outcome: kept.map { panel.outcome[$0] }, unit: kept.map { panel.unit[$0] }, unitLabels: panel.unitLabels,
                    period: kept.map { panel.period[$0] }, periods: panel.periods, cohort: panel.cohort, cluster: kept.map { panel.cluster[$0] },
                    clusterLabels: panel.clusterLabels, clusterName: panel.clusterName)
                return try #require(try estimate(without).rows.first { $0.term == row.term }).coefficient.estimate
            }
            let mean = refits.reduce(0, +) / 25
            let expected = (24.0 / 25.0 * refits.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }).squareRoot()
            #expect(abs(row.coefficient.standardError - expected) < 1e-12 * max(1, expected), "\(name) \(row.term)")
            #expect(row.coefficient.standardError != row.conventionalStandardError?.value)
        }
    }

    @Test("a covariate constant within units and units treated from the first round are set aside and said, not a collinearity error")
    func unitConstantCovariateAndAlwaysTreated() throws {
        let base = try Self.panel()
        // Units 0–9 treated from the first period; a covariate that is each unit's cluster number.
        let cohort = base.cohort.enumerated().map { unit, g in unit < 10 ? 0 : g }
        let panel = try LongPanel(
            outcome: base.outcome, unit: base.unit, unitLabels: base.unitLabels, period: base.period, periods: base.periods, cohort: cohort,
            cluster: base.cluster, clusterLabels: base.clusterLabels, clusterName: base.clusterName, covariateNames: ["district_code"],
            covariates: [base.cluster.map(Double.init)])
        let always = Set((0..<10).filter { u in base.unit.contains(u) }).count
        let tables = [
            try PanelEstimation.twoStageEventStudy(panel, leads: 3, lags: 3, bootstrap: false),
            try PanelEstimation.imputation(panel, lags: 3, pretrends: 3, bootstrap: false),
            try PanelEstimation.sunAbraham(panel, leads: 3, lags: 3, bootstrap: false),
        ]
        for table in tables {
            #expect(!table.rows.isEmpty, "\(table.estimator): \(table.notes)")
            #expect(table.notes.contains("district_code constant within units, absorbed by the unit effects"), "\(table.estimator)")
        }
        #expect(tables[2].notes.contains { $0.hasPrefix("\(always) units treated in every round they are seen left out") }, "\(tables[2].notes)")
        // Two-stage and imputation say how many of the rows they leave out are such units'.
        for table in tables.prefix(2) {
            #expect(
                table.notes.contains { $0.contains("rows left out") && $0.contains("(\(always) units are treated in every round they are seen)") },
                "\(table.notes)")
        }
        // Without the covariate the estimates are the same: it was absorbed, not used.
        let plain = try LongPanel(
            outcome: base.outcome, unit: base.unit, unitLabels: base.unitLabels, period: base.period, periods: base.periods, cohort: cohort,
            cluster: base.cluster, clusterLabels: base.clusterLabels, clusterName: base.clusterName)
        let reference = try PanelEstimation.sunAbraham(plain, leads: 3, lags: 3, bootstrap: false)
        #expect(zip(reference.rows, tables[2].rows).allSatisfy { abs($0.coefficient.estimate - $1.coefficient.estimate) < 1e-10 })
    }

    @Test("the imputation pre-trend test drops its farthest dummy when every cohort's untreated rows would carry one, and says so")
    func pretrendCollinear() throws {
        // Four periods, cohorts adopting in periods 2 and 3, never-treated units: with three pre-trend dummies every
        // untreated row of the treated cohorts carries one.
        var outcome: [Double] = [], unit: [String] = [], period: [Int] = [], cluster: [String] = []
        var firstTreated: [String: Int] = [:]
        var random = 0.37
        for u in 0..<60 {
            let g: Int? = u < 20 ? nil : (u < 40 ? 2 : 3)
            if let g { firstTreated["u\(u)"] = g }
            for t in 0..<4 {
                random = (random * 9301 + 0.4929).truncatingRemainder(dividingBy: 1)
                outcome.append(Double(u % 7) + 0.5 * Double(t) + ((g.map { t >= $0 } ?? false) ? 2 : 0) + random)
                unit.append("u\(u)")
                period.append(t)
                cluster.append("c\(u % 12)")
            }
        }
        let panel = try LongPanel(
            outcome: outcome, unit: unit, period: period, periods: ["0", "1", "2", "3"], firstTreated: firstTreated, cluster: cluster,
            clusterName: "c")
        let table = try PanelEstimation.imputation(panel, lags: 1, pretrends: 3, bootstrap: false)
        #expect(table.rows.filter { $0.term.hasPrefix("pre-trend") }.map(\.eventTime) == [-1, -2])
        #expect(table.notes.contains { $0.contains("event times −3 left out of it") }, "\(table.notes)")
    }
}
