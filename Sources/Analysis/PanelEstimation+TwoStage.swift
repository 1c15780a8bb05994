import Foundation

// Gardner's two-stage DiD as publication tables: the overall effect on treated unit-periods and the event study.
extension PanelEstimation {
    /// The design the two-stage estimator takes from a panel, or why it cannot (covariates and weights are not
    /// carried into its first stage yet: refused rather than left out silently).
    static func twoStageInputs(_ panel: LongPanel, estimator: String = "two_stage") throws -> (untreated: [Bool], notes: [String]) {
        if !panel.covariateNames.isEmpty {
            throw EstimationError.unsupported(estimator: estimator, what: "covariates (\(panel.covariateNames.joined(separator: ", ")))")
        }
        if panel.weightName != nil { throw EstimationError.unsupported(estimator: estimator, what: "survey weights") }
        let untreated = panel.outcome.indices.map { !panel.treated($0) }
        return (untreated, [])
    }

    static func twoStageNotes(_ fit: TwoStageDiD, _ notes: [String]) -> [String] {
        var notes =
            [
                "Gardner's two-stage DiD: unit and period effects estimated on untreated unit-periods only (never-treated units, treated units "
                    + "before adoption), removed from every row; standard errors: two-step GMM clustered by the panel's cluster (Butts & Gardner), "
                    + "no small-sample factor, as R's did2s and pyfixest"
            ] + notes
        if fit.rowsLeftOut > 0 {
            notes.append(
                "\(fit.rowsLeftOut) rows left out: their unit is never untreated or their period has no untreated unit, so stage one cannot estimate their effects"
            )
        }
        return notes
    }

    /// The average effect on treated unit-periods (the overall ATT).
    public static func twoStage(_ panel: LongPanel) throws -> DiDTable {
        let (untreated, notes) = try twoStageInputs(panel)
        let fit = try TwoStageDiD(
            y: panel.outcome, unit: panel.unit, unitCount: panel.unitLabels.count, period: panel.period, periodCount: panel.periods.count,
            untreated: untreated, regressors: [untreated.map { $0 ? 0 : 1 }], names: ["treated"], cluster: panel.cluster,
            clusterCount: panel.clusterLabels.count, clusterName: panel.clusterName)
        return table("Two-stage DiD (Gardner): effect on treated unit-periods", "two_stage", fit.result, notes: twoStageNotes(fit, notes))
    }

    /// Event-time effects relative to adoption, −leads … lags, binned at the ends, event time −1 the reference.
    public static func twoStageEventStudy(_ panel: LongPanel, leads: Int, lags: Int) throws -> DiDTable {
        let (untreated, notes) = try twoStageInputs(panel)
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
            clusterCount: panel.clusterLabels.count, clusterName: panel.clusterName)
        let rows = zip(kept, fit.result.coefficients).map { j, coefficient in
            DiDTable.Row(term: coefficient.term, coefficient: coefficient, eventTime: window[j])
        }
        return DiDTable(
            title: "Two-stage DiD (Gardner): event study", estimator: "two_stage_event_study", rows: rows, observations: fit.result.observations,
            clusters: fit.result.clusters, seType: "two-step GMM, clustered by \(panel.clusterName)",
            notes: ["reference: event time −1; event times beyond −\(leads) and \(lags) binned at the ends"] + twoStageNotes(fit, notes))
    }
}

// Borusyak, Jaravel & Spiess's imputation estimator as a publication table.
extension PanelEstimation {
    /// The overall effect on treated unit-periods and the effect at each event time 0 … lags (the last holding every
    /// later one), with the paper's conservative clustered standard errors.
    public static func imputation(_ panel: LongPanel, lags: Int) throws -> DiDTable {
        let (untreated, notes) = try twoStageInputs(panel, estimator: "imputation")
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
            cohort: cohort, untreated: untreated, targets: targets, cluster: panel.cluster, clusterCount: panel.clusterLabels.count)
        let rows = fit.estimates.enumerated().map { index, coefficient in
            DiDTable.Row(term: coefficient.term, coefficient: coefficient, eventTime: index == 0 ? nil : horizons[index - 1])
        }
        var tableNotes = [
            "Borusyak–Jaravel–Spiess imputation: untreated outcomes of treated unit-periods imputed from unit and period effects estimated "
                + "on untreated unit-periods only; standard errors: the paper's conservative clustered ones (treated residuals net of the "
                + "cohort-and-period average effect), as did_imputation computes them",
            "event time \(lags) holds every later one",
        ]
        if fit.rowsLeftOut > 0 {
            tableNotes.append("\(fit.rowsLeftOut) rows left out: their unit is never untreated or their period has no untreated unit")
        }
        return DiDTable(
            title: "Imputation DiD (Borusyak, Jaravel & Spiess)", estimator: "imputation", rows: rows, observations: fit.observations,
            clusters: fit.clusters, seType: "conservative, clustered by \(panel.clusterName) (BJS Theorem 3)", notes: tableNotes + notes)
    }
}
