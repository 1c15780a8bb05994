import Analysis
import ArgumentParser
import Expressions
import Foundation
import Questionnaire
import Reports
import Store

/// Runs a DiD specification over a store: builds the panel, runs each estimator, renders Markdown or JSON.
enum DiDRun {

    static func run(spec path: String, database: ResponseStore, json: Bool) throws -> String {
        try run(spec: path, database: database, output: json ? DiDReports.Format.json : .md)
    }

    static func run(spec path: String, database: ResponseStore, output: DiDReports.Format) throws -> String {
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
        let available = try reportingStoreErrors { try database.rounds() }.map(\.code)
        let rounds = (spec.rounds ?? available).filter(available.contains)
        var data: [String: RoundData] = [:]
        var needed = spec.outcome.expression.references
        if case .answer(let treatment) = spec.treatment { needed.formUnion(treatment.expression.references) }
        for case .answer(let measure) in [spec.weights].compactMap({ $0 }) + spec.covariates { needed.formUnion(measure.expression.references) }
        for round in rounds {
            let answers = try reportingStoreErrors { try database.completedAnswers(formID: spec.instrument, round: round, names: needed) }
            data[round] = RoundData(round: round, endDay: 0, formID: spec.instrument,
                                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
        }
        do {
            let panel = try Panel.build(spec: spec, rounds: rounds, data: data, units: units)
            return try DiDReports.render(report(spec, panel), as: output)
        } catch let error as EstimationError {
            Terminal.printError("error: \(spec.path): \(error)")
            throw ExitCode(1)
        }
    }

    /// Every estimator the specification names, on the panel built from the store.
    static func report(_ spec: DiDSpec, _ panel: Panel) throws -> DiDReport {
        let (long, notes) = try panel.longPanel(spec)
        var tables: [DiDTable] = []
        for estimator in spec.estimators {
            switch estimator {
            case .twoByTwo: tables.append(try PanelEstimation.twoByTwo(long))
            case .regression: tables.append(try PanelEstimation.regression(long))
            case .twfe: tables.append(try PanelEstimation.twoWayFixedEffects(long, preset: spec.preset))
            case .eventStudy: tables.append(try PanelEstimation.eventStudy(long, leads: spec.leads, lags: spec.lags))
            case .callawaySantAnna: tables.append(try PanelEstimation.callawaySantAnna(long, comparison: spec.comparison, method: spec.method))
            }
        }
        var header = "`\(spec.path)` · instrument \(spec.instrument) · outcome `\(spec.outcome.text)` · clusters: \(spec.cluster)"
        if let weights = spec.weights { header += " · weights: \(weights.name)" }
        if !spec.covariates.isEmpty { header += " · covariates: \(spec.covariates.map(\.name).joined(separator: ", "))" }
        return DiDReport(title: spec.title, header: header, notes: panel.notes + notes, tables: tables,
                         metadata: ["instrument": spec.instrument, "outcome": spec.outcome.text])
    }
}
