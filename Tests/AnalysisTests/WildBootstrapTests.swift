// Wild cluster bootstrap: exact p-values by full enumeration equal wildboottest's (Tests/AnalysisTests/Fixtures,
// written by Scripts/reference/wild_bootstrap.py); sampled draws are deterministic for a seed.
import Foundation
import Randomness
import Tabular
import Testing

@testable import Analysis

struct WildBootstrapTests {
    static func fixture(_ name: String) throws -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields).dropFirst())
    }

    static func design(_ clusters: String) throws -> (y: [Double], x: [[Double]], cluster: [String]) {
        let rows = try fixture("wild_data.csv").filter { $0[0] == clusters }
        return (rows.map { Double($0[2])! }, rows.map { [1, Double($0[3])!, Double($0[4])!] }, rows.map { $0[1] })
    }

    @Test("enumerated Rademacher p-values and t statistics equal wildboottest's")
    func matchesReference() throws {
        let reference = try Self.fixture("wild_reference.csv")
        #expect(reference.count == 6)
        for row in reference {
            let data = try Self.design(row[0])
            let result = try WildClusterBootstrap.test(y: data.y, x: data.x, names: ["(Intercept)", "x", "d"], term: row[1], clusters: data.cluster)
            #expect(result.enumerated)
            #expect(result.draws == 1 << Int(row[0])!)
            #expect(abs(result.statistic - Double(row[2])!) < 1e-9 * max(1, abs(Double(row[2])!)), "\(row)")
            // Two of the 2^G patterns (all +1, all −1) reproduce ±t exactly: ties, which pantau counts (|t*| ≥ |t|, as
            // specified) while wildboottest's floating-point comparison keeps or drops them depending on rounding.
            // Apart from those two, the counts agree exactly.
            let step = 1.0 / Double(1 << Int(row[0])!)
            let difference = (result.pValue - Double(row[3])!) / step
            #expect([0.0, 1, 2].contains { abs(difference - $0) < 1e-6 }, "\(row): \(result.pValue)")
        }
    }

    @Test("sampled draws are deterministic for a seed; Webb weights work with few clusters")
    func deterministic() throws {
        let data = try Self.design("11")
        let a = try WildClusterBootstrap.test(
            y: data.y, x: data.x, names: ["(Intercept)", "x", "d"], term: "d", clusters: data.cluster,
            weights: .webb, draws: 999, seed: 5)
        let b = try WildClusterBootstrap.test(
            y: data.y, x: data.x, names: ["(Intercept)", "x", "d"], term: "d", clusters: data.cluster,
            weights: .webb, draws: 999, seed: 5)
        #expect(!a.enumerated && a.draws == 999)
        #expect(a.pValue == b.pValue)
        #expect((0.4...0.9).contains(a.pValue))
    }

    @Test("the interval by test inversion: the p-value crosses 5% at each end, and with many clusters it is near the CR1 interval")
    func interval() throws {
        for clusters in ["6", "11"] {
            let data = try Self.design(clusters)
            let names = ["(Intercept)", "x", "d"]
            let result = try WildClusterBootstrap.test(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster, level: 0.95)
            let interval = try #require(result.interval)
            #expect(interval.contains(result.estimate))
            let setup = try WildClusterBootstrap.Setup(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster)
            let draws = WildClusterBootstrap.Multipliers(clusters: setup.g, weights: .rademacher, draws: 9999, seed: 20_211_201)
            let delta = 1e-6 * setup.standardError
            for end in [interval.lowerBound, interval.upperBound] {
                let toward = end < result.estimate ? 1.0 : -1.0
                #expect(setup.pValue(null: end + toward * delta, draws) > 0.05, "inside \(end)")
                #expect(setup.pValue(null: end - toward * delta, draws) <= 0.05, "outside \(end)")
            }
            // Testing a value inside the interval by the plain test (y − β₀·d against 0) agrees with the inversion.
            let middle = (interval.lowerBound + result.estimate) / 2
            let shifted = zip(data.y, data.x).map { $0 - middle * $1[2] }
            let plain = try WildClusterBootstrap.test(y: shifted, x: data.x, names: names, term: "d", clusters: data.cluster)
            #expect(abs(plain.pValue - setup.pValue(null: middle, draws)) < 1e-12)
        }
        // 60 clusters of a known design: the bootstrap interval is close to the CR1 t interval.
        var generator = SplitMix64(seed: 11)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        var y: [Double] = [], x: [[Double]] = [], cluster: [String] = []
        for g in 0..<60 {
            let shock = uniform() - 0.5
            for _ in 0..<8 {
                let d = uniform() < 0.5 ? 1.0 : 0.0
                x.append([1, d])
                y.append(0.3 * d + shock + uniform() - 0.5)
                cluster.append("c\(g)")
            }
        }
        let wild = try WildClusterBootstrap.test(y: y, x: x, names: ["(Intercept)", "d"], term: "d", clusters: cluster, level: 0.95)
        let cr1 = try Regression.fit(y: y, x: x, names: ["(Intercept)", "d"], standardErrors: .cr1(cluster: "c"), clusters: cluster)
        let reference = try #require(cr1.coefficient("d"))
        let interval = try #require(wild.interval)
        let width = reference.high - reference.low
        #expect(abs(interval.lowerBound - reference.low) < 0.15 * width, "\(interval) against \(reference.low)...\(reference.high)")
        #expect(abs(interval.upperBound - reference.high) < 0.15 * width, "\(interval) against \(reference.low)...\(reference.high)")
    }
}

