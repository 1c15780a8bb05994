import Foundation

/// de Chaisemartin & D'Haultfœuille's (2020) DID_M for a treatment that switches on and off: in every period, the
/// outcome change of the units that switch in (joiners) against units untreated in both periods, and of those that
/// switch out (leavers) against units treated in both, averaged over every switching unit-period. Standard errors are
/// the cohort-recentred plug-in of their 2022 paper (Web Appendix 3.7.3), as diff-diff computes it: each unit's
/// contribution over every period, less the mean of its cohort (baseline treatment, first switch period and
/// direction), with units whose baseline treatment no other unit shares left out of the variance only. Clustered,
/// the centred contributions are summed within clusters first. The placebo DID_M^pl repeats the comparison one period
/// earlier among units with three periods of history. With horizons, the dynamic effects DID_l of their 2024 paper
/// (did_multiplegt_dyn; diff-diff's L_max) and their placebos, with the same plug-in.
/// With unit weights (survey weights), each unit counts as N_g units in every mean and sum, the paper's N_{g,t} for a
/// group of N_g individuals: exactly the estimate of the panel with each unit repeated N_g times within its cluster.
/// A non-binary treatment (a dose) has the dynamic effects only, as in did_multiplegt_dyn: baselines are the first
/// period's dose, a unit's first switch is its first change of dose, signed by its direction, and the normalised effects
/// DID^n_l divide DID_l by the switchers' mean absolute cumulative change of dose; DID_M is for a 0/1 treatment.
public struct ChaisemartinDHaultfoeuille: Sendable {
    public struct Effect: Sendable {
        public let estimate: Double
        public let standardError: Double
        /// The switching unit-periods it averages over.
        public let switchers: Int
        /// Their total weight (the count without weights): the estimate is a sum over it.
        public let switcherWeight: Double
        /// Its cohort-recentred contributions summed by cluster (by unit without clusters), over the switchers: the
        /// covariance of two effects is Σ a·b / (weight_a · weight_b).
        let totals: [Double]

        /// The plug-in covariance of two effects of the same fit.
        public func covariance(with other: Effect) -> Double {
            zip(totals, other.totals).reduce(0) { $0 + $1.0 * $1.1 } / (switcherWeight * other.switcherWeight)
        }
    }

    /// DID_M (nil for a non-binary treatment).
    public let overall: Effect?
    public let joiners: Effect?
    public let leavers: Effect?
    public let placebo: Effect?
    /// The dynamic effects DID_l (de Chaisemartin & D'Haultfœuille 2024) for l = 1 … horizons, by index l − 1: the
    /// outcome's change from the period before each unit's first switch to l − 1 periods after it, against units with
    /// the same baseline treatment that have not switched by then; nil where no unit is eligible.
    public let dynamic: [Effect?]
    /// Their placebos DID^pl_l for l = 1 … placebos: the change from the period before the first switch back to l
    /// periods before it, against the controls of horizon l.
    public let dynamicPlacebos: [Effect?]
    /// For a non-binary treatment, DID^n_l = DID_l / δ_l for l = 1 … horizons, δ_l the switchers' mean |Σ_{k<l}
    /// (D_{g,F_g+k} − D_{g,1})|; empty for a 0/1 treatment.
    public let normalized: [Effect?]
    public let units: Int
    public let clusters: Int?
    /// Units left out: without the first period, and with a gap between their first and last observed periods.
    public let withoutFirstPeriod: Int
    public let withGaps: Int
    /// Units whose baseline treatment no other unit shares: in the estimate, not in its variance.
    public let singletonBaselines: Int
    /// Periods whose joiners (or leavers) had no unit to compare with: their comparison counts as zero.
    public let periodsWithoutComparison: Int
    /// With covariates (DID^X): each baseline treatment's covariate slopes, from the outcome's changes on the covariates'
    /// changes and period effects over units not yet switched.
    public let covariateSlopes: [Double: [Double]]
    /// With covariates: the baseline treatments with too few unit-periods of units not yet switched for the slopes,
    /// whose units are left out of the dynamic effects.
    public let baselinesWithoutSlopes: [Double]

