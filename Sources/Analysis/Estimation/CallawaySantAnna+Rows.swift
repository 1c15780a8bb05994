import Foundation

/// The rows of an unbalanced panel, or of repeated cross-sections (each row its own unit): what Callaway & Sant'Anna
/// estimates from when units are not observed in every period.
struct PanelRows: Sendable {
    /// Each row's unit, coded 0..<units, and its period's position.
    let unit: [Int]
    let period: [Int]
    let outcome: [Double]
    /// Each row's own covariate values (without the intercept), nil without covariates.
    let covariates: [[Double]]?
    /// Each row's survey weight, nil without weights.
    let weights: [Double]?
    /// Each unit's first treated period's value (0: never treated).
    let group: [Int]
}

extension CallawaySantAnna {
    /// ATT(g,t) from the rows of an unbalanced panel or of repeated cross-sections, as R's did does with
    /// `allow_unbalanced_panel` or `panel = FALSE`: each comparison uses the rows of its two periods, by DRDID's
    /// repeated cross-section estimators (reg_did_rc, drdid_rc), and each row's influence, scaled by units over the
    /// comparison's rows, is summed to its unit. The aggregations weight cohorts by each unit's mean weight.
    init(rows: PanelRows, periods: [Int], comparison: Comparison, clusterCodes: [Int]?, method: Method, universalBase: Bool = false) throws {
        let n = rows.group.count
        guard n > 1 else { throw EstimationError.tooFewObservations(observations: n, parameters: 2) }
        if let weights = rows.weights { guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw EstimationError.badWeights } }
        let treatedGroups = Array(Set(rows.group.filter { $0 != 0 })).sorted()
        guard !treatedGroups.isEmpty else { throw EstimationError.noVariation(column: "treatment (no unit is ever treated)") }
        let index = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var rowsOfPeriod = [[Int]](repeating: [], count: periods.count)
        for r in rows.unit.indices { rowsOfPeriod[rows.period[r]].append(r) }
        // The comparisons, (cohort, period, base period) in table order; each is estimated on its own, side by side.
        var cells: [(g: Int, t: Int, tIndex: Int, base: Int)] = []
        for g in treatedGroups {
            guard let gIndex = index[g], gIndex > 0 else { continue }
            for (tIndex, t) in periods.enumerated() {
                let base = Self.basePeriod(t: t, g: g, tIndex: tIndex, gIndex: gIndex, universal: universalBase)
                guard base >= 0, base != tIndex else { continue }
                cells.append((g, t, tIndex, base))
            }
        }
        let periodRows = rowsOfPeriod
        let estimates = try PanelEstimation.concurrently(
            cells.map { g, t, tIndex, base in
                { @Sendable () throws -> Estimate in
                    let later = periods[max(tIndex, base)]
                    let isControl = { (group: Int) in group == 0 || (comparison == .notYetTreated && group > later) }
                    if rows.covariates == nil && method == .outcomeRegression {
                        return try Self.unconditionalCell(
                            rows, g: g, t: t, periods: (base, tIndex), periodRows: periodRows, units: n, isControl: isControl, comparison: comparison)
                    }
                    var cell = CrossSectionCell(covariates: rows.covariates?.first?.count ?? 0)
                    cell.reserve(periodRows[base].count + periodRows[tIndex].count)
                    for (period, post) in [(base, 0.0), (tIndex, 1.0)] {
                        for r in periodRows[period] {
                            let unitGroup = rows.group[rows.unit[r]]
                            let treated = unitGroup == g
                            guard treated || isControl(unitGroup) else { continue }
                            cell.append(
                                row: r, y: rows.outcome[r], post: post, treated: treated, x: rows.covariates?[r], weight: rows.weights?[r] ?? 1)
                        }
                    }
                    if let empty = cell.emptyPart {
                        throw EstimationError.emptyCell("\(empty) for cohort \(g) in \(t) (\(comparison.rawValue) comparison)")
                    }
                    let (att, rowInfluence) = method == .doublyRobust ? try cell.doublyRobust() : try cell.outcomeRegression()
                    var influence = [Double](repeating: 0, count: n)
                    let scale = Double(n) / Double(cell.count)
                    for (position, r) in cell.rows.enumerated() { influence[rows.unit[r]] += scale * rowInfluence[position] }
                    return Estimate(group: g, time: t, att: att, standardError: 0, influence: influence)
                }
            })
        // Each unit's weight in the aggregations: the mean of its rows' weights (did's, for unbalanced panels).
        var unitWeights: [Double]?
        if let weights = rows.weights {
            var sums = [Double](repeating: 0, count: n), counts = [Double](repeating: 0, count: n)
            for r in rows.unit.indices {
                sums[rows.unit[r]] += weights[r]
                counts[rows.unit[r]] += 1
            }
            unitWeights = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        }
        try self.init(
            assembling: estimates, comparison: comparison, group: rows.group, treatedGroups: treatedGroups, unitWeights: unitWeights,
            clusterCodes: clusterCodes)
    }
}

