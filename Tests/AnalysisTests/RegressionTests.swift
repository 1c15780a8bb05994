// Requirements covered here (issue: DiD, the core regression routine):
// R1 OLS reproduces Wooldridge's Examples 13.3 (kielmc) and 13.4 (injury) to their printed precision
// R2 collinear regressors, too few observations and a single cluster are named errors
// R3 HC1 and CR1 follow the documented small-sample factors (checked against direct computation)
// R4 Student's t distribution to 1e-10 against known quantiles
import Foundation
import Randomness
import Tabular
import TestSupport
import Testing

@testable import Analysis

/// A reference data set from Tests/ReferenceData.
func referenceTable(_ name: String) throws -> (header: [String], rows: [[String]]) {
    let url = referenceData(name)
    let rows = try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields)
    return (rows[0], Array(rows.dropFirst()))
}

func column(_ table: (header: [String], rows: [[String]]), _ name: String) -> [Double?] {
    let index = table.header.firstIndex(of: name)!
    return table.rows.map { Double($0[index]) }
}

struct RegressionTests {
    @Test("R1: Wooldridge Example 13.3 (kielmc), classical standard errors")
    func kielmc() throws {
        let data = try referenceTable("kielmc.csv")
        let y = column(data, "rprice").map { $0! }
        let y81 = column(data, "y81").map { $0! }, near = column(data, "nearinc").map { $0! }, both = column(data, "y81nrinc").map { $0! }
        let x = (0..<y.count).map { [1, y81[$0], near[$0], both[$0]] }
        let result = try Regression.fit(y: y, x: x, names: ["intercept", "y81", "nearinc", "y81nrinc"])
        #expect(result.observations == 321)
        #expect(abs(result.rSquared - 0.174) < 0.0005)
        let published: [(String, Double, Double, Double)] = [
            ("intercept", 82_517.23, 2_726.91, 0.005), ("y81", 18_790.29, 4_050.065, 0.0005),
            ("nearinc", -18_824.37, 4_875.32, 0.005), ("y81nrinc", -11_863.90, 7_456.65, 0.005),
        ]
        for (term, estimate, se, tolerance) in published {
            let coefficient = try #require(result.coefficient(term))
            #expect(abs(coefficient.estimate - estimate) < 0.005, "\(term) \(coefficient.estimate)")
            #expect(abs(coefficient.standardError - se) < tolerance, "\(term) \(coefficient.standardError)")
        }
    }

    @Test("R1: Wooldridge Example 13.4 (injury, Kentucky), classical standard errors")
    func injury() throws {
        let data = try referenceTable("injury.csv")
        let ky = column(data, "ky"), y = column(data, "ldurat"), after = column(data, "afchnge"), high = column(data, "highearn")
        var ys: [Double] = [], xs: [[Double]] = []
        for i in 0..<ky.count where ky[i] == 1 {
            guard let yi = y[i], let a = after[i], let h = high[i] else { continue }
            ys.append(yi)
            xs.append([1, a, h, a * h])
        }
        #expect(ys.count == 5626)
        let result = try Regression.fit(y: ys, x: xs, names: ["intercept", "afchnge", "highearn", "afchnge_highearn"])
        let published: [(String, Double, Double, Double, Double)] = [
            ("intercept", 1.126, 0.031, 0.0005, 0.0005), ("afchnge", 0.0077, 0.0447, 0.00005, 0.00005),
            ("highearn", 0.256, 0.047, 0.0005, 0.0005), ("afchnge_highearn", 0.191, 0.069, 0.0005, 0.0005),
        ]
        for (term, estimate, se, estimateTolerance, seTolerance) in published {
            let coefficient = try #require(result.coefficient(term))
            #expect(abs(coefficient.estimate - estimate) <= estimateTolerance, "\(term) \(coefficient.estimate)")
            #expect(abs(coefficient.standardError - se) <= seTolerance, "\(term) \(coefficient.standardError)")
        }
    }

