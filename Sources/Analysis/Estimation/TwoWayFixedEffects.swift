import Foundation

/// Two-way fixed effects: unit and period effects absorbed by alternating projections (exact on unbalanced
/// panels, iterated to a tight tolerance), then least squares on the demeaned data.
/// Small-sample conventions for clustered standard errors with absorbed fixed effects. Packages differ only
/// here, so every table names the one used.
public enum SmallSamplePreset: String, Sendable, CaseIterable {
    /// fixest's default: G/(G−1)·(n−1)/(n−K), fixed effects nested in the clusters not counted in K.
    case fixest
    /// Stata's reghdfe: the same rule as fixest.
    case stataReghdfe = "stata-reghdfe"
    /// Stata's regress with unit and period dummies and vce(cluster): every dummy counted in K.
    case stataRegressDummies = "stata-regress-dummies"

    public var description: String {
        switch self {
        case .fixest: "fixest: G/(G−1)·(n−1)/(n−K), fixed effects nested in clusters not in K"
        case .stataReghdfe: "Stata reghdfe: G/(G−1)·(n−1)/(n−K), fixed effects nested in clusters not in K"
        case .stataRegressDummies: "Stata regress with dummies: G/(G−1)·(n−1)/(n−K), every dummy in K"
        }
    }
}

public enum TwoWayFixedEffects {
    /// Demeans columns by unit and by period alternately until no column moves by more than `tolerance`
    /// relative to its scale.
    static func absorb(
        _ columns: [[Double]], units: [Int], periods: [Int], unitCount: Int, periodCount: Int, weights: [Double]? = nil,
        tolerance: Double = 1e-13, maximumIterations: Int = 10_000
    ) -> (columns: [[Double]], iterations: Int) {
        var result = columns
        var unitSizes = [Double](repeating: 0, count: unitCount), periodSizes = [Double](repeating: 0, count: periodCount)
        // Weighted means when weights are given: the projections are then in the weighted inner product.
        for i in units.indices {
            let w = weights?[i] ?? 1
            unitSizes[units[i]] += w
            periodSizes[periods[i]] += w
        }
        let unitInverse = unitSizes.map { $0 > 0 ? 1 / $0 : 0 }, periodInverse = periodSizes.map { $0 > 0 ? 1 / $0 : 0 }
        var iterations = 0
        var unitSums = [Double](repeating: 0, count: unitCount), periodSums = [Double](repeating: 0, count: periodCount)
        units.withUnsafeBufferPointer { u in
            periods.withUnsafeBufferPointer { t in
                for c in result.indices {
                    let scale = max(1e-300, result[c].map(abs).max() ?? 1)
                    var iteration = 0
                    result[c].withUnsafeMutableBufferPointer { column in
                        // One sweep: subtract the (weighted) group means of one factor, returning the largest shift.
                        func sweep(_ groups: UnsafeBufferPointer<Int>, _ sums: inout [Double], _ inverse: [Double]) -> Double {
                            for g in sums.indices { sums[g] = 0 }
                            var largest = 0.0
                            sums.withUnsafeMutableBufferPointer { sums in
                                inverse.withUnsafeBufferPointer { inverse in
                                    if let weights {
                                        weights.withUnsafeBufferPointer { w in
                                            for i in 0..<column.count { sums[groups[i]] += w[i] * column[i] }
                                        }
                                    } else {
                                        for i in 0..<column.count { sums[groups[i]] += column[i] }
                                    }
                                    for g in 0..<sums.count {
                                        sums[g] *= inverse[g]
                                        largest = max(largest, abs(sums[g]))
                                    }
                                    for i in 0..<column.count { column[i] -= sums[groups[i]] }
                                }
                            }
                            return largest
                        }
                        while iteration < maximumIterations {
                            iteration += 1
                            let moved = max(sweep(u, &unitSums, unitInverse), sweep(t, &periodSums, periodInverse))
                            if moved <= tolerance * scale { break }
                        }
                    }
                    iterations = max(iterations, iteration)
                }
            }
        }
        return (result, iterations)
    }

