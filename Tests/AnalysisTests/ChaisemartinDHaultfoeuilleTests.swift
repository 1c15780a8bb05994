// de Chaisemartin & D'Haultfœuille's DID_M against diff-diff (PyPI) to 1e-6: DID_M, DID_+ and DID_- with their
// cohort-recentred plug-in standard errors, the placebo's estimate, and the dynamic effects DID_1 … DID_3 and their
// placebos with their standard errors (L_max = 3), on a simulated panel whose treatment switches
// on and off, balanced and with units missing the first period, a middle period or the last ones; and DID^X, the dynamic
// effects adjusted for a time-varying covariate (diff-diff's controls); and a non-binary treatment (a dose of 0, 1 or 2):
// its dynamic effects, placebos and normalised effects. Fixtures:
// Fixtures/dcdh_panel.csv and dcdh_reference.csv, written by Scripts/reference/dcdh_diffdiff.py (Scripts/validate_did.sh
// reruns it and compares).
import Foundation
import Testing

@testable import Analysis

struct ChaisemartinDHaultfoeuilleTests {
    static func fixture(_ name: String) throws -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    }

    /// The fixture panel's sample as unit × period matrices (150 units, 2020–2026; NaN or nil where a row is missing):
    /// the outcome in column `outcome`, the treatment in column `treatment`, the covariate x.
    static func matrices(_ sample: String, outcome column: Int, treatment: Int = 2) throws -> (
        outcome: [[Double]], treatment: [[Double?]], covariate: [[Double]]
    ) {
        let rows = try fixture("dcdh_panel.csv").filter { sample == "balanced" || $0[4] == "1" }
        var outcome = [[Double]](repeating: [Double](repeating: .nan, count: 7), count: 150), covariate = outcome
        var level = [[Double?]](repeating: [Double?](repeating: nil, count: 7), count: 150)
        for row in rows {
            let unit = Int(row[0])!, period = Int(row[1])! - 2020
            outcome[unit][period] = Double(row[column])!
            covariate[unit][period] = Double(row[5])!
            level[unit][period] = Double(row[treatment])!
        }
        return (outcome, level, covariate)
    }

    static func flags(_ levels: [[Double?]]) -> [[Bool?]] { levels.map { $0.map { $0.map { $0 == 1 } } } }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(b), 1e-3) }

    @Test(
        "DID_M, DID_+, DID_- and their standard errors, the placebo, and the dynamic effects DID_1 … DID_3 and their placebos with their standard errors equal diff-diff's to 1e-6",
        arguments: ["balanced", "unbalanced"])
    func matchesDiffDiff(sample: String) throws {
        let units = Set(try Self.fixture("dcdh_panel.csv").filter { sample == "balanced" || $0[4] == "1" }.map { Int($0[0])! }).count
        let matrices = try Self.matrices(sample, outcome: 3)
        let (outcome, treated) = (matrices.outcome, Self.flags(matrices.treatment))
        let fit = try ChaisemartinDHaultfoeuille(outcome: outcome, treated: treated, clusterCodes: nil, horizons: 3, placebos: 3)
        let reference = try Self.fixture("dcdh_reference.csv").filter { $0[0] == sample && !$0[1].contains("X") && !$0[1].contains("dose") }
        #expect(reference.count == 10)
        let effects =
            [("DID_M", fit.overall), ("DID_+", fit.joiners), ("DID_-", fit.leavers), ("placebo", fit.placebo)]
            + (1...3).flatMap { [("DID_\($0)", fit.dynamic[$0 - 1]), ("placebo_\($0)", fit.dynamicPlacebos[$0 - 1])] }
        for row in reference {
            let effect = try #require(effects.first { $0.0 == row[1] }?.1, "\(row[1])")
            #expect(close(effect.estimate, Double(row[2])!), "\(sample) \(row[1]): \(effect.estimate) vs \(row[2])")
            if row[3] != "nan" { #expect(close(effect.standardError, Double(row[3])!), "\(sample) \(row[1]) SE: \(effect.standardError) vs \(row[3])") }
        }
        if sample == "unbalanced" {
            // 9 units miss the first period (left out, as diff-diff refuses them), 6 more have a gap (left out, as there).
            #expect(fit.withoutFirstPeriod == 9 && fit.withGaps == 6 && fit.units == units - 15, "\(fit.withoutFirstPeriod) \(fit.withGaps) \(fit.units)")
        }
    }

    @Test(
        "with survey weights every effect and standard error, DID^X's too, equals the unweighted fit with each unit repeated N_g times in its cluster",
        arguments: ["balanced", "unbalanced"])
    func weightsAreRepeatedUnits(sample: String) throws {
        let matrices = try Self.matrices(sample, outcome: 6)
        let (outcome, treated, covariate) = (matrices.outcome, Self.flags(matrices.treatment), matrices.covariate)
        let weights = (0..<150).map { Double(1 + $0 % 3) }, clusters = (0..<150).map { $0 % 20 }
        func fit(_ outcome: [[Double]], _ treated: [[Bool?]], _ covariate: [[Double]], clusters: [Int], weights: [Double]?) throws
            -> ChaisemartinDHaultfoeuille
        {
            try ChaisemartinDHaultfoeuille(
                outcome: outcome, treated: treated, clusterCodes: clusters, horizons: 3, placebos: 3, covariates: [covariate], weights: weights)
        }
        let weighted = try fit(outcome, treated, covariate, clusters: clusters, weights: weights)
        // Each unit repeated 1 + u mod 3 times, the copies in the unit's cluster.
        let copies = (0..<150).flatMap { u in [Int](repeating: u, count: 1 + u % 3) }
        let repeated = try fit(
            copies.map { outcome[$0] }, copies.map { treated[$0] }, copies.map { covariate[$0] }, clusters: copies.map { clusters[$0] }, weights: nil)
        // Scaling every weight leaves everything unchanged; weights of 1 are the unweighted fit.
        let scaled = try fit(outcome, treated, covariate, clusters: clusters, weights: weights.map { $0 * 2.5 })
        let ones = try fit(outcome, treated, covariate, clusters: clusters, weights: [Double](repeating: 1, count: 150))
        let plain = try fit(outcome, treated, covariate, clusters: clusters, weights: nil)
        func effects(_ f: ChaisemartinDHaultfoeuille) -> [ChaisemartinDHaultfoeuille.Effect?] {
            [f.overall, f.joiners, f.leavers, f.placebo] + f.dynamic + f.dynamicPlacebos
        }
        #expect(effects(weighted).count == 10 && effects(weighted).allSatisfy { $0 != nil })
        for (index, (a, b)) in zip(effects(weighted), effects(repeated)).enumerated() {
            let a = try #require(a), b = try #require(b)
            #expect(abs(a.estimate - b.estimate) < 1e-10, "\(sample) effect \(index): \(a.estimate) vs \(b.estimate)")
            #expect(abs(a.standardError - b.standardError) < 1e-10, "\(sample) effect \(index) SE: \(a.standardError) vs \(b.standardError)")
            #expect(a.switchers < b.switchers && a.switcherWeight == Double(b.switchers))
        }
        for (a, b) in zip(effects(weighted), effects(scaled)) {
            #expect(abs(a!.estimate - b!.estimate) < 1e-10 && abs(a!.standardError - b!.standardError) < 1e-10)
        }
        for (a, b) in zip(effects(ones), effects(plain)) { #expect(a!.estimate == b!.estimate && a!.standardError == b!.standardError) }
        // The weights change the estimates (the effects are not the unweighted ones).
        #expect(abs(weighted.dynamic[0]!.estimate - plain.dynamic[0]!.estimate) > 1e-4)
        #expect(weighted.covariateSlopes[0]! != plain.covariateSlopes[0]!)
    }

    @Test("the table with survey weights: the weighted estimator's effects, the weights said, the jackknife under 50 clusters")
    func weightedTable() throws {
        let rows = try Self.fixture("dcdh_panel.csv")
        let unit = rows.map { Int($0[0])! }
        let panel = try LongPanel(
            outcome: rows.map { Double($0[3])! }, unit: rows.map { $0[0] }, period: rows.map { Int($0[1])! - 2020 },
            periods: (2020...2026).map(String.init), firstTreated: [:], cluster: unit.map { "c\($0 % 20)" }, clusterName: "district",
            weight: unit.map { Double(1 + $0 % 3) }, weightName: "w", reportedTreatment: rows.map { $0[2] == "1" })
        let table = try PanelEstimation.chaisemartinDHaultfoeuille(panel, leads: 2, lags: 1)
        var outcome = [[Double]](repeating: [Double](repeating: .nan, count: 7), count: 150)
        var treated = [[Bool?]](repeating: [Bool?](repeating: nil, count: 7), count: 150)
        for row in rows {
            outcome[Int(row[0])!][Int(row[1])! - 2020] = Double(row[3])!
            treated[Int(row[0])!][Int(row[1])! - 2020] = row[2] == "1"
        }
        let fit = try ChaisemartinDHaultfoeuille(
            outcome: outcome, treated: treated, clusterCodes: (0..<150).map { $0 % 20 }, horizons: 2, placebos: 1,
            weights: (0..<150).map { Double(1 + $0 % 3) })
        for (term, effect) in [
            ("DID_M (switchers)", fit.overall!), ("event time 0 (DID_1)", fit.dynamic[0]!), ("event time -2 (placebo 1)", fit.dynamicPlacebos[0]!),
        ] {
            let row = try #require(table.rows.first { $0.term == term })
            #expect(abs(row.coefficient.estimate - effect.estimate) < 1e-12, "\(term)")
            // 20 clusters: the jackknife's standard error, the plug-in's kept beside it.
            #expect(abs(try #require(row.conventionalStandardError).value - effect.standardError) < 1e-12, "\(term)")
        }
        #expect(table.notes.contains { $0.hasPrefix("weighted by w: each unit counts as its survey weight") && !$0.contains("varies within units") })
    }

    @Test(
        "a dose (0, 1 or 2): the dynamic effects, their placebos and the normalised effects with their standard errors equal diff-diff's to 1e-6",
        arguments: ["balanced", "unbalanced"])
    func doseMatchesDiffDiff(sample: String) throws {
        let (outcome, dose, _) = try Self.matrices(sample, outcome: 8, treatment: 7)
        let fit = try ChaisemartinDHaultfoeuille(outcome: outcome, dose: dose, clusterCodes: nil, horizons: 3, placebos: 3)
        #expect(fit.overall == nil && fit.joiners == nil && fit.placebo == nil)
        let reference = try Self.fixture("dcdh_reference.csv").filter { $0[0] == sample && $0[1].contains("dose") }
        #expect(reference.count == 9)
        var effects: [(String, ChaisemartinDHaultfoeuille.Effect?)] = []
        for l in 1...3 {
            effects.append(("DIDdose_\(l)", fit.dynamic[l - 1]))
            effects.append(("placebodose_\(l)", fit.dynamicPlacebos[l - 1]))
            effects.append(("normalizeddose_\(l)", fit.normalized[l - 1]))
        }
        for row in reference {
            let effect = try #require(effects.first { $0.0 == row[1] }?.1, "\(row[1])")
            #expect(close(effect.estimate, Double(row[2])!), "\(sample) \(row[1]): \(effect.estimate) vs \(row[2])")
            #expect(close(effect.standardError, Double(row[3])!), "\(sample) \(row[1]) SE: \(effect.standardError) vs \(row[3])")
        }
        // DID_M is for a 0/1 treatment: a dose without dynamic effects is refused with the reason.
        #expect(throws: EstimationError.self) { try ChaisemartinDHaultfoeuille(outcome: outcome, dose: dose, clusterCodes: nil) }
    }

    @Test(
        "DID^X: with a time-varying covariate, the dynamic effects and their placebos with their standard errors equal diff-diff's controls to 1e-6",
        arguments: ["balanced", "unbalanced"])
    func covariatesMatchDiffDiff(sample: String) throws {
        let matrices = try Self.matrices(sample, outcome: 6)
        let (outcome, treated, covariate) = (matrices.outcome, Self.flags(matrices.treatment), matrices.covariate)
        let fit = try ChaisemartinDHaultfoeuille(
            outcome: outcome, treated: treated, clusterCodes: nil, horizons: 3, placebos: 3, covariates: [covariate])
        let reference = try Self.fixture("dcdh_reference.csv").filter { $0[0] == sample && $0[1].contains("X") }
        #expect(reference.count == 6)
        let effects = (1...3).flatMap { [("DIDX_\($0)", fit.dynamic[$0 - 1]), ("placeboX_\($0)", fit.dynamicPlacebos[$0 - 1])] }
        for row in reference {
            let effect = try #require(effects.first { $0.0 == row[1] }?.1, "\(row[1])")
            #expect(close(effect.estimate, Double(row[2])!), "\(sample) \(row[1]): \(effect.estimate) vs \(row[2])")
            #expect(close(effect.standardError, Double(row[3])!), "\(sample) \(row[1]) SE: \(effect.standardError) vs \(row[3])")
        }
        // The outcome was built as y + 0.7·x: both baselines' slopes are near 0.7.
        #expect(fit.covariateSlopes.count == 2 && fit.covariateSlopes.values.allSatisfy { abs($0[0] - 0.7) < 0.2 }, "\(fit.covariateSlopes)")
        // Without the covariate the same outcome's DID_1 differs: x moves with the treatment.
        let raw = try ChaisemartinDHaultfoeuille(outcome: outcome, treated: treated, clusterCodes: nil, horizons: 1)
        #expect(abs(raw.dynamic[0]!.estimate - fit.dynamic[0]!.estimate) > 0.1)
    }

    @Test("DID^X: a baseline with no unit-period not yet switched has no slopes; its units leave the dynamic effects, and it is said")
    func baselineWithoutSlopes() throws {
        // Units 0–7 untreated at first (0–3 switch on in period 2); units 8–10 treated at first, all switching off in period 1.
        func value(_ u: Int, _ t: Int) -> Double { sin(Double(7 * u + 3 * t)) + 0.2 * Double(t) }
        var outcome: [[Double]] = [], treated: [[Bool?]] = [], covariate: [[Double]] = []
        for u in 0..<11 {
            treated.append((0..<4).map { t in u < 4 ? t >= 2 : u >= 8 ? t == 0 : false })
            covariate.append((0..<4).map { t in cos(Double(5 * u + t)) })
            outcome.append((0..<4).map { t in value(u, t) + 0.7 * covariate[u][t] + (treated[u][t]! ? 2 : 0) })
        }
        let fit = try ChaisemartinDHaultfoeuille(
            outcome: outcome, treated: treated, clusterCodes: nil, horizons: 1, placebos: 1, covariates: [covariate])
        #expect(fit.baselinesWithoutSlopes == [1] && fit.covariateSlopes.keys.sorted() == [0])
        // The same as without those units.
        let kept = try ChaisemartinDHaultfoeuille(
            outcome: Array(outcome.prefix(8)), treated: Array(treated.prefix(8)), clusterCodes: nil, horizons: 1, placebos: 1,
            covariates: [Array(covariate.prefix(8))])
        #expect(abs(try #require(fit.dynamic[0]).estimate - (try #require(kept.dynamic[0]).estimate)) < 1e-12)
        #expect(fit.dynamic[0]!.switchers == 4)
    }

    @Test("the table with covariates: DID^X in the dynamic rows, DID_M as observed, the slopes and a unit-constant covariate said")
    func covariateTable() throws {
        let rows = try Self.fixture("dcdh_panel.csv")
        let panel = try LongPanel(
            outcome: rows.map { Double($0[6])! }, unit: rows.map { $0[0] }, period: rows.map { Int($0[1])! - 2020 },
            periods: (2020...2026).map(String.init), firstTreated: [:], cluster: rows.map { $0[0] }, clusterName: "unit",
            covariateNames: ["x", "group"], covariates: [rows.map { Double($0[5])! }, rows.map { Double(Int($0[0])! % 3) }],
            reportedTreatment: rows.map { $0[2] == "1" })
        let table = try PanelEstimation.chaisemartinDHaultfoeuilleTable(panel, leads: 2, lags: 1)
        #expect(table.notes.contains { $0.hasPrefix("covariates (DID^X") && $0.contains("slopes: units untreated in the first period: x 0.") })
        #expect(table.notes.contains("group constant within units, absorbed by the unit effects"))
        #expect(table.rows.map(\.term).contains("event time 0 (DID_1)"))
        #expect(throws: EstimationError.self) { try PanelEstimation.chaisemartinDHaultfoeuilleTable(panel, leads: 0, lags: -1) }
    }

    @Test("the dynamic effects' covariance is the plug-in's: DID_M's variance from DID_+'s, DID_-'s and theirs; the table places them at event times")
    func dynamicTable() throws {
        let rows = try Self.fixture("dcdh_panel.csv")
        let unit = rows.map { $0[0] }, period = rows.map { Int($0[1])! - 2020 }, treated = rows.map { $0[2] == "1" }
        var firstTreated: [String: Int] = [:]
        for (i, u) in unit.enumerated() where treated[i] { firstTreated[u] = min(firstTreated[u] ?? period[i], period[i]) }
        // Each unit its own cluster (150 of them, so no jackknife): the plug-in by unit, as the fit without clusters.
        let panel = try LongPanel(
            outcome: rows.map { Double($0[3])! }, unit: unit, period: period, periods: (2020...2026).map(String.init), firstTreated: firstTreated,
            cluster: unit, clusterName: "unit", reportedTreatment: treated)
        let table = try PanelEstimation.chaisemartinDHaultfoeuille(panel, leads: 3, lags: 2)
        #expect(table.rows.compactMap(\.eventTime) == [-3, -2, 0, 1, 2])
        #expect(table.rows.map(\.term).contains("event time 0 (DID_1)") && table.rows.map(\.term).contains("event time -3 (placebo 2)"))
        let reference = Dictionary(
            uniqueKeysWithValues: try Self.fixture("dcdh_reference.csv").filter { $0[0] == "balanced" }.map { ($0[1], Double($0[2])!) })
        for (term, name) in [("event time 0 (DID_1)", "DID_1"), ("event time 2 (DID_3)", "DID_3"), ("event time -2 (placebo 1)", "placebo_1")] {
            let row = try #require(table.rows.first { $0.term == term })
            #expect(close(row.coefficient.estimate, reference[name]!), "\(term)")
        }
        // The table hands its event times and their covariance to the sensitivity analysis.
        let covariance = try #require(table.eventCovariance)
        #expect(covariance.eventTimes == [-3, -2, 0, 1, 2] && covariance.exact.allSatisfy { $0 })
        #expect(table.withSensitivity().sensitivity != nil)

        // N_M·DID_M's contributions are N_+·DID_+'s plus N_-·DID_-'s, so its variance follows from theirs and their covariance.
        let fit = try ChaisemartinDHaultfoeuille(
            outcome: (0..<150).map { u in (0..<7).map { t in Double(rows[u * 7 + t][3])! } },
            treated: (0..<150).map { u in (0..<7).map { t in rows[u * 7 + t][2] == "1" } }, clusterCodes: nil, horizons: 2)
        let (m, plus, minus) = (try #require(fit.overall), try #require(fit.joiners), try #require(fit.leavers))
        let nm = Double(m.switchers), np = Double(plus.switchers), nn = Double(minus.switchers)
        let combined = np * np * plus.covariance(with: plus) + nn * nn * minus.covariance(with: minus) + 2 * np * nn * plus.covariance(with: minus)
        #expect(abs(nm * nm * m.covariance(with: m) - combined) < 1e-9 * combined)
        #expect(abs(m.covariance(with: m) - m.standardError * m.standardError) < 1e-12)
        let first = try #require(fit.dynamic[0]), second = try #require(fit.dynamic[1])
        let correlation = first.covariance(with: second) / (first.standardError * second.standardError)
        #expect(correlation > 0 && correlation < 1, "DID_1 and DID_2 share switchers and controls: \(correlation)")
    }

    @Test("without any switch there is nothing to estimate, and one cluster gives no clustered standard error")
    func refusals() throws {
        #expect(throws: EstimationError.self) {
            try ChaisemartinDHaultfoeuille(outcome: [[1, 2], [3, 4]], treated: [[false, false], [true, true]], clusterCodes: nil)
        }
        #expect(throws: EstimationError.oneCluster(column: "cluster")) {
            try ChaisemartinDHaultfoeuille(
                outcome: [[1, 2], [3, 5], [2, 2]], treated: [[false, true], [false, false], [false, false]], clusterCodes: [0, 0, 0])
        }
    }
}