    @Test("R2: named errors instead of NaN")
    func errors() {
        let x: [[Double]] = [[1, 1, 2], [1, 2, 4], [1, 3, 6], [1, 4, 8.0]]
        do {
            _ = try Regression.fit(y: [1, 2, 3, 5], x: x, names: ["one", "a", "b"])
            Issue.record("expected a collinearity error")
        } catch EstimationError.singularDesign(let columns) {
            // a and b are proportional: either one names the problem.
            #expect(columns == ["a"] || columns == ["b"])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: EstimationError.tooFewObservations(observations: 2, parameters: 2)) {
            try Regression.fit(y: [1, 2], x: [[1, 0], [1, 1]], names: ["one", "a"])
        }
        #expect(throws: EstimationError.oneCluster(column: "g")) {
            try Regression.fit(
                y: [1, 2, 3, 5], x: x.map { Array($0.prefix(2)) }, names: ["one", "a"], standardErrors: .cr1(cluster: "g"),
                clusters: ["x", "x", "x", "x"])
        }
    }

    @Test("R3: HC1 and CR1 against direct computation on a small design")
    func robust() throws {
        // y = a + b·x; with two regressors the sandwich can be written out by hand.
        let xs: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
        let ys: [Double] = [1.0, 2.5, 2.0, 4.5, 4.0, 6.5, 6.0, 8.5]
        let clusters = ["a", "a", "b", "b", "c", "c", "d", "d"]
        let design = xs.map { [1, $0] }
        let hc1 = try Regression.fit(y: ys, x: design, names: ["one", "x"], standardErrors: .hc1)
        let cr1 = try Regression.fit(y: ys, x: design, names: ["one", "x"], standardErrors: .cr1(cluster: "g"), clusters: clusters)
        let n = Double(xs.count), mean = xs.reduce(0, +) / n
        let sxx = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let slope = zip(xs, ys).reduce(0) { $0 + ($1.0 - mean) * $1.1 } / sxx
        let intercept = ys.reduce(0, +) / n - slope * mean
        let e = zip(xs, ys).map { $1 - intercept - slope * $0 }
        // For the slope, the sandwich reduces to Σ (x − x̄)² e² / Sxx².
        let hc1Slope = (Double(n) / (n - 2) * zip(xs, e).reduce(0) { $0 + pow($1.0 - mean, 2) * $1.1 * $1.1 }).squareRoot() / sxx
        #expect(abs(hc1.coefficient("x")!.standardError - hc1Slope) < 1e-12)
        var clusterScores: [String: Double] = [:]
        for i in 0..<xs.count { clusterScores[clusters[i], default: 0] += (xs[i] - mean) * e[i] }
        let g = 4.0
        let cr1Slope = (g / (g - 1) * (n - 1) / (n - 2) * clusterScores.values.reduce(0) { $0 + $1 * $1 }).squareRoot() / sxx
        #expect(abs(cr1.coefficient("x")!.standardError - cr1Slope) < 1e-12)
        #expect(cr1.clusters == 4 && cr1.degreesOfFreedom == 3)
    }

    @Test("R4: Student's t against known values")
    func studentT() {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - 12.706204736174707) < 1e-9)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 10) - 2.2281388519649385) < 1e-10)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1e6) - 1.959966) < 1e-5)
        #expect(abs(StudentT.cdf(2.0, degreesOfFreedom: 5) - 0.9490302605850709) < 1e-12)
    }
}

