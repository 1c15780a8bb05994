import Foundation

/// CR2 cluster-robust standard errors (Bell and McCaffrey 2002) with Satterthwaite degrees of freedom per
/// coefficient, as R's clubSandwich computes them for a least-squares fit with the identity working model
/// (Pustejovsky and Tipton 2018).
///
/// Each cluster's residuals are adjusted by A_g = (I − H_gg)^(−1/2) before the sandwich. H_gg = X_g M X_g′ is n_g×n_g,
/// but it has rank at most k, so everything reduces to k×k algebra: with B_g = M^½ X_g′X_g M^½ = V Λ V′, the adjusted
/// score is X_g′A_g e_g = M^(−½) V (I − Λ)^(−½) V′ M^½ X_g′e_g, and the Satterthwaite sums need only V, Λ and M.
/// Eigenvalues of 1 (a cluster that alone determines a direction, as a cluster-level dummy) are dropped, as the
/// symmetric pseudo-inverse square root does in clubSandwich.
enum BellMcCaffrey {
    struct Result {
        let covariance: [[Double]]
        /// Satterthwaite degrees of freedom of each coefficient.
        let degreesOfFreedom: [Double]
        /// Satterthwaite degrees of freedom of each contrast c′β asked for (clubSandwich's `linear_contrast`).
        var contrastDegreesOfFreedom: [Double] = []
    }

    /// Unweighted least squares: `bread` is (X′X)⁻¹, `cluster` codes the rows 0..<clusterCount; `contrasts` are
    /// linear combinations of the coefficients whose degrees of freedom are wanted too.
    static func compute(x: [[Double]], e: [Double], bread m: [[Double]], cluster: [Int], clusterCount g: Int, contrasts: [[Double]] = []) -> Result {
        let k = m.count
        // Per cluster: X_g′X_g and X_g′e_g.
        var gram = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: k), count: k), count: g)
        var score = [[Double]](repeating: [Double](repeating: 0, count: k), count: g)
        for i in x.indices {
            let c = cluster[i], row = x[i]
            for a in 0..<k {
                score[c][a] += row[a] * e[i]
                for b in a..<k { gram[c][a][b] += row[a] * row[b] }
            }
        }
        let (mValues, mVectors) = SymmetricEigen.decompose(m)
        let half = SymmetricEigen.compose(mVectors, mValues.map { max($0, 0).squareRoot() })
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        // The directions whose degrees of freedom are wanted: each coefficient, then each contrast; M^½ c for each.
        let directions = (0..<k).map { j in (0..<k).map { $0 == j ? 1.0 : 0.0 } } + contrasts
        let halfDirections = directions.map { apply(half, $0) }
        let d = directions.count
        // For the degrees of freedom: per cluster and direction j, |w_g|² and t_g (k numbers).
        var wSquared = [[Double]](repeating: [Double](repeating: 0, count: g), count: d)
        var t = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: k), count: g), count: d)
        for c in 0..<g {
            for a in 0..<k { for b in 0..<a { gram[c][a][b] = gram[c][b][a] } }
            let b = multiply(multiply(half, gram[c]), half)
            let (lambda, v) = SymmetricEigen.decompose(b)
            let factor = lambda.map { $0 < 1 - 1e-10 ? 1 / (1 - max($0, 0)).squareRoot() : 0 }
            // M·(adjusted score) = M^½ V diag(factor) V′ M^½ r_g.
            let whitened = apply(half, score[c])
            let rotated = (0..<k).map { i in (0..<k).reduce(0) { $0 + v[$1][i] * whitened[$1] } * factor[i] }
            let back = (0..<k).map { a in (0..<k).reduce(0) { $0 + v[a][$1] * rotated[$1] } }
            let adjusted = apply(half, back)
            for a in 0..<k { for bb in 0..<k { meat[a][bb] += adjusted[a] * adjusted[bb] } }
            for j in 0..<d {
                // p = V′ M^(−½) M c = V′ M^½ c (for a coefficient, column j of M^½).
                let p = (0..<k).map { i in (0..<k).reduce(0) { $0 + v[$1][i] * halfDirections[j][$1] } }
                var w2 = 0.0
                var q = [Double](repeating: 0, count: k)
                for i in 0..<k where lambda[i] > 0 && lambda[i] < 1 - 1e-10 {
                    w2 += lambda[i] * p[i] * p[i] / (1 - lambda[i])
                    q[i] = lambda[i] / (1 - lambda[i]).squareRoot() * p[i]
                }
                wSquared[j][c] = w2
                t[j][c] = (0..<k).map { a in (0..<k).reduce(0) { $0 + v[a][$1] * q[$1] } }
            }
        }
        let degrees = (0..<d).map { j -> Double in
            var numerator = 0.0, cross = 0.0
            var s = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            for c in 0..<g {
                let tt = t[j][c].reduce(0) { $0 + $1 * $1 }
                numerator += wSquared[j][c] - tt
                cross += wSquared[j][c] * wSquared[j][c] - 2 * wSquared[j][c] * tt
                for a in 0..<k { for b in 0..<k { s[a][b] += t[j][c][a] * t[j][c][b] } }
            }
            let frobenius = s.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
            let denominator = cross + frobenius
            return denominator > 0 ? numerator * numerator / denominator : .nan
        }
        return Result(covariance: meat, degreesOfFreedom: Array(degrees.prefix(k)), contrastDegreesOfFreedom: Array(degrees.dropFirst(k)))
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let n = a.count
        return (0..<n).map { i in (0..<n).map { j in (0..<n).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }

    static func apply(_ a: [[Double]], _ v: [Double]) -> [Double] { a.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } } }
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (k is the number of coefficients).
enum SymmetricEigen {
    /// Eigenvalues and eigenvectors (as the columns of the returned matrix).
    static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = matrix.count
        var a = matrix
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p][q] * a[p][q] } }
            let scale = (0..<n).reduce(0) { $0 + a[$1][$1] * a[$1][$1] }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let tangent = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let cosine = 1 / (tangent * tangent + 1).squareRoot(), sine = tangent * cosine
                    for r in 0..<n {
                        let rp = a[r][p], rq = a[r][q]
                        a[r][p] = cosine * rp - sine * rq
                        a[r][q] = sine * rp + cosine * rq
                    }
                    for r in 0..<n {
                        let pr = a[p][r], qr = a[q][r]
                        a[p][r] = cosine * pr - sine * qr
                        a[q][r] = sine * pr + cosine * qr
                    }
                    for r in 0..<n {
                        let rp = v[r][p], rq = v[r][q]
                        v[r][p] = cosine * rp - sine * rq
                        v[r][q] = sine * rp + cosine * rq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, v)
    }

    /// V diag(values) V′.
    static func compose(_ vectors: [[Double]], _ values: [Double]) -> [[Double]] {
        let n = vectors.count
        return (0..<n).map { i in (0..<n).map { j in (0..<n).reduce(0) { $0 + vectors[i][$1] * values[$1] * vectors[j][$1] } } }
    }
}

