import Foundation

extension PanelEstimation {
    // MARK: - Callaway & Sant'Anna

    /// ATT(g,t) on the balanced panel with its aggregations and a uniform band over event times. Covariates and
    /// weights are each unit's values in its first period with all of them (pre-treatment for every cohort with a
    /// pre-period); units treated from the first period have no pre-period and are left out.
    public static func callawaySantAnna(
        _ panel: LongPanel, comparison: CallawaySantAnna.Comparison,
        method: CallawaySantAnna.Method = .doublyRobust
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
        let withPrePeriod = complete.filter { panel.cohort[$0] != 0 }
        let usable = withPrePeriod.filter { firstRow[$0] >= 0 }
        let hasCovariates = !panel.covariateNames.isEmpty
        // Without covariates the doubly robust estimator is the outcome regression (an intercept-only propensity
        // score weights every comparison unit alike), so the cheaper one runs.
        // Clusters coded 0, 1, 2, … in their labels' order, as the estimator codes labels itself.
        let usedClusters = Set(usable.map { clusterOf[$0] }).sorted { panel.clusterLabels[$0] < panel.clusterLabels[$1] }
        var denseCluster = [Int](repeating: -1, count: panel.clusterLabels.count)
        for (code, cluster) in usedClusters.enumerated() { denseCluster[cluster] = code }
        let estimator = try CallawaySantAnna(
            periodColumns: (0..<periodCount).map { p in usable.map { outcomes[$0 * periodCount + p] } },
            periods: Array(1...periodCount), group: usable.map { panel.cohort[$0].map { $0 + 1 } ?? 0 },
            comparison: comparison, clusterCodes: usable.map { denseCluster[clusterOf[$0]] },
            covariates: hasCovariates ? usable.map { u in panel.covariates.map { $0[firstRow[u]] } } : nil,
            method: hasCovariates ? method : .outcomeRegression,
            weights: panel.weight == nil ? nil : usable.map { panel.weight![firstRow[$0]] })
        let weightsChanging = usable.filter { weightVaries[$0] }.count
        let byUnitCount = observed.count
        let nu = estimator.degreesOfFreedom
        var rows = estimator.estimates.map {
            DiDTable.Row(
                term: "ATT(\(panel.periods[$0.group - 1]), \(panel.periods[$0.time - 1]))",
                coefficient: DiDTable.t($0.att, $0.standardError, degreesOfFreedom: nu))
        }
        let dynamic = estimator.dynamic
        let critical = estimator.uniformCriticalValue(for: dynamic.byEventTime.map(\.1))
        var aggregates: [(String, CallawaySantAnna.Aggregate)] = []
        for (e, aggregate) in dynamic.byEventTime {
            rows.append(
                DiDTable.Row(
                    term: "event time \(e)", coefficient: DiDTable.t(aggregate.att, aggregate.standardError, degreesOfFreedom: nu), eventTime: e,
                    band: finiteRange(aggregate.att - critical * aggregate.standardError, aggregate.att + critical * aggregate.standardError)))
            aggregates.append(("event time \(e)", aggregate))
        }
        // Each aggregation is computed once (each is a pass over every unit's influence function).
        let simple = estimator.simple, byGroup = estimator.byGroup.overall
        aggregates += [("overall ATT (simple)", simple), ("overall ATT (dynamic)", dynamic.overall), ("overall ATT (group)", byGroup)]
        for (term, aggregate) in aggregates.suffix(3) {
            rows.append(DiDTable.Row(term: term, coefficient: DiDTable.t(aggregate.att, aggregate.standardError, degreesOfFreedom: nu)))
        }
        // Under 50 clusters, the multiplier bootstrap of each aggregation's influence function.
        var bootstrap: [String: WildClusterBootstrap.Result] = [:]
        if let count = estimator.clusters, estimator.degreesOfFreedom != nil, count < 50 {
            for (term, aggregate) in aggregates {
                bootstrap[term] = WildClusterBootstrap.influence(
                    term: term, estimate: aggregate.att, clusterTotals: estimator.clusterTotals(aggregate), units: estimator.units,
                    weights: count < 12 ? .webb : .rademacher)
            }
        }
        var notes = [
            "balanced panel: \(complete.count) units observed in every period, \(byUnitCount - complete.count) units missing a period left out; "
                + "\(complete.count - withPrePeriod.count) units treated from the first period (no pre-period) left out"
        ]
        if hasCovariates {
            notes.append(
                "\(method.rawValue) on \(panel.covariateNames.joined(separator: ", ")), each unit's values in its first period with all of them"
                    + (withPrePeriod.count > usable.count ? "; \(withPrePeriod.count - usable.count) units without covariate values left out" : ""))
        }
        if let weightName = panel.weightName {
            notes.append(
                "weighted by \(weightName), each unit's weight in its first period\(weightsChanging == 0 ? "" : " (\(weightsChanging) units' weights change between periods)"): the estimand is the population-weighted ATT"
            )
        }
        if let nu {
            notes.append(
                String(
                    format:
                        "intervals and p-values use t(%d) critical values: the influence functions are summed to %d cluster totals (R's did uses the normal)",
                    Int(nu), Int(nu) + 1))
        }
        notes.append(
            String(
                format: "uniform 95%% band over the event times: estimate ± %.3f × s.e. (sup-t from the aggregations' covariance%@, 9999 draws, seed 20211201)",
                critical, nu.map { String(format: " with t(%d) margins", Int($0)) as NSString } ?? ""))
        if let any = bootstrap.values.first {
            let how = any.enumerated ? "all \(any.draws) sign patterns" : "\(any.draws) draws, seed 20211201"
            notes.append(
                "cluster multiplier bootstrap of each aggregation's influence function (\(any.weights.rawValue) weights, \(how)): p-values and 95% intervals in the bootstrap columns"
            )
        }
        return DiDTable(
            title: "Callaway & Sant'Anna (\(comparison.rawValue) comparison)", estimator: "callaway_santanna", rows: rows,
            observations: usable.count * periodCount, clusters: estimator.clusters,
            seType: "influence function, clustered by \(panel.clusterName) (summed to cluster totals)", notes: notes
        ).attaching(bootstrap)
    }
}
