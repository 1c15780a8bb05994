import Foundation

// de Chaisemartin & D'Haultfœuille's DID_M as a publication table: the effect at the switch, for joiners and leavers.
extension PanelEstimation {
    /// DID_M from the panel's treatment as reported (switches in and out both count, whether or not the specification
    /// says adoption is reversible), with its joiners' and leavers' parts and the placebo one period earlier.
    /// Under 50 clusters the standard errors are the cluster jackknife's: the plug-in's intervals covered 91.3% (the
    /// placebo's 89.2%) with 40 district clusters in the coverage study.
    /// With `lags` (or `leads`), the dynamic effects DID_l at event times 0 … lags (l = event time + 1) and their
    /// placebos at event times −2 … −leads, each against the period before the first switch (event time −1).
    public static func chaisemartinDHaultfoeuille(_ panel: LongPanel, leads: Int = 0, lags: Int = -1) throws -> DiDTable {
        jackknifed(try chaisemartinDHaultfoeuilleTable(panel, leads: leads, lags: lags), panel, conventional: "plug_in_std_error") {
            try chaisemartinDHaultfoeuilleTable($0, leads: leads, lags: lags)
        }
    }

    static func chaisemartinDHaultfoeuilleTable(_ panel: LongPanel, leads: Int, lags: Int) throws -> DiDTable {
        let estimator = "chaisemartin_dhaultfoeuille"
        // Covariates constant within every unit have no changes to adjust for: set aside, and said.
        let absorbed = panel.covariateNames.isEmpty ? [] : try panel.withCompleteCovariates().absorbed
        let used = panel.covariateNames.indices.filter { !absorbed.contains(panel.covariateNames[$0]) }
        if !used.isEmpty && lags < 0 {
            throw EstimationError.unsupported(estimator: estimator + " without dynamic effects (lags)", what: "covariates")
        }
        let unitCount = panel.unitLabels.count, periodCount = panel.periods.count
        var outcome = [[Double]](repeating: [Double](repeating: .nan, count: periodCount), count: unitCount)
        var treated = [[Double?]](repeating: [Double?](repeating: nil, count: periodCount), count: unitCount)
        var clusterOf = [Int](repeating: 0, count: unitCount)
        // Survey weights: each unit's weight in its first observed period (as Callaway & Sant'Anna takes it).
        var unitWeight: [Double]? = panel.weight.map { _ in [Double](repeating: .nan, count: unitCount) }
        var firstSeen = [Int](repeating: Int.max, count: unitCount), weightVaries = false
        var covariates = [[[Double]]](
            repeating: [[Double]](repeating: [Double](repeating: .nan, count: periodCount), count: unitCount), count: used.count)
        for i in panel.outcome.indices {
            for (k, c) in used.enumerated() { covariates[k][panel.unit[i]][panel.period[i]] = panel.covariates[c][i] }
            outcome[panel.unit[i]][panel.period[i]] = panel.outcome[i]
            treated[panel.unit[i]][panel.period[i]] = panel.dose?[i] ?? (panel.treated(i) ? 1 : 0)
            clusterOf[panel.unit[i]] = panel.cluster[i]
            if let weight = panel.weight?[i] {
                let u = panel.unit[i]
                if !unitWeight![u].isNaN && unitWeight![u] != weight { weightVaries = true }
                if panel.period[i] < firstSeen[u] {
                    firstSeen[u] = panel.period[i]
                    unitWeight![u] = weight
                }
            }
        }
        if unitWeight != nil { unitWeight = unitWeight!.map { $0.isNaN ? 1 : $0 } }
        let fit = try ChaisemartinDHaultfoeuille(
            outcome: outcome, dose: treated, clusterCodes: clusterOf, horizons: max(0, lags + 1), placebos: max(0, leads - 1),
            covariates: covariates, weights: unitWeight)
        let nu = fit.clusters.map { Double($0 - 1) }
        // Placebo l sits at event time −1 − l, DID_l at l − 1: earliest first, as every event study lists them.
        let dynamic: [(String, ChaisemartinDHaultfoeuille.Effect?, Int?)] =
            fit.dynamicPlacebos.enumerated().reversed().map { ("event time -\($0.offset + 2) (placebo \($0.offset + 1))", $0.element, -$0.offset - 2) }
            + fit.dynamic.enumerated().map { ("event time \($0.offset) (DID_\($0.offset + 1))", $0.element, $0.offset) }
        let effects: [(String, ChaisemartinDHaultfoeuille.Effect?, Int?)] =
            [
                ("DID_M (switchers)", fit.overall, nil), ("DID_+ (joiners)", fit.joiners, nil), ("DID_- (leavers)", fit.leavers, nil),
                ("placebo DID_M (one period before)", fit.placebo, nil),
            ] + dynamic
        // A dose: each DID_l per unit of the switchers' mean cumulative change of dose too (no event time: not plotted).
        let normalized: [(String, ChaisemartinDHaultfoeuille.Effect?, Int?)] = fit.normalized.enumerated().map {
            ("DID^n_\($0.offset + 1) (event time \($0.offset), per unit of dose)", $0.element, nil)
        }
        let estimated = (effects + normalized).compactMap { term, effect, eventTime in effect.map { (term, $0, eventTime) } }
        let rows = estimated.map { term, effect, eventTime in
            DiDTable.Row(term: term, coefficient: DiDTable.t(effect.estimate, effect.standardError, degreesOfFreedom: nu), eventTime: eventTime)
        }
        let standardErrors: String = fit.clusters == nil ? "by unit" : "summed by \(panel.clusterName), with t(G − 1) intervals"
        var notes = [
            "the estimator's own standard errors: the cohort-recentred plug-in (de Chaisemartin & D'Haultfœuille 2022, Web Appendix 3.7.3; as "
                + "diff-diff), " + standardErrors
        ]
        if let overall = fit.overall {
            let (joining, leaving) = (fit.joiners?.switchers ?? 0, fit.leavers?.switchers ?? 0)
            notes.insert(
                "de Chaisemartin & D'Haultfœuille's DID_M: in each period, units switching in against units untreated in both periods, units switching "
                    + "out against units treated in both, averaged over the \(overall.switchers) switching unit-periods (\(joining) in, \(leaving) out); "
                    + "the treatment as reported, switches out included", at: 0)
            notes.append(
                "placebo: the same comparison of the outcome's change over the two periods before the switch, among units with the treatment "
                    + "unchanged over them (zero under parallel trends)")
        } else {
            notes.insert(
                "a non-binary treatment (a dose): the dynamic effects only (DID_M compares 0/1 switches); a unit's baseline is its first period's "
                    + "dose, its switch its first change of dose, up or down; DID^n_l divides DID_l by the switchers' mean absolute change of dose "
                    + "summed over the l periods from the switch (did_multiplegt_dyn's normalized effects), the effect per unit of dose", at: 0)
        }
        if fit.withoutFirstPeriod + fit.withGaps > 0 {
            notes.append(
                "\(fit.withoutFirstPeriod) units without the first period and \(fit.withGaps) with a gap between observed periods left out (their baseline or switch is not seen)"
            )
        }
        if fit.singletonBaselines > 0 {
            notes.append("\(fit.singletonBaselines) units whose baseline treatment no other unit shares are in the estimate but not in its variance")
        }
        if fit.periodsWithoutComparison > 0 {
            notes.append(
                "\(fit.periodsWithoutComparison) periods had switchers without a unit to compare with (none untreated, or none treated, in both periods): their switchers count, their comparison as zero"
            )
        }
        if !dynamic.isEmpty {
            let missing = dynamic.filter { $0.1 == nil }.map { "\($0.2!)" }
            notes.append(
                "dynamic effects (de Chaisemartin & D'Haultfœuille 2024, as did_multiplegt_dyn): DID_l at event time l − 1 is the outcome's change from "
                    + "the period before each unit's first switch to l − 1 periods after it, against units with the same treatment in the first period "
                    + "that have not switched by then (switches back included in the effect); a placebo at event time −1 − l goes l periods back "
                    + "instead; both signed by the switch's direction"
                    + (missing.isEmpty ? "" : "; no unit eligible at event times \(missing.joined(separator: ", "))"))
        }
        if !used.isEmpty {
            let slopes = fit.covariateSlopes.sorted { $0.key < $1.key }.map { baseline, theta in
                "units \(firstPeriodLabel(baseline, binary: fit.overall != nil)) in the first period: "
                    + zip(used, theta).map { String(format: "%@ %.4g", panel.covariateNames[$0] as NSString, $1) }.joined(separator: ", ")
            }
            let names = used.map { panel.covariateNames[$0] }.joined(separator: ", ")
            notes.append(
                "covariates (DID^X, de Chaisemartin & D'Haultfœuille 2024, Web Appendix 1.2; diff-diff's controls): the dynamic effects and their "
                    + "placebos use the outcome net of \(names), whose slopes come, for each first-period treatment, from the outcome's changes "
                    + "on the covariates' changes and period effects over units not yet switched; DID_M, DID_+, DID_- and the placebo one period "
                    + "before use the outcome as observed; slopes: " + slopes.joined(separator: "; ")
                    + fit.baselinesWithoutSlopes.map {
                        "; units \(firstPeriodLabel($0, binary: fit.overall != nil)) in the first period have too few unit-periods not yet switched for the "
                            + "slopes and are left out of the dynamic effects"
                    }.joined())
        }
        if let weightName = panel.weightName {
            notes.append(
                "weighted by \(weightName): each unit counts as its survey weight in every mean and sum (the N_g,t of de Chaisemartin & "
                    + "D'Haultfœuille's groups), in its contributions to the variance too"
                    + (weightVaries ? "; the weight varies within units, and each unit's weight in its first observed period is used" : ""))
        }
        notes += LongPanel.absorbedNote(absorbed)
        let title =
            fit.overall == nil
            ? "de Chaisemartin & D'Haultfœuille: dynamic effects of a dose"
            : "de Chaisemartin & D'Haultfœuille (DID_M): effect at the switch" + (dynamic.isEmpty ? "" : ", and dynamic effects")
        let table = DiDTable(
            title: title, estimator: estimator,
            rows: rows,
            observations: panel.outcome.count, clusters: fit.clusters,
            seType: "cohort-recentred influence function, clustered by \(panel.clusterName)", notes: notes)
        guard rows.contains(where: { $0.eventTime != nil }) else { return table }
        // Every event time is a single period: the sensitivity analysis may read them all.
        let covariance = estimated.map { a in estimated.map { b in a.1.covariance(with: b.1) } }
        return table.withEventCovariance(covariance, exact: { _ in true })
    }
}

/// How a first-period treatment reads in a note: treated or untreated for a 0/1 treatment, its dose otherwise.
private func firstPeriodLabel(_ baseline: Double, binary: Bool) -> String {
    binary ? (baseline == 1 ? "treated" : "untreated") : "with a dose of \(String(format: "%g", baseline))"
}
