// Repeated simulations with a known effect: bias and 95% coverage of pantau's DiD estimators. Prints figures;
// run with Scripts/validate_did.sh (release build). Not a unit test.
import Analysis
import Foundation
import Randomness

/// 40 districts × 15 villages × 6 rounds; adoption staggered over rounds 2–5 and decided by district (a quarter
/// of districts never adopt), as when districts roll a system out; district shocks per round, so villages in a
/// district move together and standard errors must be clustered by district; a constant true effect of 2.0
/// once adopted, and village and round effects.
/// With `heterogeneous`, each village has a survey weight w in [1, 5] and an effect 1 + 0.5·(w − 1): the
/// population-weighted ATT is then E[w·τ]/E[w] = 2.2222 while the unweighted one is 2.0.
/// With `dynamic`, the effect grows with time since adoption, 1 + 0.5·(t − g): TWFE's comparisons of late with
/// early adopters then bias it, and the estimand (the mean effect on treated village-rounds) varies by replication.
func panel(seed: UInt64, districts: Int = 40, heterogeneous: Bool = false, dynamic: Bool = false) -> (
    y: [[Double]], group: [Int], district: [String], weight: [Double]
) {
    var random = SplitMix64(seed: seed)
    let villages = 15, rounds = 6
    var y: [[Double]] = [], group: [Int] = [], district: [String] = [], weight: [Double] = []
    var shocks = [[Double]](repeating: [], count: districts)
    for d in 0..<districts { shocks[d] = (0..<rounds).map { _ in random.normal() * 1.2 } }
    for d in 0..<districts {
        let districtLevel = random.normal()
        let adopt = random.uniform()
        let g = adopt < 0.25 ? 0 : 2 + Int(random.uniform() * 4)  // rounds 2…5 (1-based periods), the whole district
        for _ in 0..<villages {
            let level = districtLevel + random.normal()
            let w = heterogeneous ? 1 + 4 * random.uniform() : 1
            let effect = heterogeneous ? 1 + 0.5 * (w - 1) : 2.0
            var row: [Double] = []
            for t in 1...rounds {
                let treated = g != 0 && t >= g
                let size = dynamic ? 1 + 0.5 * Double(t - g) : effect
                row.append(level + 0.3 * Double(t) + shocks[d][t - 1] + (treated ? size : 0) + random.normal())
            }
            y.append(row)
            group.append(g)
            district.append("d\(d)")
            weight.append(w)
        }
    }
    return (y, group, district, weight)
}

/// The long form for TWFE: y, the treatment dummy, unit, period and cluster per row.
func long(_ data: (y: [[Double]], group: [Int], district: [String], weight: [Double])) -> (
    y: [Double], d: [[Double]], units: [String], times: [String], clusters: [String]
) {
    var y: [Double] = [], d: [[Double]] = [], units: [String] = [], times: [String] = [], clusters: [String] = []
    for (unit, row) in data.y.enumerated() {
        for (t, value) in row.enumerated() {
            y.append(value)
            d.append([data.group[unit] != 0 && t + 1 >= data.group[unit] ? 1 : 0])
            units.append("u\(unit)")
            times.append("t\(t)")
            clusters.append(data.district[unit])
        }
    }
    return (y, d, units, times, clusters)
}

/// A draw from N(0, Σ) through Σ's Cholesky factor.
func choleskyDraw(_ sigma: [[Double]], _ generator: inout SplitMix64) -> [Double] {
    let l = Cholesky.lower(sigma)
    let z = sigma.indices.map { _ in generator.normal() }
    return sigma.indices.map { a in (0...a).reduce(0) { $0 + l[a][$1] * z[$1] } }
}

let replications = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 300
/// A second argument `new` runs the recent lines alone, CR2 (unweighted and with survey weights) and DID^X (a focused run;
/// the full run includes them).
let onlyNew = CommandLine.arguments.dropFirst(2).first == "new"

