// CR2 for the two-stage and imputation estimators (LinearBellMcCaffrey), checked against its definition built by brute
// force: every residual and every estimate's weight on the outcomes found by refitting the estimator on each unit vector
// (the first stage by its own alternating projections, not the closed-form hat matrix the implementation uses), then
// (RR′)_hh, its inverse root, the null-space scaling, the sandwich and Satterthwaite's degrees of freedom formed from those
// n×n matrices. Also: without the adjustment the sum is did2s's GMM variance; with it, the variance's expectation under
// independent errors of equal variance is the estimator's true variance (Bell and McCaffrey's unbiasedness), where plain
// CR2 (no scaling) falls short. Each unweighted and with survey weights that vary within units (both stages weighted least
// squares, the working model still independent errors of equal variance). No published CR2 exists for these estimators.
import Foundation
import Testing

@testable import Analysis

struct LinearCR2Tests {
    /// Six clusters of the did2s panel (a few hundred rows), with the covariate.
    static func panel() throws -> LongPanel {
        let whole = try TwoStageTests.panel(covariate: true)
        return try whole.keeping(rows: whole.outcome.indices.filter { whole.cluster[$0] < 6 })
    }

    /// Survey weights that vary between and within units.
    static func weights(_ panel: LongPanel) -> [Double] { panel.outcome.indices.map { 1 + Double((panel.unit[$0] + 2 * panel.period[$0]) % 4) / 3 } }

    /// The brute-force pieces: R (residuals of each unit vector, by column), W (each estimate's weights) over the stage's rows.
    struct Brute {
        let rows: [Int]
        let r: [[Double]]  // r[a][b]: residual at rows[a] of the outcome that is 1 at rows[b]
        let w: [[Double]]  // w[j][b]: estimate j's weight on rows[b]
    }

    /// Residuals of y under the two stages: y net of the first stage's fit, less its projection on the second stage's columns.
    static func residuals(_ panel: LongPanel, _ y: [Double], untreated: [Bool], secondStage: [[Double]], weights: [Double]?) throws -> (
        rows: [Int], e: [Double]
    ) {
        let stage = try FirstStage(
            y: y, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, covariates: panel.covariates, weights: weights, tolerance: 1e-15)
        let adjusted = stage.rows.map(stage.adjusted)
        let used = secondStage.indices.filter { j in stage.rows.contains { secondStage[j][$0] != 0 } }
        let fit = try QRLeastSquares(
            columns: used.map { j in stage.rows.map { secondStage[j][$0] } }, y: adjusted, weights: weights.map { w in stage.rows.map { w[$0] } },
            names: used.map { "x\($0)" })
        return (
            stage.rows,
            stage.rows.indices.map { p in adjusted[p] - used.indices.reduce(0.0) { $0 + fit.coefficients[$1] * secondStage[used[$1]][stage.rows[p]] } }
        )
    }

