import Foundation

/// CR2 (Bell and McCaffrey 2002) for the estimators that are linear in the outcome but not one least-squares fit: Gardner's
/// two-stage DiD and the imputation estimator. Both are β̂ = W′y with residuals e = R y, R = (I − H₂)(I − F): F the first
/// stage's fitted values (unit and period effects and covariates from the untreated rows, carried to every row), H₂ the
/// projection onto the second stage's columns (the treatment or event-time dummies for two-stage; the treated cohort ×
/// period cells, whose averages the conservative residuals take out, for imputation). Bell and McCaffrey's principle, as
/// Pustejovsky and Tipton (2018) state it for any working model: adjust each cluster's residuals so that the sandwich is
/// unbiased when errors are independent with equal variance. Each cluster's residuals are multiplied by A_h = B_h^(+½),
/// B_h = (R R′)_hh their covariance under that model. Unlike least squares with absorbed unit effects, W_h has a part
/// in B_h's null space: a unit's untreated residuals sum to zero, yet the mean of its untreated errors moves the estimate
/// (through its imputed unit effect). No residual reveals that part, and plain CR2 would fall short by it (the coverage
/// study: 89% where 95% was asked, with 40 districts). So each cluster's adjusted weights are scaled by √(|W_h|²/|PW_h|²),
/// P the projection on B_h's range, which makes each cluster's term exactly unbiased under the working model
/// (E = σ²|W_h|²), as CR2 is for least squares. Without the adjustment the sum is did2s's GMM variance (no small-sample
/// factor) whenever the second stage's columns are zero on untreated rows. Degrees of freedom are Satterthwaite's for each
/// estimate: with q_h = R′(scaled A_h W_h), ν = (Σ_h |q_h|²)² / Σ_{g,h} (q_g·q_h)², clubSandwich's formula.
///
/// The first stage's hat matrix is formed in closed form: with the untreated rows' unit sizes n_u, period sizes and
/// unit-by-period counts, K = X₁(X₁₀′X₁₀)⁻¹X₁′ is δ(unit)/n_u plus a rank (periods − 1 + covariates) part, so each
/// cluster's block costs n_h² times that rank, and B_h is decomposed as an n_h×n_h matrix: clusters are limited to
/// `maximumClusterRows`. Unweighted only: survey weights are refused, as for the other CR2 fits.
enum LinearBellMcCaffrey {
    static let maximumClusterRows = 800

    struct Result {
        /// The estimates' covariance, in the order of the directions given.
        let covariance: [[Double]]
        /// Satterthwaite degrees of freedom of each estimate.
        let degreesOfFreedom: [Double]
    }

    /// The first stage's hat matrix K over the rows it reaches, as δ(same unit)/n_u + f_a·f_b.
    struct FirstStageHat {
        let unitOf: [Int], unitSize: [Double]
        /// Each row's feature vector (empty for rows the first stage does not reach).
        let features: [[Double]]

        init(_ stage: FirstStage) throws {
            let effects = stage.effects
            let n = stage.y.count
            let periods = effects.periodSize.indices.filter { effects.periodSize[$0] > 0 }
            // Period dummies for every period but the first the stage reaches (the constant sits in the unit effects).
            let periodColumn = Dictionary(uniqueKeysWithValues: periods.dropFirst().enumerated().map { ($1, $0) })
            let t = periodColumn.count
            // N_u: each unit's untreated rows by period column; a_u = N_u / n_u.
            var share = [Int: [Double]]()
            for i in effects.untreatedRows {
                guard let column = periodColumn[effects.period[i]] else { continue }
                share[effects.unit[i], default: [Double](repeating: 0, count: t)][column] += 1
            }
            // S = diag(period sizes) − Σ_u N_u N_u′ / n_u, the Schur complement of the unit block.
            var s = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
            for (period, column) in periodColumn { s[column][column] = effects.periodSize[period] }
            for (u, counts) in share {
                let size = effects.unitSize[u]
                for a in 0..<t where counts[a] != 0 { for b in 0..<t where counts[b] != 0 { s[a][b] -= counts[a] * counts[b] / size } }
                share[u] = counts.map { $0 / size }
            }
            var root: [[Double]] = []
            if t > 0 {
                guard let inverse = EventStudy.invert(s) else {
                    throw EstimationError.singularDesign(columns: ["the period effects of the untreated unit-periods"])
                }
                root = Cholesky.lower(inverse)
            }
            // The covariates' part: their residuals on the dummies (their own first stage), with the residual Gram's root.
            let covariateRoot = stage.residualGramInverse.isEmpty ? [] : Cholesky.lower(stage.residualGramInverse)
            var features = [[Double]](repeating: [], count: n)
            for i in stage.rows {
                // φ = a_u − e_t: the row's dummies net of what its unit's untreated rows give the period effects.
                var phi = share[effects.unit[i]] ?? [Double](repeating: 0, count: t)
                if let column = periodColumn[effects.period[i]] { phi[column] -= 1 }
                var f = (0..<t).map { c in (c..<t).reduce(0.0) { $0 + root[$1][c] * phi[$1] } }
                let z = stage.covariates.indices.map { stage.covariateEffects[$0].adjusted(i, stage.covariates[$0][i]) }
                f += covariateRoot.indices.map { c in (c..<covariateRoot.count).reduce(0.0) { $0 + covariateRoot[$1][c] * z[$1] } }
                features[i] = f
            }
            (unitOf, unitSize, self.features) = (effects.unit, effects.unitSize, features)
        }

