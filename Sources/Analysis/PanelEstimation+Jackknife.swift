import Foundation

extension LongPanel {
    /// The panel's given rows (codes and labels kept, so terms and cohorts read the same).
    func keeping(rows: [Int]) throws -> LongPanel {
        func pick<T>(_ values: [T]) -> [T] { rows.map { values[$0] } }
        var kept = try LongPanel(
            outcome: pick(outcome), unit: pick(unit), unitLabels: unitLabels, period: pick(period), periods: periods, cohort: cohort,
            cluster: pick(cluster), clusterLabels: clusterLabels, clusterName: clusterName, weight: weight.map(pick), weightName: weightName,
            covariateNames: covariateNames, covariates: covariates.map(pick), reportedTreatment: reportedTreatment.map(pick))
        kept.dose = dose.map(pick)
        return kept
    }

    /// The panel without the rows of one cluster.
    func without(cluster left: Int) throws -> LongPanel { try keeping(rows: outcome.indices.filter { cluster[$0] != left }) }

    /// The rows with every covariate, and how many were left out; without the covariates constant within every unit
    /// (the unit effects absorb them, as a frame attribute of the district does), whose names are returned.
    func withCompleteCovariates() throws -> (panel: LongPanel, leftOut: Int, absorbed: [String]) {
        let complete = outcome.indices.filter { i in covariates.allSatisfy { !$0[i].isNaN } }
        let panel = complete.count == outcome.count ? self : try keeping(rows: complete)
        let varying = panel.covariates.indices.filter { c in
            var seen = [Double](repeating: .nan, count: panel.unitLabels.count)
            return panel.outcome.indices.contains { i in
                let value = panel.covariates[c][i], u = panel.unit[i]
                if !seen[u].isNaN { return seen[u] != value }
                seen[u] = value
                return false
            }
        }
        let absorbed = panel.covariates.indices.filter { !varying.contains($0) }.map { panel.covariateNames[$0] }
        guard !absorbed.isEmpty else { return (panel, outcome.count - complete.count, []) }
        var kept = try LongPanel(
            outcome: panel.outcome, unit: panel.unit, unitLabels: panel.unitLabels, period: panel.period, periods: panel.periods,
            cohort: panel.cohort, cluster: panel.cluster, clusterLabels: panel.clusterLabels, clusterName: panel.clusterName,
            weight: panel.weight, weightName: panel.weightName, covariateNames: varying.map { panel.covariateNames[$0] },
            covariates: varying.map { panel.covariates[$0] }, reportedTreatment: panel.reportedTreatment)
        kept.dose = panel.dose
        return (kept, outcome.count - complete.count, absorbed)
    }

    /// The panel without the units treated in every period they are seen (no pre-period), and how many there were.
    func withoutAlwaysTreated() throws -> (panel: LongPanel, units: Int) {
        var before = [Bool](repeating: false, count: unitLabels.count)
        for i in outcome.indices { if let g = cohort[unit[i]], period[i] < g { before[unit[i]] = true } }
        let always = Set(outcome.indices.compactMap { i in cohort[unit[i]] != nil && !before[unit[i]] ? unit[i] : nil })
        guard !always.isEmpty else { return (self, 0) }
        return (try keeping(rows: outcome.indices.filter { !always.contains(unit[$0]) }), always.count)
    }

    static func alwaysTreatedNote(_ units: Int) -> [String] {
        units == 0 ? [] : ["\(units) units treated in every round they are seen left out: without a pre-period their cells are their unit effects"]
    }

    /// The note on covariates set aside because the unit effects absorb them, if any.
    static func absorbedNote(_ absorbed: [String]) -> [String] {
        absorbed.isEmpty ? [] : ["\(absorbed.joined(separator: ", ")) constant within units, absorbed by the unit effects"]
    }
}

extension PanelEstimation {
    /// Under 50 clusters, a table's standard errors replaced by the delete-one-cluster jackknife's: `estimate` refitted
    /// on the panel without each cluster in turn, every row by its term; t(G − 1) intervals. The table's own standard
    /// errors are kept beside them as `conventional`. When a refit cannot give every row (a cohort in one cluster),
    /// the table is returned as it was, with a note saying why.
    static func jackknifed(
        _ table: DiDTable, _ panel: LongPanel, conventional: String, estimate: (LongPanel) throws -> DiDTable
    ) -> DiDTable {
        let used = Array(Set(panel.cluster)).sorted { panel.clusterLabels[$0] < panel.clusterLabels[$1] }
        guard used.count >= 2, used.count < 50 else { return table }
        let jackknife: ClusterJackknife
        do {
            jackknife = try ClusterJackknife(
                full: table.rows.map(\.coefficient.estimate), clusterCount: used.count, clusterLabel: { panel.clusterLabels[used[$0]] },
                refit: { left in
                    let refit = try estimate(try panel.without(cluster: used[left]))
                    let byTerm = Dictionary(refit.rows.map { ($0.term, $0.coefficient.estimate) }, uniquingKeysWith: { a, _ in a })
                    return try table.rows.map { row in
                        guard let value = byTerm[row.term] else { throw ClusterJackknife.Missing(term: row.term) }
                        return value
                    }
                })
        } catch {
            // With a cohort in one cluster the estimator's own standard errors are far too small (76–77% coverage of
            // 95% intervals with 10 districts in the validation run): the note points to the wild bootstrap.
            return table.adding(
                note: "cluster jackknife not computed (\(error)): the standard errors are the estimator's own, which understate the "
                    + "uncertainty when a cohort lives in one cluster; read the wild cluster bootstrap's intervals")
        }
        let nu = Double(used.count - 1), errors = jackknife.standardErrors
        let rows = table.rows.enumerated().map { index, row in
            var replaced = DiDTable.Row(
                term: row.term, coefficient: DiDTable.t(row.coefficient.estimate, errors[index], degreesOfFreedom: nu, term: row.coefficient.term),
                eventTime: row.eventTime)
            replaced.conventionalStandardError = (conventional, row.coefficient.standardError)
            return replaced
        }
        let replaced = DiDTable(
            title: table.title, estimator: table.estimator, rows: rows, observations: table.observations, clusters: table.clusters,
            seType: "cluster jackknife by \(panel.clusterName) (refitted without each cluster)",
            notes: table.notes + [
                "standard errors from the cluster jackknife (each of the \(used.count) clusters left out in turn, every estimate refitted), "
                    + "t(\(used.count - 1)) intervals; the estimator's own in \(conventional)"
            ])
        // The jackknife's covariance replaces the estimator's where the table had one (the estimators the sensitivity
        // analysis reads).
        guard let own = table.eventCovariance else { return replaced }
        let exact = Dictionary(uniqueKeysWithValues: zip(own.eventTimes, own.exact))
        return replaced.withEventCovariance(jackknife.covariance, exact: { exact[$0] ?? false })
    }
}
