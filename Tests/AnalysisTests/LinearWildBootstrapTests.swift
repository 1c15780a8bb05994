// The wild cluster bootstrap of the two-stage and imputation estimators, built from linear pieces, checked against
// its definition: bootstrap outcomes built row by row (the null fit plus each cluster's residuals times its sign) and
// the estimators refitted on them give the same estimate and standard error as the pieces, for several sign vectors
// and nulls; and the null fit itself gives an estimate and scores of zero. On a part of the did2s panel (nine clusters),
// with the covariate and survey weights.
import Foundation
import Testing

@testable import Analysis

struct LinearWildBootstrapTests {
    /// The first nine clusters of the did2s panel, with the covariate and weights.
    static func panel() throws -> LongPanel {
        let whole = try TwoStageTests.panel(covariate: true, weighted: true)
        return try whole.keeping(rows: whole.outcome.indices.filter { whole.cluster[$0] < 9 })
    }

    /// Sign vectors to rebuild samples with: Rademacher and Webb values.
    static let draws: [[Double]] = [
        [1, -1, 1, 1, -1, -1, 1, -1, 1], [-1, -1, -1, 1, 1, 1, -1, 1, 1],
        [(1.5).squareRoot(), -1, -(0.5).squareRoot(), 1, (0.5).squareRoot(), -(1.5).squareRoot(), 1, -1, (0.5).squareRoot()],
    ]

    /// Checks the pieces against refits: `estimate(y)` returns the estimator's estimate and standard error of the term on y.
    static func check(
        _ exact: WildClusterBootstrap.PatternEnumeration, y: [Double], d: [Double], fittedY: [Double], fittedD: [Double], cluster: [Int],
        estimate: ([Double]) throws -> (Double, Double)
    ) throws {
        let p = exact.pieces, g = p.g
        // The null fit: the estimator gives zero, and zero scores.
        #expect(abs(p.numeratorY0) < 1e-9 && abs(p.numeratorX0) < 1e-9)
        #expect(p.scoreY.allSatisfy { abs($0) < 1e-9 } && p.scoreX.allSatisfy { abs($0) < 1e-9 })
        #expect(abs(try estimate(fittedY).0) < 1e-9)
        let own = try estimate(y)
        #expect(abs(own.0 - exact.estimate) < 1e-10 && abs(own.1 - exact.standardError) < 1e-10)
        for null in [0.0, 0.4] {
            for v in draws {
                let sample = y.indices.map { i -> Double in
                    let fit = fittedY[i] - null * fittedD[i], residual = (y[i] - null * d[i]) - fit
                    return fit + v[cluster[i]] * residual
                }
                let refit = try estimate(sample)
                var ny = p.numeratorY0 - null * p.numeratorX0
                var scores = (0..<g).map { p.scoreY[$0] - null * p.scoreX[$0] }
                for h in 0..<g {
                    ny += v[h] * (p.numeratorY[h] - null * p.numeratorX[h])
                    for row in 0..<g { scores[row] += v[h] * (p.columnY[h * g + row] - null * p.columnX[h * g + row]) }
                }
                let se = (exact.factor * scores.reduce(0) { $0 + $1 * $1 }).squareRoot()
                #expect(abs(refit.0 - ny) < 1e-9, "estimate at null \(null)")
                #expect(abs(refit.1 - se) < 1e-9, "standard error at null \(null)")
            }
        }
    }

