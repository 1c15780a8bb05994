import Foundation

/// Why an estimation cannot be done, in words an analyst can act on.
public enum EstimationError: Error, Hashable, Sendable, CustomStringConvertible {
    case singularDesign(columns: [String])
    case tooFewObservations(observations: Int, parameters: Int)
    case oneCluster(column: String)
    case unsupportedStandardErrors(name: String, estimator: String, cluster: String)
    case missingClusterValues(column: String, rows: Int)
    case noVariation(column: String)
    case emptyCell(String)
    case badWeights
    case unknownCohort(value: String, unit: String, periods: [String])
    case noRows
    case unsupported(estimator: String, what: String)
    case notBinary(column: String, value: String, unit: String, period: String)
    case missingDose(column: String, unit: String, period: String)
    case doseNeedsChaisemartin(estimator: String)
    case duplicateRows(unit: String, period: String, count: Int, unitName: String, timeName: String)
    case needsPanel(estimator: String)
    case clusterTooLargeForCR2(rows: Int, limit: Int)

    public var description: String {
        switch self {
        case .singularDesign(let columns):
            "the regressors are collinear: \(columns.joined(separator: ", ")) \(columns.count == 1 ? "is" : "are") a combination of the others; drop one"
        case .tooFewObservations(let observations, let parameters):
            "\(observations) observations cannot estimate \(parameters) coefficients"
        case .oneCluster(let column): "the cluster variable \(column) has a single value; cluster-robust standard errors need several clusters"
        case .unsupportedStandardErrors(let name, let estimator, let cluster):
            "\(name) standard errors (clustered by \(cluster)) are not offered for \(estimator); use CR1 with the wild cluster bootstrap"
        case .missingClusterValues(let column, let rows): "\(rows) rows have no value of the cluster variable \(column)"
        case .noVariation(let column): "\(column) never varies in the estimation sample, so its effect cannot be estimated"
        case .emptyCell(let cell): "the \(cell) cell has no observations"
        case .badWeights: "the survey weights must be positive numbers, one per unit"
        case .noRows: "the data have no rows (only a header)"
        case .unsupported(let estimator, let what): "\(estimator) does not take \(what) yet; run it without them, or use twfe or callaway_santanna"
        case .notBinary(let column, let value, let unit, let period):
            "\(column) must be 0 or 1 in every row; unit \(unit) in \(period) has '\(value)'"
        case .doseNeedsChaisemartin(let estimator):
            "\(estimator) needs a 0/1 treatment (--treat or --cohort); a dose (--dose) is for chaisemartin_dhaultfoeuille alone"
        case .missingDose(let column, let unit, let period):
            "the dose (\(column)) must be a number in every row with the outcome; unit \(unit) in \(period) has none"
        case .duplicateRows(let unit, let period, let count, let unitName, let timeName):
            "\(count) row\(count == 1 ? " repeats" : "s repeat") a unit and period already given (first: \(unitName) \(unit), \(timeName) \(period)); a panel has one row per unit and period"
        case .clusterTooLargeForCR2(let rows, let limit):
            "CR2 here decomposes each cluster's residual covariance, one row and column per observation: a cluster has \(rows) rows, "
                + "above the limit of \(limit); leave standard_errors at conventional (the cluster jackknife and the wild cluster bootstrap)"
        case .needsPanel(let estimator):
            "\(estimator) needs a panel (units seen in several periods, for their fixed effects); from repeated cross-sections, use callaway_santanna"
        case .unknownCohort(let value, let unit, let periods):
            "cohort '\(value)' of unit \(unit) is not one of the periods (\(periods.joined(separator: ", ")))"
        }
    }
}

/// low...high when both are finite and in order; nil otherwise (an interval from a degenerate or overflowing
/// estimate is "not computed", never a trap).
func finiteRange(_ low: Double, _ high: Double) -> ClosedRange<Double>? {
    guard low.isFinite, high.isFinite, low <= high else { return nil }
    return low...high
}

