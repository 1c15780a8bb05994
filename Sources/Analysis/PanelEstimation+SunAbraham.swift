import Foundation

// Sun & Abraham's interaction-weighted event study as a publication table.
extension PanelEstimation {
    /// Sun & Abraham (2021): one coefficient per adoption cohort and event time (−leads … lags, binned at the ends, −1
    /// the reference) with unit and period effects, never-treated units the comparison (or, without any, the last
    /// cohort to adopt, its treated periods left out); each event time's effect is the average of its cohorts'
    /// coefficients weighted by their shares of the rows at that event time. Standard errors: CR1 by the panel's
    /// cluster through the delta method, the weights taken as fixed (as fixest's sunab and pyfixest's aggregate); under
    /// 50 clusters the cluster jackknife's (CR1's covered 93.0% with 40 clusters in the coverage study).
    /// Under 50 clusters, the wild cluster bootstrap of every row too (`bootstrap: false` leaves it out).
    /// With `cr2`, CR2 standard errors with Satterthwaite degrees of freedom for each row instead (no jackknife).
    public static func sunAbraham(_ panel: LongPanel, leads: Int, lags: Int, bootstrap: Bool = true, cr2: Bool = false) throws -> DiDTable {
        let request = bootstrapRequest(panel, bootstrap)
        let (table, results) = try sunAbrahamFit(panel, leads: leads, lags: lags, bootstrap: request, cr2: cr2)
        let jackknifed = cr2 ? table : jackknifed(table, panel, conventional: "cr1_std_error") { try sunAbrahamTable($0, leads: leads, lags: lags) }
        guard let any = results.values.first else { return jackknifed }
        return jackknifed.attaching(results).adding(note: wildBootstrapNote(any)).adding(
            note: "wild cluster bootstrap of each row as one coefficient of the saturated regression (reparametrised so that the row's "
                + "combination of cohort coefficients is a coefficient), on the data net of the unit and period effects")
    }

    /// The table alone (what the jackknife refits).
    static func sunAbrahamTable(_ panel: LongPanel, leads: Int, lags: Int) throws -> DiDTable {
        try sunAbrahamFit(panel, leads: leads, lags: lags, bootstrap: nil).table
    }

