import Foundation

// Gardner's two-stage DiD as publication tables: the overall effect on treated unit-periods and the event study.
extension PanelEstimation {
    /// The rows stage one fits: never-treated units' and treated units' before their adoption. A unit that reports the
    /// treatment and later not (reversible adoption) stays treated from its first treated period here, as in every
    /// staggered estimator: its later rows may carry the effect, so they cannot stand for untreated outcomes.
    static func untreatedRows(_ panel: LongPanel) -> [Bool] {
        panel.outcome.indices.map { row in panel.cohort[panel.unit[row]].map { panel.period[row] < $0 } ?? true }
    }

    static func twoStageNotes(_ fit: TwoStageDiD, _ panel: LongPanel, covariatesLeftOut: Int) -> [String] {
        let standardErrors =
            fit.result.coefficientDegreesOfFreedom == nil
            ? "two-step GMM clustered by the panel's cluster (Butts & Gardner), no small-sample factor, as R's did2s and pyfixest"
            : "CR2 (below)"
        var notes = [
            "Gardner's two-stage DiD: unit and period effects estimated on untreated unit-periods only (never-treated units, treated units "
                + "before adoption), removed from every row; standard errors: " + standardErrors
        ]
        if let weightName = panel.weightName {
            notes.append(
                "weighted by \(weightName) in both stages and in the standard errors (as did2s's weights): the estimand is the population-weighted effect"
            )
        }
        if !panel.covariateNames.isEmpty {
            notes.append(
                "covariates in the first stage (y on unit and period effects and \(panel.covariateNames.joined(separator: ", ")), on untreated unit-periods), "
                    + "their estimation carried into the standard errors"
                    + (covariatesLeftOut > 0 ? "; \(covariatesLeftOut) rows without a covariate value left out" : ""))
        }
        if fit.rowsLeftOut > 0 {
            notes.append(leftOutNote(fit.rowsLeftOut, panel) + ", so stage one cannot estimate their effects")
        }
        return notes
    }

    /// Rows the first stage cannot reach, with how many of their units are treated in every round they are seen (no
    /// untreated row to estimate their unit effect from: often most of them).
    static func leftOutNote(_ rows: Int, _ panel: LongPanel) -> String {
        var untreatedSeen = [Bool](repeating: false, count: panel.unitLabels.count), seen = untreatedSeen
        for (i, untreated) in untreatedRows(panel).enumerated() {
            seen[panel.unit[i]] = true
            if untreated { untreatedSeen[panel.unit[i]] = true }
        }
        let always = seen.indices.count { seen[$0] && !untreatedSeen[$0] }
        return "\(rows) rows left out: their unit is never untreated or their period has no untreated unit"
            + (always > 0 ? " (\(always) unit\(always == 1 ? " is" : "s are") treated in every round \(always == 1 ? "it is" : "they are") seen)" : "")
    }

    /// The average effect on treated unit-periods (the overall ATT); the cluster jackknife's standard errors under 50
    /// clusters (the GMM ones covered 93.4% with 40 clusters in the coverage study).
    /// Under 50 clusters, the wild cluster bootstrap too (`bootstrap: false` leaves it out).
    /// With `cr2`, CR2 standard errors with Satterthwaite degrees of freedom for each row instead (no jackknife).
    public static func twoStage(_ panel: LongPanel, bootstrap: Bool = true, cr2: Bool = false) throws -> DiDTable {
        let request = bootstrapRequest(panel, bootstrap)
        let (table, results) = try twoStageFit(panel, bootstrap: request, cr2: cr2)
        let conventional = cr2 ? table : jackknifed(table, panel, conventional: "gmm_std_error", estimate: twoStageTable)
        return withLinearBootstrap(conventional, results, request, .twoStage)
    }

    static func twoStageTable(_ panel: LongPanel) throws -> DiDTable { try twoStageFit(panel, bootstrap: nil).table }