/// 40 districts × 15 villages × 6 rounds whose treatment whole districts switch on and off (a quarter of rounds flip
/// it), an effect of 2 while on, district shocks. With `covariate`, a covariate that moves with the treatment (0.8 when
/// on) and enters the outcome with a slope of 1.5, so that DID_1 without it is off by 1.2.
/// With `weighted`, each village has a survey weight w in [1, 3] and an effect of w while on (instead of 2); the second
/// value returned is then the population-weighted DID_M estimand, Σ w·τ / Σ w over the switching village-rounds that have
/// a comparison (villages with the previous state in both rounds).
func switchingPanel(seed: UInt64, covariate: Bool = false, weighted: Bool) throws -> (LongPanel, Double) {
    var random = SplitMix64(seed: seed)
    var weights: [Double] = [], paths: [[Bool]] = [], villageWeights: [[Double]] = []
    var rows: (y: [Double], x: [Double], units: [String], periods: [Int], clusters: [String], treated: [Bool]) = ([], [], [], [], [], [])
    for d in 0..<40 {
        var on = random.uniform() < 0.25
        let shocks = (0..<6).map { _ in random.normal() * 1.2 }, districtLevel = random.normal()
        var path: [Bool] = []
        for t in 0..<6 {
            if t > 0 && random.uniform() < 0.25 { on.toggle() }
            path.append(on)
        }
        paths.append(path)
        villageWeights.append([])
        for v in 0..<15 {
            let level = districtLevel + random.normal()
            let w = weighted ? 1 + 2 * random.uniform() : 1
            villageWeights[d].append(w)
            for t in 0..<6 {
                let x = covariate ? (path[t] ? 0.8 : 0) + 0.1 * Double(t) + random.normal() : 0
                rows.y.append(level + 0.3 * Double(t) + shocks[t] + (path[t] ? (weighted ? w : 2) : 0) + 1.5 * x + random.normal())
                weights.append(w)
                rows.x.append(x)
                rows.units.append("d\(d)v\(v)")
                rows.periods.append(t)
                rows.clusters.append("d\(d)")
                rows.treated.append(path[t])
            }
        }
    }
    var everTreated: [String: Int] = [:]
    for i in rows.y.indices where rows.treated[i] { everTreated[rows.units[i]] = min(everTreated[rows.units[i]] ?? 9, rows.periods[i]) }
    // The estimand: switching districts' villages in rounds where some district kept the previous state.
    var effectTotal = 0.0, weightTotal = 0.0
    for t in 1..<6 {
        for d in paths.indices where paths[d][t] != paths[d][t - 1] {
            guard paths.contains(where: { $0[t - 1] == paths[d][t - 1] && $0[t] == paths[d][t - 1] }) else { continue }
            for w in villageWeights[d] {
                effectTotal += w * (weighted ? w : 2)
                weightTotal += w
            }
        }
    }
    let panel = try LongPanel(
        outcome: rows.y, unit: rows.units, period: rows.periods, periods: (0..<6).map { "t\($0)" }, firstTreated: everTreated,
        cluster: rows.clusters, clusterName: "district", weight: weighted ? weights : nil, weightName: weighted ? "w" : nil,
        covariateNames: covariate ? ["x"] : [], covariates: covariate ? [rows.x] : [], reportedTreatment: rows.treated)
    return (panel, weightTotal > 0 ? effectTotal / weightTotal : 2)
}

/// DID^X on the switching design with the confounding covariate: truth 2 for DID_1, 0 for the placebos.
/// 40 districts × 15 villages × 6 rounds whose dose (0, 1 or 2, set by district) moves to another level in a quarter of
/// rounds; the outcome rises 1.5 per unit of dose at once. DID^n_1 (per unit of dose at the first change) is then 1.5 and
/// the placebos 0.
@MainActor func recordDose(_ replication: Int) throws {
    var random = SplitMix64(seed: UInt64(520_000 + replication))
    var y: [Double] = [], dose: [Double] = [], units: [String] = [], periods: [Int] = [], clusters: [String] = []
    for d in 0..<40 {
        var level = Double(Int(random.uniform() * 3))
        let shocks = (0..<6).map { _ in random.normal() * 1.2 }, districtLevel = random.normal()
        var path: [Double] = []
        for t in 0..<6 {
            if t > 0 && random.uniform() < 0.25 { level = Double((Int(level) + 1 + Int(random.uniform() * 2)) % 3) }
            path.append(level)
        }
        for v in 0..<15 {
            let villageLevel = districtLevel + random.normal()
            for t in 0..<6 {
                y.append(villageLevel + 0.3 * Double(t) + shocks[t] + 1.5 * path[t] + random.normal())
                dose.append(path[t])
                units.append("d\(d)v\(v)")
                periods.append(t)
                clusters.append("d\(d)")
            }
        }
    }
    var panel = try LongPanel(
        outcome: y, unit: units, period: periods, periods: (0..<6).map { "t\($0)" }, firstTreated: [:], cluster: clusters,
        clusterName: "district", reportedTreatment: dose.map { $0 != 0 })
    panel.dose = dose
    guard let table = tableOrSkip("dose", { try PanelEstimation.chaisemartinDHaultfoeuille(panel, leads: 2, lags: 0) }) else { return }
    for (term, target) in [("DID^n_1 (event time 0, per unit of dose)", 1.5), ("event time -2 (placebo 1)", 0.0)] {
        guard let c = table.rows.first(where: { $0.term == term })?.coefficient else { continue }
        record("dose (0, 1, 2 by district), cluster jackknife: \(term)", c.estimate, c.low, c.high, truth: target)
    }
}