    static func sunAbrahamFit(
        _ whole: LongPanel, leads: Int, lags: Int, bootstrap request: WildClusterBootstrap.Request?, cr2: Bool = false
    ) throws -> (
        table: DiDTable, bootstrap: [String: WildClusterBootstrap.Result]
    ) {
        // Covariates enter the saturated regression beside the cohort-by-event-time dummies (as in fixest's sunab);
        // rows without a value are left out. Survey weights make it weighted least squares, and the cohorts' shares
        // are shares of the weights.
        let (complete, leftOut, absorbed) = try whole.withCompleteCovariates()
        // Units treated in every round they are seen have no pre-period: their cells would be their unit effects.
        let (panel, alwaysTreated) = try complete.withoutAlwaysTreated()
        let weight = panel.weight ?? [Double](repeating: 1, count: panel.outcome.count)
        let present = Set(panel.unit)
        let cohorts = Array(Set(present.compactMap { panel.cohort[$0] })).sorted()
        guard !cohorts.isEmpty else { throw EstimationError.emptyCell("treated cohort") }
        let neverTreated = present.contains { panel.cohort[$0] == nil }
        // Without never-treated units the last cohort is the comparison, up to its adoption.
        let control = neverTreated ? nil : cohorts.last
        let treatedCohorts = cohorts.filter { $0 != control }
        guard !treatedCohorts.isEmpty else { throw EstimationError.emptyCell("treated cohort besides the comparison cohort") }
        let rows = panel.outcome.indices.filter { control == nil || panel.period[$0] < control! }
        let window = Array(-leads...lags).filter { $0 != -1 }
        // The cohort and event-time cell of each row (nil for comparison rows and the reference period).
        var cellIndex: [[Int]: Int] = [:], cells: [(cohort: Int, eventTime: Int)] = [], counts: [Double] = []
        var cellOfRow = [Int?](repeating: nil, count: rows.count)
        for (position, i) in rows.enumerated() {
            guard let g = panel.cohort[panel.unit[i]], g != control else { continue }
            let eventTime = min(max(panel.period[i] - g, -leads), lags)
            guard window.contains(eventTime) else { continue }
            let key = [g, eventTime]
            if cellIndex[key] == nil {
                cellIndex[key] = cells.count
                cells.append((g, eventTime))
                counts.append(0)
            }
            counts[cellIndex[key]!] += weight[i]
            cellOfRow[position] = cellIndex[key]
        }
        let order = cells.indices.sorted { (cells[$0].cohort, cells[$0].eventTime) < (cells[$1].cohort, cells[$1].eventTime) }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: cells.count)
        for (position, cell) in cellOfRow.enumerated() { if let cell { columns[cell][position] = 1 } }
        let names = order.map { "cohort \(panel.periods[cells[$0].cohort]) × event time \(cells[$0].eventTime)" }
        let result = try TwoWayFixedEffects.fit(
            y: rows.map { panel.outcome[$0] }, columns: order.map { columns[$0] } + panel.covariates.map { c in rows.map { c[$0] } },
            names: names + panel.covariateNames, unit: rows.map { panel.unit[$0] },
            unitCount: panel.unitLabels.count, period: rows.map { panel.period[$0] }, periodCount: panel.periods.count,
            standardErrors: .cr1(cluster: panel.clusterName), cluster: rows.map { panel.cluster[$0] }, clusterCount: panel.clusterLabels.count,
            weights: panel.weight.map { w in rows.map { w[$0] } })
        // Each row's weights over the cohort-by-event-time coefficients (and the covariates'): the event times', then the
        // average post-period effect's.
        var terms: [(term: String, eventTime: Int?)] = [], rowWeights: [[Double]] = []
        for eventTime in window {
            let members = order.indices.filter { cells[order[$0]].eventTime == eventTime }
            guard !members.isEmpty else { continue }
            let total = members.reduce(0) { $0 + counts[order[$1]] }
            var weights = [Double](repeating: 0, count: order.count + panel.covariates.count)
            for j in members { weights[j] = counts[order[j]] / total }
            terms.append(("event time \(eventTime)", eventTime))
            rowWeights.append(weights)
        }
        let post = order.indices.filter { cells[order[$0]].eventTime >= 0 }
        let postTotal = post.reduce(0) { $0 + counts[order[$1]] }
        var postWeights = [Double](repeating: 0, count: order.count + panel.covariates.count)
        for j in post { postWeights[j] = counts[order[j]] / postTotal }
        terms.append(("average post-period effect", nil))
        // CR2 when asked: the saturated regression's Bell–McCaffrey covariance, each row's Satterthwaite degrees of freedom.
        var covariance = result.covariance
        var rowDegrees = [Double](repeating: Double(result.degreesOfFreedom), count: terms.count)
        if cr2 {
            let fit = try TwoWayFixedEffects.bellMcCaffrey(
                y: rows.map { panel.outcome[$0] }, columns: order.map { columns[$0] } + panel.covariates.map { c in rows.map { c[$0] } },
                names: names + panel.covariateNames, unit: rows.map { panel.unit[$0] }, unitCount: panel.unitLabels.count,
                period: rows.map { panel.period[$0] }, periodCount: panel.periods.count, cluster: rows.map { panel.cluster[$0] },
                clusterCount: panel.clusterLabels.count, clusterName: panel.clusterName, contrasts: rowWeights + [postWeights],
                weights: panel.weight.map { w in rows.map { w[$0] } })
            covariance = fit.covariance
            rowDegrees = fit.contrastDegreesOfFreedom
        }
        func quadratic(_ left: [Double], _ right: [Double]) -> Double {
            var sum = 0.0
            for a in left.indices where left[a] != 0 { for b in right.indices where right[b] != 0 { sum += left[a] * covariance[a][b] * right[b] } }
            return sum
        }
        // Each row a linear combination of the coefficients, with its delta-method standard error.
        let tableRows = zip(terms, rowWeights + [postWeights]).enumerated().map { index, pair -> DiDTable.Row in
            let ((term, eventTime), weights) = pair
            let estimate = zip(weights, result.coefficients).reduce(0) { $0 + $1.0 * $1.1.estimate }
            return DiDTable.Row(
                term: term,
                coefficient: DiDTable.t(estimate, quadratic(weights, weights).squareRoot(), degreesOfFreedom: rowDegrees[index], term: term),
                eventTime: eventTime)
        }
        // The event times' covariance, W Σ W′, for the sensitivity analysis.
        let combined = rowWeights.map { left in rowWeights.map { right in quadratic(left, right) } }
        var notes = [
            "Sun & Abraham interaction-weighted: each event time's effect averages the cohorts' own coefficients by their shares of the rows at "
                + "that event time; the cohort-by-event-time regression has unit and period effects; reference: event time −1; event times "
                + "beyond −\(leads) and \(lags) binned at the ends",
            "the average post-period effect weighs every treated cohort and event time in the window by its rows",
        ]
        if !panel.covariateNames.isEmpty {
            notes.append(
                "covariates in the saturated regression: \(panel.covariateNames.joined(separator: ", "))"
                    + (leftOut > 0 ? "; \(leftOut) rows without a covariate value left out" : ""))
        }
        notes += LongPanel.absorbedNote(absorbed) + LongPanel.alwaysTreatedNote(alwaysTreated)
        if let weightName = panel.weightName {
            notes.append("weighted by \(weightName): weighted least squares, and each cohort's share of an event time is its share of the weights")
        }
        if let control {
            notes.append(
                "no never-treated units: the last cohort to adopt (\(panel.periods[control])) is the comparison, and periods from "
                    + "\(panel.periods[control]) on are left out")
        } else {
            notes.append("comparison: the never-treated units")
        }
        var seType = result.standardErrors.name + " (delta method)"
        if cr2 {
            seType = "CR2 clustered by \(panel.clusterName) (Bell–McCaffrey, delta method; Satterthwaite degrees of freedom for each row)"
            notes.append(
                "CR2: the saturated regression's Bell–McCaffrey covariance (unit effects absorbed within the clusters they are nested in, "
                    + "period effects as columns, as clubSandwich for the dummy regression), each row's degrees of freedom by Satterthwaite "
                    + "for its own combination: "
                    + zip(terms, rowDegrees).map { String(format: "%@ %.1f", $0.term as NSString, $1) }.joined(separator: ", "))
        }
        let table = DiDTable(
            title: "Sun & Abraham event study (interaction-weighted)", estimator: "sun_abraham", rows: tableRows, observations: result.observations,
            clusters: result.clusters, seType: seType, notes: notes
        ).withEventCovariance(combined, exact: exactEventTime(panel, leads: leads, lags: lags))
        guard let request else { return (table, [:]) }
        // Each row a linear combination c′β of the regression's coefficients, bootstrapped as one coefficient.
        let w = panel.weight.map { weights in rows.map { weights[$0] } }
        let design = order.map { columns[$0] } + panel.covariates.map { c in rows.map { c[$0] } }
        let demeaned = TwoWayFixedEffects.absorb(
            [rows.map { panel.outcome[$0] }] + design, units: rows.map { panel.unit[$0] }, periods: rows.map { panel.period[$0] },
            unitCount: panel.unitLabels.count, periodCount: panel.periods.count, weights: w
        ).columns
        let (wy, wx) = weighted(demeaned[0], rows.indices.map { i in demeaned.dropFirst().map { $0[i] } }, w)
        let clusters = rows.map { panel.clusterLabels[panel.cluster[$0]] }
        var results: [String: WildClusterBootstrap.Result] = [:], failures: [String: String] = [:]
        for (row, c) in zip(tableRows, rowWeights + [postWeights]) {
            guard let j = c.firstIndex(where: { $0 != 0 }) else { continue }
            let rebuilt = wx.map { x -> [Double] in
                var out = x
                for l in x.indices where l != j { out[l] = x[l] - c[l] / c[j] * x[j] }
                out[j] = x[j] / c[j]
                return out
            }
            var names = names + panel.covariateNames
            names[j] = row.term
            do {
                results[row.term] = try WildClusterBootstrap.test(
                    y: wy, x: rebuilt, names: names, term: row.term, clusters: clusters, weights: request.weights, draws: request.draws,
                    seed: request.seed, level: request.level)
            } catch let error as EstimationError {
                failures[row.term] = "\(error)"
            }
        }
        return (bootstrapFailureNotes(failures).reduce(table) { $0.adding(note: $1) }, results)
    }
}