extension CallawaySantAnna {
    /// reg_did_rc without covariates, in closed form: the difference of the four (weighted) means, and for each row
    /// n·w·(y − its part's mean)/(its part's weight), signed + for the cohort after and the comparison before, − for
    /// the others, summed to its unit. Two passes over the rows and no array per comparison but the influence.
    static func unconditionalCell(
        _ rows: PanelRows, g: Int, t: Int, periods: (base: Int, now: Int), periodRows: [[Int]], units n: Int, isControl: (Int) -> Bool,
        comparison: Comparison
    ) throws -> Estimate {
        // Parts: 0 cohort before, 1 cohort after, 2 comparison before, 3 comparison after; −1 neither.
        func part(_ r: Int, after: Bool) -> Int {
            let group = rows.group[rows.unit[r]]
            if group == g { return after ? 1 : 0 }
            return isControl(group) ? (after ? 3 : 2) : -1
        }
        var weight = [Double](repeating: 0, count: 4), sum = [Double](repeating: 0, count: 4)
        for (period, after) in [(periods.base, false), (periods.now, true)] {
            for r in periodRows[period] {
                let k = part(r, after: after)
                guard k >= 0 else { continue }
                let w = rows.weights?[r] ?? 1
                weight[k] += w
                sum[k] += w * rows.outcome[r]
            }
        }
        let names = ["treated units before", "treated units after", "comparison units before", "comparison units after"]
        if let empty = weight.firstIndex(of: 0) {
            throw EstimationError.emptyCell("\(names[empty]) for cohort \(g) in \(t) (\(comparison.rawValue) comparison)")
        }
        let means = (0..<4).map { sum[$0] / weight[$0] }
        let signs: [Double] = [-1, 1, 1, -1]
        var influence = [Double](repeating: 0, count: n)
        for (period, after) in [(periods.base, false), (periods.now, true)] {
            for r in periodRows[period] {
                let k = part(r, after: after)
                guard k >= 0 else { continue }
                influence[rows.unit[r]] += signs[k] * Double(n) * (rows.weights?[r] ?? 1) * (rows.outcome[r] - means[k]) / weight[k]
            }
        }
        return Estimate(group: g, time: t, att: (means[1] - means[0]) - (means[3] - means[2]), standardError: 0, influence: influence)
    }
}

/// One comparison's rows from two periods, as DRDID's repeated cross-section estimators take them: outcome, post
/// (1 in the later period), treated (1 for the cohort), the design with its intercept (row by row, `p` columns in
/// one flat array: no array per row on panels of hundreds of thousands of rows), and the weights normalised to mean
/// 1 over these rows. Influence functions are per row, in the rows' order.
struct CrossSectionCell {
    private(set) var rows: [Int] = []
    private var y: [Double] = [], post: [Double] = [], d: [Double] = [], x: [Double] = [], w: [Double] = []
    private let p: Int

    init(covariates: Int) { p = 1 + covariates }

    var count: Int { rows.count }

    mutating func reserve(_ capacity: Int) {
        rows.reserveCapacity(capacity)
        y.reserveCapacity(capacity)
        post.reserveCapacity(capacity)
        d.reserveCapacity(capacity)
        w.reserveCapacity(capacity)
        x.reserveCapacity(capacity * p)
    }

    mutating func append(row: Int, y value: Double, post later: Double, treated: Bool, x covariates: [Double]?, weight: Double) {
        rows.append(row)
        y.append(value)
        post.append(later)
        d.append(treated ? 1 : 0)
        x.append(1)
        if let covariates { x.append(contentsOf: covariates) }
        w.append(weight)
    }

    /// Which of the four parts (treated or comparison, before or after) has no rows, if one has none.
    var emptyPart: String? {
        let parts = [
            (1.0, 0.0, "treated units before"), (1.0, 1.0, "treated units after"), (0.0, 0.0, "comparison units before"), (0.0, 1.0, "comparison units after"),
        ]
        for (treated, later, name) in parts where !(0..<count).contains(where: { d[$0] == treated && post[$0] == later }) { return name }
        return nil
    }