    static func twoStageFit(_ whole: LongPanel, bootstrap request: WildClusterBootstrap.Request?, cr2: Bool = false) throws -> (
        table: DiDTable, bootstrap: [String: WildClusterBootstrap.Result]
    ) {
        let (panel, leftOut, absorbed) = try whole.withCompleteCovariates()
        let untreated = untreatedRows(panel)
        let fit = try TwoStageDiD(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, regressors: [untreated.map { $0 ? 0 : 1 }], names: ["treated"], cluster: panel.cluster,
            clusterCount: panel.clusterLabels.count, clusterName: panel.clusterName, covariates: panel.covariates, weights: panel.weight,
            wildBootstrap: request, cr2: cr2)
        let table = table(
            "Two-stage DiD (Gardner): effect on treated unit-periods", "two_stage", fit.result,
            notes: twoStageNotes(fit, panel, covariatesLeftOut: leftOut) + LongPanel.absorbedNote(absorbed)
                + linearCR2Note(fit.result.coefficients.map(\.term), fit.result.coefficientDegreesOfFreedom, .twoStage))
        return (bootstrapFailureNotes(fit.bootstrapFailures).reduce(table) { $0.adding(note: $1) }, fit.bootstrap)
    }

    /// Event-time effects relative to adoption, −leads … lags, binned at the ends, event time −1 the reference; the
    /// cluster jackknife's standard errors under 50 clusters.
    /// With `cr2`, CR2 standard errors with Satterthwaite degrees of freedom for each row instead (no jackknife).
    public static func twoStageEventStudy(_ panel: LongPanel, leads: Int, lags: Int, bootstrap: Bool = true, cr2: Bool = false) throws -> DiDTable {
        let request = bootstrapRequest(panel, bootstrap)
        let (table, results) = try twoStageEventStudyFit(panel, leads: leads, lags: lags, bootstrap: request, cr2: cr2)
        let conventional =
            cr2
            ? table
            : jackknifed(table, panel, conventional: "gmm_std_error") {
                try twoStageEventStudyFit($0, leads: leads, lags: lags, bootstrap: nil).table
            }
        return withLinearBootstrap(conventional, results, request, .twoStage)
    }

    static func twoStageEventStudyFit(
        _ whole: LongPanel, leads: Int, lags: Int, bootstrap request: WildClusterBootstrap.Request?, cr2: Bool = false
    ) throws -> (
        table: DiDTable, bootstrap: [String: WildClusterBootstrap.Result]
    ) {
        let (panel, leftOut, absorbed) = try whole.withCompleteCovariates()
        let untreated = untreatedRows(panel)
        let window = Array(-leads...lags).filter { $0 != -1 }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: panel.outcome.count), count: window.count)
        var used = [Bool](repeating: false, count: window.count)
        for i in panel.outcome.indices {
            guard let adoption = panel.cohort[panel.unit[i]] else { continue }
            let eventTime = min(max(panel.period[i] - adoption, -leads), lags)
            guard let j = window.firstIndex(of: eventTime) else { continue }
            columns[j][i] = 1
            used[j] = true
        }
        let kept = window.indices.filter { used[$0] }
        guard kept.contains(where: { window[$0] >= 0 }) else { throw EstimationError.emptyCell("post-treatment event time") }
        let fit = try TwoStageDiD(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, regressors: kept.map { columns[$0] }, names: kept.map { "event time \(window[$0])" }, cluster: panel.cluster,
            clusterCount: panel.clusterLabels.count, clusterName: panel.clusterName, covariates: panel.covariates, weights: panel.weight,
            wildBootstrap: request, cr2: cr2)
        let rows = zip(kept, fit.result.coefficients).map { j, coefficient in
            DiDTable.Row(term: coefficient.term, coefficient: coefficient, eventTime: window[j])
        }
        let table = DiDTable(
            title: "Two-stage DiD (Gardner): event study", estimator: "two_stage_event_study", rows: rows, observations: fit.result.observations,
            clusters: fit.result.clusters, seType: cr2 ? fit.result.standardErrors.name : "two-step GMM, clustered by \(panel.clusterName)",
            notes: ["reference: event time −1; event times beyond −\(leads) and \(lags) binned at the ends"]
                + twoStageNotes(fit, panel, covariatesLeftOut: leftOut) + LongPanel.absorbedNote(absorbed)
                + linearCR2Note(fit.result.coefficients.map(\.term), fit.result.coefficientDegreesOfFreedom, .twoStage)
        ).withEventCovariance(fit.result.covariance, exact: exactEventTime(panel, leads: leads, lags: lags))
        return (bootstrapFailureNotes(fit.bootstrapFailures).reduce(table) { $0.adding(note: $1) }, fit.bootstrap)
    }
}

