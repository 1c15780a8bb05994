import Foundation
import Randomness

/// Callaway & Sant'Anna (2021) group-time average treatment effects for staggered adoption, on a balanced
/// panel (rows of an unbalanced one or of repeated cross-sections: `init(rows:…)`), unconditional (outcome regression without covariates), with the "varying" base period of R's did
/// package: post periods compare with the period before adoption, pre periods with the period before them.
/// Standard errors come from influence functions; with a cluster, the units' influence functions are summed to
/// cluster totals before squaring, so villages nested in districts do not understate the uncertainty.
public struct CallawaySantAnna: Sendable {
    public enum Comparison: String, Sendable {
        case neverTreated = "never treated"
        case notYetTreated = "not yet treated"
    }

    /// How covariates enter each comparison.
    public enum Method: String, Sendable {
        /// Outcome regression (DRDID's reg_did_panel).
        case outcomeRegression = "outcome regression"
        /// Doubly robust: outcome regression and inverse propensity weighting (DRDID's drdid_panel; the did
        /// package's default).
        case doublyRobust = "doubly robust"
    }

    public struct Estimate: Sendable {
        public let group: Int
        public let time: Int
        public let att: Double
        public let standardError: Double
        /// Influence function over all units, in unit order.
        let influence: [Double]
    }

    public struct Aggregate: Sendable {
        public let label: String
        public let att: Double
        public let standardError: Double
        let influence: [Double]
    }

    public let comparison: Comparison
    public let estimates: [Estimate]
    public let units: Int
    public let clusters: Int?
    /// The share of all units in each treated group, used as aggregation weights.
    let groupShares: [Int: Double]
    /// Each unit's group as a code (its position among the sorted distinct group values, never treated included),
    /// and the code of each value.
    let groupCode: [Int]
    let codeOfGroup: [Int: Int]
    /// Each unit's survey weight as given (1 without weights): the aggregations' group shares are weighted sums.
    let unitWeights: [Double]
    /// Whether survey weights were given.
    public let usesSurveyWeights: Bool
    let clusterIndex: [Int]?

    /// `outcome[u][p]` for unit u in period p (periods in time order, given as their values, e.g. years);
    /// `group[u]` the first treated period's value, 0 for never treated.
    /// `weights[u]` (optional) is unit u's survey weight: every comparison and aggregation is then weighted, as the
    /// did package's `weightsname`, and the estimand is the population-weighted ATT.
    /// `covariates[u]` (optional) holds unit u's covariates, without the intercept: the outcome-regression
    /// estimator of DRDID's `reg_did_panel` then adjusts each comparison for them (time-invariant values; with
    /// values that change between rounds, pass those of the period before treatment).
    public init(
        outcome: [[Double]], periods: [Int], group: [Int], comparison: Comparison, cluster: [String]? = nil,
        covariates: [[Double]]? = nil, method: Method = .outcomeRegression, weights: [Double]? = nil, universalBase: Bool = false
    ) throws {
        try self.init(
            periodColumns: periods.indices.map { p in outcome.map { $0[p] } }, periods: periods, group: group, comparison: comparison,
            clusterCodes: cluster.map(Self.codes(sortedBy:)), covariates: covariates, method: method, weights: weights, universalBase: universalBase)
    }

