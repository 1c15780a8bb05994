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
    init(rows: PanelRows, periods: [Int], comparison: Comparison, clusterCodes: [Int]?, method: Method) throws {
        let n = rows.group.count
        guard n > 1 else { throw EstimationError.tooFewObservations(observations: n, parameters: 2) }
        if let weights = rows.weights { guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw EstimationError.badWeights } }
        let treatedGroups = Array(Set(rows.group.filter { $0 != 0 })).sorted()
        guard !treatedGroups.isEmpty else { throw EstimationError.noVariation(column: "treatment (no unit is ever treated)") }
        let index = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var rowsOfPeriod = [[Int]](repeating: [], count: periods.count)
        for r in rows.unit.indices { rowsOfPeriod[rows.period[r]].append(r) }
        var estimates: [Estimate] = []
        for g in treatedGroups {
            guard let gIndex = index[g], gIndex > 0 else { continue }
            for (tIndex, t) in periods.enumerated() {
                let base = t >= g ? gIndex - 1 : tIndex - 1
                guard base >= 0, base != tIndex else { continue }
                let later = periods[max(tIndex, base)]
                var cell = CrossSectionCell()
                for (period, post) in [(base, 0.0), (tIndex, 1.0)] {
                    for r in rowsOfPeriod[period] {
                        let unitGroup = rows.group[rows.unit[r]]
                        let treated = unitGroup == g
                        guard treated || unitGroup == 0 || (comparison == .notYetTreated && unitGroup > later) else { continue }
                        cell.append(row: r, y: rows.outcome[r], post: post, treated: treated, x: rows.covariates?[r], weight: rows.weights?[r] ?? 1)
                    }
                }
                if let empty = cell.emptyPart {
                    throw EstimationError.emptyCell("\(empty) for cohort \(g) in \(t) (\(comparison.rawValue) comparison)")
                }
                let (att, rowInfluence) = method == .doublyRobust ? try cell.doublyRobust() : try cell.outcomeRegression()
                var influence = [Double](repeating: 0, count: n)
                let scale = Double(n) / Double(cell.count)
                for (position, r) in cell.rows.enumerated() { influence[rows.unit[r]] += scale * rowInfluence[position] }
                estimates.append(Estimate(group: g, time: t, att: att, standardError: 0, influence: influence))
            }
        }
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
        // Each unit's weight in the aggregations: the mean of its rows' weights (did's, for unbalanced panels).
        var unitWeights = [Double](repeating: 1, count: n)
        if let weights = rows.weights {
            var sums = [Double](repeating: 0, count: n), counts = [Double](repeating: 0, count: n)
            for r in rows.unit.indices {
                sums[rows.unit[r]] += weights[r]
                counts[rows.unit[r]] += 1
            }
            unitWeights = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        }
        let groupValues = Array(Set(rows.group)).sorted()
        let codeOfGroup = Dictionary(uniqueKeysWithValues: groupValues.enumerated().map { ($1, $0) })
        let groupCode = rows.group.map { codeOfGroup[$0]! }
        var shares = [Double](repeating: 0, count: groupValues.count)
        for u in 0..<n { shares[groupCode[u]] += unitWeights[u] }
        groupShares = Dictionary(uniqueKeysWithValues: treatedGroups.map { ($0, shares[codeOfGroup[$0]!] / Double(n)) })
        self.groupCode = groupCode
        self.codeOfGroup = codeOfGroup
        self.unitWeights = unitWeights
        usesSurveyWeights = rows.weights != nil
        self.estimates = estimates.map {
            Estimate(
                group: $0.group, time: $0.time, att: $0.att, standardError: Self.standardError($0.influence, clusterIndex: clusterCodes),
                influence: $0.influence)
        }
    }
}

/// One comparison's rows from two periods, as DRDID's repeated cross-section estimators take them: outcome, post
/// (1 in the later period), treated (1 for the cohort), the design with its intercept, and the weights normalised
/// to mean 1 over these rows. Influence functions are per row, in the rows' order.
struct CrossSectionCell {
    private(set) var rows: [Int] = []
    private var y: [Double] = [], post: [Double] = [], d: [Double] = [], x: [[Double]] = [], w: [Double] = []

    var count: Int { rows.count }

    mutating func append(row: Int, y value: Double, post later: Double, treated: Bool, x covariates: [Double]?, weight: Double) {
        rows.append(row)
        y.append(value)
        post.append(later)
        d.append(treated ? 1 : 0)
        x.append([1] + (covariates ?? []))
        w.append(weight)
    }

    /// Which of the four parts (treated or comparison, before or after) has no rows, if one has none.
    var emptyPart: String? {
        for (treated, later, name) in [
            (1.0, 0.0, "treated units before"), (1.0, 1.0, "treated units after"), (0.0, 0.0, "comparison units before"), (0.0, 1.0, "comparison units after"),
        ]
        where !zip(d, post).contains(where: { $0 == treated && $1 == later }) {
            return name
        }
        return nil
    }