// Borusyak, Jaravel & Spiess's imputation estimator as a publication table.
extension PanelEstimation {
    /// BJS's test of parallel trends: y on unit and period effects and dummies for event times −1 … −periods, on the
    /// untreated unit-periods (units and periods seen once set aside first, as did_imputation does), CR1 by cluster.
    static func imputationPretrend(_ panel: LongPanel, untreated: [Bool], periods: Int, cr2: Bool = false) throws -> (
        rows: [DiDTable.Row], note: String
    ) {
        var rows = panel.outcome.indices.filter { untreated[$0] }
        var unitCount = [Int](repeating: 0, count: panel.unitLabels.count)
        for i in rows { unitCount[panel.unit[i]] += 1 }
        rows = rows.filter { unitCount[panel.unit[$0]] > 1 }
        var periodCount = [Int](repeating: 0, count: panel.periods.count)
        for i in rows { periodCount[panel.period[i]] += 1 }
        rows = rows.filter { periodCount[panel.period[$0]] > 1 }
        func before(_ row: Int) -> Int? { panel.cohort[panel.unit[row]].map { panel.period[row] - $0 } }
        var leads = (1...periods).filter { h in rows.contains { before($0) == -h } }
        guard !leads.isEmpty else { throw EstimationError.emptyCell("pre-adoption periods for the pre-trend test") }
        // The covariates enter as in the first stage; only the dummies are reported and tested.
        func fit(_ leads: [Int]) throws -> RegressionResult {
            let columns = leads.map { h in rows.map { before($0) == -h ? 1.0 : 0.0 } } + panel.covariates.map { c in rows.map { c[$0] } }
            return try TwoWayFixedEffects.fit(
                y: rows.map { panel.outcome[$0] }, columns: columns, names: leads.map { "pre-trend event time -\($0)" } + panel.covariateNames,
                unit: rows.map { panel.unit[$0] }, unitCount: panel.unitLabels.count, period: rows.map { panel.period[$0] },
                periodCount: panel.periods.count, standardErrors: cr2 ? .cr2(cluster: panel.clusterName) : .cr1(cluster: panel.clusterName),
                cluster: rows.map { panel.cluster[$0] }, clusterCount: panel.clusterLabels.count, weights: panel.weight.map { w in rows.map { w[$0] } })
        }
        // When every pre-adoption row of every cohort would carry a dummy, the dummies add up to the cohorts' unit
        // effects: the farthest is dropped until they do not (a short panel with every cohort's pre-periods covered).
        var result: RegressionResult?, dropped: [Int] = []
        while result == nil {
            do {
                result = try fit(leads)
            } catch let error as EstimationError {
                guard case .singularDesign = error, leads.count > 1 else { throw error }
                dropped.append(leads.removeLast())
            }
        }
        guard let result else { throw EstimationError.emptyCell("pre-adoption periods for the pre-trend test") }
        // did_imputation's small-sample factor: (N−1)/(N−K+1), one parameter fewer than fixest's (N−1)/(N−K).
        var nested = true, clusterOfUnit = [Int](repeating: -1, count: panel.unitLabels.count)
        for i in rows {
            if clusterOfUnit[panel.unit[i]] >= 0, clusterOfUnit[panel.unit[i]] != panel.cluster[i] { nested = false }
            clusterOfUnit[panel.unit[i]] = panel.cluster[i]
        }
        let usedUnits = Set(rows.map { panel.unit[$0] }).count, usedPeriods = Set(rows.map { panel.period[$0] }).count
        let counted = Double(leads.count + panel.covariates.count + (nested ? usedPeriods : usedUnits + usedPeriods - 1))
        let n = Double(rows.count)
        // (CR2 has no such factor: its adjustment is the small-sample correction.)
        let rescale = cr2 ? 1 : (n - counted) / (n - counted + 1)
        let covariance = leads.indices.map { a in leads.indices.map { result.covariance[a][$0] * rescale } }
        let degrees = Double(result.degreesOfFreedom)
        let coefficients = result.coefficients.prefix(leads.count).enumerated().map { index, c in
            DiDTable.t(
                c.estimate, covariance[index][index].squareRoot(), degreesOfFreedom: result.coefficientDegreesOfFreedom?[index] ?? degrees, term: c.term)
        }
        guard let inverse = EventStudy.invert(covariance) else { throw EstimationError.singularDesign(columns: leads.map { "event time −\($0)" }) }
        let b = coefficients.map(\.estimate)
        var wald = 0.0
        for i in b.indices { for j in b.indices { wald += b[i] * inverse[i][j] * b[j] } }
        let k = Double(leads.count), statistic = wald / k
        let p = 1 - FDistribution.cdf(statistic, numerator: k, denominator: Double(result.degreesOfFreedom))
        var note =
            String(
                format: "pre-trend test (BJS): on untreated unit-periods, the %d pre-adoption dummies are jointly zero: F = %.3f, ", leads.count,
                statistic) + DiDTable.pValueText(p)
        if cr2 {
            note +=
                " (the Wald statistic from the dummies' CR2 covariance, on \(leads.count) and \(result.degreesOfFreedom) degrees of freedom; "
                + "each dummy's own Satterthwaite degrees of freedom: "
                + zip(leads, result.coefficientDegreesOfFreedom ?? []).map { String(format: "−%d %.1f", $0, $1) }.joined(separator: ", ") + ")"
        }
        if !dropped.isEmpty {
            note +=
                "; event times \(dropped.sorted().map { "−\($0)" }.joined(separator: ", ")) left out of it: with them every untreated row of "
                + "the cohorts would carry a dummy, and the dummies would add up to their unit effects"
        }
        return (zip(leads, coefficients).map { DiDTable.Row(term: $1.term, coefficient: $1, eventTime: -$0) }, note)
    }