/// Large designs are reduced block by block (TSQR) before the pivoted QR: the same answer as the direct QR,
/// weighted or not, ill-conditioned or not, and collinear columns still named.
struct BlockQRTests {
    static func design(rows n: Int, seed: UInt64) -> (columns: [[Double]], y: [Double], weights: [Double]) {
        var random = SplitMix64(seed: seed)
        let x1 = (0..<n).map { _ in random.normal() }
        let x2 = (0..<n).map { x1[$0] * 1e3 + random.normal() * 1e-3 }  // nearly collinear with x1, on another scale
        let x3 = (0..<n).map { _ in random.uniform() < 0.3 ? 1.0 : 0 }
        let y = (0..<n).map { 2 + 0.5 * x1[$0] - 0.001 * x2[$0] + 3 * x3[$0] + random.normal() }
        return ([[Double](repeating: 1, count: n), x1, x2, x3], y, (0..<n).map { _ in 0.5 + random.uniform() })
    }

    @Test("the block reduction gives the direct QR's coefficients, (X'WX)⁻¹ and residuals on an ill-conditioned design")
    func agrees() throws {
        let n = 4 * QRLeastSquares.blockRows + 1_234
        let data = Self.design(rows: n, seed: 4)
        let names = ["(Intercept)", "x1", "x2", "x3"]
        for weights in [nil, data.weights] {
            let blocked = try QRLeastSquares(columns: data.columns, y: data.y, weights: weights, names: names)
            // The direct path, on the same design given row by row in pieces small enough not to be blocked, is
            // reproduced here by solving on the copied matrix.
            let roots = weights?.map { $0.squareRoot() }
            let (a, b) = QRLeastSquares.copied(data.columns, data.y, roots: roots, k: 4)
            let direct = try QRLeastSquares(
                columns: (0..<4).map { j in (0..<n).map { a[$0, j] / (roots?[$0] ?? 1) } }, y: b.indices.map { b[$0] / (roots?[$0] ?? 1) },
                weights: weights, names: names, blocked: false)
            // x1 and x2 are nearly collinear (condition number about 1e12, beyond what normal equations could
            // solve): the two orthogonal reductions agree to what that conditioning allows.
            for j in 0..<4 {
                #expect(abs(blocked.coefficients[j] - direct.coefficients[j]) <= 1e-7 * max(1, abs(direct.coefficients[j])), "\(j)")
                for l in 0..<4 {
                    #expect(
                        abs(blocked.inverseGram[j][l] - direct.inverseGram[j][l]) <= 1e-7
                            * abs(direct.inverseGram[j][j] * direct.inverseGram[l][l]).squareRoot())
                }
            }
            #expect(zip(blocked.residuals, direct.residuals).allSatisfy { abs($0 - $1) < 1e-9 })
        }
        // A column that is another's multiple is still found.
        var collinear = data.columns
        collinear.append(data.columns[1].map { $0 * 2 })
        #expect(throws: EstimationError.self) {
            try QRLeastSquares(columns: collinear, y: data.y, names: names + ["twice x1"])
        }
    }
}

struct TwoByTwoTests {
    func cardKrueger() throws -> (treated: [Bool], after: [Bool], fte: [Double?], stores: [String]) {
        let data = try referenceTable("card_krueger.csv")
        return (
            column(data, "nj").map { $0 == 1 }, column(data, "post").map { $0 == 1 }, column(data, "fte"),
            column(data, "store").map { String(Int($0!)) }
        )
    }