extension BellMcCaffrey {
    /// Weighted least squares with clubSandwich's default for a weighted `lm` (identity working model, weights not taken
    /// as inverse variances): A_g = G_g^(+½), G_g = [(I − H)(I − H)′]_gg, H = X M X′W the weighted fit's hat matrix, so
    /// that the sandwich is unbiased when the errors are independent with equal variance.
    ///
    /// With `unit`, the fit has unit effects absorbed that are nested in the clusters: `x` holds the columns net of the
    /// units' weighted means (Frisch–Waugh–Lovell) and `bread` is (X̃′WX̃)⁻¹. H = H_u + X̃MX̃′W, H_u the weighted unit means,
    /// so with Z = (I − H_u)WX̃ and Q = M X̃′W²X̃ M, G_g = [(I − H_u)(I − H_u)′]_gg − X̃_g M Z_g′ − Z_g M X̃_g′ + X̃_g Q X̃_g′, and
    /// the first block is, within a unit, δ_ij − (w_i + w_j)/W_u + Σw²/W_u². Without `unit`, H_u = 0 and Z = WX.
    /// G_g is not a low-rank change of I, so it is decomposed as an n_g×n_g matrix: clusters are limited to
    /// `maximumClusterRows` (nil beyond). Degrees of freedom are Satterthwaite's for the first `degreesFor` coefficients
    /// and each contrast.
    static let maximumClusterRows = 800