/// DID_M with survey weights on the switching design whose effect is the village's weight: the population-weighted
/// estimand, by district (the jackknife's interval under 50 clusters, as the table gives it, and the plug-in's).
@MainActor func recordWeightedSwitching(_ replication: Int) throws {
    let (panel, target) = try switchingPanel(seed: UInt64(470_000 + replication), weighted: true)
    let table = try PanelEstimation.chaisemartinDHaultfoeuille(panel)
    guard let row = table.rows.first(where: { $0.term == "DID_M (switchers)" }) else { return }
    record(
        "DID_M with survey weights (effect = weight), jackknife by district", row.coefficient.estimate, row.coefficient.low, row.coefficient.high, truth: target
    )
    if let plugIn = row.conventionalStandardError?.value {
        let critical = StudentT.quantile(0.975, degreesOfFreedom: 39)
        record(
            "DID_M with survey weights (effect = weight), plug-in by district", row.coefficient.estimate, row.coefficient.estimate - critical * plugIn,
            row.coefficient.estimate + critical * plugIn, truth: target)
    }
}

@MainActor func recordCovariateSwitching(_ replication: Int) throws {
    let (panel, _) = try switchingPanel(seed: UInt64(410_000 + replication), covariate: true, weighted: false)
    let table = try PanelEstimation.chaisemartinDHaultfoeuille(panel, leads: 3, lags: 0)
    for (term, target) in [("event time 0 (DID_1)", 2.0), ("event time -2 (placebo 1)", 0.0), ("event time -3 (placebo 2)", 0.0)] {
        guard let row = table.rows.first(where: { $0.term == term }) else { continue }
        record(
            "DID^X (confounding covariate, by district): \(term)", row.coefficient.estimate, row.coefficient.low,
            row.coefficient.high, truth: target)
    }
}

/// CR2 (Bell–McCaffrey, Satterthwaite degrees of freedom) of the estimators that offer it on staggered panels, with 10
/// and 40 districts and effects growing with time since adoption.
@MainActor func recordCR2(_ replication: Int, weighted: Bool = false) throws {
    for (districts, seed) in [(10, 310_000), (40, 130_000)] {
        let (panel, target) = try growingEffects(seed: UInt64(seed + replication), districts: districts, weighted: weighted)
        let label = weighted ? "\(districts) districts, growing effects, survey weights" : "\(districts) districts, growing effects"
        for (name, term, estimate) in [
            ("two-stage", "treated", { try PanelEstimation.twoStage(panel, bootstrap: false, cr2: true) }),
            ("imputation", "treated", { try PanelEstimation.imputation(panel, lags: 5, pretrends: 0, bootstrap: false, cr2: true) }),
            ("Sun & Abraham", "average post-period effect", { try PanelEstimation.sunAbraham(panel, leads: 5, lags: 5, bootstrap: false, cr2: true) }),
        ] as [(String, String, () throws -> DiDTable)] {
            guard let table = tableOrSkip("\(label), CR2: \(name)", estimate) else { continue }
            guard let c = table.rows.first(where: { $0.term == term })?.coefficient else { continue }
            record("\(label): \(name), CR2, Satterthwaite t", c.estimate, c.low, c.high, truth: target)
        }
    }
}
let truth = 2.0
// Each estimate's error against its replication's truth (the truth differs by replication where effects grow).
var results: [String: (errors: [Double], covered: Int, truths: [Double])] = [:]
/// A panel with effects growing since adoption as a `LongPanel`, and its estimand: the mean effect on treated
/// village-rounds, 1 + 0.5·(t − g) averaged over them.
/// TWFE weighted by survey weights, CR2, on the panels whose effects grow with the weight (constant over time): the
/// population-weighted ATT, 2.2222, with 10 and 40 districts.
@MainActor func recordWeightedTWFE(_ replication: Int) throws {
    for districts in [10, 40] {
        let varied = panel(seed: UInt64(360_000 + 1_000 * districts + replication), districts: districts, heterogeneous: true)
        let rows = long(varied)
        let fit = try TwoWayFixedEffects.fit(
            y: rows.y, regressors: rows.d, names: ["treated"], units: rows.units, periods: rows.times, standardErrors: .cr2(cluster: "district"),
            clusters: rows.clusters, weights: rows.units.map { varied.weight[Int($0.dropFirst())!] })
        let c = fit.coefficients[0]
        record("\(districts) districts, survey weights, effects growing with the weight: TWFE, CR2", c.estimate, c.low, c.high, truth: 2.0 + 2.0 / 9.0)
    }
}

