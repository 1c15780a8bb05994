import Foundation

/// de Chaisemartin & D'Haultfœuille's (2020) DID_M for a treatment that switches on and off: in every period, the
/// outcome change of the units that switch in (joiners) against units untreated in both periods, and of those that
/// switch out (leavers) against units treated in both, averaged over every switching unit-period. Standard errors are
/// the cohort-recentred plug-in of their 2022 paper (Web Appendix 3.7.3), as diff-diff computes it: each unit's
/// contribution over every period, less the mean of its cohort (baseline treatment, first switch period and
/// direction), with units whose baseline treatment no other unit shares left out of the variance only. Clustered,
/// the centred contributions are summed within clusters first. The placebo DID_M^pl repeats the comparison one period
/// earlier among units with three periods of history.
public struct ChaisemartinDHaultfoeuille: Sendable {
    public struct Effect: Sendable {
        public let estimate: Double
        public let standardError: Double
        /// The switching unit-periods it averages over.
        public let switchers: Int
    }

    public let overall: Effect
    public let joiners: Effect?
    public let leavers: Effect?
    public let placebo: Effect?
    public let units: Int
    public let clusters: Int?
    /// Units left out: without the first period, and with a gap between their first and last observed periods.
    public let withoutFirstPeriod: Int
    public let withGaps: Int
    /// Units whose baseline treatment no other unit shares: in the estimate, not in its variance.
    public let singletonBaselines: Int
    /// Periods whose joiners (or leavers) had no unit to compare with: their comparison counts as zero.
    public let periodsWithoutComparison: Int

