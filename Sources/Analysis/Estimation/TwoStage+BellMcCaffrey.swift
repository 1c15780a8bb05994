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
/// `maximumClusterRows`. With survey weights both stages are weighted least squares: F = K S W (K with the weighted
/// sizes), H₂ = X₂(X₂′WX₂)⁻¹X₂′W, and (I − F)(I − F)′ keeps K S W² S K, which is K itself only without weights; the working
/// model stays independent errors of equal variance, as clubSandwich's default for a weighted least-squares fit.
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
                share[effects.unit[i], default: [Double](repeating: 0, count: t)][column] += effects.weight[i]
            }
            // S = diag(period sizes) − Σ_u N_u N_u′ / n_u, the Schur complement of the unit block.
            var s = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
            for (period, column) in periodColumn { s[column][column] = effects.periodSize[period] }
            for (u, counts) in share.sorted(by: { $0.key < $1.key }) {
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
            // For K S W² S K: per unit Σw²/n_u² and Σ w² f / n_u over its untreated rows, and Φ = Σ w² f f′ over all of them.
            let r = features[stage.rows.first ?? 0].count
            var squares = [Double](repeating: 0, count: effects.unitSize.count)
            var carry = [[Double]](repeating: [Double](repeating: 0, count: r), count: effects.unitSize.count)
            var phi = [[Double]](repeating: [Double](repeating: 0, count: r), count: r)
            for i in effects.untreatedRows {
                let u = effects.unit[i], w2 = effects.weight[i] * effects.weight[i], size = effects.unitSize[u]
                squares[u] += w2 / (size * size)
                for a in 0..<r {
                    carry[u][a] += w2 * features[i][a] / size
                    for b in 0..<r { phi[a][b] += w2 * features[i][a] * features[i][b] }
                }
            }
            (unitSquares, unitCarry, self.phi) = (squares, carry, phi)
        }

        let unitSquares: [Double], unitCarry: [[Double]], phi: [[Double]]

        /// [K S W² S K]_ab, S the untreated rows, W the weights (K itself without weights, as K S K = K).
        func squaredEntry(_ a: Int, _ b: Int) -> Double {
            let fa = features[a], fb = features[b], ua = unitOf[a], ub = unitOf[b]
            var value = ua == ub ? unitSquares[ua] : 0
            for c in fa.indices {
                value += fa[c] * unitCarry[ub][c] + unitCarry[ua][c] * fb[c]
                for d in fb.indices { value += fa[c] * phi[c][d] * fb[d] }
            }
            return value
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
        let w = stage.effects.weight
        // s∘w: the weight of each untreated row, zero on treated rows (F = K S W).
        let sw = (0..<n).map { stage.effects.untreated[$0] ? w[$0] : 0 }
        // H₂ = X₂ Q X₂′W, Q = (X₂′WX₂)⁻¹ over the rows.
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k2), count: k2)
        for i in rows {
            for a in 0..<k2 where secondStage[a][i] != 0 { for b in 0..<k2 { gram[a][b] += secondStage[a][i] * w[i] * secondStage[b][i] } }
        }
        guard let q = k2 == 0 ? [] : EventStudy.invert(gram) else { throw EstimationError.singularDesign(columns: ["the second stage's columns"]) }
        // X₂ Q X₂′ v.
        func secondFit(_ v: [Double]) -> [Double] {
            let xv = (0..<k2).map { a in rows.reduce(0.0) { $0 + secondStage[a][$1] * v[$1] } }
            let b = (0..<k2).map { a in (0..<k2).reduce(0.0) { $0 + q[a][$1] * xv[$1] } }
            var out = [Double](repeating: 0, count: n)
            for i in rows { for a in 0..<k2 where secondStage[a][i] != 0 { out[i] += secondStage[a][i] * b[a] } }
            return out
        }
        func project(_ v: [Double]) -> [Double] {  // (I − H₂) v
            let fitted = secondFit(zip(w, v).map { $0 * $1 })
            return (0..<n).map { v[$0] - fitted[$0] }
        }
        // M v = (I − F)(I − F)′ v = v − K(s w v) − s w (K v) + K(s w² K v).
        func m(_ v: [Double]) -> [Double] {
            let kv = hat.apply(v, rows: rows), ksv = hat.apply(zip(sw, v).map { $0 * $1 }, rows: rows)
            let kk = hat.apply((0..<n).map { sw[$0] * sw[$0] * kv[$0] }, rows: rows)
            var out = [Double](repeating: 0, count: n)
            for i in rows { out[i] = v[i] - ksv[i] - sw[i] * kv[i] + kk[i] }
            return out
        }
        // R′v = (I − F)′(I − H₂)′v: u = v − W X₂ Q X₂′v, then u − s w (K u).
        func rTranspose(_ v: [Double]) -> [Double] {
            let fitted = secondFit(v)
            let u = (0..<n).map { v[$0] - w[$0] * fitted[$0] }
            let ku = hat.apply(u, rows: rows)
            var out = [Double](repeating: 0, count: n)
            for i in rows { out[i] = u[i] - sw[i] * ku[i] }
            return out
        }
        var e = [Double](repeating: 0, count: n)
        for i in rows { e[i] = stage.adjusted(i) }
        e = project(e)
        // M W X₂ and X₂′W M W X₂, for H₂ M, M H₂′ and H₂ M H₂′.
        let mx = secondStage.map { column in m(zip(w, column).map { $0 * $1 }) }
        let xmx = (0..<k2).map { a in (0..<k2).map { b in rows.reduce(0.0) { $0 + secondStage[a][$1] * w[$1] * mx[b][$1] } } }
        let qxmxq = BellMcCaffrey.multiply(BellMcCaffrey.multiply(q, xmx), q)
        let d = directions.count
        var scores = [[Double]](repeating: [Double](repeating: 0, count: d), count: clusterCount)
        var adjustedDirections = [[[Double]]](repeating: [], count: clusterCount)  // per cluster: A_h w_h for each direction
        for h in used {
            let r = members[h], size = r.count
            // B_h = M_hh − X₂h Q (MWX₂)_h′ − (MWX₂)_h Q X₂h′ + X₂h Q X₂′WMWX₂ Q X₂h′.
            let x2 = r.map { i in (0..<k2).map { secondStage[$0][i] } }, mx2 = r.map { i in (0..<k2).map { mx[$0][i] } }
            let qx2 = x2.map { BellMcCaffrey.apply(q, $0) }
            let outer = x2.map { BellMcCaffrey.apply(qxmxq, $0) }
            var b = [Double](repeating: 0, count: size * size)
            for a in 0..<size {
                for c in a..<size {
                    let i = r[a], j = r[c]
                    var value = (a == c ? 1.0 : 0.0) - hat.entry(i, j) * (sw[i] + sw[j]) + hat.squaredEntry(i, j)
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
