import Foundation

/// Why an estimation cannot be done, in words an analyst can act on.
public enum EstimationError: Error, Hashable, Sendable, CustomStringConvertible {
    case singularDesign(columns: [String])
    case tooFewObservations(observations: Int, parameters: Int)
    case oneCluster(column: String)
    case missingClusterValues(column: String, rows: Int)
    case noVariation(column: String)
    case emptyCell(String)
    case badWeights

    public var description: String {
        switch self {
        case .singularDesign(let columns):
            "the regressors are collinear: \(columns.joined(separator: ", ")) \(columns.count == 1 ? "is" : "are") a combination of the others; drop one"
        case .tooFewObservations(let observations, let parameters):
            "\(observations) observations cannot estimate \(parameters) coefficients"
        case .oneCluster(let column): "the cluster variable \(column) has a single value; cluster-robust standard errors need several clusters"
        case .missingClusterValues(let column, let rows): "\(rows) rows have no value of the cluster variable \(column)"
        case .noVariation(let column): "\(column) never varies in the estimation sample, so its effect cannot be estimated"
        case .emptyCell(let cell): "the \(cell) cell has no observations"
        case .badWeights: "the survey weights must be positive numbers, one per unit"
        }
    }
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

    /// Solves min ||W^½(y − Xβ)||. `x` is row-major: one array per observation.
    init(x: [[Double]], y: [Double], weights: [Double]? = nil, names: [String]) throws {
        try self.init(columns: names.indices.map { j in x.map { $0[j] } }, y: y, weights: weights, names: names)
    }

    /// The same with the design given column by column (no array per observation: large panels).
    init(columns x: [[Double]], y: [Double], weights: [Double]? = nil, names: [String]) throws {
        let n = y.count, k = names.count
        guard n > k else { throw EstimationError.tooFewObservations(observations: n, parameters: k) }
        var a = Matrix(rows: n, columns: k)
        var b = y
        let roots = weights.map { $0.map { $0.squareRoot() } }
        for j in 0..<k {
            let column = x[j]
            a.storage.withUnsafeMutableBufferPointer { storage in
                for i in 0..<n { storage[j * n + i] = column[i] * (roots?[i] ?? 1) }
            }
        }
        if let roots { for i in 0..<n { b[i] *= roots[i] } }
        var permutation = Array(0..<k)
        var rank = k
        var diagonal = [Double](repeating: 0, count: k)
        a.storage.withUnsafeMutableBufferPointer { storage in
            b.withUnsafeMutableBufferPointer { b in
                // Column j starts at storage[j * n].
                func column(_ j: Int) -> UnsafeMutablePointer<Double> { storage.baseAddress! + j * n }
                var norms = (0..<k).map { j in
                    let c = column(j)
                    var sum = 0.0
                    for i in 0..<n { sum += c[i] * c[i] }
                    return sum
                }
                let originalNorms = norms.map { $0.squareRoot() }
                for step in 0..<k {
                    // Pivot: the remaining column with the largest norm.
                    var best = step
                    for j in step..<k where norms[j] > norms[best] { best = j }
                    if best != step {
                        let x = column(step), y = column(best)
                        for i in 0..<n { let t = x[i]; x[i] = y[i]; y[i] = t }
                        norms.swapAt(step, best)
                        permutation.swapAt(step, best)
                    }
                    let v = column(step)
                    var alpha = 0.0
                    for i in step..<n { alpha += v[i] * v[i] }
                    alpha = alpha.squareRoot()
                    let scale = originalNorms[permutation[step]]
                    if alpha <= 1e-10 * max(scale, 1e-300) || alpha == 0 {
                        rank = step
                        return
                    }
                    if v[step] > 0 { alpha = -alpha }
                    // Householder vector v = x − alpha e1, stored in place below the diagonal.
                    v[step] -= alpha
                    var vnorm = 0.0
                    for i in step..<n { vnorm += v[i] * v[i] }
                    if vnorm > 0 {
                        for j in (step + 1)..<max(step + 1, k) {
                            let x = column(j)
                            var dot = 0.0
                            for i in step..<n { dot += v[i] * x[i] }
                            let factor = 2 * dot / vnorm
                            for i in step..<n { x[i] -= factor * v[i] }
                        }
                        var dot = 0.0
                        for i in step..<n { dot += v[i] * b[i] }
                        let factor = 2 * dot / vnorm
                        for i in step..<n { b[i] -= factor * v[i] }
                    }
                    diagonal[step] = alpha
                    for j in (step + 1)..<max(step + 1, k) {
                        let x = column(j)
                        var sum = 0.0
                        for i in (step + 1)..<n { sum += x[i] * x[i] }
                        norms[j] = sum
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
        var fitted = [Double](repeating: 0, count: n)
        for j in 0..<k {
            let column = x[j], coefficient = ordered[j]
            for i in 0..<n { fitted[i] += column[i] * coefficient }
        }
        self.fitted = fitted
        residuals = zip(y, fitted).map { $0 - $1 }
    }
}