    /// `outcome[u][t]` (NaN: not observed) and `treated[u][t]` (nil: not observed) for unit u in period t, periods in
    /// order; `clusterCodes[u]` codes 0..<k, nil for unit-level standard errors.
    public init(outcome: [[Double]], treated: [[Bool?]], clusterCodes: [Int]?) throws {
        let periodCount = outcome.first?.count ?? 0
        guard periodCount >= 2 else { throw EstimationError.emptyCell("panel (fewer than two periods)") }
        var kept: [Int] = []
        var withoutFirstPeriod = 0, withGaps = 0
        for u in outcome.indices {
            let observed = (0..<periodCount).filter { !outcome[u][$0].isNaN && treated[u][$0] != nil }
            guard let first = observed.first, let last = observed.last else { continue }
            if first != 0 {
                withoutFirstPeriod += 1
            } else if observed.count != last - first + 1 {
                withGaps += 1
            } else {
                kept.append(u)
            }
        }
        let y = kept.map { outcome[$0] }, d = kept.map { u in treated[u].map { $0.map { $0 ? 1 : 0 } ?? -1 } }
        let n = kept.count
        func present(_ g: Int, _ t: Int) -> Bool { d[g][t] >= 0 && !y[g][t].isNaN }

        // Each unit's cohort: its baseline treatment, its first switch and the switch's direction.
        // Coded as one number: (baseline, first switch period + 1, direction + 1) in mixed radix.
        var cohortKey: [Int] = []
        for g in 0..<n {
            var (first, direction) = (-1, 0)
            for t in 1..<periodCount where present(g, t) && present(g, t - 1) && d[g][t] != d[g][t - 1] {
                (first, direction) = (t, d[g][t] > d[g][t - 1] ? 1 : -1)
                break
            }
            cohortKey.append((d[g][0] * (periodCount + 1) + first + 1) * 3 + direction + 1)
        }
        var baselineCount: [Int: Int] = [:]
        for g in 0..<n { baselineCount[d[g][0], default: 0] += 1 }
        let eligible = (0..<n).map { baselineCount[d[$0][0]]! >= 2 }

        // Contributions: N_S · DID_M = Σ_g U_g, for both sides and for each.
        var uOverall = [Double](repeating: 0, count: n), uJoiners = uOverall, uLeavers = uOverall, uPlacebo = uOverall
        var joinerCells = 0, leaverCells = 0, placeboCells = 0, withoutComparison = 0
        var joinerSum = 0.0, leaverSum = 0.0, placeboSum = 0.0
        for t in 1..<periodCount {
            let cells = (0..<n).filter { present($0, t) && present($0, t - 1) }
            let change = { (g: Int) in y[g][t] - y[g][t - 1] }
            let joiners = cells.filter { d[$0][t - 1] == 0 && d[$0][t] == 1 }, stayedOut = cells.filter { d[$0][t - 1] == 0 && d[$0][t] == 0 }
            let leavers = cells.filter { d[$0][t - 1] == 1 && d[$0][t] == 0 }, stayedIn = cells.filter { d[$0][t - 1] == 1 && d[$0][t] == 1 }
            joinerCells += joiners.count
            leaverCells += leavers.count
            if !joiners.isEmpty && stayedOut.isEmpty || !leavers.isEmpty && stayedIn.isEmpty { withoutComparison += 1 }
            if !joiners.isEmpty && !stayedOut.isEmpty {
                let ratio = Double(joiners.count) / Double(stayedOut.count)
                for g in joiners {
                    uJoiners[g] += change(g)
                    joinerSum += change(g)
                }
                for g in stayedOut {
                    uJoiners[g] -= ratio * change(g)
                    joinerSum -= ratio * change(g)
                }
            }
            if !leavers.isEmpty && !stayedIn.isEmpty {
                let ratio = Double(leavers.count) / Double(stayedIn.count)
                for g in leavers {
                    uLeavers[g] -= change(g)
                    leaverSum -= change(g)
                }
                for g in stayedIn {
                    uLeavers[g] += ratio * change(g)
                    leaverSum += ratio * change(g)
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
            if !placeboJoiners.isEmpty && !placeboOut.isEmpty {
                let ratio = Double(placeboJoiners.count) / Double(placeboOut.count)
                for g in placeboJoiners { uPlacebo[g] -= before(g) }
                for g in placeboOut { uPlacebo[g] += ratio * before(g) }
            }
            if !placeboLeavers.isEmpty && !placeboIn.isEmpty {
                let ratio = Double(placeboLeavers.count) / Double(placeboIn.count)
                for g in placeboLeavers { uPlacebo[g] += before(g) }
                for g in placeboIn { uPlacebo[g] -= ratio * before(g) }
            }
        }
        for g in 0..<n { uOverall[g] = uJoiners[g] + uLeavers[g] }
        placeboSum = uPlacebo.reduce(0, +)
        let switchers = joinerCells + leaverCells
        guard switchers > 0 else { throw EstimationError.noVariation(column: "treatment (no unit switches in or out between two observed periods)") }

        // Cohort-recentred contributions, over the units eligible for the variance, summed by cluster if asked.
        let cohorts = Dictionary(uniqueKeysWithValues: Set(cohortKey).sorted().enumerated().map { ($1, $0) })
        let cohortOf = cohortKey.map { cohorts[$0]! }
        let clusterOf = clusterCodes.map { codes in kept.map { codes[$0] } }
        func standardError(_ u: [Double], divisor: Int) -> Double {
            var sums = [Double](repeating: 0, count: cohorts.count), counts = sums
            for g in 0..<n where eligible[g] {
                sums[cohortOf[g]] += u[g]
                counts[cohortOf[g]] += 1
            }
            var totals = [Double](repeating: 0, count: (clusterOf?.max() ?? n - 1) + 1)
            for g in 0..<n where eligible[g] { totals[clusterOf?[g] ?? g] += u[g] - sums[cohortOf[g]] / counts[cohortOf[g]] }
            let squares = totals.reduce(0) { $0 + $1 * $1 }
            // Every cohort a single unit: the centred contributions vanish and the variance is not identified.
            return squares > 0 ? squares.squareRoot() / Double(divisor) : .nan
        }
        overall = Effect(
            estimate: (joinerSum + leaverSum) / Double(switchers), standardError: standardError(uOverall, divisor: switchers), switchers: switchers)
        joiners =
            joinerCells == 0
            ? nil : Effect(estimate: joinerSum / Double(joinerCells), standardError: standardError(uJoiners, divisor: joinerCells), switchers: joinerCells)
        leavers =
            leaverCells == 0
            ? nil : Effect(estimate: leaverSum / Double(leaverCells), standardError: standardError(uLeavers, divisor: leaverCells), switchers: leaverCells)
        placebo =
            placeboCells == 0
            ? nil
            : Effect(estimate: placeboSum / Double(placeboCells), standardError: standardError(uPlacebo, divisor: placeboCells), switchers: placeboCells)
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