    private var normalisedWeights: [Double] {
        let mean = w.reduce(0, +) / Double(w.count)
        return w.map { $0 / mean }
    }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// Row i's design times a vector of p values.
    private func linear(_ i: Int, _ vector: [Double]) -> Double {
        var sum = 0.0
        for a in 0..<p { sum += x[i * p + a] * vector[a] }
        return sum
    }

    /// Σ_i weights[i]·x_i·x_iᵀ.
    private func gram(_ weights: [Double]) -> [[Double]] {
        var gram = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<count where weights[i] != 0 {
            for a in 0..<p { for b in 0..<p { gram[a][b] += weights[i] * x[i * p + a] * x[i * p + b] } }
        }
        return gram
    }

    /// Each row's factor[i]·x_i·matrix: a flat count × p array (a first step's linear representation).
    private func representation(_ factor: [Double], _ matrix: [[Double]]) -> [Double] {
        var out = [Double](repeating: 0, count: count * p)
        for i in 0..<count where factor[i] != 0 {
            for a in 0..<p {
                var sum = 0.0
                for b in 0..<p { sum += x[i * p + b] * matrix[b][a] }
                out[i * p + a] = factor[i] * sum
            }
        }
        return out
    }

    /// A flat count × p representation times a vector: one value per row.
    private func times(_ flat: [Double], _ vector: [Double]) -> [Double] {
        (0..<count).map { (i: Int) -> Double in
            var sum = 0.0
            for a in 0..<p { sum += flat[i * p + a] * vector[a] }
            return sum
        }
    }

