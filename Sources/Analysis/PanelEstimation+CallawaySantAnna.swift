import Foundation

extension PanelEstimation {
    // MARK: - Callaway & Sant'Anna

    /// ATT(g,t) with its aggregations and a uniform band over event times. On a balanced panel, covariates and
    /// weights are each unit's values in its first period with all of them (pre-treatment for every cohort with a
    /// pre-period); an unbalanced panel (or repeated cross-sections, each row its own unit) keeps every unit and
    /// compares rows, each with its own values. Units treated from the first period have no pre-period and are left out.
    public static func callawaySantAnna(
        _ panel: LongPanel, comparison: CallawaySantAnna.Comparison,
        method: CallawaySantAnna.Method = .doublyRobust, keepUnbalanced: Bool = false, universalBase: Bool = false
    ) throws -> DiDTable {
        let periodCount = panel.periods.count, unitCount = panel.unitLabels.count
        guard periodCount >= 2, !panel.outcome.isEmpty else { throw EstimationError.emptyCell("panel (fewer than two periods with data)") }
        var outcomes = [Double](repeating: .nan, count: unitCount * periodCount)
        var clusterOf = [Int](repeating: -1, count: unitCount)
        var present = [Bool](repeating: false, count: unitCount)
        // Each unit's values in its first period with all covariates (and its weight there).
        var firstPeriod = [Int](repeating: Int.max, count: unitCount), firstRow = [Int](repeating: -1, count: unitCount)
        var weightVaries = [Bool](repeating: false, count: unitCount), firstWeight = [Double](repeating: .nan, count: unitCount)
        for i in panel.outcome.indices {
            let u = panel.unit[i]
            present[u] = true
            outcomes[u * periodCount + panel.period[i]] = panel.outcome[i]
            if clusterOf[u] < 0 { clusterOf[u] = panel.cluster[i] }
            guard panel.covariates.allSatisfy({ !$0[i].isNaN }) else { continue }
            if let weight = panel.weight?[i] {
                if !firstWeight[u].isNaN, firstWeight[u] != weight { weightVaries[u] = true }
                if firstWeight[u].isNaN { firstWeight[u] = weight }
            }
            if panel.period[i] < firstPeriod[u] {
                firstPeriod[u] = panel.period[i]
                firstRow[u] = i
            }
        }
        let observed = (0..<unitCount).filter { present[$0] }
        let complete = observed.filter { u in (0..<periodCount).allSatisfy { !outcomes[u * periodCount + $0].isNaN } }
        // Asked to, an unbalanced panel keeps its units missing a period (R did's allow_unbalanced_panel): the
        // comparisons are then made from rows, each row with its own covariates and weight.
        let balanced = complete.count == observed.count || !keepUnbalanced
        let withPrePeriod = (balanced ? complete : observed).filter { panel.cohort[$0] != 0 }
        let covariatesComplete = panel.outcome.indices.map { i in panel.covariates.allSatisfy { !$0[i].isNaN } }
        let usable = withPrePeriod.filter { firstRow[$0] >= 0 }
        let hasCovariates = !panel.covariateNames.isEmpty
        var rowsOfUnit = [[Int]](repeating: [], count: unitCount)
        if !balanced { for i in panel.outcome.indices where covariatesComplete[i] { rowsOfUnit[panel.unit[i]].append(i) } }
        // Without covariates the doubly robust estimator is the outcome regression (an intercept-only propensity
        // score weights every comparison unit alike), so the cheaper one runs.
        // Clusters coded 0, 1, 2, … in their labels' order, as the estimator codes labels itself.
        let usedClusters = Set(usable.map { clusterOf[$0] }).sorted { panel.clusterLabels[$0] < panel.clusterLabels[$1] }
        var denseCluster = [Int](repeating: -1, count: panel.clusterLabels.count)
        for (code, cluster) in usedClusters.enumerated() { denseCluster[cluster] = code }
        func estimate(_ units: [Int], clustered: Bool = true) throws -> CallawaySantAnna {
            if !balanced {
                let rows = units.flatMap { rowsOfUnit[$0] }
                var position = [Int](repeating: -1, count: unitCount)
                for (code, u) in units.enumerated() { position[u] = code }
                return try CallawaySantAnna(
                    rows: PanelRows(
                        unit: rows.map { position[panel.unit[$0]] }, period: rows.map { panel.period[$0] }, outcome: rows.map { panel.outcome[$0] },
                        covariates: hasCovariates ? rows.map { i in panel.covariates.map { $0[i] } } : nil,
                        weights: panel.weight.map { w in rows.map { w[$0] } },
                        group: units.map { panel.cohort[$0].map { $0 + 1 } ?? 0 }),
                    periods: Array(1...periodCount), comparison: comparison,
                    clusterCodes: clustered ? units.map { denseCluster[clusterOf[$0]] } : nil, method: hasCovariates ? method : .outcomeRegression,
                    universalBase: universalBase)
            }
            return try CallawaySantAnna(
                periodColumns: (0..<periodCount).map { p in units.map { outcomes[$0 * periodCount + p] } },
                periods: Array(1...periodCount), group: units.map { panel.cohort[$0].map { $0 + 1 } ?? 0 },
                comparison: comparison, clusterCodes: clustered ? units.map { denseCluster[clusterOf[$0]] } : nil,
                covariates: hasCovariates ? units.map { u in panel.covariates.map { $0[firstRow[u]] } } : nil,
                method: hasCovariates ? method : .outcomeRegression,
                weights: panel.weight == nil ? nil : units.map { panel.weight![firstRow[$0]] }, universalBase: universalBase)
        }
        let estimator = try estimate(usable)
        let weightsChanging = usable.filter { weightVaries[$0] }.count
        let nu = estimator.degreesOfFreedom
        // Every reported quantity once, in table order: the ATT(g,t)s, the event times, the three overall ATTs.
        let full = CallawaySantAnnaTerms(estimator, periods: panel.periods)
        // Under 50 clusters the standard errors come from the cluster jackknife: the influence-function standard
        // errors (R did's) were 3–10% below the estimates' spread on 24 district clusters, and intervals from them
        // covered 91.8–93.2% in the coverage study; the jackknife refits without each cluster.
        var jackknife: ClusterJackknife?
        var jackknifeNote: String?
        if let count = estimator.clusters, nu != nil, count < 50 {
            do {
                jackknife = try ClusterJackknife(
                    full: full.estimates, clusterCount: count, clusterLabel: { panel.clusterLabels[usedClusters[$0]] },
                    refit: { left in
                        let fit = try estimate(usable.filter { denseCluster[clusterOf[$0]] != left }, clustered: false)
                        return try CallawaySantAnnaTerms(fit, periods: panel.periods).values(for: full.terms)
                    })
            } catch {
                jackknifeNote = "cluster jackknife not computed (\(error)): the standard errors are the influence functions' (R did's)"
            }
        }
        func standardError(_ index: Int) -> Double { jackknife?.standardErrors[index] ?? full.influenceStandardErrors[index] }
        var rows: [DiDTable.Row] = []
        var bandCritical = 0.0
        let eventIndices = full.terms.indices.filter { full.eventTimes[$0] != nil }
        if let jackknife {
            bandCritical = EventStudy.supTCriticalValue(
                covariance: eventIndices.map { a in eventIndices.map { jackknife.covariance[a][$0] } }, level: 0.95, draws: 9999,
                seed: 20_211_201, degreesOfFreedom: nu)
        } else {
            bandCritical = estimator.uniformCriticalValue(for: full.eventAggregates)
        }
        for (index, term) in full.terms.enumerated() {
            let att = full.estimates[index], se = standardError(index)
            var row = DiDTable.Row(
                term: term, coefficient: DiDTable.t(att, se, degreesOfFreedom: nu), eventTime: full.eventTimes[index],
                band: full.eventTimes[index] == nil ? nil : finiteRange(att - bandCritical * se, att + bandCritical * se))
            if jackknife != nil { row.conventionalStandardError = ("influence_function_std_error", full.influenceStandardErrors[index]) }
            rows.append(row)
        }
        let critical = bandCritical
        // Under 50 clusters, the multiplier bootstrap of each aggregation's influence function.
        var bootstrap: [String: WildClusterBootstrap.Result] = [:]
        if let count = estimator.clusters, estimator.degreesOfFreedom != nil, count < 50 {
            for (term, aggregate) in full.aggregates {
                let index = full.terms.firstIndex(of: term)!
                bootstrap[term] = WildClusterBootstrap.influence(
                    term: term, estimate: aggregate.att, clusterTotals: estimator.clusterTotals(aggregate), units: estimator.units,
                    standardError: standardError(index), weights: count < 12 ? .webb : .rademacher)
            }
        }
        let usedRows = balanced ? usable.count * periodCount : usable.reduce(0) { $0 + rowsOfUnit[$1].count }
        var notes: [String] = []
        let firstPeriodNote = "\((balanced ? complete : observed).count - withPrePeriod.count) units treated from the first period (no pre-period) left out"
        if balanced {
            notes.append(
                "balanced panel: \(complete.count) units observed in every period, \(observed.count - complete.count) units missing a period left out"
                    + (complete.count < observed.count ? " (missing_rounds: keep, or --keep-unbalanced, keeps them)" : "") + "; " + firstPeriodNote)
        } else if observed.allSatisfy({ rowsOfUnit[$0].count <= 1 }) {
            notes.append(
                "repeated cross-sections: each of the \(usedRows) rows its own unit, each comparison made from the rows of its two periods "
                    + "(DRDID's repeated cross-section estimators, as R's did with panel = FALSE); " + firstPeriodNote)
        } else {
            notes.append(
                "unbalanced panel: \(observed.count - complete.count) of \(observed.count) units missing a period kept, each comparison made from the "
                    + "rows of its two periods and each unit's influence summed over its rows (R did's allow_unbalanced_panel); " + firstPeriodNote)
        }
        if hasCovariates {
            notes.append(
                "\(method.rawValue) on \(panel.covariateNames.joined(separator: ", ")), "
                    + (balanced ? "each unit's values in its first period with all of them" : "each row's own values")
                    + (withPrePeriod.count > usable.count ? "; \(withPrePeriod.count - usable.count) units without covariate values left out" : ""))
        }
        if let weightName = panel.weightName, !balanced {
            notes.append(
                "weighted by \(weightName), each row's weight in its comparisons and each unit's mean weight in the aggregations: the estimand is the population-weighted ATT"
            )
        } else if let weightName = panel.weightName {
            notes.append(
                "weighted by \(weightName), each unit's weight in its first period\(weightsChanging == 0 ? "" : " (\(weightsChanging) units' weights change between periods)"): the estimand is the population-weighted ATT"
            )
        }
        if let jackknifeNote { notes.append(jackknifeNote) }
        if jackknife != nil, let count = estimator.clusters {
            notes.append(
                "standard errors from the cluster jackknife (each of the \(count) clusters left out in turn, every ATT(g,t) and aggregation refitted; "
                    + "(G − 1)/G · Σ (θ₍g₎ − θ̄)²); the influence-function standard errors of R's did are in influence_function_std_error")
        }
        if let nu {
            notes.append(
                String(
                    format:
                        "intervals and p-values use t(%d) critical values (%d clusters; R's did uses the normal)", Int(nu), Int(nu) + 1))
        }
        notes.append(
            String(
                format:
                    "uniform 95%% band over the event times: estimate ± %.3f × s.e. (sup-t from the aggregations' %@covariance%@, 9999 draws, seed 20211201)",
                critical, (jackknife == nil ? "" : "jackknife ") as NSString, nu.map { String(format: " with t(%d) margins", Int($0)) as NSString } ?? ""))
        if universalBase {
            notes.append("universal base period: every ATT(g,t), before adoption too, compares with the period before adoption (event time −1, the reference)")
        }
        if let any = bootstrap.values.first {
            let how = any.enumerated ? "all \(any.draws) sign patterns" : "\(any.draws) draws, seed 20211201"
            notes.append(
                "cluster multiplier bootstrap of each aggregation's influence function, studentised by the variance of the perturbed cluster totals (\(any.weights.rawValue) weights, \(how)): its critical values with the table's standard errors give the p-values and 95% intervals in the bootstrap columns"
            )
        }
        return DiDTable(
            title: "Callaway & Sant'Anna (\(comparison.rawValue) comparison)", estimator: "callaway_santanna", rows: rows,
            observations: usedRows, clusters: estimator.clusters,
            seType: jackknife == nil
                ? "influence function, clustered by \(panel.clusterName) (summed to cluster totals)"
                : "cluster jackknife by \(panel.clusterName) (refitted without each cluster)", notes: notes
        ).attaching(bootstrap).withEventCovariance(
            jackknife?.covariance ?? estimator.covariance(of: full.terms.indices.map { index in full.aggregates.first { $0.0 == full.terms[index] }?.1 }),
            exact: { _ in true })
    }
}

/// Every quantity a Callaway & Sant'Anna table reports, in table order: the ATT(g,t)s, the event-time
/// aggregations, then the simple, dynamic and group overall ATTs; with their influence-function standard errors.
struct CallawaySantAnnaTerms {
    let terms: [String]
    let estimates: [Double]
    let influenceStandardErrors: [Double]
    let eventTimes: [Int?]
    /// The aggregations by term (event times and the overall ATTs), for the multiplier bootstrap.
    let aggregates: [(String, CallawaySantAnna.Aggregate)]
    let eventAggregates: [CallawaySantAnna.Aggregate]

