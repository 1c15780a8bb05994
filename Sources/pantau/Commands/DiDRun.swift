import Analysis
import ArgumentParser
import Expressions
import Foundation
import Questionnaire
import Store

/// Runs a DiD specification over a store: builds the panel, runs each estimator, renders Markdown or JSON.
enum DiDRun {
    enum Output: String, CaseIterable { case md, csv, latex, html, json }

    static func run(spec path: String, database: ResponseStore, json: Bool) throws -> String {
        try run(spec: path, database: database, output: json ? .json : .md)
    }

    static func run(spec path: String, database: ResponseStore, output: Output) throws -> String {
        var latest: [String: Questionnaire] = [:]
        for definition in try reportingStoreErrors({ try database.questionnaireDefinitions() }) {
            if case .success(let questionnaire) = QuestionnaireLoader.load(yaml: definition.text, file: definition.formID) { latest[definition.formID] = questionnaire }
        }
        let spec: DiDSpec
        switch DiDSpec.load(path: path, questionnaires: Array(latest.values)) {
        case .success(let loaded): spec = loaded
        case .failure(let report):
            for diagnostic in report.diagnostics { Terminal.printError(Terminal.render(diagnostic, source: report.source, withSource: true)) }
            throw ExitCode(1)
        }
        let frame = try reportingStoreErrors { try database.units() }
        let units = Dictionary(frame.map { ($0.code, AnalysisUnit(code: $0.code, name: $0.name, level: $0.level, parentCode: $0.parentCode,
                                                                  attributes: Dictionary($0.attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))) },
                               uniquingKeysWith: { a, _ in a })
        func clusterOf(_ code: String) -> String? {
            var current = units[code]
            var steps = 0
            while let unit = current, steps < 64 {
                if unit.level == spec.cluster { return unit.code }
                current = unit.parentCode.flatMap { units[$0] }
                steps += 1
            }
            return nil
        }
        let available = try reportingStoreErrors { try database.rounds() }.map(\.code)
        let rounds = (spec.rounds ?? available).filter(available.contains)
        var data: [String: RoundData] = [:]
        let needed = spec.outcome.expression.references.union({ if case .answer(let e) = spec.treatment { return e.expression.references } else { return [] } }())
        for round in rounds {
            let answers = try reportingStoreErrors { try database.completedAnswers(formID: spec.instrument, round: round, names: needed) }
            data[round] = RoundData(round: round, endDay: 0, formID: spec.instrument,
                                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
        }
        do {
            let panel = try Panel.build(spec: spec, rounds: rounds, data: data, units: units, cluster: clusterOf)
            return try render(spec, panel, output: output)
        } catch let error as EstimationError {
            Terminal.printError("error: \(spec.path): \(error)")
            throw ExitCode(1)
        }
    }

    struct Section {
        let title: String
        let rows: [(String, Coefficient)]
        let observations: Int
        let clusters: Int?
        let seType: String
        let notes: [String]
    }

    static func render(_ spec: DiDSpec, _ panel: Panel, output: Output) throws -> String {
        var sections: [Section] = []
        let observations = panel.observations
        let clusters = observations.map(\.cluster)
        let ever = Set(panel.firstTreated.keys)
        for estimator in spec.estimators {
            switch estimator {
            case .twoByTwo:
                let first = 0, last = panel.rounds.count - 1
                let sample = observations.filter { $0.round == first || $0.round == last }
                let table = try TwoByTwo(treated: sample.map { ever.contains($0.unit) }, after: sample.map { $0.round == last },
                                         outcome: sample.map(\.outcome), units: sample.map(\.unit))
                sections.append(Section(title: "2×2: \(panel.rounds[first]) and \(panel.rounds[last]), units ever treated against the others", rows: [
                    ("comparison change", coefficient(table.comparisonChange.estimate, table.comparisonChange.standardError)),
                    ("treated change", coefficient(table.treatedChange.estimate, table.treatedChange.standardError)),
                    ("difference-in-differences", coefficient(table.didEstimate.estimate, table.didEstimate.standardError)),
                ], observations: sample.count, clusters: nil, seType: "within-unit changes, independent groups",
                   notes: ["\(table.unitsDropped) units observed in only one of the two rounds were left out"]))
            case .regression:
                let design = observations.map { o -> [Double] in
                    let g: Double = ever.contains(o.unit) ? 1 : 0, p: Double = o.treated || (ever.contains(o.unit) && o.round >= (panel.firstTreated[o.unit] ?? Int.max)) ? 1 : 0
                    return [1, g, p, g * p]
                }
                let x = design.map { [$0[0], $0[1], $0[3]] }
                let result = try Regression.fit(y: observations.map(\.outcome), x: x, names: ["(Intercept)", "group", "group × post"],
                                                standardErrors: .cr1(cluster: spec.cluster), clusters: clusters)
                let wild = try bootstrapNote(y: observations.map(\.outcome), x: x, names: ["(Intercept)", "group", "group × post"],
                                             term: "group × post", clusters: clusters, count: result.clusters)
                sections.append(section("Regression DiD (group, group × post)", result, notes: wild))
            case .twfe:
                let regressors = observations.map { [$0.treated ? 1.0 : 0.0] }
                let result = try TwoWayFixedEffects.fit(y: observations.map(\.outcome), regressors: regressors,
                                                        names: ["treated"], units: observations.map(\.unit), periods: observations.map { String($0.round) },
                                                        standardErrors: .cr1(cluster: spec.cluster), clusters: clusters, preset: spec.preset)
                let demeaned = TwoWayFixedEffects.demean(y: observations.map(\.outcome), regressors: regressors, units: observations.map(\.unit),
                                                         periods: observations.map { String($0.round) })
                let wild = try bootstrapNote(y: demeaned.y, x: demeaned.x, names: ["treated"], term: "treated", clusters: clusters, count: result.clusters)
                sections.append(section("Two-way fixed effects (unit and round effects)", result, notes: wild + ["small-sample convention: \(spec.preset.description)"]))
            case .eventStudy:
                let study = try EventStudy(y: observations.map(\.outcome), units: observations.map(\.unit), period: observations.map(\.round),
                                           cohort: observations.map { panel.firstTreated[$0.unit] }, leads: spec.leads, lags: spec.lags,
                                           standardErrors: .cr1(cluster: spec.cluster), clusters: clusters)
                var rows = study.terms.map { ("event time \($0.eventTime)\($0.binned ? " (binned)" : "")", $0.coefficient) }
                if let average = study.averagePost { rows.append(("average post-period effect", average)) }
                var notes = ["reference: event time −1"]
                if let p = study.preTrendPValue, let f = study.preTrendStatistic {
                    notes.append(String(format: "joint test that the %d pre-period coefficients are zero: F = %.3f, p = %.4f", study.preTrendTerms, f, p))
                }
                sections.append(Section(title: "Event study (two-way fixed effects)", rows: rows, observations: study.regression.observations,
                                        clusters: study.regression.clusters, seType: study.regression.standardErrors.name, notes: notes))
            case .callawaySantAnna:
                let balanced = panel.balanced()
                var keep: [Int] = []
                for (i, unit) in balanced.units.enumerated() where panel.firstTreated[unit] != 0 { keep.append(i) }
                let groups = keep.map { panel.firstTreated[balanced.units[$0]].map { $0 + 1 } ?? 0 }
                let estimator = try CallawaySantAnna(outcome: keep.map { balanced.outcome[$0] }, periods: Array(1...panel.rounds.count), group: groups,
                                                     comparison: spec.comparison, cluster: keep.map { balanced.clusters[$0] })
                var rows: [(String, Coefficient)] = []
                for estimate in estimator.estimates {
                    rows.append(("ATT(\(panel.rounds[estimate.group - 1]), \(panel.rounds[estimate.time - 1]))", coefficient(estimate.att, estimate.standardError)))
                }
                let dynamic = estimator.dynamic
                for (e, aggregate) in dynamic.byEventTime { rows.append(("event time \(e)", coefficient(aggregate.att, aggregate.standardError))) }
                let critical = estimator.uniformCriticalValue(for: dynamic.byEventTime.map(\.1))
                rows.append(("overall ATT (simple)", coefficient(estimator.simple.att, estimator.simple.standardError)))
                rows.append(("overall ATT (dynamic)", coefficient(dynamic.overall.att, dynamic.overall.standardError)))
                rows.append(("overall ATT (group)", coefficient(estimator.byGroup.overall.att, estimator.byGroup.overall.standardError)))
                sections.append(Section(title: "Callaway & Sant'Anna (\(spec.comparison.rawValue) comparison)", rows: rows, observations: keep.count * panel.rounds.count,
                                        clusters: estimator.clusters, seType: "influence function, clustered by \(spec.cluster) (summed to cluster totals)",
                                        notes: ["balanced panel: \(balanced.units.count) units in every round; \(balanced.dropped) units missing a round left out; \(balanced.units.count - keep.count) units treated from the first round left out",
                                                String(format: "uniform 95%% band over the event times: estimate ± %.3f × s.e. (clustered multiplier bootstrap, 999 draws, seed 20211201)", critical)]))
            }
        }
        let header = "`\(spec.path)` · instrument \(spec.instrument) · outcome `\(spec.outcome.text)` · clusters: \(spec.cluster)"
        switch output {
        case .json: return try renderJSON(spec, panel, sections)
        case .csv: return DiDTables.csv(sections)
        case .latex: return DiDTables.latex(title: spec.title, sections)
        case .html: return DiDTables.html(title: spec.title, header: header, notes: panel.notes, sections)
        case .md: break
        }
        return markdown(title: spec.title, header: header, notes: panel.notes, sections)
    }

    static func markdown(title: String, header: String, notes: [String], _ sections: [Section]) -> String {
        var out = "# \(title)\n\n\(header)\n\n"
        out += "Panel: " + notes.joined(separator: "; ") + ".\n\n"
        for section in sections {
            out += "## \(section.title)\n\n| term | estimate | (s.e.) | 95% CI |\n|---|---|---|---|\n"
            for (term, c) in section.rows {
                out += String(format: "| %@ | %.4f%@ | (%.4f) | %.4f – %.4f |\n", term as NSString, c.estimate, stars(c.pValue) as NSString, c.standardError, c.low, c.high)
            }
            out += "\nN = \(section.observations)\(section.clusters.map { "; \($0) clusters" } ?? ""); standard errors: \(section.seType). "
            out += "* p<0.1, ** p<0.05, *** p<0.01."
            if let clusters = section.clusters, clusters < 50 { out += " With \(clusters) clusters, p-values and intervals use t(\(clusters - 1)); see the wild cluster bootstrap below where given." }
            out += "\n"
            for note in section.notes { out += "\n- \(note)" }
            out += "\n\n"
        }
        return out
    }

    /// Under 50 clusters, a wild cluster bootstrap p-value (null imposed; Webb weights under 12 clusters,
    /// Rademacher otherwise; every sign pattern when 2^G ≤ 9,999 draws), on the same cluster as the standard errors.
    static func bootstrapNote(y: [Double], x: [[Double]], names: [String], term: String, clusters: [String], count: Int?) throws -> [String] {
        guard let count, count < 50 else { return [] }
        let weights: WildClusterBootstrap.Weights = count < 12 ? .webb : .rademacher
        let result = try WildClusterBootstrap.test(y: y, x: x, names: names, term: term, clusters: clusters, weights: weights, draws: 9999, seed: 20_211_201)
        let how = result.enumerated ? "all \(result.draws) sign patterns" : "\(result.draws) draws, seed 20211201"
        return [String(format: "wild cluster bootstrap (%@ weights, null imposed, %@): p = %.4f for %@", result.weights.rawValue as NSString,
                       how as NSString, result.pValue, term as NSString)]
    }

    static func coefficient(_ estimate: Double, _ se: Double) -> Coefficient {
        let z = estimate / se
        let p = 2 * (1 - StudentT.cdf(abs(z), degreesOfFreedom: 1e6))
        return Coefficient(term: "", estimate: estimate, standardError: se, pValue: p, low: estimate - 1.959964 * se, high: estimate + 1.959964 * se)
    }

    static func section(_ title: String, _ result: RegressionResult, notes: [String]) -> Section {
        Section(title: title, rows: result.coefficients.map { ($0.term, $0) }, observations: result.observations, clusters: result.clusters,
                seType: result.standardErrors.name, notes: notes)
    }

    static func stars(_ p: Double) -> String { p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "" }

    static func renderJSON(_ spec: DiDSpec, _ panel: Panel, _ sections: [Section]) throws -> String {
        try DiDTables.json(title: spec.title, notes: panel.notes, sections, extra: ["instrument": spec.instrument, "outcome": spec.outcome.text])
    }
}