/// Σ a[i]·b[i] over `range`, in four interleaved SIMD lanes (a different order of addition than a plain loop:
/// equal to rounding error, and several times faster on long columns).
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ range: Range<Int>) -> Double {
    var i = range.lowerBound
    var lanes = SIMD4<Double>(repeating: 0), more = SIMD4<Double>(repeating: 0)
    while i + 8 <= range.upperBound {
        lanes += SIMD4(a[i], a[i + 1], a[i + 2], a[i + 3]) * SIMD4(b[i], b[i + 1], b[i + 2], b[i + 3])
        more += SIMD4(a[i + 4], a[i + 5], a[i + 6], a[i + 7]) * SIMD4(b[i + 4], b[i + 5], b[i + 6], b[i + 7])
        i += 8
    }
    var sum = (lanes + more).sum()
    while i < range.upperBound {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// x[i] −= factor · v[i] over `range`.
@inline(__always)
func subtractScaled(_ x: UnsafeMutablePointer<Double>, _ factor: Double, _ v: UnsafePointer<Double>, _ range: Range<Int>) {
    for i in range { x[i] -= factor * v[i] }
}

/// A dense column-major matrix, just enough for least squares.
struct Matrix {
    let rows: Int
    let columns: Int
    var storage: [Double]

    init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = rows
        self.columns = columns
        storage = Array(repeating: value, count: rows * columns)
    }

    subscript(row: Int, column: Int) -> Double {
        get { storage[column * rows + row] }
        set { storage[column * rows + row] = newValue }
    }
}

/// Least squares by Householder QR with column pivoting: numerically stable on ill-conditioned designs (no
/// normal equations), and it finds collinear columns instead of producing nonsense.
struct QRLeastSquares {
    /// Coefficients in the original column order.
    let coefficients: [Double]
    /// (XᵀX)⁻¹ = R⁻¹R⁻ᵀ in the original column order.
    let inverseGram: [[Double]]
    let residuals: [Double]
    let fitted: [Double]

    static let blockRows = 2048

    /// The weighted design and response as they are.
    static func copied(_ x: [[Double]], _ y: [Double], roots: [Double]?, k: Int) -> (Matrix, [Double]) {
        let n = y.count
        var a = Matrix(rows: n, columns: k)
        var b = y
        a.storage.withUnsafeMutableBufferPointer { storage in
            for j in 0..<k {
                let column = x[j]
                for i in 0..<n { storage[j * n + i] = column[i] * (roots?[i] ?? 1) }
            }
        }
        if let roots { for i in 0..<n { b[i] *= roots[i] } }
        return (a, b)
    }

    /// Each block of rows replaced by R (k×k, upper triangular) and the first k entries of Q'y, from an
    /// unpivoted Householder QR of the block.
    static func reduced(_ x: [[Double]], _ y: [Double], roots: [Double]?, k: Int) -> (Matrix, [Double]) {
        let n = y.count, width = k + 1
        let blocks = (n + blockRows - 1) / blockRows
        var stacked = Matrix(rows: blocks * k, columns: k)
        var stackedY = [Double](repeating: 0, count: blocks * k)
        var block = [Double](repeating: 0, count: blockRows * width)
        block.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for (index, start) in stride(from: 0, to: n, by: blockRows).enumerated() {
                let m = min(blockRows, n - start)
                func column(_ j: Int) -> UnsafeMutablePointer<Double> { base + j * blockRows }
                for j in 0..<width {
                    let target = column(j)
                    if j < k {
                        x[j].withUnsafeBufferPointer { source in
                            for i in 0..<m { target[i] = source[start + i] * (roots?[start + i] ?? 1) }
                        }
                    } else {
                        for i in 0..<m { target[i] = y[start + i] * (roots?[start + i] ?? 1) }
                    }
                }
                for step in 0..<min(m, k) {
                    let v = column(step)
                    var alpha = dot(v, v, step..<m).squareRoot()
                    guard alpha > 0 else { continue }
                    if v[step] > 0 { alpha = -alpha }
                    v[step] -= alpha
                    let vnorm = dot(v, v, step..<m)
                    for j in (step + 1)..<width {
                        let target = column(j)
                        subtractScaled(target, 2 * dot(v, target, step..<m) / vnorm, v, step..<m)
                    }
                    // The reflected column is alpha·e1; keep R's diagonal in place.
                    v[step] = alpha
                    for i in (step + 1)..<m { v[i] = 0 }
                }
                for r in 0..<min(m, k) {
                    for j in r..<k { stacked[index * k + r, j] = column(j)[r] }
                    stackedY[index * k + r] = column(k)[r]
                }
            }
        }
        return (stacked, stackedY)
    }

    /// Solves min ||W^½(y − Xβ)||. `x` is row-major: one array per observation.
    init(x: [[Double]], y: [Double], weights: [Double]? = nil, names: [String]) throws {
        try self.init(columns: names.indices.map { j in x.map { $0[j] } }, y: y, weights: weights, names: names)
    }

    /// The same with the design given column by column (no array per observation: large panels).
    /// `blocked: false` forces the direct QR (for tests comparing the two).
    init(columns x: [[Double]], y: [Double], weights: [Double]? = nil, names: [String], blocked: Bool = true) throws {
        let observations = y.count, k = names.count
        guard observations > k else { throw EstimationError.tooFewObservations(observations: observations, parameters: k) }
        let roots = weights.map { $0.map { $0.squareRoot() } }
        // Large designs are first reduced block by block (TSQR): each block of rows, small enough to stay in
        // cache, is replaced by its k×k triangular factor and Q'y, which leaves the least-squares problem, the
        // column norms and the rank unchanged. The pivoted QR below then runs on the stacked factors.
        var (a, b) =
            blocked && observations > 4 * Self.blockRows
            ? Self.reduced(x, y, roots: roots, k: k)
            : Self.copied(x, y, roots: roots, k: k)
        let n = a.rows
        var permutation = Array(0..<k)
        var rank = k
        var diagonal = [Double](repeating: 0, count: k)
        a.storage.withUnsafeMutableBufferPointer { storage in
            b.withUnsafeMutableBufferPointer { b in
                // Column j starts at storage[j * n].
                func column(_ j: Int) -> UnsafeMutablePointer<Double> { storage.baseAddress! + j * n }
                var norms = (0..<k).map { j in dot(column(j), column(j), 0..<n) }
                let originalNorms = norms.map { $0.squareRoot() }
                for step in 0..<k {
                    // Pivot: the remaining column with the largest norm.
                    var best = step
                    for j in step..<k where norms[j] > norms[best] { best = j }
                    if best != step {
                        let x = column(step), y = column(best)
                        for i in 0..<n {
                            let t = x[i]
                            x[i] = y[i]
                            y[i] = t
                        }
                        norms.swapAt(step, best)
                        permutation.swapAt(step, best)
                    }
                    let v = column(step)
                    var alpha = dot(v, v, step..<n).squareRoot()
                    let scale = originalNorms[permutation[step]]
                    if alpha <= 1e-10 * max(scale, 1e-300) || alpha == 0 {
                        rank = step
                        return
                    }
                    if v[step] > 0 { alpha = -alpha }
                    // Householder vector v = x − alpha e1, stored in place below the diagonal.
                    v[step] -= alpha
                    let vnorm = dot(v, v, step..<n)
                    if vnorm > 0 {
                        for j in (step + 1)..<max(step + 1, k) {
                            let x = column(j)
                            subtractScaled(x, 2 * dot(v, x, step..<n) / vnorm, v, step..<n)
                        }
                        subtractScaled(b.baseAddress!, 2 * dot(v, b.baseAddress!, step..<n) / vnorm, v, step..<n)
                    }
                    diagonal[step] = alpha
                    for j in (step + 1)..<max(step + 1, k) {
                        let x = column(j)
                        norms[j] = dot(x, x, (step + 1)..<n)
                    }
                }
            }
        }
        guard rank == k else {
            throw EstimationError.singularDesign(columns: permutation[rank...].sorted().map { names[$0] })
        }
        // R: diagonal in `diagonal`, above-diagonal entries in `a`.
        func r(_ i: Int, _ j: Int) -> Double { i == j ? diagonal[i] : a[i, j] }
        var beta = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var sum = b[i]
            for j in (i + 1)..<max(i + 1, k) { sum -= r(i, j) * beta[j] }
            beta[i] = sum / r(i, i)
        }
        // R⁻¹ by back substitution, then (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ (in pivoted order).
        var inverseR = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for column in 0..<k {
            for i in stride(from: column, through: 0, by: -1) {
                var sum = i == column ? 1.0 : 0.0
                for j in (i + 1)..<max(i + 1, column + 1) { sum -= r(i, j) * inverseR[j][column] }
                inverseR[i][column] = sum / r(i, i)
            }
        }
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            for j in 0..<k {
                var sum = 0.0
                for m in max(i, j)..<k { sum += inverseR[i][m] * inverseR[j][m] }
                gram[permutation[i]][permutation[j]] = sum
            }
        }
        var ordered = [Double](repeating: 0, count: k)
        for i in 0..<k { ordered[permutation[i]] = beta[i] }
        coefficients = ordered
        inverseGram = gram
        var fitted = [Double](repeating: 0, count: observations)
        fitted.withUnsafeMutableBufferPointer { fitted in
            for j in 0..<k {
                let coefficient = ordered[j]
                x[j].withUnsafeBufferPointer { column in for i in 0..<observations { fitted[i] += column[i] * coefficient } }
            }
        }
        self.fitted = fitted
        residuals = [Double](unsafeUninitializedCapacity: observations) { residuals, initialized in
            for i in 0..<observations { residuals[i] = y[i] - fitted[i] }
            initialized = observations
        }
    }
}