    /// The overall effect on treated unit-periods and the effect at each event time 0 … lags (the last holding every
    /// later one), with the paper's conservative clustered standard errors; and the paper's pre-trend test: on the
    /// untreated unit-periods alone, the outcome on unit and period effects and a dummy for each of the `pretrends`
    /// periods before adoption, the dummies' CR1 coefficients and their joint Wald test. Under 50 clusters every
    /// standard error is the cluster jackknife's (the conservative ones covered 92.6% with 40 clusters).
    /// With `cr2`, CR2 standard errors with Satterthwaite degrees of freedom for each row instead (no jackknife).
    public static func imputation(_ panel: LongPanel, lags: Int, pretrends: Int = 3, bootstrap: Bool = true, cr2: Bool = false) throws -> DiDTable {
        let request = bootstrapRequest(panel, bootstrap)
        let (table, results) = try imputationFit(panel, lags: lags, pretrends: pretrends, bootstrap: request, cr2: cr2)
        let conventional =
            cr2
            ? table
            : jackknifed(table, panel, conventional: "conservative_std_error") {
                try imputationTable($0, lags: lags, pretrends: pretrends)
            }
        return withLinearBootstrap(conventional, results, request, .imputation)
    }

    /// The table alone (what the jackknife refits).
    static func imputationTable(_ panel: LongPanel, lags: Int, pretrends: Int) throws -> DiDTable {
        try imputationFit(panel, lags: lags, pretrends: pretrends, bootstrap: nil).table
    }