    /// DID^X (de Chaisemartin & D'Haultfœuille 2024, Web Appendix 1.2; diff-diff's `controls`): for each baseline
    /// treatment, θ from first differences ΔY on an intercept, ΔX and period dummies over the unit-periods of units not
    /// yet switched (both periods observed); the outcome net of Xθ in levels, which differences take into the dynamic
    /// effects. A baseline with too few such unit-periods for θ leaves its units out of the dynamic effects.
    static func residualized(
        y: [[Double]], d: [[Double]], x: [[[Double]]], firstSwitch: [Int], weight: [Double]? = nil, present: (Int, Int) -> Bool
    ) throws -> (y: [[Double]], slopes: [Double: [Double]], without: [Double]) {
        guard !x.isEmpty, let periodCount = y.first?.count else { return (y, [:], []) }
        var adjusted = y, slopes: [Double: [Double]] = [:], without: [Double] = []
        for baseline in Set(d.map { $0[0] }).sorted() {
            let members = y.indices.filter { d[$0][0] == baseline }
            var cells: [(g: Int, t: Int)] = []
            for g in members {
                for t in 1..<periodCount
                where present(g, t) && present(g, t - 1) && (firstSwitch[g] < 0 || firstSwitch[g] > t)
                    && x.allSatisfy({ $0[g][t].isFinite && $0[g][t - 1].isFinite })
                {
                    cells.append((g, t))
                }
            }
            let periods = Array(Set(cells.map(\.t))).sorted().dropFirst()
            let parameters = 1 + x.count + periods.count
            guard cells.count >= parameters else {
                without.append(baseline)
                for g in members { adjusted[g] = [Double](repeating: .nan, count: periodCount) }
                continue
            }
            let columns =
                [cells.map { _ in 1.0 }] + x.map { c in cells.map { c[$0.g][$0.t] - c[$0.g][$0.t - 1] } }
                + periods.map { p in cells.map { $0.t == p ? 1.0 : 0.0 } }
            let fit = try QRLeastSquares(
                columns: columns, y: cells.map { y[$0.g][$0.t] - y[$0.g][$0.t - 1] }, weights: weight.map { w in cells.map { w[$0.g] } },
                names: ["intercept"] + x.indices.map { "covariate \($0 + 1)" } + periods.map { "period \($0)" })
            let theta = Array(fit.coefficients[1...x.count])
            slopes[baseline] = theta
            for g in members {
                for t in 0..<periodCount { adjusted[g][t] = y[g][t] - x.indices.reduce(0.0) { $0 + x[$1][g][t] * theta[$1] } }
            }
        }
        return (adjusted, slopes, without)
    }

    /// `outcome[u][t]` (NaN: not observed) and `treated[u][t]` (nil: not observed) for unit u in period t, periods in
    /// order; `clusterCodes[u]` codes 0..<k, nil for unit-level standard errors.
    /// `covariates[c][u][t]`: covariate c of unit u in period t (NaN: not observed), for DID^X in the dynamic effects.
    /// `weights[u]`: unit u's survey weight (positive), nil for every unit counting once.
    public init(
        outcome: [[Double]], treated: [[Bool?]], clusterCodes: [Int]?, horizons: Int = 0, placebos: Int = 0, covariates: [[[Double]]] = [],
        weights: [Double]? = nil
    ) throws {
        try self.init(
            outcome: outcome, dose: treated.map { $0.map { $0.map { $0 ? 1 : 0 } } }, clusterCodes: clusterCodes, horizons: horizons,
            placebos: placebos, covariates: covariates, weights: weights)
    }