    @Test("Card & Krueger (1994) Table 3: cell means with standard errors, all observations")
    func cells() throws {
        let data = try cardKrueger()
        let table = try TwoByTwo(treated: data.treated, after: data.after, outcome: data.fte)
        func near(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) < 0.005 + 1e-9 }
        #expect(near(table.comparisonBefore.mean, 23.33) && near(table.comparisonBefore.standardError, 1.35))
        #expect(near(table.treatedBefore.mean, 20.44) && near(table.treatedBefore.standardError, 0.51))
        #expect(near(table.comparisonAfter.mean, 21.17) && near(table.comparisonAfter.standardError, 0.94))
        #expect(near(table.treatedAfter.mean, 21.03) && near(table.treatedAfter.standardError, 0.52))
        #expect(abs(table.didEstimate.estimate - 2.7536) < 0.00005)
    }

    @Test("Card & Krueger (1994) Table 3: changes within stores observed in both waves")
    func balanced() throws {
        let data = try cardKrueger()
        let table = try TwoByTwo(treated: data.treated, after: data.after, outcome: data.fte, units: data.stores)
        #expect(abs(table.comparisonChange.estimate - -2.28) < 0.005 && abs(table.comparisonChange.standardError - 1.25) < 0.005)
        #expect(abs(table.treatedChange.estimate - 0.47) < 0.005 && abs(table.treatedChange.standardError - 0.48) < 0.005)
        #expect(abs(table.didEstimate.estimate - 2.75) < 0.005 && abs(table.didEstimate.standardError - 1.34) < 0.005)
        #expect(table.balanced && table.unitsDropped > 0)
    }

    @Test("an empty cell is a named error")
    func emptyCell() {
        #expect(throws: EstimationError.emptyCell("treated, after")) {
            try TwoByTwo(
                treated: [false, false, false, false, true, true], after: [false, false, true, true, false, false],
                outcome: [1, 2, 3, 4, 5, 6])
        }
    }
}

struct TwoWayFixedEffectsTests {
    /// A small unbalanced panel with a staggered treatment: TWFE by alternating projections must equal least
    /// squares with full sets of unit and period dummies.
    @Test("TWFE by alternating projections equals the dummy-variable regression on an unbalanced panel")
    func equalsDummies() throws {
        var y: [Double] = [], d: [Double] = [], x: [Double] = [], units: [String] = [], periods: [String] = []
        var state: UInt64 = 42
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return Double(state >> 40) / Double(1 << 24) - 0.5
        }
        for unit in 0..<12 {
            for period in 0..<6 where !(unit % 4 == 0 && period == 2) && !(unit == 5 && period > 3) {
                let treated: Double = (unit % 3 == 0 && period >= 3) || (unit % 3 == 1 && period >= 4) ? 1 : 0
                let covariate = noise() * 4
                units.append("u\(unit)")
                periods.append("t\(period)")
                d.append(treated)
                x.append(covariate)
                y.append(Double(unit) * 0.7 + Double(period) * 0.3 + 1.5 * treated + 0.8 * covariate + noise())
            }
        }
        let twfe = try TwoWayFixedEffects.fit(y: y, regressors: zip(d, x).map { [$0, $1] }, names: ["d", "x"], units: units, periods: periods)
        let unitNames = Array(Set(units)).sorted(), periodNames = Array(Set(periods)).sorted()
        let design = y.indices.map { i in
            [d[i], x[i], 1] + unitNames.dropFirst().map { units[i] == $0 ? 1.0 : 0.0 } + periodNames.dropFirst().map { periods[i] == $0 ? 1.0 : 0.0 }
        }
        let names = ["d", "x", "one"] + unitNames.dropFirst().map { "unit_\($0)" } + periodNames.dropFirst().map { "period_\($0)" }
        let dummies = try Regression.fit(y: y, x: design, names: names)
        for term in ["d", "x"] {
            let a = try #require(twfe.coefficient(term)), b = try #require(dummies.coefficient(term))
            #expect(abs(a.estimate - b.estimate) <= 1e-9 * max(1, abs(b.estimate)), "\(term)")
            #expect(abs(a.standardError - b.standardError) <= 1e-8 * b.standardError, "\(term)")
        }
    }

    @Test("TWFE on Card & Krueger's balanced panel equals the within-store DiD")
    func cardKrueger() throws {
        let data = try referenceTable("card_krueger.csv")
        let fte = column(data, "fte"), nj = column(data, "nj"), post = column(data, "post"), store = column(data, "store")
        var counts: [Double: Int] = [:]
        for i in fte.indices where fte[i] != nil { counts[store[i]!, default: 0] += 1 }
        let keep = fte.indices.filter { fte[$0] != nil && counts[store[$0]!] == 2 }
        let result = try TwoWayFixedEffects.fit(
            y: keep.map { fte[$0]! }, regressors: keep.map { [nj[$0]! * post[$0]!] }, names: ["nj_post"],
            units: keep.map { String(store[$0]!) }, periods: keep.map { String(post[$0]!) })
        #expect(abs(result.coefficient("nj_post")!.estimate - 2.75) < 0.005)
    }
}