    static func imputationFit(
        _ whole: LongPanel, lags: Int, pretrends: Int, bootstrap request: WildClusterBootstrap.Request?, cr2: Bool = false
    ) throws -> (
        table: DiDTable, bootstrap: [String: WildClusterBootstrap.Result]
    ) {
        let (panel, leftOut, absorbed) = try whole.withCompleteCovariates()
        let untreated = untreatedRows(panel)
        let cohort = panel.unit.map { panel.cohort[$0] }
        var overall: [Int: Double] = [:]
        var byEventTime = [[Int: Double]](repeating: [:], count: lags + 1)
        for i in panel.outcome.indices where !untreated[i] {
            guard let adoption = cohort[i] else { continue }
            overall[i] = 1
            byEventTime[min(panel.period[i] - adoption, lags)][i] = 1
        }
        let horizons = (0...lags).filter { !byEventTime[$0].isEmpty }
        let targets = [("treated", overall)] + horizons.map { ("event time \($0)", byEventTime[$0]) }
        let fit = try ImputationDiD(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            cohort: cohort, untreated: untreated, targets: targets, cluster: panel.cluster, clusterCount: panel.clusterLabels.count,
            covariates: panel.covariates, surveyWeights: panel.weight, wildBootstrap: request, cr2: cr2, clusterName: panel.clusterName)
        let eventTimeOf = Dictionary(uniqueKeysWithValues: horizons.map { ("event time \($0)", $0) })
        var rows = fit.estimates.map { DiDTable.Row(term: $0.term, coefficient: $0, eventTime: eventTimeOf[$0.term]) }
        let pretrend = pretrends > 0 ? try imputationPretrend(panel, untreated: untreated, periods: pretrends, cr2: cr2) : nil
        if let pretrend {
            rows = pretrend.rows + rows
        }
        var tableNotes =
            [
                "Borusyak–Jaravel–Spiess imputation: untreated outcomes of treated unit-periods imputed from unit and period effects estimated "
                    + "on untreated unit-periods only; standard errors: "
                    + (cr2
                        ? "CR2 (below)"
                        : "the paper's conservative clustered ones (treated residuals net of the cohort-and-period average effect), as "
                            + "did_imputation computes them"),
                "event time \(lags) holds every later one",
            ] + (pretrend.map { [$0.note] } ?? [])
        if !panel.covariateNames.isEmpty {
            tableNotes.append(
                "covariates in the imputation model (unit and period effects and \(panel.covariateNames.joined(separator: ", ")), on untreated unit-periods) "
                    + "and in the pre-trend test" + (leftOut > 0 ? "; \(leftOut) rows without a covariate value left out" : ""))
        }
        tableNotes += LongPanel.absorbedNote(absorbed) + linearCR2Note(fit.estimates.map(\.term), fit.degreesOfFreedom, .imputation)
        if let weightName = panel.weightName {
            tableNotes.append(
                "weighted by \(weightName) (did_imputation's aw): the imputation model, the pre-trend test and the estimand, so the effects are population-weighted"
            )
        }
        if fit.rowsLeftOut > 0 {
            tableNotes.append(leftOutNote(fit.rowsLeftOut, panel))
        }
        if !fit.unidentified.isEmpty {
            tableNotes.append(
                "\(fit.unidentified.joined(separator: ", ")) not estimated: every one of its unit-periods is among the rows left out, "
                    + "so no untreated comparison reaches it")
        }
        let table = DiDTable(
            title: "Imputation DiD (Borusyak, Jaravel & Spiess)", estimator: "imputation", rows: rows, observations: fit.observations,
            clusters: fit.clusters,
            seType: cr2
                ? "CR2 clustered by \(panel.clusterName) (Bell–McCaffrey, Satterthwaite degrees of freedom for each row)"
                : "conservative, clustered by \(panel.clusterName) (BJS Theorem 3)", notes: tableNotes)
        return (bootstrapFailureNotes(fit.bootstrapFailures).reduce(table) { $0.adding(note: $1) }, fit.bootstrap)
    }
}