struct WildBootstrapEnumerationTests {
    /// G clusters of a design with a cluster shock and a regressor that varies within clusters.
    static func design(clusters: Int, seed: UInt64) -> (y: [Double], x: [[Double]], cluster: [String]) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        var y: [Double] = [], x: [[Double]] = [], cluster: [String] = []
        for g in 0..<clusters {
            let shock = uniform() - 0.5, size = 3 + Int(uniform() * 6)
            for _ in 0..<size {
                let d = uniform() < 0.4 ? 1.0 : 0.0, z = uniform()
                x.append([1, z, d])
                y.append(0.2 * d + z + shock + (uniform() - 0.5) * (1 + d))
                cluster.append(String(format: "c%02d", g))
            }
        }
        return (y, x, cluster)
    }

    @Test("the Gray-code pass over 2^(G−1) patterns gives the p-value and interval of the plain enumeration of all 2^G")
    func sameAsPlainEnumeration() throws {
        for (clusters, seed) in [(6, 1), (11, 2), (13, 3)] {
            let data = Self.design(clusters: clusters, seed: UInt64(seed))
            let names = ["(Intercept)", "z", "d"]
            // 9,999 draws ≥ 2^G: the plain enumeration; 99 draws < 2^G: the Gray-code pass.
            let plain = try WildClusterBootstrap.test(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster, draws: 9999, level: 0.95)
            let gray = try WildClusterBootstrap.test(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster, draws: 99, level: 0.95)
            #expect(plain.enumerated && gray.enumerated && gray.draws == 1 << clusters)
            #expect(plain.pValue == gray.pValue, "G = \(clusters)")
            let a = try #require(plain.interval), b = try #require(gray.interval)
            let se = abs(plain.estimate / plain.statistic)
            #expect(abs(a.lowerBound - b.lowerBound) < 1e-7 * se && abs(a.upperBound - b.upperBound) < 1e-7 * se, "G = \(clusters): \(a) against \(b)")
        }
    }

    @Test("with 18 clusters the exact interval's ends are where the p-value over all 2^18 patterns crosses 5%")
    func exactBoundsAtEighteenClusters() throws {
        let data = Self.design(clusters: 18, seed: 7)
        let names = ["(Intercept)", "z", "d"]
        let result = try WildClusterBootstrap.test(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster, level: 0.95)
        #expect(result.enumerated && result.draws == 1 << 18)
        let setup = try WildClusterBootstrap.Setup(y: data.y, x: data.x, names: names, term: "d", clusters: data.cluster)
        let all = WildClusterBootstrap.Multipliers(clusters: 18, weights: .rademacher, draws: 1 << 18, seed: 1)
        #expect(all.enumerated)
        #expect(setup.pValue(null: 0, all) == result.pValue)
        let interval = try #require(result.interval)
        let delta = 1e-6 * setup.standardError
        for end in [interval.lowerBound, interval.upperBound] {
            let toward = end < result.estimate ? 1.0 : -1.0
            #expect(setup.pValue(null: end + toward * delta, all) > 0.05, "inside \(end)")
            #expect(setup.pValue(null: end - toward * delta, all) <= 0.05, "outside \(end)")
        }
    }

    @Test("a note's p-value never reads as zero: four decimals, two significant digits below 0.0001, a bound when it underflowed")
    func pValueText() {
        #expect(DiDTable.pValueText(0.04321) == "p = 0.0432")
        #expect(DiDTable.pValueText(0.0001) == "p = 0.0001")
        #expect(DiDTable.pValueText(3.2e-8) == "p = 3.2e-08")
        #expect(DiDTable.pValueText(0) == "p < 1e-16")
    }
}