    /// The same with the treatment's level `dose[u][t]` (nil: not observed); a treatment with levels other than 0 and 1
    /// needs horizons (its dynamic effects).
    public init(
        outcome: [[Double]], dose: [[Double?]], clusterCodes: [Int]?, horizons: Int = 0, placebos: Int = 0, covariates: [[[Double]]] = [],
        weights: [Double]? = nil
    ) throws {
        let periodCount = outcome.first?.count ?? 0
        guard periodCount >= 2 else { throw EstimationError.emptyCell("panel (fewer than two periods)") }
        var kept: [Int] = []
        var withoutFirstPeriod = 0, withGaps = 0
        for u in outcome.indices {
            let observed = (0..<periodCount).filter { !outcome[u][$0].isNaN && dose[u][$0] != nil }
            guard let first = observed.first, let last = observed.last else { continue }
            if first != 0 {
                withoutFirstPeriod += 1
            } else if observed.count != last - first + 1 {
                withGaps += 1
            } else {
                kept.append(u)
            }
        }
        let y = kept.map { outcome[$0] }, d = kept.map { u in dose[u].map { $0 ?? .nan } }
        let n = kept.count
        let binary = d.allSatisfy { $0.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 } }
        guard binary || horizons > 0 else {
            throw EstimationError.unsupported(
                estimator: "chaisemartin_dhaultfoeuille's DID_M (a 0/1 treatment)", what: "a treatment with other levels (ask for dynamic effects: lags)")
        }
        let w = weights.map { all in kept.map { all[$0] } } ?? [Double](repeating: 1, count: n)
        func total(_ units: [Int]) -> Double { units.reduce(0) { $0 + w[$1] } }
        func present(_ g: Int, _ t: Int) -> Bool { !d[g][t].isNaN && !y[g][t].isNaN }

        // Each unit's cohort: its baseline treatment, its first switch and the switch's direction.
        var cohortKey: [[Double]] = [], firstSwitch: [Int] = [], switchDirection: [Int] = []
        for g in 0..<n {
            var (first, direction) = (-1, 0)
            for t in 1..<periodCount where present(g, t) && present(g, t - 1) && d[g][t] != d[g][t - 1] {
                (first, direction) = (t, d[g][t] > d[g][t - 1] ? 1 : -1)
                break
            }
            cohortKey.append([d[g][0], Double(first), Double(direction)])
            firstSwitch.append(first)
            switchDirection.append(direction)
        }
        var baselineCount: [Double: Int] = [:]
        for g in 0..<n { baselineCount[d[g][0], default: 0] += 1 }
        let eligible = (0..<n).map { baselineCount[d[$0][0]]! >= 2 }

        // Contributions: N_S · DID_M = Σ_g U_g, for both sides and for each.
        var uOverall = [Double](repeating: 0, count: n), uJoiners = uOverall, uLeavers = uOverall, uPlacebo = uOverall
        var joinerCells = 0, leaverCells = 0, placeboCells = 0, withoutComparison = 0
        var joinerWeight = 0.0, leaverWeight = 0.0, placeboWeight = 0.0
        var joinerSum = 0.0, leaverSum = 0.0, placeboSum = 0.0
        for t in 1..<periodCount where binary {
            let cells = (0..<n).filter { present($0, t) && present($0, t - 1) }
            let change = { (g: Int) in y[g][t] - y[g][t - 1] }
            let joiners = cells.filter { d[$0][t - 1] == 0 && d[$0][t] == 1 }, stayedOut = cells.filter { d[$0][t - 1] == 0 && d[$0][t] == 0 }
            let leavers = cells.filter { d[$0][t - 1] == 1 && d[$0][t] == 0 }, stayedIn = cells.filter { d[$0][t - 1] == 1 && d[$0][t] == 1 }
            joinerCells += joiners.count
            leaverCells += leavers.count
            joinerWeight += total(joiners)
            leaverWeight += total(leavers)
            if !joiners.isEmpty && stayedOut.isEmpty || !leavers.isEmpty && stayedIn.isEmpty { withoutComparison += 1 }
            if !joiners.isEmpty && !stayedOut.isEmpty {
                let ratio = total(joiners) / total(stayedOut)
                for g in joiners {
                    uJoiners[g] += w[g] * change(g)
                    joinerSum += w[g] * change(g)
                }
                for g in stayedOut {
                    uJoiners[g] -= ratio * w[g] * change(g)
                    joinerSum -= ratio * w[g] * change(g)
                }
            }
            if !leavers.isEmpty && !stayedIn.isEmpty {
                let ratio = total(leavers) / total(stayedIn)
                for g in leavers {
                    uLeavers[g] -= w[g] * change(g)
                    leaverSum -= w[g] * change(g)
                }
                for g in stayedIn {
                    uLeavers[g] += ratio * w[g] * change(g)
                    leaverSum += ratio * w[g] * change(g)
                }
            }
            // The placebo: the same switchers and comparisons, one period earlier, with three periods observed and
            // the treatment unchanged over the first two.
            guard t >= 2 else { continue }
            let history = cells.filter { present($0, t - 2) && d[$0][t - 2] == d[$0][t - 1] }
            let before = { (g: Int) in y[g][t - 1] - y[g][t - 2] }
            let placeboJoiners = history.filter { d[$0][t - 1] == 0 && d[$0][t] == 1 }, placeboOut = history.filter { d[$0][t - 1] == 0 && d[$0][t] == 0 }
            let placeboLeavers = history.filter { d[$0][t - 1] == 1 && d[$0][t] == 0 }, placeboIn = history.filter { d[$0][t - 1] == 1 && d[$0][t] == 1 }
            placeboCells += placeboJoiners.count + placeboLeavers.count
            placeboWeight += total(placeboJoiners) + total(placeboLeavers)
            if !placeboJoiners.isEmpty && !placeboOut.isEmpty {
                let ratio = total(placeboJoiners) / total(placeboOut)
                for g in placeboJoiners { uPlacebo[g] -= w[g] * before(g) }
                for g in placeboOut { uPlacebo[g] += ratio * w[g] * before(g) }
            }
            if !placeboLeavers.isEmpty && !placeboIn.isEmpty {
                let ratio = total(placeboLeavers) / total(placeboIn)
                for g in placeboLeavers { uPlacebo[g] += w[g] * before(g) }
                for g in placeboIn { uPlacebo[g] -= ratio * w[g] * before(g) }
            }
        }
        for g in 0..<n { uOverall[g] = uJoiners[g] + uLeavers[g] }
        placeboSum = uPlacebo.reduce(0, +)
        let switchers = joinerCells + leaverCells
        guard switchers > 0 || !binary && firstSwitch.contains(where: { $0 >= 0 }) else {
            throw EstimationError.noVariation(column: "treatment (no unit switches in or out between two observed periods)")
        }