    /// Codes 0, 1, 2, … for cluster labels, in the labels' sorted order (the bootstrap draws one multiplier per
    /// code, so the order is part of the result for a seed).
    static func codes(sortedBy labels: [String]) -> [Int] {
        let ids = Dictionary(Set(labels).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return labels.map { ids[$0]! }
    }

    /// The estimator over outcome columns, `periodColumns[p][u]` for unit u in period p, with clusters given as
    /// codes 0..<k (every code used): what large panels pass, without an array or a string per unit.
    init(
        periodColumns: [[Double]], periods: [Int], group: [Int], comparison: Comparison, clusterCodes: [Int]?,
        covariates: [[Double]]?, method: Method, weights: [Double]?, universalBase: Bool = false
    ) throws {
        let n = group.count
        if let weights {
            guard weights.count == n, weights.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw EstimationError.badWeights }
        }
        guard n > 1 else { throw EstimationError.tooFewObservations(observations: n, parameters: 2) }
        let treatedGroups = Array(Set(group.filter { $0 != 0 })).sorted()
        guard !treatedGroups.isEmpty else { throw EstimationError.noVariation(column: "treatment (no unit is ever treated)") }
        var estimates: [Estimate] = []
        let index = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        // Units by the position of their group value (never treated included) among the distinct values.
        let groupValues = Array(Set(group)).sorted()
        let codeOfGroup = Dictionary(uniqueKeysWithValues: groupValues.enumerated().map { ($1, $0) })
        let groupCode = group.map { codeOfGroup[$0]! }
        for g in treatedGroups {
            guard let gIndex = index[g], gIndex > 0 else { continue }  // treated from the first period: no pre-period
            for (tIndex, t) in periods.enumerated() {
                let base = Self.basePeriod(t: t, g: g, tIndex: tIndex, gIndex: gIndex, universal: universalBase)
                guard base >= 0, base != tIndex else { continue }
                let later = periods[max(tIndex, base)]
                let isControl = { (unitGroup: Int) in unitGroup == 0 || (comparison == .notYetTreated && unitGroup > later) }
                let emptyComparison = EstimationError.emptyCell("comparison group for cohort \(g) in \(t) (no \(comparison.rawValue) units)")
                if covariates == nil {
                    // Each unit's side in this comparison, decided once per group value.
                    let sides = groupValues.map { $0 == g ? Int8(1) : isControl($0) ? -1 : 0 }
                    guard
                        let cell = Self.unconditional(
                            now: periodColumns[tIndex], before: periodColumns[base], groupCode: groupCode, sides: sides,
                            weights: weights)
                    else { throw emptyComparison }
                    estimates.append(Estimate(group: g, time: t, att: cell.att, standardError: 0, influence: cell.influence))
                    continue
                }
                var treatedChanges: [(Int, Double)] = [], controlChanges: [(Int, Double)] = []
                for u in 0..<n {
                    let change = periodColumns[tIndex][u] - periodColumns[base][u]
                    if group[u] == g {
                        treatedChanges.append((u, change))
                    } else if isControl(group[u]) {
                        controlChanges.append((u, change))
                    }
                }
                guard !controlChanges.isEmpty else { throw emptyComparison }
                // Outcome regression (DRDID's reg_did_panel): regress the controls' changes on the covariates, predict
                // the treated units' counterfactual changes, and carry the regression's own influence. Survey weights
                // enter as DRDID's i.weights, normalised to mean 1 over the comparison's units.
                let subsample = Double(treatedChanges.count + controlChanges.count)
                let p = 1 + (covariates?.first?.count ?? 0)
                let weightOf: (Int) -> Double
                if let weights {
                    let total = (treatedChanges.map(\.0) + controlChanges.map(\.0)).reduce(0) { $0 + weights[$1] }
                    let scale = subsample / total
                    weightOf = { weights[$0] * scale }
                } else {
                    weightOf = { _ in 1 }
                }
                func design(_ u: Int) -> [Double] { [1] + (covariates?[u] ?? []) }
                // The design column by column over the controls (no array per unit: large panels).
                let designColumns = (0..<p).map { a in controlChanges.map { a == 0 ? 1 : covariates![$0.0][a - 1] } }
                let fit = try QRLeastSquares(
                    columns: designColumns, y: controlChanges.map(\.1),
                    weights: weights == nil ? nil : controlChanges.map { weightOf($0.0) },
                    names: (0..<p).map { "x\($0)" })
                var influence = [Double](repeating: 0, count: n)
                var att: Double
                if method == .doublyRobust {
                    (att, influence) = try Self.doublyRobust(
                        treated: treatedChanges, controls: controlChanges, design: design, fit: fit,
                        weight: weightOf, units: n)
                } else {
                    func predicted(_ u: Int) -> Double {
                        var value = fit.coefficients[0]
                        if let covariates { for a in 1..<p { value += covariates[u][a - 1] * fit.coefficients[a] } }
                        return value
                    }
                    var treatedWeight = 0.0, etaTreat = 0.0, etaControl = 0.0
                    for (u, change) in treatedChanges {
                        let w = weightOf(u)
                        treatedWeight += w
                        etaTreat += w * change
                        etaControl += w * predicted(u)
                    }
                    etaTreat /= treatedWeight
                    etaControl /= treatedWeight
                    let meanTreatedWeight = treatedWeight / subsample
                    // M1 = mean over the subsample of w·D·x; (X'WX/n_s)⁻¹ = n_s·(X'WX)⁻¹ over the controls; its
                    // product with M1, once.
                    var m1 = [Double](repeating: 0, count: p)
                    for (u, _) in treatedChanges {
                        let w = weightOf(u) / subsample
                        m1[0] += w
                        if let covariates { for a in 1..<p { m1[a] += w * covariates[u][a - 1] } }
                    }
                    let projected = (0..<p).map { b in (0..<p).reduce(0.0) { $0 + subsample * fit.inverseGram[b][$1] * m1[$1] } }
                    let scale = Double(n) / subsample
                    for (u, change) in treatedChanges {
                        let w = weightOf(u)
                        influence[u] = scale * (w * (change - etaTreat) - w * (predicted(u) - etaControl)) / meanTreatedWeight
                    }
                    for (u, change) in controlChanges {
                        var linear = projected[0]
                        if let covariates { for a in 1..<p { linear += covariates[u][a - 1] * projected[a] } }
                        influence[u] = -scale * weightOf(u) * (change - predicted(u)) * linear / meanTreatedWeight
                    }
                    att = etaTreat - etaControl
                }
                estimates.append(Estimate(group: g, time: t, att: att, standardError: 0, influence: influence))
            }
        }
        try self.init(
            assembling: estimates, comparison: comparison, group: group, treatedGroups: treatedGroups, unitWeights: weights, clusterCodes: clusterCodes)
    }