    init(_ estimator: CallawaySantAnna, periods: [String]) {
        var terms: [String] = [], estimates: [Double] = [], errors: [Double] = [], eventTimes: [Int?] = []
        for cell in estimator.estimates {
            terms.append("ATT(\(periods[cell.group - 1]), \(periods[cell.time - 1]))")
            estimates.append(cell.att)
            errors.append(cell.standardError)
            eventTimes.append(nil)
        }
        // Each aggregation is computed once (each is a pass over every unit's influence function).
        let dynamic = estimator.dynamic
        var aggregates = dynamic.byEventTime.map { ("event time \($0.0)", $0.1) }
        aggregates += [
            ("overall ATT (simple)", estimator.simple), ("overall ATT (dynamic)", dynamic.overall), ("overall ATT (group)", estimator.byGroup.overall),
        ]
        for (index, (term, aggregate)) in aggregates.enumerated() {
            terms.append(term)
            estimates.append(aggregate.att)
            errors.append(aggregate.standardError)
            eventTimes.append(index < dynamic.byEventTime.count ? dynamic.byEventTime[index].0 : nil)
        }
        self.terms = terms
        self.estimates = estimates
        self.influenceStandardErrors = errors
        self.eventTimes = eventTimes
        self.aggregates = aggregates
        self.eventAggregates = dynamic.byEventTime.map(\.1)
    }

    /// The estimates of the given terms, in their order; an error naming the first term this fit lacks.
    func values(for wanted: [String]) throws -> [Double] {
        let byTerm = Dictionary(zip(terms, estimates), uniquingKeysWith: { a, _ in a })
        return try wanted.map { term in
            guard let value = byTerm[term] else { throw ClusterJackknife.Missing(term: term) }
            return value
        }
    }
}