/// With `weighted`, villages carry survey weights from 1 to 3 (as if sampled with unequal probabilities) and the estimand
/// is the weighted mean effect on treated village-rounds.
func growingEffects(seed: UInt64, districts: Int, weighted: Bool = false) throws -> (LongPanel, Double) {
    let growing = panel(seed: seed, districts: districts, dynamic: true)
    var target = 0.0, treatedWeight = 0.0
    var firstTreated: [String: Int] = [:]
    let weightOf = (0..<growing.group.count).map { unit in weighted ? 1 + Double((unit * 7_919 + Int(seed % 11)) % 5) / 2 : 1 }
    for (unit, g) in growing.group.enumerated() where g != 0 {
        firstTreated["u\(unit)"] = g - 1
        for t in g...6 {
            target += weightOf[unit] * (1 + 0.5 * Double(t - g))
            treatedWeight += weightOf[unit]
        }
    }
    let grown = long(growing)
    let longPanel = try LongPanel(
        outcome: grown.y, unit: grown.units, period: grown.times.map { Int($0.dropFirst())! }, periods: (0..<6).map { "t\($0)" },
        firstTreated: firstTreated, cluster: grown.clusters, clusterName: "district",
        weight: weighted ? grown.units.map { weightOf[Int($0.dropFirst())!] } : nil, weightName: weighted ? "w" : nil)
    return (longPanel, target / max(1, treatedWeight))
}

/// Replications an estimator could not take, by estimator and reason.
var skipped: [String: Int] = [:]

/// The estimator's table, or nil with the reason counted: a draw the estimator cannot take is skipped, as a user's run
/// would stop.
@MainActor func tableOrSkip(_ label: String, _ estimate: () throws -> DiDTable) -> DiDTable? {
    do {
        return try estimate()
    } catch {
        skipped["\(label): \(error)", default: 0] += 1
        return nil
    }
}