    /// The estimator from its ATT(g,t)s (each with its influence over all units, in unit order): clusters counted, each
    /// treated group's share of the units (weighted by `unitWeights` where given) for the aggregations, and each
    /// estimate's standard error.
    init(
        assembling estimates: [Estimate], comparison: Comparison, group: [Int], treatedGroups: [Int], unitWeights weights: [Double]?,
        clusterCodes: [Int]?
    ) throws {
        let n = group.count
        if let clusterCodes {
            let count = (clusterCodes.max() ?? 0) + 1
            guard count > 1 else { throw EstimationError.oneCluster(column: "cluster") }
            clusters = count
        } else {
            clusters = nil
        }
        clusterIndex = clusterCodes
        self.comparison = comparison
        units = n
        let groupValues = Array(Set(group)).sorted()
        let codeOfGroup = Dictionary(uniqueKeysWithValues: groupValues.enumerated().map { ($1, $0) })
        let groupCode = group.map { codeOfGroup[$0]! }
        let unitWeights = weights ?? [Double](repeating: 1, count: n)
        var shares = [Double](repeating: 0, count: groupValues.count)
        for u in 0..<n { shares[groupCode[u]] += unitWeights[u] }
        groupShares = Dictionary(uniqueKeysWithValues: treatedGroups.map { ($0, shares[codeOfGroup[$0]!] / Double(n)) })
        self.groupCode = groupCode
        self.codeOfGroup = codeOfGroup
        self.unitWeights = unitWeights
        usesSurveyWeights = weights != nil
        self.estimates = estimates.map {
            Estimate(
                group: $0.group, time: $0.time, att: $0.att, standardError: Self.standardError($0.influence, clusterIndex: clusterCodes),
                influence: $0.influence)
        }
    }

    /// One ATT(g,t) without covariates: the outcome regression on an intercept alone, which is the difference of
    /// the (weighted) mean changes of the treated and the comparison units, with influence n·w·(Δy − mean)/Σw for
    /// the treated and its negative for the comparison units (DRDID's reg_did_panel, where the regression's own
    /// influence reduces to this). `sides[groupCode[u]]` is 1 for a treated unit, −1 for a comparison unit, 0 for
    /// neither. Nil without comparison units.
    static func unconditional(
        now: [Double], before: [Double], groupCode: [Int], sides: [Int8],
        weights: [Double]?
    ) -> (att: Double, influence: [Double])? {
        let n = groupCode.count
        var treatedWeight = 0.0, treatedSum = 0.0, controlWeight = 0.0, controlSum = 0.0
        var influence = [Double](repeating: 0, count: n)
        now.withUnsafeBufferPointer { now in
            before.withUnsafeBufferPointer { before in
                groupCode.withUnsafeBufferPointer { code in
                    sides.withUnsafeBufferPointer { sides in
                        for u in 0..<n {
                            let side = sides[code[u]]
                            if side == 0 { continue }
                            let w = weights?[u] ?? 1, change = now[u] - before[u]
                            if side > 0 {
                                treatedWeight += w
                                treatedSum += w * change
                            } else {
                                controlWeight += w
                                controlSum += w * change
                            }
                        }
                        guard controlWeight > 0 else { return }
                        let treatedMean = treatedSum / treatedWeight, controlMean = controlSum / controlWeight
                        let units = Double(n)
                        let treatedScale = units / treatedWeight, controlScale = -units / controlWeight
                        influence.withUnsafeMutableBufferPointer { influence in
                            for u in 0..<n {
                                let side = sides[code[u]]
                                if side == 0 { continue }
                                let w = weights?[u] ?? 1, change = now[u] - before[u]
                                influence[u] = side > 0 ? treatedScale * w * (change - treatedMean) : controlScale * w * (change - controlMean)
                            }
                        }
                    }
                }
            }
        }
        guard controlWeight > 0 else { return nil }
        return (treatedSum / treatedWeight - controlSum / controlWeight, influence)
    }