    static func computeWeighted(
        x: [[Double]], e: [Double], w: [Double], bread m: [[Double]], cluster: [Int], clusterCount g: Int, unit: [Int]? = nil,
        contrasts: [[Double]] = [], degreesFor: Int? = nil
    ) -> Result? {
        let k = m.count, n = x.count
        var rows = [[Int]](repeating: [], count: g)
        for i in 0..<n { rows[cluster[i]].append(i) }
        guard rows.allSatisfy({ $0.count <= maximumClusterRows }) else { return nil }
        // Per unit: W_u, Σw², Σ w² x̃ (for Z).
        var unitWeight: [Int: Double] = [:], unitSquares: [Int: Double] = [:], unitCarry: [Int: [Double]] = [:]
        if let unit {
            for i in 0..<n {
                unitWeight[unit[i], default: 0] += w[i]
                unitSquares[unit[i], default: 0] += w[i] * w[i]
                var sum = unitCarry[unit[i]] ?? [Double](repeating: 0, count: k)
                for a in 0..<k { sum[a] += w[i] * w[i] * x[i][a] }
                unitCarry[unit[i]] = sum
            }
        }
        let z = (0..<n).map { i -> [Double] in
            guard let u = unit?[i] else { return x[i].map { $0 * w[i] } }
            let carry = unitCarry[u]!, total = unitWeight[u]!
            return (0..<k).map { w[i] * x[i][$0] - carry[$0] / total }
        }
        // Q = M X̃′W²X̃ M.
        var xw2x = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<n { for a in 0..<k where x[i][a] != 0 { for b in 0..<k { xw2x[a][b] += x[i][a] * w[i] * w[i] * x[i][b] } } }
        let q = multiply(multiply(m, xw2x), m)
        func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
        let directions = (0..<(degreesFor ?? k)).map { j in (0..<k).map { $0 == j ? 1.0 : 0.0 } } + contrasts
        let d = directions.count
        // Each direction's M c, and per row w_i x̃_i′M c: an estimate's weight on that row's outcome.
        let mc = directions.map { apply(m, $0) }
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        // Per direction and cluster: v′G_g v, a = X̃_g′v and ζ = Z_g′v, v = A_g W_g X̃_g M c (the Satterthwaite sums).
        var own = [[Double]](repeating: [Double](repeating: 0, count: g), count: d)
        var aa = [[[Double]]](repeating: [[Double]](repeating: [], count: g), count: d), zz = aa
        for c in 0..<g {
            let members = rows[c], size = members.count
            guard size > 0 else { continue }
            let mz = members.map { apply(m, z[$0]) }, qx = members.map { apply(q, x[$0]) }
            var matrix = [Double](repeating: 0, count: size * size)
            for a in 0..<size {
                for b in a..<size {
                    let i = members[a], j = members[b]
                    var value = (a == b ? 1.0 : 0.0) - dot(x[i], mz[b]) - dot(x[j], mz[a]) + dot(x[i], qx[b])
                    if let unit, unit[i] == unit[j] {
                        let total = unitWeight[unit[i]]!
                        value += -(w[i] + w[j]) / total + unitSquares[unit[i]]! / (total * total)
                    }
                    matrix[a * size + b] = value
                    matrix[b * size + a] = value
                }
            }
            let (values, vectors) = SymmetricEigen.tridiagonalQL(matrix, n: size)
            let largest = values.map(abs).max() ?? 0
            let root = values.map { $0 > 1e-12 * max(largest, 1) ? 1 / $0.squareRoot() : 0 }
            func adjust(_ v: [Double]) -> [Double] {  // A_g v = V f(Λ) V′v
                var rotated = [Double](repeating: 0, count: size)
                for a in 0..<size where v[a] != 0 { for l in 0..<size { rotated[l] += vectors[a * size + l] * v[a] } }
                for l in 0..<size { rotated[l] *= root[l] }
                return (0..<size).map { a in (0..<size).reduce(0.0) { $0 + vectors[a * size + $1] * rotated[$1] } }
            }
            let adjusted = adjust(members.map { e[$0] })
            var score = [Double](repeating: 0, count: k)
            for (a, i) in members.enumerated() { for l in 0..<k { score[l] += x[i][l] * w[i] * adjusted[a] } }
            let scaled = apply(m, score)
            for a in 0..<k { for b in 0..<k { meat[a][b] += scaled[a] * scaled[b] } }
            for j in 0..<d {
                let v = adjust(members.map { w[$0] * dot(x[$0], mc[j]) })
                var gv = [Double](repeating: 0, count: size)
                for a in 0..<size where v[a] != 0 { for b in 0..<size { gv[b] += matrix[a * size + b] * v[a] } }
                own[j][c] = dot(v, gv)
                aa[j][c] = (0..<k).map { l in members.indices.reduce(0.0) { $0 + x[members[$1]][l] * v[$1] } }
                zz[j][c] = (0..<k).map { l in members.indices.reduce(0.0) { $0 + z[members[$1]][l] * v[$1] } }
            }
        }
        let used = (0..<g).filter { !rows[$0].isEmpty }
        let degrees = (0..<d).map { j -> Double in
            // q_c·q_d = v_c′[(I − H)(I − H)′]_cd v_d: the cluster's own block, else −a_c′Mζ_d − ζ_c′M a_d + a_c′Q a_d.
            let mzeta = used.map { apply(m, zz[j][$0]) }, qa = used.map { apply(q, aa[j][$0]) }, ma = used.map { apply(m, aa[j][$0]) }
            var total = 0.0, squares = 0.0
            for (p, c) in used.enumerated() {
                total += own[j][c]
                squares += own[j][c] * own[j][c]
                for r in used.indices where r != p {
                    let cross = -dot(aa[j][c], mzeta[r]) - dot(zz[j][c], ma[r]) + dot(aa[j][c], qa[r])
                    squares += cross * cross
                }
            }
            return squares > 0 ? total * total / squares : .nan
        }
        let wanted = degreesFor ?? k
        return Result(covariance: meat, degreesOfFreedom: Array(degrees.prefix(wanted)), contrastDegreesOfFreedom: Array(degrees.dropFirst(wanted)))
    }
}

