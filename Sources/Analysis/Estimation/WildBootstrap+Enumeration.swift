import Foundation

/// Exact enumeration of the wild cluster bootstrap with Rademacher weights, for up to 25 clusters (KOMPAK's 24
/// districts): 2^(G−1) sign patterns rather than 2^G, because under the imposed null the restricted fit reproduces
/// its own fitted values, so the bootstrap statistic of −v is that of v.
///
/// Each pattern is reached from the previous one by flipping one sign (Gray code order), which changes the G
/// cluster scores by one column of a G×G matrix: O(G) work a pattern instead of O(G·k) from scratch. Every piece
/// is linear in the null value β₀, so one pass keeps the scores of y and of x_j apart and can evaluate any number
/// of nulls: the p-value at 0 and, around each bound of the interval, the exact point where each pattern stops
/// rejecting. The interval's bounds are then order statistics of those points: exact, in one pass.
extension WildClusterBootstrap {
    /// The largest number of clusters enumerated (2^24 patterns, about a second on one core).
    static let enumerationLimit = 25

    /// A search window around one bound: how many patterns are at least as extreme as the data at its ends (they
    /// count towards the p-value), and where patterns change inside.
    struct Window: Sendable {
        let lowerSide: Bool
        let low: Double
        let high: Double
        var extremeAtLow = 0
        var extremeAtHigh = 0
        /// (point, true when the pattern becomes as extreme there going upwards).
        var changes: [(Double, Bool)] = []
    }

    /// Everything a pass needs, as flat arrays: columns of the score matrices (the change in the G scores when
    /// sign h flips is −2·v_h times column h) and the numerator's pieces. Suffix Y: the response's part; X: the
    /// tested column's, so that under the null β₀ each piece is (Y part) − β₀·(X part).
    struct Pieces: Sendable {
        let g: Int
        let scoreY: [Double], scoreX: [Double]
        let columnY: [Double], columnX: [Double]
        let numeratorY: [Double], numeratorX: [Double]
        let numeratorY0: Double, numeratorX0: Double

        /// The bootstrap numerator's and the G scores' parts for y and for x under the signs v.
        func applied(_ v: [Double]) -> (ny: Double, nx: Double, uY: [Double], uX: [Double]) {
            var ny = numeratorY0, nx = numeratorX0
            var uY = scoreY, uX = scoreX
            for h in 0..<g {
                ny += v[h] * numeratorY[h]
                nx += v[h] * numeratorX[h]
                for row in 0..<g {
                    uY[row] += v[h] * columnY[h * g + row]
                    uX[row] += v[h] * columnX[h * g + row]
                }
            }
            return (ny, nx, uY, uX)
        }
    }

    /// One coefficient's bootstrap as a pass over sign patterns needs it: the pieces, and the data's estimate and
    /// standard error (so its statistic under any null), with the variance's constant factor.
    struct PatternEnumeration: Sendable {
        let pieces: Pieces
        let estimate: Double
        let standardError: Double
        let factor: Double
        var g: Int { pieces.g }

        /// f(β₀) ≥ 0 when the pattern's statistic is at least as extreme as the data's under the null β₀: (β*_j)² ≥ t(β₀)² · factor · Σ r², with the same tie
        /// allowance as the sampled test.
        @inline(__always)
        func margin(_ b: Double, _ ny: Double, _ nx: Double, _ aa: Double, _ ab: Double, _ bb: Double) -> Double {
            let numerator = ny - b * nx
            let t = (estimate - b) / standardError * (1 - 1e-12)
            return numerator * numerator - t * t * factor * max(0, aa - 2 * b * ab + b * b * bb)
        }