    /// DRDID's drdid_panel: the outcome regression's prediction plus inverse-propensity weighting of the
    /// controls, with the influence of both first steps (the weighted least squares and the logit).
    static func doublyRobust(
        treated: [(Int, Double)], controls: [(Int, Double)], design: (Int) -> [Double], fit: QRLeastSquares,
        weight: (Int) -> Double, units n: Int
    ) throws -> (Double, [Double]) {
        let sample = treated.map { ($0.0, $0.1, 1.0) } + controls.map { ($0.0, $0.1, 0.0) }
        let m = Double(sample.count)
        let p = design(sample[0].0).count
        let x = sample.map { design($0.0) }
        let d = sample.map(\.2), deltaY = sample.map(\.1), w = sample.map { weight($0.0) }
        let outDelta = x.map { row in zip(row, fit.coefficients).reduce(0) { $0 + $1.0 * $1.1 } }
        // Logit of treatment on the covariates (weighted, as glm with the survey weights), by Newton–Raphson.
        var gamma = [Double](repeating: 0, count: p)
        var hessianInverse = [[Double]]()
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            for i in sample.indices {
                let eta = zip(x[i], gamma).reduce(0) { $0 + $1.0 * $1.1 }
                let prob = 1 / (1 + exp(-eta))
                for a in 0..<p {
                    gradient[a] += w[i] * (d[i] - prob) * x[i][a]
                    for b in 0..<p { hessian[a][b] += w[i] * prob * (1 - prob) * x[i][a] * x[i][b] }
                }
            }
            guard let inverse = EventStudy.invert(hessian) else { throw EstimationError.singularDesign(columns: ["propensity score"]) }
            var step = 0.0
            for a in 0..<p {
                let change = (0..<p).reduce(0) { $0 + inverse[a][$1] * gradient[$1] }
                gamma[a] += change
                step = max(step, abs(change))
            }
            hessianInverse = inverse
            if step < 1e-12 { break }
        }
        let ps = x.map { row in min(1 / (1 + exp(-zip(row, gamma).reduce(0) { $0 + $1.0 * $1.1 })), 1 - 1e-6) }
        let wTreat = sample.indices.map { w[$0] * d[$0] }
        let wCont = sample.indices.map { w[$0] * ps[$0] * (1 - d[$0]) / (1 - ps[$0]) }
        let meanWTreat = wTreat.reduce(0, +) / m, meanWCont = wCont.reduce(0, +) / m
        let attTreat = sample.indices.map { wTreat[$0] * (deltaY[$0] - outDelta[$0]) }
        let attCont = sample.indices.map { wCont[$0] * (deltaY[$0] - outDelta[$0]) }
        let etaTreat = attTreat.reduce(0, +) / m / meanWTreat
        let etaCont = attCont.reduce(0, +) / m / meanWCont
        // First-step influence: weighted least squares on the controls, and the logit.
        let xpxInverse = fit.inverseGram.map { $0.map { $0 * m } }
        func times(_ vector: [Double], _ matrix: [[Double]]) -> [Double] { (0..<p).map { a in (0..<p).reduce(0) { $0 + vector[$1] * matrix[$1][a] } } }
        let hessianPS = hessianInverse.map { $0.map { $0 * m } }
        var m1 = [Double](repeating: 0, count: p), m2 = m1, m3 = m1
        for i in sample.indices {
            for a in 0..<p {
                m1[a] += wTreat[i] * x[i][a] / m
                m2[a] += wCont[i] * (deltaY[i] - outDelta[i] - etaCont) * x[i][a] / m
                m3[a] += wCont[i] * x[i][a] / m
            }
        }
        var influence = [Double](repeating: 0, count: n)
        let scale = Double(n) / m
        for i in sample.indices {
            let ols = times(x[i].map { $0 * w[i] * (1 - d[i]) * (deltaY[i] - outDelta[i]) }, xpxInverse)
            let logit = times(x[i].map { $0 * w[i] * (d[i] - ps[i]) }, hessianPS)
            let dot = { (u: [Double], v: [Double]) in zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
            let infTreat = (attTreat[i] - wTreat[i] * etaTreat - dot(ols, m1)) / meanWTreat
            let infControl = (attCont[i] - wCont[i] * etaCont + dot(logit, m2) - dot(ols, m3)) / meanWCont
            influence[sample[i].0] = scale * (infTreat - infControl)
        }
        return (etaTreat - etaCont, influence)
    }