    static func brute(
        _ panel: LongPanel, untreated: [Bool], secondStage: [[Double]], weights: [Double]? = nil, estimates: ([Double]) throws -> [Double]
    ) throws -> Brute {
        let n = panel.outcome.count
        let rows = try residuals(panel, panel.outcome, untreated: untreated, secondStage: secondStage, weights: weights).rows
        var r = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: rows.count)
        var w: [[Double]] = []
        for (b, i) in rows.enumerated() {
            var unit = [Double](repeating: 0, count: n)
            unit[i] = 1
            let e = try residuals(panel, unit, untreated: untreated, secondStage: secondStage, weights: weights).e
            for a in rows.indices { r[a][b] = e[a] }
            let values = try estimates(unit)
            if w.isEmpty { w = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: values.count) }
            for j in values.indices { w[j][b] = values[j] }
        }
        return Brute(rows: rows, r: r, w: w)
    }

    /// CR2 from the brute-force matrices: covariance, degrees of freedom, and the sandwich's expectation under iid errors
    /// (per unit error variance), and plain CR2's (the pseudo-inverse root without the null-space scaling).
    static func cr2(_ brute: Brute, y: [Double], cluster: [Int]) -> (covariance: [[Double]], df: [Double], expected: [Double], expectedRaw: [Double]) {
        let m = brute.rows.count, d = brute.w.count
        let e = (0..<m).map { a in (0..<m).reduce(0.0) { $0 + brute.r[a][$1] * y[brute.rows[$1]] } }
        let clusters = Array(Set(brute.rows.map { cluster[$0] })).sorted()
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        var expected = [Double](repeating: 0, count: d), expectedRaw = expected
        var q = [[[Double]]](repeating: [], count: d)  // per direction, per cluster: R′A_h w_h (length m)
        for g in clusters {
            let members = brute.rows.indices.filter { cluster[brute.rows[$0]] == g }
            let b = members.map { a in members.map { c in (0..<m).reduce(0.0) { $0 + brute.r[a][$1] * brute.r[c][$1] } } }
            let (values, vectors) = SymmetricEigen.decompose(b)
            let largest = values.map(abs).max() ?? 1
            let root = SymmetricEigen.compose(vectors, values.map { $0 > 1e-12 * largest ? 1 / $0.squareRoot() : 0 })
            // The scaling for the part of w in B_h's null space: √(|w|²/|Pw|²), P the projection on B_h's range.
            let range = SymmetricEigen.compose(vectors, values.map { $0 > 1e-12 * largest ? 1 : 0 })
            let adjusted = brute.w.map { w -> [Double] in
                let own = members.map { w[$0] }, projected = BellMcCaffrey.apply(range, own)
                let factor = (own.reduce(0) { $0 + $1 * $1 } / projected.reduce(0) { $0 + $1 * $1 }).squareRoot()
                return BellMcCaffrey.apply(root, own).map { $0 * factor }
            }
            let scores = adjusted.map { p in zip(p, members).reduce(0.0) { $0 + $1.0 * e[$1.1] } }
            for a in 0..<d { for c in 0..<d { covariance[a][c] += scores[a] * scores[c] } }
            for j in 0..<d {
                let p = adjusted[j], raw = members.map { brute.w[j][$0] }
                expected[j] += zip(p, BellMcCaffrey.apply(b, p)).reduce(0.0) { $0 + $1.0 * $1.1 }
                // Without the scaling: what plain CR2 (the pseudo-inverse root alone) would expect, |Pw|².
                expectedRaw[j] += BellMcCaffrey.apply(range, raw).reduce(0.0) { $0 + $1 * $1 }
                q[j].append((0..<m).map { col in zip(members, p).reduce(0.0) { $0 + brute.r[$1.0][col] * $1.1 } })
            }
        }
        let df = (0..<d).map { j -> Double in
            var total = 0.0, squares = 0.0
            for a in q[j].indices {
                for c in q[j].indices {
                    let cross = zip(q[j][a], q[j][c]).reduce(0.0) { $0 + $1.0 * $1.1 }
                    if a == c { total += cross }
                    squares += cross * cross
                }
            }
            return total * total / squares
        }
        return (covariance, df, expected, expectedRaw)
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-8) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test(
        "two-stage: CR2's covariance and Satterthwaite degrees of freedom equal the brute-force construction, for the effect and an event study",
        arguments: [false, true])
    func twoStage(weighted: Bool) throws {
        let panel = try Self.panel()
        let weights = weighted ? Self.weights(panel) : nil
        let untreated = PanelEstimation.untreatedRows(panel)
        let n = panel.outcome.count
        var eventTime: [[Double]] = [], names: [String] = []
        for h in [-2, 0, 1, 2] {
            names.append("event time \(h)")
            eventTime.append((0..<n).map { i in panel.cohort[panel.unit[i]].map { min(max(panel.period[i] - $0, -2), 2) == h ? 1.0 : 0.0 } ?? 0 })
        }
        for (regressors, terms) in [([untreated.map { $0 ? 0.0 : 1.0 }], ["treated"]), (eventTime, names)] {
            func fit(_ y: [Double], cr2: Bool) throws -> TwoStageDiD {
                try TwoStageDiD(
                    y: y, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
                    untreated: untreated, regressors: regressors, names: terms, cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
                    clusterName: "cluster", covariates: panel.covariates, weights: weights, tolerance: 1e-15, cr2: cr2)
            }
            let fitted = try fit(panel.outcome, cr2: true)
            let brute = try Self.brute(panel, untreated: untreated, secondStage: regressors, weights: weights) { y in
                try fit(y, cr2: false).result.coefficients.map(\.estimate)
            }
            let expected = Self.cr2(brute, y: panel.outcome, cluster: panel.cluster)
            for a in terms.indices {
                for c in terms.indices { #expect(Self.close(fitted.result.covariance[a][c], expected.covariance[a][c]), "\(terms[a]), \(terms[c])") }
                #expect(Self.close(try #require(fitted.result.coefficientDegreesOfFreedom)[a], expected.df[a], 1e-7), "df of \(terms[a])")
                // Bell and McCaffrey's unbiasedness: E[V] = Σ_h w_h′A_h B_h A_h w_h equals the true variance |w|² (σ² = 1).
                let truth = brute.w[a].reduce(0) { $0 + $1 * $1 }
                #expect(Self.close(expected.expected[a], truth, 1e-8), "CR2 unbiased for \(terms[a])")
                // (A pre-period row's weights are on untreated rows only, with no part in the null space.)
                if !terms[a].hasPrefix("event time -") { #expect(expected.expectedRaw[a] < 0.97 * truth, "plain CR2 falls short for \(terms[a])") }
            }
            #expect(fitted.result.standardErrors == .cr2(cluster: "cluster"))
        }
    }

    @Test(
        "two-stage: without the adjustment the CR2 sum is did2s's GMM variance, the weights from the closed-form hat matrix",
        arguments: [false, true])
    func unadjustedIsGMM(weighted: Bool) throws {
        let panel = try TwoStageTests.panel(covariate: true)
        let weights = weighted ? Self.weights(panel) : nil
        let untreated = PanelEstimation.untreatedRows(panel)
        let regressors = [untreated.map { $0 ? 0.0 : 1.0 }]
        let fit = try TwoStageDiD(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, regressors: regressors, names: ["treated"], cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
            clusterName: "cluster", covariates: panel.covariates, weights: weights, tolerance: 1e-15)
        let stage = try FirstStage(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, covariates: panel.covariates, weights: weights, tolerance: 1e-15)
        let rows = stage.rows
        let columns = regressors.map { c in rows.map { c[$0] } }
        let count = rows.indices.reduce(0.0) { $0 + columns[0][$1] * (weights?[rows[$1]] ?? 1) }
        let direction = TwoStageDiD.linearPieces(stage, rows: rows, columns: columns, inverseGram: [[1 / count]], coefficient: 0, cluster: panel.cluster)
            .implied
        let raw = try LinearBellMcCaffrey.compute(
            stage: stage, secondStage: regressors, directions: [direction], cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
            adjusted: false)
        #expect(Self.close(raw.covariance[0][0], fit.result.covariance[0][0], 1e-9))
        // The closed-form hat matrix against the first stage's own solver, on a few rows.
        let hat = try LinearBellMcCaffrey.FirstStageHat(stage)
        for b in [rows[0], rows[37], rows[400], rows[rows.count - 1]] {
            let m = stage.carry([(b, 1)])
            // The carry solves (X₁₀′WX₁₀) m = X₁′W e_b: K's column b times b's weight.
            for a in [rows[1], rows[37], rows[401], rows[rows.count - 2]] {
                #expect(abs(hat.entry(a, b) * (weights?[b] ?? 1) - stage.carried(m, at: a)) < 1e-10)
            }
        }
    }

    @Test(
        "imputation: CR2's standard errors and degrees of freedom equal the brute-force construction, for the overall effect and event times",
        arguments: [false, true])
    func imputation(weighted: Bool) throws {
        let panel = try Self.panel()
        let weights = weighted ? Self.weights(panel) : nil
        let untreated = PanelEstimation.untreatedRows(panel)
        let n = panel.outcome.count
        let cohort = panel.unit.map { panel.cohort[$0] }
        var overall: [Int: Double] = [:], byEventTime = [[Int: Double]](repeating: [:], count: 3)
        for i in 0..<n where !untreated[i] {
            overall[i] = 1
            byEventTime[min(panel.period[i] - cohort[i]!, 2)][i] = 1
        }
        let targets = [("treated", overall)] + (0...2).map { ("event time \($0)", byEventTime[$0]) }
        func fit(_ y: [Double], cr2: Bool) throws -> ImputationDiD {
            try ImputationDiD(
                y: y, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count, cohort: cohort,
                untreated: untreated, targets: targets, cluster: panel.cluster, clusterCount: panel.clusterLabels.count, covariates: panel.covariates,
                surveyWeights: weights, cr2: cr2)
        }
        let fitted = try fit(panel.outcome, cr2: true)
        // The residuals' second stage: the treated cohort × period cells.
        var cells: [[Int]: [Double]] = [:]
        for i in 0..<n where !untreated[i] { cells[[cohort[i]!, panel.period[i]], default: [Double](repeating: 0, count: n)][i] = 1 }
        let brute = try Self.brute(panel, untreated: untreated, secondStage: Array(cells.values), weights: weights) { y in
            try fit(y, cr2: false).estimates.map(\.estimate)
        }
        let expected = Self.cr2(brute, y: panel.outcome, cluster: panel.cluster)
        let df = try #require(fitted.degreesOfFreedom)
        for (j, estimate) in fitted.estimates.enumerated() {
            #expect(Self.close(estimate.standardError, expected.covariance[j][j].squareRoot()), "\(estimate.term)")
            #expect(Self.close(df[j], expected.df[j], 1e-7), "df of \(estimate.term)")
            #expect(Self.close(expected.expected[j], brute.w[j].reduce(0) { $0 + $1 * $1 }, 1e-8), "CR2 unbiased for \(estimate.term)")
            #expect(expected.expectedRaw[j] < 0.97 * brute.w[j].reduce(0) { $0 + $1 * $1 }, "plain CR2 falls short for \(estimate.term)")
            let critical = StudentT.quantile(0.975, degreesOfFreedom: df[j])
            #expect(Self.close(estimate.high, estimate.estimate + critical * estimate.standardError, 1e-12))
        }
    }

    @Test("in tables: two-stage, its event study and imputation take CR2 (no jackknife), say so with each row's degrees of freedom, with survey weights too")
    func tables() throws {
        let panel = try TwoStageTests.panel(covariate: true)
        let tables = [
            try PanelEstimation.twoStage(panel, bootstrap: false, cr2: true),
            try PanelEstimation.twoStageEventStudy(panel, leads: 2, lags: 2, bootstrap: false, cr2: true),
            try PanelEstimation.imputation(panel, lags: 2, pretrends: 2, bootstrap: false, cr2: true),
        ]
        for table in tables {
            #expect(table.seType.hasPrefix("CR2 clustered by cluster"), "\(table.estimator): \(table.seType)")
            #expect(
                table.notes.contains { $0.hasPrefix("CR2: Bell–McCaffrey's adjustment carried through both stages") && $0.contains("no residual reveals") },
                "\(table.estimator)")
            #expect(!table.notes.contains { $0.contains("jackknife") }, "\(table.estimator)")
            #expect(PanelEstimation.withoutCR2(table).notes == table.notes)
        }
        // The same estimates as without CR2; the imputation pre-trend rows get CR2 too.
        let conventional = try PanelEstimation.imputation(panel, lags: 2, pretrends: 2, bootstrap: false)
        #expect(zip(tables[2].rows, conventional.rows).allSatisfy { Self.close($0.coefficient.estimate, $1.coefficient.estimate, 1e-10) })
        #expect(
            tables[2].rows.filter { ($0.eventTime ?? 0) < 0 }.allSatisfy { row in
                conventional.rows.first { $0.term == row.term }!.coefficient.standardError != row.coefficient.standardError
            })
        #expect(tables[2].notes.contains { $0.contains("the Wald statistic from the dummies' CR2 covariance") })
        // Two clusters of some 900 rows each: above the limit, a clear error rather than hours of decomposition.
        let halves = try LongPanel(
            outcome: panel.outcome, unit: panel.unit, unitLabels: panel.unitLabels, period: panel.period, periods: panel.periods,
            cohort: panel.cohort, cluster: panel.unit.map { $0 % 2 }, clusterLabels: ["a", "b"], clusterName: "half")
        do {
            _ = try PanelEstimation.twoStage(halves, bootstrap: false, cr2: true)
            Issue.record("CR2 with clusters above the limit was not refused")
        } catch let error as EstimationError {
            #expect("\(error)".contains("a cluster has 9") && "\(error)".contains("above the limit of 800"))
        }
        // With survey weights: the same weighted estimates, CR2 standard errors that differ from the unweighted ones.
        let weighted = try TwoStageTests.panel(covariate: true, weighted: true)
        let weightedTables = [
            try PanelEstimation.twoStage(weighted, bootstrap: false, cr2: true),
            try PanelEstimation.imputation(weighted, lags: 2, pretrends: 2, bootstrap: false, cr2: true),
        ]
        let weightedConventional = [
            try PanelEstimation.twoStage(weighted, bootstrap: false), try PanelEstimation.imputation(weighted, lags: 2, pretrends: 2, bootstrap: false),
        ]
        for (table, conventional) in zip(weightedTables, weightedConventional) {
            #expect(table.seType.hasPrefix("CR2 clustered by cluster"), "\(table.estimator): \(table.seType)")
            #expect(table.notes.contains { $0.hasPrefix("weighted by w") }, "\(table.estimator)")
            for (row, plain) in zip(table.rows, conventional.rows) {
                #expect(Self.close(row.coefficient.estimate, plain.coefficient.estimate, 1e-10), "\(table.estimator) \(row.term)")
                #expect(row.coefficient.standardError.isFinite && row.coefficient.standardError > 0, "\(table.estimator) \(row.term)")
            }
        }
        #expect(weightedTables[0].rows[0].coefficient.standardError != tables[0].rows[0].coefficient.standardError)
    }

    @Test("the Householder and QL eigen-decomposition reconstructs symmetric matrices, singular ones too, with orthonormal vectors")
    func eigenDecomposition() {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for (n, rank) in [(1, 1), (2, 2), (7, 7), (40, 40), (60, 23), (90, 89)] {
            // A = G G′ with G n×rank: rank-deficient when rank < n; and a matrix with a repeated eigenvalue (I + low rank).
            let g = (0..<n).map { _ in (0..<rank).map { _ in uniform() } }
            var a = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { a[i * n + j] = (0..<rank).reduce(0.0) { $0 + g[i][$1] * g[j][$1] } + (i == j && rank == n ? 1 : 0) } }
            let (values, vectors) = SymmetricEigen.tridiagonalQL(a, n: n)
            let scale = values.map(abs).max() ?? 1
            for i in 0..<n {
                for j in 0..<n {
                    let rebuilt = (0..<n).reduce(0.0) { $0 + vectors[i * n + $1] * values[$1] * vectors[j * n + $1] }
                    #expect(abs(rebuilt - a[i * n + j]) < 1e-11 * scale, "n \(n): entry \(i), \(j)")
                    let inner = (0..<n).reduce(0.0) { $0 + vectors[$1 * n + i] * vectors[$1 * n + j] }
                    #expect(abs(inner - (i == j ? 1 : 0)) < 1e-11, "n \(n): columns \(i), \(j)")
                }
            }
            #expect(values.filter { abs($0) < 1e-10 * scale }.count == n - rank, "n \(n): zero eigenvalues")
            // The same eigenvalues as the cyclic Jacobi rotations.
            if n <= 40 {
                let jacobi = SymmetricEigen.decompose((0..<n).map { i in Array(a[(i * n)..<(i * n + n)]) }).values.sorted()
                #expect(zip(jacobi, values.sorted()).allSatisfy { abs($0 - $1) < 1e-10 * scale })
            }
        }
    }
}
