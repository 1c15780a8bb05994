import Foundation

extension LongPanel {
    /// The panel's given rows (codes and labels kept, so terms and cohorts read the same).
    func keeping(rows: [Int]) throws -> LongPanel {
        func pick<T>(_ values: [T]) -> [T] { rows.map { values[$0] } }
        return try LongPanel(
            outcome: pick(outcome), unit: pick(unit), unitLabels: unitLabels, period: pick(period), periods: periods, cohort: cohort,
            cluster: pick(cluster), clusterLabels: clusterLabels, clusterName: clusterName, weight: weight.map(pick), weightName: weightName,
            covariateNames: covariateNames, covariates: covariates.map(pick), reportedTreatment: reportedTreatment.map(pick))
    }

    /// The panel without the rows of one cluster.
    func without(cluster left: Int) throws -> LongPanel { try keeping(rows: outcome.indices.filter { cluster[$0] != left }) }

    /// The rows with every covariate, and how many were left out.
    func withCompleteCovariates() throws -> (panel: LongPanel, leftOut: Int) {
        let complete = outcome.indices.filter { i in covariates.allSatisfy { !$0[i].isNaN } }
        return complete.count == outcome.count ? (self, 0) : (try keeping(rows: complete), outcome.count - complete.count)
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
            return table.adding(note: "cluster jackknife not computed (\(error)): the standard errors are the estimator's own")
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