    @Test("two-stage: the bootstrap's pieces equal refits on rebuilt bootstrap samples, for the overall effect and an event time")
    func twoStagePieces() throws {
        let panel = try Self.panel()
        let untreated = panel.outcome.indices.map { !panel.treated($0) }
        var eventTime: [[Double]] = [], names: [String] = []
        for h in [-2, 0, 1, 2] {
            names.append("event time \(h)")
            eventTime.append(
                panel.outcome.indices.map { i in panel.cohort[panel.unit[i]].map { min(panel.period[i] - $0, 2) == h ? 1.0 : 0.0 } ?? 0 })
        }
        for (regressors, terms, tested) in [
            ([untreated.map { $0 ? 0.0 : 1.0 }], ["treated"], 0), (eventTime, names, 2),
        ] {
            func fit(_ y: [Double], request: WildClusterBootstrap.Request? = nil) throws -> TwoStageDiD {
                try TwoStageDiD(
                    y: y, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
                    untreated: untreated, regressors: regressors, names: terms, cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
                    clusterName: "cluster", covariates: panel.covariates, weights: panel.weight, wildBootstrap: request)
            }
            let full = try fit(panel.outcome, request: WildClusterBootstrap.Request(weights: .webb, draws: 99))
            // Pre-period coefficients have no null to impose: no bootstrap for them.
            #expect(Set(full.bootstrap.keys) == Set(terms.filter { $0 != "event time -2" }))
            let exact = try #require(full.enumerations[terms[tested]])
            let d = regressors[tested]
            var column: [Int?] = panel.outcome.indices.map { i in untreated[i] ? nil : regressors.indices.first { regressors[$0][i] != 0 } }
            column = column.map { $0 == tested ? nil : $0 }
            func restricted(_ z: [Double]) throws -> [Double] {
                try FirstStage.restrictedFit(
                    z, tested: d.map { $0 != 0 }, group: column, rows: Array(panel.outcome.indices), unit: panel.unit,
                    unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count, untreated: untreated,
                    covariates: panel.covariates, weights: panel.weight)
            }
            try Self.check(
                exact, y: panel.outcome, d: d, fittedY: try restricted(panel.outcome), fittedD: try restricted(d), cluster: panel.cluster
            ) { y in
                let c = try fit(y).result.coefficients[tested]
                return (c.estimate, c.standardError)
            }
        }
    }

    @Test("imputation: the bootstrap's pieces equal refits on rebuilt bootstrap samples, for the overall effect and an event time")
    func imputationPieces() throws {
        let panel = try Self.panel()
        let untreated = panel.outcome.indices.map { !panel.treated($0) }
        let cohort = panel.unit.map { panel.cohort[$0] }
        var overall: [Int: Double] = [:], first: [Int: Double] = [:]
        for i in panel.outcome.indices where !untreated[i] {
            overall[i] = 1
            if panel.period[i] == cohort[i]! + 1 { first[i] = 1 }
        }
        let targets = [("treated", overall), ("event time 1", first)]
        func fit(_ y: [Double], request: WildClusterBootstrap.Request? = nil) throws -> ImputationDiD {
            try ImputationDiD(
                y: y, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count, cohort: cohort,
                untreated: untreated, targets: targets, cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
                covariates: panel.covariates, surveyWeights: panel.weight, wildBootstrap: request)
        }
        let full = try fit(panel.outcome, request: WildClusterBootstrap.Request(weights: .webb, draws: 99))
        for (index, target) in targets.enumerated() {
            let exact = try #require(full.enumerations[target.0])
            let tested = panel.outcome.indices.map { target.1[$0] != nil }
            let d = tested.map { $0 ? 1.0 : 0.0 }
            let group = panel.outcome.indices.map { i -> Int? in untreated[i] ? nil : cohort[i]! * panel.periods.count + panel.period[i] }
            func restricted(_ z: [Double]) throws -> [Double] {
                try FirstStage.restrictedFit(
                    z, tested: tested, group: group, rows: Array(panel.outcome.indices), unit: panel.unit, unitCount: panel.unitLabels.count,
                    period: panel.period, periodCount: panel.periods.count, untreated: untreated, covariates: panel.covariates, weights: panel.weight)
            }
            try Self.check(
                exact, y: panel.outcome, d: d, fittedY: try restricted(panel.outcome), fittedD: try restricted(d), cluster: panel.cluster
            ) { y in
                let c = try fit(y).estimates[index]
                return (c.estimate, c.standardError)
            }
        }
    }