// The wild cluster bootstrap of the estimators that are linear in the outcome.
extension PanelEstimation {
    /// The note a CR2 table of a linear estimator carries: what was adjusted, and each row's degrees of freedom.
    static func linearCR2Note(_ terms: [String], _ degrees: [Double]?, _ estimator: LinearEstimator) -> [String] {
        guard let degrees else { return [] }
        let residuals =
            switch estimator {
            case .twoStage: "the second stage's residuals, on pre-period rows too, where did2s's GMM score takes stage one's"
            case .imputation: "the untreated rows' residuals, and the treated rows' effects net of their cohort and period's mean effect"
            }
        return [
            "CR2: Bell–McCaffrey's adjustment carried through both stages (the estimator is linear in the outcome). Each cluster's "
                + "residuals (\(residuals)) are multiplied by the inverse root of their covariance under independent errors of equal "
                + "variance (survey weights, where there are any, weigh both stages but are not taken as inverse variances), and scaled for the part of the estimate's weights no residual reveals, so that the variance is unbiased "
                + "there; no published CR2 exists for this estimator (docs/did.md). Satterthwaite degrees of freedom: "
                + zip(terms, degrees).map { String(format: "%@ %.1f", $0 as NSString, $1) }.joined(separator: ", ")
        ]
    }

    /// Under 50 clusters (and when asked), pantau's bootstrap convention for the panel's clusters; nil otherwise.
    static func bootstrapRequest(_ panel: LongPanel, _ bootstrap: Bool) -> WildClusterBootstrap.Request? {
        var present = [Bool](repeating: false, count: panel.clusterLabels.count)
        for c in panel.cluster { present[c] = true }
        let count = present.count { $0 }
        guard bootstrap, count >= 2, count < 50 else { return nil }
        return .conventional(clusters: count)
    }

    /// Notes for the rows whose bootstrap could not run, and why.
    static func bootstrapFailureNotes(_ failures: [String: String]) -> [String] {
        failures.sorted { $0.key < $1.key }.map { "wild cluster bootstrap not computed for \($0.key): \($0.value)" }
    }

    enum LinearEstimator {
        case twoStage, imputation

        /// What the null fit keeps for the treated rows not tested.
        var kept: String {
            switch self {
            case .twoStage: "every other coefficient's mean effect on its own rows"
            case .imputation: "their cohort and period's mean effect (the cells of the conservative standard errors)"
            }
        }
    }

    /// The table with the bootstrap's results on their rows and a note on how they were drawn.
    static func withLinearBootstrap(
        _ table: DiDTable, _ results: [String: WildClusterBootstrap.Result], _ request: WildClusterBootstrap.Request?, _ estimator: LinearEstimator
    ) -> DiDTable {
        guard request != nil, let any = results.values.first else { return table }
        let how =
            "the null fit estimates the unit and period effects on the untreated rows and the tested effect's rows together (its effect "
            + "zero), other treated rows keeping \(estimator.kept); each bootstrap outcome refits the estimator exactly (it is linear in "
            + "the outcome) and is studentised by the estimator's own clustered standard error"
        var notes = [wildBootstrapNote(any), "wild cluster bootstrap: " + how]
        if table.rows.contains(where: { ($0.eventTime ?? 0) < 0 && results[$0.term] == nil }) {
            notes.append("no wild bootstrap for the pre-period rows: they are not effects a null fit could set to zero")
        }
        return notes.reduce(table.attaching(results)) { $0.adding(note: $1) }
    }
}