    private var normalisedWeights: [Double] {
        let mean = w.reduce(0, +) / Double(w.count)
        return w.map { $0 / mean }
    }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// Weighted least squares on the rows where `mask` holds; the fitted values for every row, and each row's linear
    /// representation w·1{mask}·(y − fit)·x·(X'WX/n)⁻¹ (the regression's own influence).
    private func regression(_ mask: [Bool], weights: [Double]) throws -> (fitted: [Double], influence: [[Double]]) {
        let p = x[0].count, m = Double(count)
        var gram = [[Double]](repeating: [Double](repeating: 0, count: p), count: p), moment = [Double](repeating: 0, count: p)
        for i in 0..<count where mask[i] {
            for a in 0..<p {
                moment[a] += weights[i] * x[i][a] * y[i]
                for b in 0..<p { gram[a][b] += weights[i] * x[i][a] * x[i][b] }
            }
        }
        guard mask.filter({ $0 }).count >= p, let inverse = EventStudy.invert(gram) else {
            throw EstimationError.singularDesign(columns: ["outcome regression of a Callaway & Sant'Anna comparison"])
        }
        let beta = (0..<p).map { a in (0..<p).reduce(0) { $0 + inverse[a][$1] * moment[$1] } }
        let fitted = x.map { row in zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 } }
        let scaled = inverse.map { $0.map { $0 * m } }
        let influence = (0..<count).map { i -> [Double] in
            guard mask[i] else { return [Double](repeating: 0, count: p) }
            let factor = weights[i] * (y[i] - fitted[i])
            return (0..<p).map { a in (0..<p).reduce(0) { $0 + factor * x[i][$1] * scaled[$1][a] } }
        }
        return (fitted, influence)
    }

    /// Σ_a rows[i][a]·vector[a] for each row.
    private func times(_ rows: [[Double]], _ vector: [Double]) -> [Double] { rows.map { zip($0, vector).reduce(0) { $0 + $1.0 * $1.1 } } }

    /// The mean over rows of weight·x, a vector over the design's columns.
    private func weightedMeanOfX(_ weights: [Double]) -> [Double] {
        let p = x[0].count
        var sums = [Double](repeating: 0, count: p)
        for i in 0..<count { for a in 0..<p { sums[a] += weights[i] * x[i][a] } }
        return sums.map { $0 / Double(count) }
    }

    /// DRDID's reg_did_rc: the comparison units' outcome regressions before and after predict the cohort's change.
    func outcomeRegression() throws -> (Double, [Double]) {
        let w = normalisedWeights
        let before = (0..<count).map { (i: Int) -> Bool in d[i] == 0 && post[i] == 0 },
            after = (0..<count).map { (i: Int) -> Bool in d[i] == 0 && post[i] == 1 }
        let (fitBefore, influenceBefore) = try regression(before, weights: w)
        let (fitAfter, influenceAfter) = try regression(after, weights: w)
        let wTreatPre = (0..<count).map { (i: Int) -> Double in w[i] * d[i] * (1 - post[i]) },
            wTreatPost = (0..<count).map { (i: Int) -> Double in w[i] * d[i] * post[i] }
        let wTreat = (0..<count).map { (i: Int) -> Double in w[i] * d[i] }
        let meanPre = mean(wTreatPre), meanPost = mean(wTreatPost), meanTreat = mean(wTreat)
        let etaPre = mean((0..<count).map { (i: Int) -> Double in wTreatPre[i] * y[i] }) / meanPre
        let etaPost = mean((0..<count).map { (i: Int) -> Double in wTreatPost[i] * y[i] }) / meanPost
        let controlChange = (0..<count).map { (i: Int) -> Double in wTreat[i] * (fitAfter[i] - fitBefore[i]) }
        let etaControl = mean(controlChange) / meanTreat
        let moment = weightedMeanOfX(wTreat)
        let estimationAfter = times(influenceAfter, moment), estimationBefore = times(influenceBefore, moment)
        let influence = (0..<count).map { i in
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
        let w = normalisedWeights, p = x[0].count, m = Double(count)
        // The logit of the cohort on the covariates over all rows (weighted), by Newton–Raphson.
        var gamma = [Double](repeating: 0, count: p)
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            for i in 0..<count {
                let prob = 1 / (1 + exp(-zip(x[i], gamma).reduce(0) { $0 + $1.0 * $1.1 }))
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
            if step < 1e-12 { break }
        }
        let ps = x.map { row in min(1 / (1 + exp(-zip(row, gamma).reduce(0) { $0 + $1.0 * $1.1 })), 1 - 1e-6) }
        let trim = (0..<count).map { (i: Int) -> Double in d[i] == 1 || ps[i] < 0.995 ? 1.0 : 0.0 }
        // The information at the final (capped) propensities, inverted and scaled by the rows, as DRDID builds it.
        var information = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<count { for a in 0..<p { for b in 0..<p { information[a][b] += w[i] * ps[i] * (1 - ps[i]) * x[i][a] * x[i][b] } } }
        guard let informationInverse = EventStudy.invert(information) else { throw EstimationError.singularDesign(columns: ["propensity score"]) }
        let hessianPS = informationInverse.map { $0.map { $0 * m } }
        let logitInfluence = (0..<count).map { (i: Int) -> [Double] in
            let score: Double = w[i] * (d[i] - ps[i])
            return (0..<p).map { (a: Int) -> Double in (0..<p).reduce(0.0) { (sum: Double, b: Int) in sum + score * x[i][b] * hessianPS[b][a] } }
        }

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
        let differencePost = zip(olsTreatedPost, olsControlPost).map { zip($0, $1).map { $0 - $1 } }
        let differencePre = zip(olsTreatedPre, olsControlPre).map { zip($0, $1).map { $0 - $1 } }
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