    /// sqrt(Σ IF²)/n, with the influence function summed within clusters first when there are clusters.
    static func standardError(_ influence: [Double], clusterIndex: [Int]?) -> Double {
        let n = Double(influence.count)
        guard let clusterIndex else { return (influence.reduce(0) { $0 + $1 * $1 }).squareRoot() / n }
        var totals = [Double](repeating: 0, count: (clusterIndex.max() ?? 0) + 1)
        totals.withUnsafeMutableBufferPointer { totals in
            influence.withUnsafeBufferPointer { values in
                clusterIndex.withUnsafeBufferPointer { clusters in
                    for i in 0..<values.count { totals[clusters[i]] += values[i] }
                }
            }
        }
        return (totals.reduce(0) { $0 + $1 * $1 }).squareRoot() / n
    }

    /// A weighted average of ATT(g,t)s with weights proportional to group shares, including the influence of
    /// estimating those shares (did's `wif`).
    func weighted(_ keepers: [Estimate], label: String) -> Aggregate {
        let shares = keepers.map { groupShares[$0.group] ?? 0 }
        let total = shares.reduce(0, +)
        let weights = shares.map { $0 / total }
        let att = zip(weights, keepers).reduce(0) { $0 + $1.0 * $1.1.att }
        var influence = Self.combination(keepers.map(\.influence), weights: weights, units: units)
        // did's wif per unit, Σ_k (w·1{G=g_k} − p_k)/Σp · att_k − (Σ_k (w·1{G=g_k} − p_k)) · Σ_k p_k att_k / (Σp)². The
        // terms without the unit's own weight cancel, leaving w times a coefficient of its group:
        // Σ_{k: g_k = G} (att_k/Σp − Σ_j p_j att_j/(Σp)²).
        let shareAtt = zip(shares, keepers).reduce(0) { $0 + $1.0 * $1.1.att }
        var coefficient = [Double](repeating: 0, count: codeOfGroup.count)
        for estimate in keepers {
            guard let k = codeOfGroup[estimate.group] else { continue }
            coefficient[k] += estimate.att / total - shareAtt / (total * total)
        }
        influence.withUnsafeMutableBufferPointer { out in
            groupCode.withUnsafeBufferPointer { codes in
                unitWeights.withUnsafeBufferPointer { w in
                    for u in 0..<units { out[u] += w[u] * coefficient[codes[u]] }
                }
            }
        }
        return Aggregate(label: label, att: att, standardError: Self.standardError(influence, clusterIndex: clusterIndex), influence: influence)
    }