    /// The mean over rows of weight·x, a vector over the design's columns.
    private func weightedMeanOfX(_ weights: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: p)
        for i in 0..<count where weights[i] != 0 { for a in 0..<p { sums[a] += weights[i] * x[i * p + a] } }
        return sums.map { $0 / Double(count) }
    }

    /// Weighted least squares on the rows where `mask` holds; the fitted values for every row, and each row's linear
    /// representation w·1{mask}·(y − fit)·x·(X'WX/n)⁻¹ (the regression's own influence), flat.
    private func regression(_ mask: [Bool], weights: [Double]) throws -> (fitted: [Double], influence: [Double]) {
        let masked = (0..<count).map { (i: Int) -> Double in mask[i] ? weights[i] : 0 }
        var moment = [Double](repeating: 0, count: p)
        for i in 0..<count where masked[i] != 0 { for a in 0..<p { moment[a] += masked[i] * x[i * p + a] * y[i] } }
        guard mask.lazy.filter({ $0 }).count >= p, let inverse = EventStudy.invert(gram(masked)) else {
            throw EstimationError.singularDesign(columns: ["outcome regression of a Callaway & Sant'Anna comparison"])
        }
        let beta = (0..<p).map { a in (0..<p).reduce(0) { $0 + inverse[a][$1] * moment[$1] } }
        let fitted = (0..<count).map { linear($0, beta) }
        let residualWeight = (0..<count).map { (i: Int) -> Double in masked[i] * (y[i] - fitted[i]) }
        return (fitted, representation(residualWeight, inverse.map { $0.map { $0 * Double(count) } }))
    }

    /// DRDID's reg_did_rc: the comparison units' outcome regressions before and after predict the cohort's change.
    func outcomeRegression() throws -> (Double, [Double]) {
        let w = normalisedWeights
        let before = (0..<count).map { (i: Int) -> Bool in d[i] == 0 && post[i] == 0 }
        let after = (0..<count).map { (i: Int) -> Bool in d[i] == 0 && post[i] == 1 }
        let (fitBefore, influenceBefore) = try regression(before, weights: w)
        let (fitAfter, influenceAfter) = try regression(after, weights: w)
        let wTreatPre = (0..<count).map { (i: Int) -> Double in w[i] * d[i] * (1 - post[i]) }
        let wTreatPost = (0..<count).map { (i: Int) -> Double in w[i] * d[i] * post[i] }
        let wTreat = (0..<count).map { (i: Int) -> Double in w[i] * d[i] }
        let meanPre = mean(wTreatPre), meanPost = mean(wTreatPost), meanTreat = mean(wTreat)
        let etaPre = mean((0..<count).map { (i: Int) -> Double in wTreatPre[i] * y[i] }) / meanPre
        let etaPost = mean((0..<count).map { (i: Int) -> Double in wTreatPost[i] * y[i] }) / meanPost
        let controlChange = (0..<count).map { (i: Int) -> Double in wTreat[i] * (fitAfter[i] - fitBefore[i]) }
        let etaControl = mean(controlChange) / meanTreat
        let moment = weightedMeanOfX(wTreat)
        let estimationAfter = times(influenceAfter, moment), estimationBefore = times(influenceBefore, moment)
        let influence = (0..<count).map { (i: Int) -> Double in
            let treatedPre = (wTreatPre[i] * y[i] - wTreatPre[i] * etaPre) / meanPre
            let treatedPost = (wTreatPost[i] * y[i] - wTreatPost[i] * etaPost) / meanPost
            let control = (controlChange[i] - wTreat[i] * etaControl + estimationAfter[i] - estimationBefore[i]) / meanTreat
            return treatedPost - treatedPre - control
        }
        return (etaPost - etaPre - etaControl, influence)
    }

    /// DRDID's drdid_rc (the locally efficient doubly robust estimator): outcome regressions for both groups in both
    /// periods and a logit propensity score, comparison units with propensities of 0.995 or more trimmed.
    func doublyRobust() throws -> (Double, [Double]) {
        let w = normalisedWeights, m = Double(count)
        // The logit of the cohort on the covariates over all rows (weighted), by Newton–Raphson.
        var gamma = [Double](repeating: 0, count: p)
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: p)
            var curvature = [Double](repeating: 0, count: count)
            for i in 0..<count {
                let prob = 1 / (1 + exp(-linear(i, gamma)))
                for a in 0..<p { gradient[a] += w[i] * (d[i] - prob) * x[i * p + a] }
                curvature[i] = w[i] * prob * (1 - prob)
            }
            guard let inverse = EventStudy.invert(gram(curvature)) else { throw EstimationError.singularDesign(columns: ["propensity score"]) }
            var step = 0.0
            for a in 0..<p {
                let change = (0..<p).reduce(0) { $0 + inverse[a][$1] * gradient[$1] }
                gamma[a] += change
                step = max(step, abs(change))
            }
            if step < 1e-12 { break }
        }
        let ps = (0..<count).map { (i: Int) -> Double in min(1 / (1 + exp(-linear(i, gamma))), 1 - 1e-6) }
        let trim = (0..<count).map { (i: Int) -> Double in d[i] == 1 || ps[i] < 0.995 ? 1.0 : 0.0 }
        // The information at the final (capped) propensities, inverted and scaled by the rows, as DRDID builds it.
        let information = gram((0..<count).map { (i: Int) -> Double in w[i] * ps[i] * (1 - ps[i]) })
        guard let informationInverse = EventStudy.invert(information) else { throw EstimationError.singularDesign(columns: ["propensity score"]) }
        let logitInfluence = representation((0..<count).map { (i: Int) -> Double in w[i] * (d[i] - ps[i]) }, informationInverse.map { $0.map { $0 * m } })

        func part(_ treated: Double, _ later: Double) -> [Bool] { (0..<count).map { (i: Int) -> Bool in d[i] == treated && post[i] == later } }
        let (controlPre, olsControlPre) = try regression(part(0, 0), weights: w)
        let (controlPost, olsControlPost) = try regression(part(0, 1), weights: w)
        let (treatedPre, olsTreatedPre) = try regression(part(1, 0), weights: w)
        let (treatedPost, olsTreatedPost) = try regression(part(1, 1), weights: w)
        let controlFit = (0..<count).map { (i: Int) -> Double in post[i] * controlPost[i] + (1 - post[i]) * controlPre[i] }

        let wTreatPre = (0..<count).map { (i: Int) -> Double in trim[i] * w[i] * d[i] * (1 - post[i]) }
        let wTreatPost = (0..<count).map { (i: Int) -> Double in trim[i] * w[i] * d[i] * post[i] }
        let odds = (0..<count).map { (i: Int) -> Double in trim[i] * w[i] * ps[i] * (1 - d[i]) / (1 - ps[i]) }
        let wContPre = (0..<count).map { (i: Int) -> Double in odds[i] * (1 - post[i]) }
        let wContPost = (0..<count).map { (i: Int) -> Double in odds[i] * post[i] }
        let wD = (0..<count).map { (i: Int) -> Double in trim[i] * w[i] * d[i] }
        guard [wTreatPre, wTreatPost, wContPre, wContPost].allSatisfy({ mean($0) > 0 }) else {
            throw EstimationError.emptyCell("comparison after trimming propensities of 0.995 or more")
        }
        let residual = (0..<count).map { (i: Int) -> Double in y[i] - controlFit[i] }
        let gapPost = (0..<count).map { (i: Int) -> Double in treatedPost[i] - controlPost[i] },
            gapPre = (0..<count).map { (i: Int) -> Double in treatedPre[i] - controlPre[i] }
        /// η = w·v/mean(w) per row, its mean, and its influence η − w·mean(η)/mean(w).
        func ratio(_ weights: [Double], _ values: [Double]) -> (mean: Double, influence: [Double], meanWeight: Double) {
            let meanWeight = mean(weights)
            let eta = (0..<count).map { (i: Int) -> Double in weights[i] * values[i] / meanWeight }
            let average = mean(eta)
            return (average, (0..<count).map { (i: Int) -> Double in eta[i] - weights[i] * average / meanWeight }, meanWeight)
        }
        let treatPre = ratio(wTreatPre, residual), treatPost = ratio(wTreatPost, residual)
        let contPre = ratio(wContPre, residual), contPost = ratio(wContPost, residual)
        let dPost = ratio(wD, gapPost), dt1Post = ratio(wTreatPost, gapPost), dPre = ratio(wD, gapPre), dt0Pre = ratio(wTreatPre, gapPre)
        let treatedChange: Double = treatPost.mean - treatPre.mean, controlChange: Double = contPost.mean - contPre.mean
        let efficiencyChange: Double = (dPost.mean - dt1Post.mean) - (dPre.mean - dt0Pre.mean)
        let att = treatedChange - controlChange + efficiencyChange

        // Moments of the first steps' influence (DRDID's M1, M2, M3 and the efficiency terms' moments).
        let m1Post = weightedMeanOfX((0..<count).map { (i: Int) -> Double in -wTreatPost[i] * post[i] / treatPost.meanWeight })
        let m1Pre = weightedMeanOfX((0..<count).map { (i: Int) -> Double in -wTreatPre[i] * (1 - post[i]) / treatPre.meanWeight })
        let m2Pre = weightedMeanOfX((0..<count).map { (i: Int) -> Double in wContPre[i] * (residual[i] - contPre.mean) / contPre.meanWeight })
        let m2Post = weightedMeanOfX((0..<count).map { (i: Int) -> Double in wContPost[i] * (residual[i] - contPost.mean) / contPost.meanWeight })
        let m3Post = weightedMeanOfX((0..<count).map { (i: Int) -> Double in -wContPost[i] * post[i] / contPost.meanWeight })
        let m3Pre = weightedMeanOfX((0..<count).map { (i: Int) -> Double in -wContPre[i] * (1 - post[i]) / contPre.meanWeight })
        let momentPost = weightedMeanOfX((0..<count).map { (i: Int) -> Double in wD[i] / dPost.meanWeight - wTreatPost[i] / dt1Post.meanWeight })
        let momentPre = weightedMeanOfX((0..<count).map { (i: Int) -> Double in wD[i] / dPre.meanWeight - wTreatPre[i] / dt0Pre.meanWeight })
        let logitTerm = times(logitInfluence, zip(m2Post, m2Pre).map { $0 - $1 })
        let treatedOLS = zip(times(olsControlPost, m1Post), times(olsControlPre, m1Pre)).map { $0 - $1 }
        let controlOLS = zip(times(olsControlPost, m3Post), times(olsControlPre, m3Pre)).map { $0 - $1 }
        let differencePost = zip(olsTreatedPost, olsControlPost).map { $0 - $1 }
        let differencePre = zip(olsTreatedPre, olsControlPre).map { $0 - $1 }
        let efficiencyOLS = zip(times(differencePost, momentPost), times(differencePre, momentPre)).map { $0 - $1 }
        let influence = (0..<count).map { i -> Double in
            let treated = treatPost.influence[i] - treatPre.influence[i] + treatedOLS[i]
            let control = contPost.influence[i] - contPre.influence[i] + logitTerm[i] + controlOLS[i]
            let efficiency = (dPost.influence[i] - dt1Post.influence[i]) - (dPre.influence[i] - dt0Pre.influence[i])
            return treated - control + efficiency + efficiencyOLS[i]
        }
        return (att, influence)
    }
}