        /// One pass over all 2^(G−1) patterns: how many are as extreme under β₀ = `null`, and the changes inside each
        /// window.
        func enumerate(null: Double, windows: [Window]) -> (extreme: Int, patterns: Int, windows: [Window]) {
            let free = g - 1
            let patterns = 1 << free
            let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, patterns / 4096))
            let results = ChunkResults(count: chunks)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = patterns / chunks * chunk, end = chunk == chunks - 1 ? patterns : patterns / chunks * (chunk + 1)
                results.store(chunk, self.pass(pieces, null: null, windows: windows, range: start..<end))
            }
            var extreme = 0
            var merged = windows
            for partial in results.values {
                extreme += partial.extreme
                for w in merged.indices {
                    merged[w].extremeAtLow += partial.windows[w].extremeAtLow
                    merged[w].extremeAtHigh += partial.windows[w].extremeAtHigh
                    merged[w].changes += partial.windows[w].changes
                }
            }
            return (extreme, patterns, merged)
        }

        /// The patterns gray(i) for i in `range`; bit h set means v_h = −1, and v_{G−1} = +1 throughout.
        func pass(_ p: Pieces, null: Double, windows: [Window], range: Range<Int>) -> (extreme: Int, windows: [Window]) {
            let g = p.g
            var signs = [Double](repeating: 1, count: g)
            let first = range.lowerBound ^ (range.lowerBound >> 1)
            for h in 0..<(g - 1) where (first >> h) & 1 == 1 { signs[h] = -1 }
            var (nY, nX, uY, uX) = p.applied(signs)
            var extreme = 0
            var out = windows
            p.columnY.withUnsafeBufferPointer { columnY in
                p.columnX.withUnsafeBufferPointer { columnX in
                    uY.withUnsafeMutableBufferPointer { uY in
                        uX.withUnsafeMutableBufferPointer { uX in
                            for i in range {
                                if i != range.lowerBound {
                                    let h = i.trailingZeroBitCount
                                    let step = -2 * signs[h]
                                    signs[h] = -signs[h]
                                    nY += step * p.numeratorY[h]
                                    nX += step * p.numeratorX[h]
                                    let offset = h * g
                                    for row in 0..<g {
                                        uY[row] += step * columnY[offset + row]
                                        uX[row] += step * columnX[offset + row]
                                    }
                                }
                                var aa = 0.0, ab = 0.0, bb = 0.0
                                for row in 0..<g {
                                    aa += uY[row] * uY[row]
                                    ab += uY[row] * uX[row]
                                    bb += uX[row] * uX[row]
                                }
                                if margin(null, nY, nX, aa, ab, bb) >= 0 { extreme += 1 }
                                for w in out.indices {
                                    let atLow = margin(out[w].low, nY, nX, aa, ab, bb) >= 0
                                    let atHigh = margin(out[w].high, nY, nX, aa, ab, bb) >= 0
                                    if atLow { out[w].extremeAtLow += 1 }
                                    if atHigh { out[w].extremeAtHigh += 1 }
                                    guard atLow != atHigh else { continue }
                                    // The point where this pattern changes, by bisection (f is smooth in β₀).
                                    var a = out[w].low, b = out[w].high
                                    for _ in 0..<60 {
                                        let middle = (a + b) / 2
                                        if (margin(middle, nY, nX, aa, ab, bb) >= 0) == atLow { a = middle } else { b = middle }
                                        if b - a <= 1e-12 * max(1, abs(a)) { break }
                                    }
                                    out[w].changes.append(((a + b) / 2, atHigh))
                                }
                            }
                        }
                    }
                }
            }
            return (extreme, out)
        }

        /// The exact test-inversion interval over every pattern, searched near the sampled interval's bounds; nil when
        /// a bound cannot be bracketed.
        func enumeratedInterval(level: Double, near approximate: ClosedRange<Double>) -> (interval: ClosedRange<Double>?, pValue: Double, patterns: Int) {
            let alpha = 1 - level
            var width = max(0.05 * (approximate.upperBound - approximate.lowerBound) / 2, 1e-6 * standardError)
            var lower: Double?, upper: Double?
            var pValue = 0.0, patterns = 0
            for _ in 0..<6 {
                var windows: [Window] = []
                if lower == nil {
                    windows.append(Window(lowerSide: true, low: approximate.lowerBound - width, high: min(estimate, approximate.lowerBound + width)))
                }
                if upper == nil {
                    windows.append(Window(lowerSide: false, low: max(estimate, approximate.upperBound - width), high: approximate.upperBound + width))
                }
                let pass = enumerate(null: 0, windows: windows)
                pValue = Double(pass.extreme) / Double(pass.patterns)
                patterns = pass.patterns
                // β₀ is in the interval while more than ⌊αN⌋ patterns are as extreme (p > α).
                let threshold = Int((alpha * Double(pass.patterns)).rounded(.down))
                for window in pass.windows {
                    let changes = window.changes.sorted { $0.0 < $1.0 }
                    if window.lowerSide {
                        lower = lower ?? Self.lowerBound(window, changes, threshold)
                    } else {
                        upper = upper ?? Self.upperBound(window, changes, threshold)
                    }
                }
                if lower != nil, upper != nil { break }
                width *= 4
            }
            guard let lower, let upper, lower <= upper else { return (nil, pValue, patterns) }
            return (lower...upper, pValue, patterns)
        }

        /// The smallest β₀ in the window with more than `threshold` patterns as extreme.
        static func lowerBound(_ window: Window, _ changes: [(Double, Bool)], _ threshold: Int) -> Double? {
            guard window.extremeAtLow <= threshold, window.extremeAtHigh > threshold else { return nil }
            var count = window.extremeAtLow
            for (point, entering) in changes {
                count += entering ? 1 : -1
                if count > threshold { return point }
            }
            return nil
        }

        /// The largest β₀ in the window with more than `threshold` patterns as extreme.
        static func upperBound(_ window: Window, _ changes: [(Double, Bool)], _ threshold: Int) -> Double? {
            guard window.extremeAtLow > threshold, window.extremeAtHigh <= threshold else { return nil }
            var count = window.extremeAtHigh
            for (point, entering) in changes.reversed() {
                count += entering ? -1 : 1
                if count > threshold { return point }
            }
            return nil
        }
    }
}

