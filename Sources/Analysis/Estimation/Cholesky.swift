import Foundation

/// The lower Cholesky factor L of a covariance matrix Σ = LLᵀ, for drawing correlated normals and for Genz's
/// integration. A matrix only positive semi-definite gets zero columns where its pivots vanish, never NaN.
public enum Cholesky {
    public static func lower(_ sigma: [[Double]]) -> [[Double]] {
        let k = sigma.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k {
            for b in 0...a {
                var sum = sigma[a][b]
                for c in 0..<b { sum -= l[a][c] * l[b][c] }
                l[a][b] = a == b ? max(sum, 0).squareRoot() : (l[b][b] > 0 ? sum / l[b][b] : 0)
            }
        }
        return l
    }
}