    /// Σ_k weights[k] · vectors[k], element by element.
    static func combination(_ vectors: [[Double]], weights: [Double], units: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: units)
        sum.withUnsafeMutableBufferPointer { out in
            for (weight, vector) in zip(weights, vectors) {
                vector.withUnsafeBufferPointer { values in for u in 0..<units { out[u] += weight * values[u] } }
            }
        }
        return sum
    }

    func mean(_ aggregates: [Aggregate], label: String) -> Aggregate {
        let count = Double(aggregates.count)
        let att = aggregates.reduce(0) { $0 + $1.att } / count
        let influence = Self.combination(aggregates.map(\.influence), weights: aggregates.map { _ in 1 / count }, units: units)
        return Aggregate(label: label, att: att, standardError: Self.standardError(influence, clusterIndex: clusterIndex), influence: influence)
    }

    /// The overall ATT: every post-treatment ATT(g,t), weighted by group size.
    public var simple: Aggregate { weighted(estimates.filter { $0.time >= $0.group }, label: "simple") }

    /// Effects by event time (t − g), and their average over event times ≥ 0.
    public var dynamic: (byEventTime: [(Int, Aggregate)], overall: Aggregate) {
        let times = Array(Set(estimates.map { $0.time - $0.group })).sorted()
        let byTime = times.map { e in (e, weighted(estimates.filter { $0.time - $0.group == e }, label: "event \(e)")) }
        return (byTime, mean(byTime.filter { $0.0 >= 0 }.map(\.1), label: "dynamic"))
    }

    /// Effects by cohort (the mean of its post-treatment ATT(g,t)), and their group-size-weighted average.
    public var byGroup: (byGroup: [(Int, Aggregate)], overall: Aggregate) {
        let groups = Array(Set(estimates.map(\.group))).sorted()
        var perGroup: [(Int, Aggregate)] = []
        for g in groups {
            let post = estimates.filter { $0.group == g && $0.time >= g }
            guard !post.isEmpty else { continue }
            perGroup.append((g, mean(post.map { Aggregate(label: "", att: $0.att, standardError: 0, influence: $0.influence) }, label: "group \(g)")))
        }
        // Weighting the cohorts' effects by their shares, with the shares' own influence.
        let pseudo = perGroup.map { Estimate(group: $0.0, time: $0.0, att: $0.1.att, standardError: 0, influence: $0.1.influence) }
        return (perGroup, weighted(pseudo, label: "group"))
    }

    /// Effects by calendar period (cohorts treated by then, weighted by size), and their average.
    public var byCalendar: (byTime: [(Int, Aggregate)], overall: Aggregate) {
        let times = Array(Set(estimates.filter { $0.time >= $0.group }.map(\.time))).sorted()
        let perTime = times.map { t in (t, weighted(estimates.filter { $0.time == t && $0.time >= $0.group }, label: "calendar \(t)")) }
        return (perTime, mean(perTime.map(\.1), label: "calendar"))
    }
}

extension CallawaySantAnna {
    /// The period each ATT(g,t) compares with: the period before adoption for post-periods; for pre-periods the period
    /// before them (R did's "varying" base) or, with `universal`, the period before adoption too (ATT(g, g − 1) is then
    /// the reference, not estimated), which makes the pre-period event times comparable with the post-period ones.
    static func basePeriod(t: Int, g: Int, tIndex: Int, gIndex: Int, universal: Bool) -> Int {
        t >= g || universal ? gIndex - 1 : tIndex - 1
    }

    /// Each cluster's total of an aggregate's influence function (each unit's own without clusters).
    public func clusterTotals(_ aggregate: Aggregate) -> [Double] {
        let groups = clusterIndex ?? Array(0..<units)
        var sums = [Double](repeating: 0, count: (groups.max() ?? 0) + 1)
        for (value, g) in zip(aggregate.influence, groups) { sums[g] += value }
        return sums
    }

    /// The degrees of freedom of the intervals: G − 1 with clusters (the influence functions are summed to G
    /// totals, so the variance has G − 1 of them), nil (the normal) for unit-level influence.
    public var degreesOfFreedom: Double? { clusterIndex == nil ? nil : Double(clusters ?? 2) - 1 }

    /// The covariance of aggregates from the clusters' influence totals (zero for a missing one).
    func covariance(of aggregates: [Aggregate?]) -> [[Double]] {
        let totals = aggregates.map { $0.map(clusterTotals) }
        let n2 = Double(units) * Double(units)
        return totals.map { a in totals.map { b in a.flatMap { a in b.map { zip(a, $0).reduce(0) { $0 + $1.0 * $1.1 } / n2 } } ?? 0 } }
    }

    /// The critical value of a uniform (simultaneous) 95% band over a set of estimates: the sup-t critical value
    /// for their covariance (from the clusters' influence totals), with t(G − 1) margins as the pointwise intervals
    /// have. Deterministic for a seed.
    public func uniformCriticalValue(for aggregates: [Aggregate], draws: Int = 9999, seed: UInt64 = 20_211_201) -> Double {
        let covariance = covariance(of: aggregates)
        return EventStudy.supTCriticalValue(covariance: covariance, level: 0.95, draws: draws, seed: seed, degreesOfFreedom: degreesOfFreedom)
    }
}