        // Cohort-recentred contributions, over the units eligible for the variance, summed by cluster if asked.
        let cohorts = Dictionary(uniqueKeysWithValues: Set(cohortKey).sorted { $0.lexicographicallyPrecedes($1) }.enumerated().map { ($1, $0) })
        let cohortOf = cohortKey.map { cohorts[$0]! }
        let clusterOf = clusterCodes.map { codes in kept.map { codes[$0] } }
        // With weights, a unit's contribution is N_g times its own; the cohort's mean per unit of weight is taken out of
        // each, N_g times over (its copies' centred contributions, summed).
        func effect(_ sum: Double, _ u: [Double], switchers: Int, weight: Double) -> Effect {
            var sums = [Double](repeating: 0, count: cohorts.count), counts = sums
            for g in 0..<n where eligible[g] {
                sums[cohortOf[g]] += u[g]
                counts[cohortOf[g]] += w[g]
            }
            var totals = [Double](repeating: 0, count: (clusterOf?.max() ?? n - 1) + 1)
            for g in 0..<n where eligible[g] { totals[clusterOf?[g] ?? g] += u[g] - w[g] * sums[cohortOf[g]] / counts[cohortOf[g]] }
            let squares = totals.reduce(0) { $0 + $1 * $1 }
            // Every cohort a single unit: the centred contributions vanish and the variance is not identified.
            return Effect(
                estimate: sum / weight, standardError: squares > 0 ? squares.squareRoot() / weight : .nan, switchers: switchers,
                switcherWeight: weight, totals: totals)
        }
        overall = binary ? effect(joinerSum + leaverSum, uOverall, switchers: switchers, weight: joinerWeight + leaverWeight) : nil
        joiners = joinerCells == 0 ? nil : effect(joinerSum, uJoiners, switchers: joinerCells, weight: joinerWeight)
        leavers = leaverCells == 0 ? nil : effect(leaverSum, uLeavers, switchers: leaverCells, weight: leaverWeight)
        placebo = placeboCells == 0 ? nil : effect(placeboSum, uPlacebo, switchers: placeboCells, weight: placeboWeight)