    @Test("the interval by test inversion: the p-value crosses 5% at each end; every sign pattern by Gray code equals the plain enumeration")
    func inversionAndEnumeration() throws {
        let panel = try Self.panel()
        let untreated = panel.outcome.indices.map { !panel.treated($0) }
        func fit(_ request: WildClusterBootstrap.Request) throws -> TwoStageDiD {
            try TwoStageDiD(
                y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
                untreated: untreated, regressors: [untreated.map { $0 ? 0.0 : 1.0 }], names: ["treated"], cluster: panel.cluster,
                clusterCount: panel.clusterLabels.count, clusterName: "cluster", covariates: panel.covariates, weights: panel.weight,
                wildBootstrap: request)
        }
        // 2^9 = 512 patterns: 9,999 draws enumerate them plainly; 99 draws leave it to the Gray-code pass.
        let plain = try fit(WildClusterBootstrap.Request(weights: .rademacher))
        let gray = try fit(WildClusterBootstrap.Request(weights: .rademacher, draws: 99))
        let a = try #require(plain.bootstrap["treated"]), b = try #require(gray.bootstrap["treated"])
        #expect(a.enumerated && b.enumerated && a.draws == 512 && b.draws == 512)
        #expect(a.pValue == b.pValue)
        let exact = try #require(plain.enumerations["treated"])
        let interval = try #require(a.interval), grayInterval = try #require(b.interval)
        #expect(abs(interval.lowerBound - grayInterval.lowerBound) < 1e-7 * exact.standardError)
        #expect(abs(interval.upperBound - grayInterval.upperBound) < 1e-7 * exact.standardError)
        #expect(interval.contains(a.estimate) && abs(a.estimate - plain.result.coefficients[0].estimate) < 1e-10)
        let all = WildClusterBootstrap.SampledDraws(exact, WildClusterBootstrap.Multipliers(clusters: 9, weights: .rademacher, draws: 512, seed: 1))
        let delta = 1e-6 * exact.standardError
        for end in [interval.lowerBound, interval.upperBound] {
            let toward = end < a.estimate ? 1.0 : -1.0
            #expect(all.pValue(null: end + toward * delta) > 0.05, "inside \(end)")
            #expect(all.pValue(null: end - toward * delta) <= 0.05, "outside \(end)")
        }
    }

    @Test(
        "under 50 clusters every effect row of the three tables carries its bootstrap (Webb weights under 12 clusters); pre-period rows of two-stage and imputation do not"
    )
    func tables() throws {
        let panel = try Self.panel()
        let tables = [
            try PanelEstimation.twoStage(panel), try PanelEstimation.twoStageEventStudy(panel, leads: 2, lags: 2),
            try PanelEstimation.imputation(panel, lags: 2, pretrends: 2), try PanelEstimation.sunAbraham(panel, leads: 2, lags: 2),
        ]
        for table in tables {
            for row in table.rows {
                let preperiod = (row.eventTime ?? 0) < 0 || row.term.hasPrefix("pre-trend")
                if preperiod && table.estimator != "sun_abraham" {
                    #expect(row.wildBootstrap == nil, "\(table.estimator) \(row.term)")
                    continue
                }
                let result = try #require(row.wildBootstrap, "\(table.estimator) \(row.term)")
                #expect(abs(result.estimate - row.coefficient.estimate) < 1e-9, "\(table.estimator) \(row.term)")
                #expect(result.weights == .webb && result.draws == 9999 && result.clusters == 9)
                #expect(try #require(result.interval).contains(result.estimate))
            }
            #expect(table.notes.contains { $0.hasPrefix("wild cluster bootstrap for each coefficient (webb weights") }, "\(table.notes)")
        }
        #expect(tables[1].notes.contains { $0.hasPrefix("no wild bootstrap for the pre-period rows") })
        let without = try PanelEstimation.imputation(panel, lags: 2, pretrends: 0, bootstrap: false)
        #expect(without.rows.allSatisfy { $0.wildBootstrap == nil })
    }
}
