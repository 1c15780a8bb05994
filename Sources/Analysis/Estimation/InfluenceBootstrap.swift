import Foundation
import Randomness

extension WildClusterBootstrap {
    /// The cluster multiplier bootstrap of an estimate known through its influence function (Callaway & Sant'Anna's
    /// aggregations), as R's did bootstraps them, in the result shape of the wild bootstrap: each draw multiplies the
    /// clusters' influence totals T_c by v_c; t* = Σ v_c T_c / √(Σ v_c² T_c²) against t = estimate / s.e. The
    /// interval is estimate ± q·s.e., q the bootstrap's 95% quantile of |t*| (the inversion of the same test). Rademacher
    /// signs are enumerated up to 25 clusters (2^(G−1) patterns: |t*| is the same for v and −v); Webb weights, drawn,
    /// under 12 clusters.
    public static func influence(
        term: String, estimate: Double, clusterTotals totals: [Double], units: Int, weights: Weights, draws: Int = 9999,
        seed: UInt64 = 20_211_201, level: Double = 0.95
    ) -> Result? {
        let g = totals.count
        let norm = (totals.reduce(0) { $0 + $1 * $1 }).squareRoot()
        guard g > 1, norm > 0, norm.isFinite, estimate.isFinite else { return nil }
        let standardError = norm / Double(units)
        let statistic = estimate / standardError
        let limit = abs(statistic) * (1 - 1e-12)
        let alpha = 1 - level
        let enumerate = weights == .rademacher && g <= Setup.enumerationLimit
        let count = enumerate ? 1 << (g - 1) : draws
        // The ⌊αN⌋ + 1 largest |t*| are kept: the smallest of them is q (β₀ inside while more than ⌊αN⌋ draws are as extreme).
        var largest = SmallestOfLargest(keep: Int((alpha * Double(count)).rounded(.down)) + 1)
        var extreme = 0
        if enumerate {
            var sum = totals.reduce(0, +)
            var signs = [Double](repeating: 1, count: g)
            for i in 0..<count {
                if i > 0 {
                    let h = i.trailingZeroBitCount
                    sum -= 2 * signs[h] * totals[h]
                    signs[h] = -signs[h]
                }
                let t = abs(sum) / norm
                if t >= limit { extreme += 1 }
                largest.offer(t)
            }
        } else {
            var generator = SplitMix64(seed: seed)
            let webb = [-(1.5).squareRoot(), -1, -(0.5).squareRoot(), (0.5).squareRoot(), 1, (1.5).squareRoot()]
            for _ in 0..<count {
                var sum = 0.0, squares = 0.0
                for c in 0..<g {
                    let v = weights == .rademacher ? (generator.next() & 1 == 1 ? 1.0 : -1.0) : webb[Int(generator.next() % 6)]
                    sum += v * totals[c]
                    squares += v * v * totals[c] * totals[c]
                }
                let t = squares > 0 ? abs(sum) / squares.squareRoot() : 0
                if t >= limit { extreme += 1 }
                largest.offer(t)
            }
        }
        let q = largest.smallest
        return Result(
            term: term, statistic: statistic, pValue: Double(extreme) / Double(count), draws: enumerate ? 1 << g : count,
            enumerated: enumerate, weights: weights, clusters: g, estimate: estimate,
            interval: finiteRange(estimate - q * standardError, estimate + q * standardError), nullImposed: false)
    }
}

/// The k largest values offered, in a binary min-heap: `smallest` is the k-th largest.
struct SmallestOfLargest {
    private var heap: [Double] = []
    let keep: Int

    init(keep: Int) {
        self.keep = max(1, keep)
        heap.reserveCapacity(self.keep)
    }

    var smallest: Double { heap.first ?? .nan }

    mutating func offer(_ value: Double) {
        if heap.count < keep {
            heap.append(value)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child] < heap[parent] else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if value > heap[0] {
            heap[0] = value
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var least = parent
                if left < heap.count, heap[left] < heap[least] { least = left }
                if right < heap.count, heap[right] < heap[least] { least = right }
                if least == parent { break }
                heap.swapAt(parent, least)
                parent = least
            }
        }
    }
}