extension WildClusterBootstrap.Setup {
    var enumeration: WildClusterBootstrap.PatternEnumeration {
        WildClusterBootstrap.PatternEnumeration(pieces: pieces, estimate: estimate, standardError: standardError, factor: factor)
    }

    var pieces: WildClusterBootstrap.Pieces {
        var scoreY = [Double](repeating: 0, count: g), scoreX = scoreY
        var columnY = [Double](repeating: 0, count: g * g), columnX = columnY
        for h in 0..<g {
            scoreY[h] = pY[h] - (0..<k).reduce(0) { $0 + m[h][$1] * a0Y[$1] }
            scoreX[h] = pX[h] - (0..<k).reduce(0) { $0 + m[h][$1] * a0X[$1] }
            for row in 0..<g {
                let dotY = (0..<k).reduce(0) { $0 + m[row][$1] * cY[h][$1] }
                let dotX = (0..<k).reduce(0) { $0 + m[row][$1] * cX[h][$1] }
                columnY[h * g + row] = (row == h ? qY[h] : 0) - dotY
                columnX[h * g + row] = (row == h ? qX[h] : 0) - dotX
            }
        }
        return WildClusterBootstrap.Pieces(
            g: g, scoreY: scoreY, scoreX: scoreX, columnY: columnY, columnX: columnX,
            numeratorY: cY.map { $0[j] }, numeratorX: cX.map { $0[j] }, numeratorY0: a0Y[j], numeratorX0: a0X[j])
    }
}

/// Per-chunk results of a parallel pass, each written once by its own chunk.
final class ChunkResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [(extreme: Int, windows: [WildClusterBootstrap.Window])?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ value: (extreme: Int, windows: [WildClusterBootstrap.Window])) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [(extreme: Int, windows: [WildClusterBootstrap.Window])] { slots.compactMap { $0 } }
}