        func entry(_ a: Int, _ b: Int) -> Double {
            (unitOf[a] == unitOf[b] ? 1 / unitSize[unitOf[a]] : 0) + zip(features[a], features[b]).reduce(0.0) { $0 + $1.0 * $1.1 }
        }

        /// K x over the given rows (x zero elsewhere).
        func apply(_ x: [Double], rows: [Int]) -> [Double] {
            var unitSum = [Double](repeating: 0, count: unitSize.count)
            var total = [Double](repeating: 0, count: rows.first.map { features[$0].count } ?? 0)
            for i in rows where x[i] != 0 {
                unitSum[unitOf[i]] += x[i]
                for c in total.indices { total[c] += features[i][c] * x[i] }
            }
            var out = [Double](repeating: 0, count: x.count)
            for i in rows { out[i] = unitSum[unitOf[i]] / unitSize[unitOf[i]] + zip(features[i], total).reduce(0.0) { $0 + $1.0 * $1.1 } }
            return out
        }
    }

    /// `secondStage`: the columns H₂ projects onto (over every input row); `directions`: each estimate's weights on the
    /// outcomes (β̂ = w′y, over every input row). `adjusted: false` leaves the residuals as they are (A_h = I), for the
    /// tests that compare with the GMM variance.
    static func compute(
        stage: FirstStage, secondStage: [[Double]], directions: [[Double]], cluster: [Int], clusterCount: Int, adjusted: Bool = true
    ) throws -> Result {
        let rows = stage.rows, n = stage.y.count, k2 = secondStage.count
        var members = [[Int]](repeating: [], count: clusterCount)
        for i in rows { members[cluster[i]].append(i) }
        if let largest = members.map(\.count).max(), largest > maximumClusterRows {
            throw EstimationError.clusterTooLargeForCR2(rows: largest, limit: maximumClusterRows)
        }
        let used = members.indices.filter { !members[$0].isEmpty }
        let hat = try FirstStageHat(stage)
        let s = (0..<n).map { stage.effects.untreated[$0] ? 1.0 : 0.0 }
        // H₂'s pieces: Q = (X₂′X₂)⁻¹ over the rows.
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k2), count: k2)
        for i in rows { for a in 0..<k2 where secondStage[a][i] != 0 { for b in 0..<k2 { gram[a][b] += secondStage[a][i] * secondStage[b][i] } } }
        guard let q = k2 == 0 ? [] : EventStudy.invert(gram) else { throw EstimationError.singularDesign(columns: ["the second stage's columns"]) }
        func project(_ v: [Double]) -> [Double] {  // (I − H₂) v
            let xv = (0..<k2).map { a in rows.reduce(0.0) { $0 + secondStage[a][$1] * v[$1] } }
            let b = (0..<k2).map { a in (0..<k2).reduce(0.0) { $0 + q[a][$1] * xv[$1] } }
            var out = v
            for i in rows { for a in 0..<k2 where secondStage[a][i] != 0 { out[i] -= secondStage[a][i] * b[a] } }
            return out
        }
        // M v = (I − F)(I − F)′ v: v + (1 − s)∘K v − K(s∘v).
        func m(_ v: [Double]) -> [Double] {
            let kv = hat.apply(v, rows: rows), ksv = hat.apply(zip(s, v).map { $0 * $1 }, rows: rows)
            var out = [Double](repeating: 0, count: n)
            for i in rows { out[i] = v[i] + (1 - s[i]) * kv[i] - ksv[i] }
            return out
        }
        // R′v = (I − F)′(I − H₂) v, with F = K S and K symmetric: u − s∘K u.
        func rTranspose(_ v: [Double]) -> [Double] {
            let u = project(v)
            let ku = hat.apply(u, rows: rows)
            var out = [Double](repeating: 0, count: n)
            for i in rows { out[i] = u[i] - s[i] * ku[i] }
            return out
        }
        var e = [Double](repeating: 0, count: n)
        for i in rows { e[i] = stage.adjusted(i) }
        e = project(e)
        let mx = secondStage.map(m)
        let xmx = (0..<k2).map { a in (0..<k2).map { b in rows.reduce(0.0) { $0 + secondStage[a][$1] * mx[b][$1] } } }
        let qxmxq = BellMcCaffrey.multiply(BellMcCaffrey.multiply(q, xmx), q)
        let d = directions.count
        var scores = [[Double]](repeating: [Double](repeating: 0, count: d), count: clusterCount)
        var adjustedDirections = [[[Double]]](repeating: [], count: clusterCount)  // per cluster: A_h w_h for each direction
        for h in used {
            let r = members[h], size = r.count
            // B_h = M_hh − X₂h Q (MX₂)_h′ − (MX₂)_h Q X₂h′ + X₂h Q X₂′MX₂ Q X₂h′.
            let x2 = r.map { i in (0..<k2).map { secondStage[$0][i] } }, mx2 = r.map { i in (0..<k2).map { mx[$0][i] } }
            let qx2 = x2.map { BellMcCaffrey.apply(q, $0) }
            let outer = x2.map { BellMcCaffrey.apply(qxmxq, $0) }
            var b = [Double](repeating: 0, count: size * size)
            for a in 0..<size {
                for c in a..<size {
                    let i = r[a], j = r[c]
                    var value = (a == c ? 1.0 : 0.0) + hat.entry(i, j) * (1 - s[i] - s[j])
                    for l in 0..<k2 { value += -qx2[a][l] * mx2[c][l] - mx2[a][l] * qx2[c][l] + x2[a][l] * outer[c][l] }
                    b[a * size + c] = value
                    b[c * size + a] = value
                }
            }
            let eh = r.map { e[$0] }
            if adjusted {
                // A_h w = V f(Λ) V′w, f the inverse root on the eigenvalues that are not zero (the symmetric pseudo-inverse
                // root), times √(|w|² / |Pw|²), P the projection on B_h's range: the part of w no residual can reveal.
                let (values, vectors) = SymmetricEigen.tridiagonalQL(b, n: size)
                let largest = values.map(abs).max() ?? 0
                let root = values.map { $0 > 1e-12 * max(largest, 1) ? 1 / $0.squareRoot() : 0 }
                adjustedDirections[h] = directions.map { w in
                    var rotated = [Double](repeating: 0, count: size)
                    for a in 0..<size where w[r[a]] != 0 { for c in 0..<size { rotated[c] += vectors[a * size + c] * w[r[a]] } }
                    var full = 0.0, seen = 0.0
                    for c in 0..<size {
                        full += rotated[c] * rotated[c]
                        if root[c] > 0 { seen += rotated[c] * rotated[c] }
                    }
                    let factor = seen > 0 ? (full / seen).squareRoot() : 1
                    for c in 0..<size { rotated[c] *= root[c] * factor }
                    return (0..<size).map { a in (0..<size).reduce(0.0) { $0 + vectors[a * size + $1] * rotated[$1] } }
                }
            } else {
                adjustedDirections[h] = directions.map { w in r.map { w[$0] } }
            }
            for j in 0..<d { scores[h][j] = zip(adjustedDirections[h][j], eh).reduce(0.0) { $0 + $1.0 * $1.1 } }
        }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for h in used { for a in 0..<d { for b in 0..<d { covariance[a][b] += scores[h][a] * scores[h][b] } } }
        let degrees = (0..<d).map { j -> Double in
            let qs = used.map { h -> [Double] in
                var padded = [Double](repeating: 0, count: n)
                for (position, i) in members[h].enumerated() { padded[i] = adjustedDirections[h][j][position] }
                return rTranspose(padded)
            }
            var total = 0.0, squares = 0.0
            for a in qs.indices {
                for c in a..<qs.count {
                    let cross = rows.reduce(0.0) { $0 + qs[a][$1] * qs[c][$1] }
                    if a == c {
                        total += cross
                        squares += cross * cross
                    } else {
                        squares += 2 * cross * cross
                    }
                }
            }
            return squares > 0 ? total * total / squares : .nan
        }
        return Result(covariance: covariance, degreesOfFreedom: degrees)
    }
}