extension SymmetricEigen {
    /// Eigen-decomposition of a symmetric n×n matrix (row-major) for the larger blocks of the linear estimators' CR2:
    /// Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson shifts, the rotations
    /// accumulated into the reduction's orthogonal matrix. O(n³) with a small constant, where cyclic Jacobi's sweeps
    /// cost several times more. Returns the eigenvalues and the eigenvectors as the columns of a row-major matrix.
    static func tridiagonalQL(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var z = [Double](repeating: 0, count: n * n)
        for i in 0..<n { z[i * n + i] = 1 }
        guard n > 1 else { return (a, z) }
        // Householder: for each column k, reflect rows k+1… so that column k below the subdiagonal vanishes.
        var v = [Double](repeating: 0, count: n), p = v
        for k in 0..<(n - 2) {
            var norm = 0.0
            for i in (k + 1)..<n { norm += a[i * n + k] * a[i * n + k] }
            norm = norm.squareRoot()
            guard norm > 0 else { continue }
            let alpha = a[(k + 1) * n + k] > 0 ? -norm : norm
            for i in 0..<n { v[i] = i > k ? a[i * n + k] : 0 }
            v[k + 1] -= alpha
            var length = 0.0
            for i in (k + 1)..<n { length += v[i] * v[i] }
            length = length.squareRoot()
            guard length > 0 else { continue }
            for i in (k + 1)..<n { v[i] /= length }
            // A ← HAH on the trailing block: A − 2(v w′ + w v′), w = p − (v′p) v, p = A v.
            var kappa = 0.0
            for i in (k + 1)..<n {
                var sum = 0.0
                for j in (k + 1)..<n { sum += a[i * n + j] * v[j] }
                p[i] = sum
                kappa += v[i] * sum
            }
            for i in (k + 1)..<n { p[i] -= kappa * v[i] }
            for i in (k + 1)..<n { for j in (k + 1)..<n { a[i * n + j] -= 2 * (v[i] * p[j] + p[i] * v[j]) } }
            for i in (k + 1)..<n {
                a[i * n + k] = i == k + 1 ? alpha : 0
                a[k * n + i] = a[i * n + k]
            }
            // Z ← Z H.
            for r in 0..<n {
                var sum = 0.0
                for j in (k + 1)..<n { sum += z[r * n + j] * v[j] }
                guard sum != 0 else { continue }
                for j in (k + 1)..<n { z[r * n + j] -= 2 * sum * v[j] }
            }
        }
        var d = (0..<n).map { a[$0 * n + $0] }
        var e = (0..<n).map { $0 + 1 < n ? a[($0 + 1) * n + $0] : 0 }
        // Implicit QL on the tridiagonal matrix (d, e), e[i] coupling d[i] and d[i + 1].
        for l in 0..<n {
            for _ in 0..<60 {
                var m = l
                while m < n - 1 {
                    let scale = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * scale { break }
                    m += 1
                }
                if m == l { break }
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = (g * g + 1).squareRoot()
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, shift = 0.0
                var i = m - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = (f * f + g * g).squareRoot()
                    e[i + 1] = r
                    if r == 0 {
                        d[i + 1] -= shift
                        e[m] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - shift
                    r = (d[i] - g) * s + 2 * c * b
                    shift = s * r
                    d[i + 1] = g + shift
                    g = c * r - b
                    for row in 0..<n {
                        let next = z[row * n + i + 1]
                        z[row * n + i + 1] = s * z[row * n + i] + c * next
                        z[row * n + i] = c * z[row * n + i] - s * next
                    }
                    i -= 1
                }
                if deflated { continue }
                d[l] -= shift
                e[l] = g
                e[m] = 0
            }
        }
        return (d, z)
    }
}