@MainActor func record(_ name: String, _ estimate: Double, _ low: Double, _ high: Double, truth: Double = truth) {
    var entry = results[name] ?? ([], 0, [])
    entry.errors.append(estimate - truth)
    entry.truths.append(truth)
    if low <= truth && truth <= high { entry.covered += 1 }
    results[name] = entry
}
let started = Date()
for replication in 0..<replications {
    try recordCR2(replication)
    try recordCR2(replication, weighted: true)
    try recordWeightedTWFE(replication)
    try recordWeightedSwitching(replication)
    try recordDose(replication)
    try recordCovariateSwitching(replication)
    if onlyNew { continue }
    let data = panel(seed: UInt64(1_000 + replication))
    let periods = Array(1...6)
    // Callaway & Sant'Anna, not-yet-treated, clustered by district.
    let cs = try CallawaySantAnna(outcome: data.y, periods: periods, group: data.group, comparison: .notYetTreated, cluster: data.district)
    let simple = cs.simple
    record("Callaway & Sant'Anna, simple ATT (CR by district)", simple.att, simple.att - 1.96 * simple.standardError, simple.att + 1.96 * simple.standardError)
    let unclustered = try CallawaySantAnna(outcome: data.y, periods: periods, group: data.group, comparison: .notYetTreated).simple
    record(
        "Callaway & Sant'Anna, simple ATT (unit-level IF, ignoring districts)", unclustered.att,
        unclustered.att - 1.96 * unclustered.standardError, unclustered.att + 1.96 * unclustered.standardError)
    // TWFE with a constant effect (unbiased here, since the effect does not vary), CR1 by district.
    let rows = long(data)
    let twfe = try TwoWayFixedEffects.fit(
        y: rows.y, regressors: rows.d, names: ["treated"], units: rows.units, periods: rows.times,
        standardErrors: .cr1(cluster: "district"), clusters: rows.clusters)
    let c = twfe.coefficient("treated")!
    record("TWFE, CR1 by district, t(G−1)", c.estimate, c.low, c.high)

    // Few clusters: 8 districts. CR1 with t(G−1) against the wild cluster bootstrap interval (Webb weights, 999
    // draws, test inversion on the demeaned data).
    let few = long(panel(seed: UInt64(50_000 + replication), districts: 8))
    if Set(few.d.map { $0[0] }).count == 2 {
        let fit = try TwoWayFixedEffects.fit(
            y: few.y, regressors: few.d, names: ["treated"], units: few.units, periods: few.times,
            standardErrors: .cr1(cluster: "district"), clusters: few.clusters)
        let coefficient = fit.coefficient("treated")!
        record("8 districts: TWFE, CR1, t(G−1)", coefficient.estimate, coefficient.low, coefficient.high)
        let demeaned = TwoWayFixedEffects.demean(y: few.y, regressors: few.d, units: few.units, periods: few.times)
        let wild = try WildClusterBootstrap.test(
            y: demeaned.y, x: demeaned.x, names: ["treated"], term: "treated", clusters: few.clusters,
            weights: .webb, draws: 999, seed: UInt64(replication), level: 0.95)
        if let interval = wild.interval {
            record("8 districts: TWFE, wild cluster bootstrap interval (Webb, test inversion)", coefficient.estimate, interval.lowerBound, interval.upperBound)
        }
    }

    // Survey weights with effects that grow with the weight: the weighted estimator targets the
    // population-weighted ATT (2.2222), the unweighted one the unit average (2.0).
    let varied = panel(seed: UInt64(90_000 + replication), heterogeneous: true)
    let weightedCS = try CallawaySantAnna(
        outcome: varied.y, periods: periods, group: varied.group, comparison: .notYetTreated, cluster: varied.district,
        weights: varied.weight
    ).simple
    record(
        "weighted C&S, simple ATT, target the population-weighted ATT", weightedCS.att, weightedCS.att - 1.96 * weightedCS.standardError,
        weightedCS.att + 1.96 * weightedCS.standardError, truth: 2.0 + 2.0 / 9.0)
    let unweightedCS = try CallawaySantAnna(
        outcome: varied.y, periods: periods, group: varied.group, comparison: .notYetTreated,
        cluster: varied.district
    ).simple
    record(
        "unweighted C&S on the same panels, target the unit-average ATT", unweightedCS.att, unweightedCS.att - 1.96 * unweightedCS.standardError,
        unweightedCS.att + 1.96 * unweightedCS.standardError, truth: 2.0)
    // Effects growing with time since adoption: the heterogeneity-robust estimators against TWFE, each for the mean
    // effect on treated village-rounds (known here: 1 + 0.5·(t − g) averaged over them).
    let (longPanel, target) = try growingEffects(seed: UInt64(130_000 + replication), districts: 40)
    func recordRow(_ name: String, _ table: DiDTable, _ term: String) {
        guard let row = table.rows.first(where: { $0.term == term }) else { return }
        record(name, row.coefficient.estimate, row.coefficient.low, row.coefficient.high, truth: target)
        // Under 50 districts the table carries the wild cluster bootstrap too.
        if let interval = row.wildBootstrap?.interval {
            let estimator = name.components(separatedBy: ",").first ?? name
            record("\(estimator), wild cluster bootstrap", row.coefficient.estimate, interval.lowerBound, interval.upperBound, truth: target)
        }
    }
    recordRow("growing effects: two-stage (Gardner), jackknife by district", try PanelEstimation.twoStage(longPanel), "treated")
    recordRow("growing effects: imputation (BJS), jackknife by district", try PanelEstimation.imputation(longPanel, lags: 5, pretrends: 0), "treated")
    recordRow(
        "growing effects: Sun & Abraham, post-period cells, jackknife", try PanelEstimation.sunAbraham(longPanel, leads: 5, lags: 5),
        "average post-period effect")
    recordRow("growing effects: TWFE (biased by forbidden comparisons), CR1", try PanelEstimation.twoWayFixedEffects(longPanel, bootstrap: false), "treated")
    // Few clusters: 10 districts (Webb weights), the same growing effects. Each estimator's own table: the cluster
    // jackknife's t(G − 1) interval against the wild cluster bootstrap's (null imposed, 9,999 draws, test inversion).
    let (tenDistricts, fewTarget) = try growingEffects(seed: UInt64(310_000 + replication), districts: 10)
    for (name, term, estimate) in [
        ("two-stage", "treated", { try PanelEstimation.twoStage(tenDistricts) }),
        ("imputation", "treated", { try PanelEstimation.imputation(tenDistricts, lags: 5, pretrends: 0) }),
        ("Sun & Abraham", "average post-period effect", { try PanelEstimation.sunAbraham(tenDistricts, leads: 5, lags: 5) }),
    ] as [(String, String, () throws -> DiDTable)] {
        guard let table = tableOrSkip("10 districts: \(name)", estimate) else { continue }
        guard let row = table.rows.first(where: { $0.term == term }) else { continue }
        let c = row.coefficient
        // A cohort in a single district stops the jackknife (the refit without it loses rows): the table then keeps
        // the estimator's own standard errors, and says so.
        let own = table.seType.hasPrefix("cluster jackknife") ? "cluster jackknife, t(9)" : "jackknife not computed: own s.e."
        record("10 districts, growing effects: \(name), \(own)", c.estimate, c.low, c.high, truth: fewTarget)
        if let interval = row.wildBootstrap?.interval {
            record(
                "10 districts, growing effects: \(name), wild cluster bootstrap (Webb)", c.estimate, interval.lowerBound, interval.upperBound,
                truth: fewTarget)
        }
    }
    // Units missing rounds: 15% of village-rounds missing at random, Callaway & Sant'Anna keeping every unit (R did's
    // allow_unbalanced_panel); and repeated cross-sections, every village-round a different village. The tables'
    // own intervals (the cluster jackknife under 50 districts, t(G − 1)).
    let sparse = panel(seed: UInt64(170_000 + replication))
    var random = SplitMix64(seed: UInt64(210_000 + replication))
    var kept: (y: [Double], units: [String], sections: [String], periods: [Int], clusters: [String]) = ([], [], [], [], [])
    var cohorts: [String: Int] = [:], sectionCohorts: [String: Int] = [:]
    for (unit, row) in sparse.y.enumerated() {
        for (t, value) in row.enumerated() where random.uniform() >= 0.15 {
            kept.y.append(value)
            kept.units.append("u\(unit)")
            kept.sections.append("u\(unit)t\(t)")
            kept.periods.append(t)
            kept.clusters.append(sparse.district[unit])
            if sparse.group[unit] != 0 {
                cohorts["u\(unit)"] = sparse.group[unit] - 1
                sectionCohorts["u\(unit)t\(t)"] = sparse.group[unit] - 1
            }
        }
    }
    for (name, units, first) in [("unbalanced", kept.units, cohorts), ("cross-sections", kept.sections, sectionCohorts)] {
        let rowsPanel = try LongPanel(
            outcome: kept.y, unit: units, period: kept.periods, periods: (0..<6).map { "t\($0)" }, firstTreated: first, cluster: kept.clusters,
            clusterName: "district")
        let table = try PanelEstimation.callawaySantAnna(rowsPanel, comparison: .notYetTreated, keepUnbalanced: true)
        if let row = table.rows.first(where: { $0.term == "overall ATT (simple)" }) {
            record("\(name) (15% of village-rounds missing): C&S simple ATT, jackknife", row.coefficient.estimate, row.coefficient.low, row.coefficient.high)
        }
    }
    // A treatment that districts switch on and off (a quarter of rounds flip it), an effect of 2 while on, district
    // shocks: de Chaisemartin & D'Haultfœuille's DID_M clustered by district, and its placebo (truth 0); DID_1 and
    // the dynamic placebos.
    let (switchingPanel, _) = try switchingPanel(seed: UInt64(250_000 + replication), weighted: false)
    let dcdh = try PanelEstimation.chaisemartinDHaultfoeuille(switchingPanel)
    for (term, target) in [("DID_M (switchers)", 2.0), ("placebo DID_M (one period before)", 0.0)] {
        guard let row = dcdh.rows.first(where: { $0.term == term }) else { continue }
        record("treatment switched on and off: \(term), by district", row.coefficient.estimate, row.coefficient.low, row.coefficient.high, truth: target)
    }
    // Its dynamic effects: DID_1 (every switcher is off its baseline at the switch: truth 2) and the placebos
    // two and three periods before the switch (truth 0), from their own table so that DID_M's jackknife is as before.
    let dynamic = try PanelEstimation.chaisemartinDHaultfoeuille(switchingPanel, leads: 3, lags: 0)
    for (term, target) in [("event time 0 (DID_1)", 2.0), ("event time -2 (placebo 1)", 0.0), ("event time -3 (placebo 2)", 0.0)] {
        guard let row = dynamic.rows.first(where: { $0.term == term }) else { continue }
        record("treatment switched on and off: \(term), by district", row.coefficient.estimate, row.coefficient.low, row.coefficient.high, truth: target)
    }
    // Rambachan & Roth: event-study estimates drawn around a trend difference on the edge of the restriction, three pre-
    // and three post-periods with correlated errors (s.d. 0.05 per coefficient): for relative magnitudes one pre-period
    // change of 0.3 (the others zero) and post-period changes of exactly M̄ = 1 times it; for smoothness second
    // differences of exactly M = 0.05. The robust intervals for the effect at event time 0 and for the average
    // post-period effect (both truly 1) must cover at least 95% of the time.
    var drawing = SplitMix64(seed: UInt64(290_000 + replication))
    let times = [-4, -3, -2, 0, 1, 2]
    let sigma = times.indices.map { a in times.indices.map { b in 0.002 * ((a == b ? 1 : 0) + 0.3) } }
    for (label, restriction, trend) in [
        ("relative magnitudes, M̄ = 1", HonestDiD.Restriction.relativeMagnitudes(1), [-0.3, 0, 0, 0.3, 0.6, 0.9]),
        ("smoothness, M = 0.05", HonestDiD.Restriction.smoothness(0.05), times.map { t in 0.05 * Double(t + 1) + 0.025 * Double((t + 1) * (t + 1)) }),
    ] {
        let noise = choleskyDraw(sigma, &drawing)
        let beta = times.indices.map { trend[$0] + (times[$0] >= 0 ? 1 : 0) + noise[$0] }
        for (name, target) in [("event time 0", [1.0, 0, 0]), ("average post-period", [1.0 / 3, 1.0 / 3, 1.0 / 3])] {
            let fit = try HonestDiD(estimates: beta, covariance: sigma, preCount: 3, postCount: 3, target: target)
            // The estimate recorded is the usual one (biased by the trend); the coverage is the robust interval's.
            let interval = fit.interval(restriction, method: .leastFavourableHybrid)
            record(
                "sensitivity (\(label), on the edge): \(name), robust interval", fit.original.estimate, interval?.lowerBound ?? .nan,
                interval?.upperBound ?? .nan, truth: 1)
            if case .smoothness(let m) = restriction {
                let flci = fit.fixedLengthInterval(m: m).interval
                record("sensitivity (\(label), on the edge): \(name), FLCI", fit.original.estimate, flci.lowerBound, flci.upperBound, truth: 1)
            }
            let usual = fit.originalInterval
            record("sensitivity (\(label), on the edge): \(name), usual interval", fit.original.estimate, usual.lowerBound, usual.upperBound, truth: 1)
        }
    }
    if replication % 50 == 49 { FileHandle.standardError.write(Data("validate: \(replication + 1)/\(replications)\n".utf8)) }
}
print("DiD estimators on \(replications) simulated panels (40 districts × 15 villages × 6 rounds unless stated, staggered adoption by district)")
for (name, entry) in results.sorted(by: { $0.key < $1.key }) {
    let count = Double(entry.errors.count)
    let bias = entry.errors.reduce(0, +) / count
    let sd = (entry.errors.reduce(0) { $0 + ($1 - bias) * ($1 - bias) } / (count - 1)).squareRoot()
    let padded = name.padding(toLength: 76, withPad: " ", startingAt: 0)
    print(
        String(
            format: "  %@ truth %.4f, bias %+.4f (MC s.e. %.4f); 95%% coverage %.1f%% (n = %d)", padded as NSString, entry.truths.reduce(0, +) / count,
            bias, sd / count.squareRoot(), 100 * Double(entry.covered) / count, entry.errors.count))
}
for (reason, count) in skipped.sorted(by: { $0.key < $1.key }) { print("  skipped \(count) times: \(reason)") }
print(String(format: "  %.1f s", Date().timeIntervalSince(started)))