        // The dynamic effects and their placebos, on the outcome net of the covariates' part when there are covariates
        // (DID_M and the rows above keep the outcome as observed, as diff-diff's per-period effects do).
        let (yDynamic, slopes, without) = try Self.residualized(
            y: y, d: d, x: covariates.map { c in kept.map { c[$0] } }, firstSwitch: firstSwitch, weight: weights == nil ? nil : w, present: present)
        (covariateSlopes, baselinesWithoutSlopes) = (slopes, without)
        func presentDynamic(_ g: Int, _ t: Int) -> Bool { d[g][t] >= 0 && !yDynamic[g][t].isNaN }
        // A unit can stand in as a control up to the period before its first switch; the last period any unit of a
        // baseline can (T_g) bounds the horizons of that baseline's switchers.
        var lastControlPeriod: [Double: Int] = [:]
        for g in 0..<n { lastControlPeriod[d[g][0]] = max(lastControlPeriod[d[g][0]] ?? -1, firstSwitch[g] < 0 ? periodCount - 1 : firstSwitch[g] - 1) }
        // Switchers grouped by baseline and first switch share their controls at every horizon.
        let switchCohorts = Dictionary(grouping: (0..<n).filter { firstSwitch[$0] >= 0 }) { [d[$0][0], Double(firstSwitch[$0])] }
        let byBaseline = Dictionary(grouping: 0..<n) { d[$0][0] }
        // DID_l (or its placebo) and, for the normalised effect, the switchers' weighted mean |cumulative dose change|.
        func dynamicEffect(_ l: Int, placebo: Bool) -> (effect: Effect, doseChange: Double)? {
            var u = [Double](repeating: 0, count: n), sum = 0.0, count = 0, weight = 0.0, doseChange = 0.0
            for (key, members) in switchCohorts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let (baseline, reference) = (key[0], Int(key[1]) - 1)
                let forward = reference + l, target = placebo ? reference - l : forward
                guard target >= 0, forward < periodCount, lastControlPeriod[baseline]! >= forward else { continue }
                let switching = members.filter { presentDynamic($0, reference) && presentDynamic($0, target) }
                // Controls: the same baseline, not switched by the horizon's period, observed where the contrast needs.
                let controls = byBaseline[baseline]!.filter { c in
                    (firstSwitch[c] < 0 || firstSwitch[c] > forward) && presentDynamic(c, reference) && presentDynamic(c, target)
                        && presentDynamic(c, forward)
                }
                guard !switching.isEmpty, !controls.isEmpty else { continue }
                let change = { (g: Int) in yDynamic[g][target] - yDynamic[g][reference] }
                let controlWeight = total(controls)
                let controlMean = controls.reduce(0) { $0 + w[$1] * change($1) } / controlWeight
                var signs = 0.0
                for g in switching {
                    let sign = Double(switchDirection[g])
                    sum += sign * w[g] * (change(g) - controlMean)
                    u[g] += sign * w[g] * change(g)
                    signs += sign * w[g]
                    doseChange += w[g] * abs((0..<l).reduce(0.0) { $0 + d[g][reference + 1 + $1] - d[g][0] })
                }
                for c in controls { u[c] -= signs * w[c] / controlWeight * change(c) }
                count += switching.count
                weight += total(switching)
            }
            return count == 0 ? nil : (effect(sum, u, switchers: count, weight: weight), doseChange / weight)
        }
        let forward = horizons > 0 ? (1...horizons).map { dynamicEffect($0, placebo: false) } : []
        dynamic = forward.map { $0?.effect }
        dynamicPlacebos = placebos > 0 ? (1...placebos).map { dynamicEffect($0, placebo: true)?.effect } : []
        normalized =
            binary
            ? []
            : forward.map { pair in
                pair.flatMap { effect, change in
                    change > 0
                        ? Effect(
                            estimate: effect.estimate / change, standardError: effect.standardError / change, switchers: effect.switchers,
                            switcherWeight: effect.switcherWeight * change, totals: effect.totals) : nil
                }
            }
        units = n
        if let clusterOf {
            let count = Set(clusterOf).count
            guard count > 1 else { throw EstimationError.oneCluster(column: "cluster") }
            clusters = count
        } else {
            clusters = nil
        }
        (self.withoutFirstPeriod, self.withGaps) = (withoutFirstPeriod, withGaps)
        singletonBaselines = eligible.filter { !$0 }.count
        periodsWithoutComparison = withoutComparison
    }
}