struct EventStudyTests {
    /// Staggered adoption with a known dynamic effect and no pre-trend.
    static func panel(effect: (Int) -> Double, trend: Double = 0, seed: UInt64) -> (y: [Double], units: [String], period: [Int], cohort: [Int?]) {
        var state = seed
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.6
        }
        var y: [Double] = [], units: [String] = [], periods: [Int] = [], cohorts: [Int?] = []
        for unit in 0..<300 {
            let cohort: Int? = unit % 4 == 0 ? nil : [3, 5, 7][unit % 3]
            let level = Double(unit % 17) * 0.3
            for period in 0..<10 {
                var value = level + 0.2 * Double(period) + noise()
                if let cohort {
                    if period >= cohort { value += effect(period - cohort) }
                    value += trend * Double(period - cohort) * (period < cohort ? 1 : 0)
                }
                y.append(value)
                units.append("u\(unit)")
                periods.append(period)
                cohorts.append(cohort)
            }
        }
        return (y, units, periods, cohorts)
    }

    @Test("dynamic effects recovered, flat pre-period, a sound joint pre-trend test, and the average post effect")
    func recovers() throws {
        // The effect grows for three periods and then stays: the last bin (3 and beyond) is homogeneous.
        let data = Self.panel(effect: { 1.0 + 0.5 * Double(min($0, 3)) }, seed: 7)
        let study = try EventStudy(
            y: data.y, units: data.units, period: data.period, cohort: data.cohort, leads: 4, lags: 3,
            standardErrors: .cr1(cluster: "unit"), clusters: data.units)
        let byTime = Dictionary(uniqueKeysWithValues: study.terms.map { ($0.eventTime, $0) })
        #expect(byTime[-1] == nil, "period −1 is the reference")
        for e in 0...3 { #expect(abs(byTime[e]!.coefficient.estimate - (1.0 + 0.5 * Double(e))) < 0.06, "event \(e)") }
        for e in -3 ... -2 { #expect(abs(byTime[e]!.coefficient.estimate) < 0.06, "lead \(e)") }
        #expect(byTime[-4]!.binned && byTime[3]!.binned)
        #expect((study.preTrendPValue ?? 0) > 0.01)
        #expect(study.preTrendTerms == 3)
        let average = try #require(study.averagePost)
        #expect(abs(average.estimate - (0...3).map { byTime[$0]!.coefficient.estimate }.reduce(0, +) / 4) < 1e-12)
        #expect(abs(average.estimate - 1.75) < 0.05)

        // A pre-trend is detected.
        let trending = Self.panel(effect: { _ in 1 }, trend: 0.3, seed: 9)
        let biased = try EventStudy(
            y: trending.y, units: trending.units, period: trending.period, cohort: trending.cohort, leads: 4, lags: 3,
            standardErrors: .cr1(cluster: "unit"), clusters: trending.units)
        #expect((biased.preTrendPValue ?? 1) < 1e-6)
    }

    @Test("the F distribution and the small inverse")
    func pieces() {
        #expect(abs(FDistribution.cdf(3.0, numerator: 2, denominator: 10) - 0.904632568359375) < 1e-12)  // scipy.stats.f.cdf(3, 2, 10)
        let inverse = EventStudy.invert([[4, 7], [2, 6]])!
        #expect(abs(inverse[0][0] - 0.6) < 1e-12 && abs(inverse[0][1] - -0.7) < 1e-12 && abs(inverse[1][0] - -0.2) < 1e-12)
        #expect(EventStudy.invert([[1, 2], [2, 4]]) == nil)
    }
}

struct PresetTests {
    @Test("small-sample presets: regress-with-dummies counts every dummy; fixest and reghdfe agree")
    func presets() throws {
        let data = try referenceTable("card_krueger.csv")
        let fte = column(data, "fte"), nj = column(data, "nj"), post = column(data, "post"), store = column(data, "store")
        let keep = fte.indices.filter { fte[$0] != nil }
        let y = keep.map { fte[$0]! }, x = keep.map { [nj[$0]! * post[$0]!] }
        let units = keep.map { String(store[$0]!) }, periods = keep.map { String(post[$0]!) }
        func fit(_ preset: SmallSamplePreset) throws -> Coefficient {
            try TwoWayFixedEffects.fit(
                y: y, regressors: x, names: ["d"], units: units, periods: periods,
                standardErrors: .cr1(cluster: "store"), clusters: units, preset: preset
            ).coefficient("d")!
        }
        let fixest = try fit(.fixest), reghdfe = try fit(.stataReghdfe), dummies = try fit(.stataRegressDummies)
        #expect(fixest.standardError == reghdfe.standardError)
        // The ratio of the two is exactly the ratio of their factors: √((n − K_fixest)/(n − K_dummies)), with
        // K_fixest = d + both period effects (stores nested in their clusters) and K_dummies = d + constant + the
        // other store and period dummies.
        let n = Double(y.count), stores = Double(Set(units).count)
        let expected = ((n - 3) / (n - (stores + 2))).squareRoot()
        #expect(abs(dummies.standardError / fixest.standardError - expected) < 1e-12)
        #expect(dummies.estimate == fixest.estimate)
    }
}

/// OLS with iid, HC1 and CR1 against pyfixest (Tests/AnalysisTests/Fixtures/ols_reference.csv, written by
/// Scripts/reference/ols_pyfixest.py), to 1e-6 relative.
struct OLSReferenceTests {
    @Test("OLS DiD on kielmc and Card & Krueger equals pyfixest with iid, HC1 and CR1")
    func pyfixest() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ols_reference.csv")
        let reference = Array(try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields).dropFirst())
        let kielmc = try referenceTable("kielmc.csv")
        let ck = try referenceTable("card_krueger.csv")
        let fte = column(ck, "fte")
        let keep = fte.indices.filter { fte[$0] != nil }
        let designs: [String: (y: [Double], x: [[Double]], names: [String], cluster: [String])] = [
            "kielmc": (
                column(kielmc, "rprice").map { $0! },
                zip(zip(column(kielmc, "y81"), column(kielmc, "nearinc")), column(kielmc, "y81nrinc")).map { [1, $0.0!, $0.1!, $1!] },
                ["Intercept", "y81", "nearinc", "y81nrinc"], []
            ),
            "card_krueger": (
                keep.map { fte[$0]! }, keep.map { [1, column(ck, "nj")[$0]!, column(ck, "post")[$0]!, column(ck, "nj_post")[$0]!] },
                ["Intercept", "nj", "post", "nj_post"], keep.map { String(column(ck, "store")[$0]!) }
            ),
        ]
        var checked = 0
        for row in reference {
            let design = try #require(designs[row[0]])
            let errors: StandardErrors = row[1] == "iid" ? .classical : (row[1] == "hetero" ? .hc1 : .cr1(cluster: "store"))
            let result = try Regression.fit(
                y: design.y, x: design.x, names: design.names, standardErrors: errors,
                clusters: row[1] == "cr1_store" ? design.cluster : nil)
            let c = try #require(result.coefficient(row[2]))
            #expect(abs(c.estimate - Double(row[3])!) <= 1e-6 * abs(Double(row[3])!), "\(row)")
            #expect(abs(c.standardError - Double(row[4])!) <= 1e-6 * Double(row[4])!, "\(row): \(c.standardError)")
            checked += 1
        }
        #expect(checked == 20)
    }
}