    /// x − x̄ᵢ − x̄ₜ + x̄ for a balanced panel (every unit once in every period).
    static func demeanBalanced(_ column: [Double], units: [Int], periods: [Int], unitCount: Int, periodCount: Int) -> [Double] {
        var unitMeans = [Double](repeating: 0, count: unitCount), periodMeans = [Double](repeating: 0, count: periodCount)
        let n = column.count
        var total = 0.0
        return column.withUnsafeBufferPointer { x in
            units.withUnsafeBufferPointer { u in
                periods.withUnsafeBufferPointer { t in
                    unitMeans.withUnsafeMutableBufferPointer { unitMeans in
                        periodMeans.withUnsafeMutableBufferPointer { periodMeans in
                            for i in 0..<n {
                                unitMeans[u[i]] += x[i]
                                periodMeans[t[i]] += x[i]
                                total += x[i]
                            }
                            let perUnit = 1 / Double(periodCount), perPeriod = 1 / Double(unitCount)
                            for g in 0..<unitCount { unitMeans[g] *= perUnit }
                            for g in 0..<periodCount { periodMeans[g] *= perPeriod }
                            let grand = total / Double(n)
                            // Written once, from the column: no copy of it to subtract from.
                            return [Double](unsafeUninitializedCapacity: n) { result, initialized in
                                for i in 0..<n { result[i] = x[i] - unitMeans[u[i]] - periodMeans[t[i]] + grand }
                                initialized = n
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether every unit is observed exactly once in every period.
    static func isBalanced(units: [Int], periods: [Int], unitCount: Int, periodCount: Int) -> Bool {
        guard units.count == unitCount * periodCount else { return false }
        var seen = [Bool](repeating: false, count: unitCount * periodCount)
        for i in units.indices {
            let cell = units[i] * periodCount + periods[i]
            if seen[cell] { return false }
            seen[cell] = true
        }
        return true
    }

    /// y and the regressors with unit and period effects removed (for the wild bootstrap of a TWFE coefficient).
    /// With weights, the projections are in the weighted metric, as in `fit`.
    public static func demean(
        y: [Double], regressors: [[Double]], units: [String], periods: [String],
        weights: [Double]? = nil
    ) -> (y: [Double], x: [[Double]]) {
        let unitIndex = Dictionary(Set(units).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let periodIndex = Dictionary(Set(periods).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let k = regressors.first?.count ?? 0
        var columns = [y]
        for j in 0..<k { columns.append(regressors.map { $0[j] }) }
        let absorbed = absorb(
            columns, units: units.map { unitIndex[$0]! }, periods: periods.map { periodIndex[$0]! },
            unitCount: unitIndex.count, periodCount: periodIndex.count, weights: weights
        ).columns
        return (absorbed[0], y.indices.map { i in (0..<k).map { absorbed[$0 + 1][i] } })
    }

    /// y on regressors with unit and period effects. Standard errors: classical (degrees of freedom net of the
    /// absorbed effects) or CR1 by a cluster; with clusters, effects nested in the clusters are not counted in K
    /// (as fixest and reghdfe), so K = regressors + periods when units are nested in clusters.
    /// With `weights` (survey weights), the estimate is the weighted least squares one: a population-weighted
    /// effect when the weights are inverse selection probabilities.
    public static func fit(
        y: [Double], regressors: [[Double]], names: [String], units: [String], periods: [String],
        standardErrors: StandardErrors = .classical, clusters: [String]? = nil,
        preset: SmallSamplePreset = .fixest, weights: [Double]? = nil
    ) throws -> RegressionResult {
        let unitIndex = Dictionary(Set(units).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let periodIndex = Dictionary(Set(periods).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var clusterCodes: [Int]?, clusterCount = 0
        if let clusters {
            // Sorted labels: the clustered sums run in the same order on every run, bit for bit.
            let clusterIndex = Dictionary(Set(clusters).sorted().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            clusterCodes = clusters.map { clusterIndex[$0]! }
            clusterCount = clusterIndex.count
        }
        return try fit(
            y: y, columns: names.indices.map { j in regressors.map { $0[j] } }, names: names,
            unit: units.map { unitIndex[$0]! }, unitCount: unitIndex.count,
            period: periods.map { periodIndex[$0]! }, periodCount: periodIndex.count,
            standardErrors: standardErrors, cluster: clusterCodes, clusterCount: clusterCount, preset: preset, weights: weights)
    }

    /// The same with integer codes for units, periods and clusters (0..<count) and the regressors column by
    /// column: no string hashing and no array per observation, for large panels.
    public static func fit(
        y: [Double], columns regressors: [[Double]], names: [String], unit u: [Int], unitCount: Int, period t: [Int],
        periodCount: Int, standardErrors: StandardErrors = .classical, cluster: [Int]? = nil, clusterCount: Int = 0,
        preset: SmallSamplePreset = .fixest, weights: [Double]? = nil
    ) throws -> RegressionResult {
        try fit(
            y: y, columns: regressors, names: names, unit: u, unitCount: unitCount, period: t, periodCount: periodCount,
            standardErrors: standardErrors, cluster: cluster, clusterCount: clusterCount, preset: preset, weights: weights, regressorsDemeaned: false)
    }

    /// With `regressorsDemeaned`, the regressors arrive with the unit and period effects already removed (the event
    /// study builds its dummies that way on balanced panels) and only y is demeaned here.
    static func fit(
        y: [Double], columns regressors: [[Double]], names: [String], unit u: [Int], unitCount: Int, period t: [Int],
        periodCount: Int, standardErrors: StandardErrors, cluster: [Int]?, clusterCount: Int, preset: SmallSamplePreset,
        weights: [Double]?, regressorsDemeaned: Bool
    ) throws -> RegressionResult {
        let n = y.count
        // On a balanced panel without weights the two-way demeaning is exact in closed form, x − x̄ᵢ − x̄ₜ + x̄
        // (one pass for the means, one to subtract); otherwise alternating projections to convergence.
        let balanced = weights == nil && isBalanced(units: u, periods: t, unitCount: unitCount, periodCount: periodCount)
        let toDemean = regressorsDemeaned ? [y] : [y] + regressors
        var absorbed =
            balanced
            ? (columns: toDemean.map { demeanBalanced($0, units: u, periods: t, unitCount: unitCount, periodCount: periodCount) }, iterations: 1)
            : absorb(toDemean, units: u, periods: t, unitCount: unitCount, periodCount: periodCount, weights: weights)
        if regressorsDemeaned { absorbed.columns += regressors }
        let yTilde = absorbed.columns[0]
        let x = Array(absorbed.columns.dropFirst())
        for (j, name) in names.enumerated() where x[j].allSatisfy({ abs($0) < 1e-10 }) {
            throw EstimationError.noVariation(column: "\(name) (within units and periods)")
        }
        let k = names.count
        let absorbedParameters = unitCount + periodCount - 1
        let solution = try QRLeastSquares(columns: x, y: yTilde, weights: weights, names: names)
        let e = solution.residuals
        // w·e, the residuals as the scores use them (e itself without weights).
        let we = weights.map { w in zip(w, e).map { $0 * $1 } } ?? e
        var covariance: [[Double]]
        var clusterTotal: Int?
        var dof = n - k - absorbedParameters
        var perCoefficient: [Double]?
        switch standardErrors {
        case .classical, .hc1:
            guard dof > 0 else { throw EstimationError.tooFewObservations(observations: n, parameters: k + absorbedParameters) }
            if standardErrors == .classical {
                let sigma2 = (0..<n).reduce(0) { $0 + we[$1] * e[$1] } / Double(dof)
                covariance = solution.inverseGram.map { $0.map { $0 * sigma2 } }
            } else {
                var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
                for a in 0..<k {
                    for b in a..<k {
                        var sum = 0.0
                        for i in 0..<n { sum += x[a][i] * x[b][i] * we[i] * we[i] }
                        meat[a][b] = sum
                        meat[b][a] = sum
                    }
                }
                covariance = Regression.sandwich(solution.inverseGram, meat).map { $0.map { $0 * Double(n) / Double(dof) } }
            }
        case .cr3(let name):
            // The jackknife refits without each cluster; with absorbed effects that is not offered (yet): say so.
            throw EstimationError.unsupportedStandardErrors(name: "CR3", estimator: "two-way fixed effects", cluster: name)
        case .cr2(let name):
            guard let cluster, cluster.count == n else { throw EstimationError.missingClusterValues(column: name, rows: n) }
            let cr2 = try bellMcCaffrey(
                y: y, columns: regressors, names: names, unit: u, unitCount: unitCount, period: t, periodCount: periodCount, cluster: cluster,
                clusterCount: clusterCount, clusterName: name, weights: weights)
            covariance = cr2.covariance
            perCoefficient = cr2.degreesOfFreedom
            clusterTotal = cr2.clusters
            dof = cr2.clusters - 1
        case .cr1(let name):
            guard let cluster, cluster.count == n else { throw EstimationError.missingClusterValues(column: name, rows: n) }
            var scores = [[Double]](repeating: [Double](repeating: 0, count: clusterCount), count: k)
            var present = [Bool](repeating: false, count: clusterCount)
            for a in 0..<k {
                scores[a].withUnsafeMutableBufferPointer { totals in
                    x[a].withUnsafeBufferPointer { column in
                        we.withUnsafeBufferPointer { we in
                            cluster.withUnsafeBufferPointer { cluster in
                                for i in 0..<n { totals[cluster[i]] += column[i] * we[i] }
                            }
                        }
                    }
                }
            }
            for c in cluster { present[c] = true }
            let g = present.filter { $0 }.count
            guard g > 1 else { throw EstimationError.oneCluster(column: name) }
            // Unit effects nested in the clusters (every unit in one cluster) do not count in K.
            var clusterOfUnit = [Int](repeating: -1, count: unitCount)
            var nested = true
            for i in 0..<n {
                if clusterOfUnit[u[i]] >= 0, clusterOfUnit[u[i]] != cluster[i] {
                    nested = false
                    break
                }
                clusterOfUnit[u[i]] = cluster[i]
            }
            // Stata's regress counts every dummy (and the constant); fixest and reghdfe drop effects nested in clusters.
            // With the unit effects nested, fixest (and reghdfe) count every period effect: K = k + periods (checked
            // against pyfixest on mpdta, Tests/AnalysisTests/Fixtures/mpdta_twfe.csv).
            let counted = preset == .stataRegressDummies ? k + absorbedParameters : k + (nested ? periodCount : absorbedParameters)
            var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            // In cluster order: the same sums, bit for bit, on every run.
            for c in 0..<clusterCount where present[c] { for a in 0..<k { for b in 0..<k { meat[a][b] += scores[a][c] * scores[b][c] } } }
            let factor = Double(g) / Double(g - 1) * Double(n - 1) / Double(n - counted)
            covariance = Regression.sandwich(solution.inverseGram, meat).map { $0.map { $0 * factor } }
            clusterTotal = g
            dof = g - 1
        }
        let mean = yTilde.reduce(0, +) / Double(n)
        let within = 1 - e.reduce(0) { $0 + $1 * $1 } / yTilde.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let critical = StudentT.quantile(0.975, degreesOfFreedom: Double(dof))
        let coefficients = (0..<k).map { j -> Coefficient in
            let se = covariance[j][j].squareRoot(), estimate = solution.coefficients[j]
            let nu = perCoefficient?[j] ?? Double(dof)
            let critical = perCoefficient == nil ? critical : StudentT.quantile(0.975, degreesOfFreedom: nu)
            return Coefficient(
                term: names[j], estimate: estimate, standardError: se,
                pValue: 2 * (1 - StudentT.cdf(abs(estimate / se), degreesOfFreedom: nu)),
                low: estimate - critical * se, high: estimate + critical * se)
        }
        var result = RegressionResult(
            coefficients: coefficients, observations: n, clusters: clusterTotal, standardErrors: standardErrors,
            rSquared: within, degreesOfFreedom: dof, covariance: covariance)
        result.coefficientDegreesOfFreedom = perCoefficient
        return result
    }

    /// CR2 (Bell–McCaffrey) with Satterthwaite degrees of freedom for the regressors of a two-way fixed-effects fit,
    /// equal to clubSandwich's for `lm(y ~ x + factor(unit) + factor(period))` clustered by a variable in which the
    /// units are nested (Pustejovsky and Tipton 2018, absorption): the unit effects are removed by demeaning within
    /// units, which changes neither the residuals nor the adjustment (the unit-dummy part of I − H_gg is a projection
    /// the residuals are orthogonal to), and the period effects stay as explicit columns, since they are not nested
    /// in clusters and are part of H_gg. `contrasts` (over the regressors) get degrees of freedom of their own.
    /// With survey `weights`, clubSandwich's weighted `lm` (identity working model): the units' weighted means are removed
    /// and each cluster's n_g×n_g matrix is decomposed (`BellMcCaffrey.computeWeighted`), so clusters are limited in size.
    static func bellMcCaffrey(
        y: [Double], columns regressors: [[Double]], names: [String], unit u: [Int], unitCount: Int, period t: [Int], periodCount: Int,
        cluster: [Int], clusterCount: Int, clusterName: String, contrasts: [[Double]] = [], weights: [Double]? = nil
    ) throws -> (covariance: [[Double]], degreesOfFreedom: [Double], contrastDegreesOfFreedom: [Double], clusters: Int) {
        let n = y.count, k = regressors.count
        var clusterOfUnit = [Int](repeating: -1, count: unitCount)
        for i in 0..<n {
            if clusterOfUnit[u[i]] >= 0, clusterOfUnit[u[i]] != cluster[i] {
                throw EstimationError.unsupportedStandardErrors(
                    name: "CR2 (units not nested in the clusters)", estimator: "two-way fixed effects", cluster: clusterName)
            }
            clusterOfUnit[u[i]] = cluster[i]
        }
        // Periods seen, the first left out as the reference.
        var seen = [Bool](repeating: false, count: periodCount)
        for p in t { seen[p] = true }
        let dummies = Array(seen.indices.filter { seen[$0] }.dropFirst())
        let w = weights ?? [Double](repeating: 1, count: n)
        var counts = [Double](repeating: 0, count: unitCount)
        for i in 0..<n { counts[u[i]] += w[i] }
        func withinUnits(_ column: [Double]) -> [Double] {
            var means = [Double](repeating: 0, count: unitCount)
            for i in 0..<n { means[u[i]] += w[i] * column[i] }
            for unit in means.indices where counts[unit] > 0 { means[unit] /= counts[unit] }
            return (0..<n).map { column[$0] - means[u[$0]] }
        }
        let design = (regressors + dummies.map { p in t.map { $0 == p ? 1.0 : 0.0 } }).map(withinUnits)
        let fit = try QRLeastSquares(columns: design, y: withinUnits(y), weights: weights, names: names + dummies.map { "period \($0)" })
        var present = [Bool](repeating: false, count: clusterCount)
        for c in cluster { present[c] = true }
        let codes = present.indices.filter { present[$0] }
        guard codes.count > 1 else { throw EstimationError.oneCluster(column: clusterName) }
        let code = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let padding = [Double](repeating: 0, count: dummies.count)
        let rows = (0..<n).map { i in design.map { $0[i] } }, coded = cluster.map { code[$0]! }
        let computed: BellMcCaffrey.Result
        if let weights {
            guard
                let result = BellMcCaffrey.computeWeighted(
                    x: rows, e: fit.residuals, w: weights, bread: fit.inverseGram, cluster: coded, clusterCount: codes.count, unit: u,
                    contrasts: contrasts.map { $0 + padding }, degreesFor: k)
            else {
                var sizes = [Int](repeating: 0, count: codes.count)
                for c in coded { sizes[c] += 1 }
                throw EstimationError.clusterTooLargeForCR2(rows: sizes.max() ?? 0, limit: BellMcCaffrey.maximumClusterRows)
            }
            computed = result
        } else {
            computed = BellMcCaffrey.compute(
                x: rows, e: fit.residuals, bread: fit.inverseGram, cluster: coded, clusterCount: codes.count,
                contrasts: contrasts.map { $0 + padding })
        }
        return (
            computed.covariance.prefix(k).map { Array($0.prefix(k)) }, Array(computed.degreesOfFreedom.prefix(k)), computed.contrastDegreesOfFreedom,
            codes.count
        )
    }
}
