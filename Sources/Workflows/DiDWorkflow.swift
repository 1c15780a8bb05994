import Analysis
import Questionnaire
import Reports
import Store

/// A DiD specification over a store: builds the panel from the completed interviews, runs each estimator it
/// names, and renders the report.
public enum DiDWorkflow {
    public static func run(spec path: String, store: any StoreReading, format: DiDReports.Format) throws -> String {
        let questionnaires = try StoredQuestionnaires(store)
        let spec = try DiDSpec.load(path: path, questionnaires: Array(questionnaires.latest.values)).get()
        let available = try store.rounds().map(\.code)
        let rounds = (spec.rounds ?? available).filter(available.contains)
        var needed = spec.outcome.expression.references
        if case .answer(let treatment) = spec.treatment { needed.formUnion(treatment.expression.references) }
        if case .dose(.answer(let dose)) = spec.treatment { needed.formUnion(dose.expression.references) }
        for case .answer(let measure) in [spec.weights].compactMap({ $0 }) + spec.covariates { needed.formUnion(measure.expression.references) }
        var data: [String: RoundData] = [:]
        for round in rounds {
            let answers = try store.completedAnswers(formID: spec.instrument, round: round, names: needed)
            data[round] = RoundData(
                round: round, endDay: nil, formID: spec.instrument,
                interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
        }
        do {
            let panel = try Panel.build(spec: spec, rounds: rounds, data: data, units: try store.units())
            return try DiDReports.render(report(spec, panel), as: format)
        } catch let error as EstimationError {
            throw WorkflowError.estimation(source: spec.path, error)
        }
    }

    /// Every estimator the specification names, on the panel built from the store.
    public static func report(_ spec: DiDSpec, _ panel: Panel) throws -> DiDReport {
        let (long, notes) = try panel.longPanel(spec)
        var tables: [DiDTable] = []
        for estimator in spec.estimators {
            tables.append(
                try PanelEstimation.attempt(estimator.rawValue) {
                    switch estimator {
                    case .twoByTwo: try PanelEstimation.twoByTwo(long)
                    case .regression: try PanelEstimation.regression(long, cr2: spec.cr2)
                    case .twfe: try PanelEstimation.twoWayFixedEffects(long, preset: spec.preset, cr2: spec.cr2)
                    case .eventStudy: try PanelEstimation.eventStudy(long, leads: spec.leads, lags: spec.lags)
                    case .callawaySantAnna:
                        try PanelEstimation.callawaySantAnna(
                            long, comparison: spec.comparison, method: spec.method, keepUnbalanced: spec.keepUnbalanced, universalBase: spec.universalBase)
                    case .twoStage: try PanelEstimation.twoStage(long, cr2: spec.cr2)
                    case .twoStageEventStudy: try PanelEstimation.twoStageEventStudy(long, leads: spec.leads, lags: spec.lags, cr2: spec.cr2)
                    case .imputation: try PanelEstimation.imputation(long, lags: spec.lags, cr2: spec.cr2)
                    case .sunAbraham: try PanelEstimation.sunAbraham(long, leads: spec.leads, lags: spec.lags, cr2: spec.cr2)
                    case .chaisemartinDHaultfoeuille: try PanelEstimation.chaisemartinDHaultfoeuille(long, leads: spec.leads, lags: spec.lags)
                    }
                })
        }
        if spec.cr2 { tables = tables.map(PanelEstimation.withoutCR2) }
        let sides = PanelEstimation.clusterSides(long)
        let clusters = PanelEstimation.clusterNote(long, sides: sides)
        tables = try tables.map { try PanelEstimation.withRandomisationInference($0.adding(note: clusters), long, preset: spec.preset, sides: sides) }
        if spec.sensitivity {
            let estimated = tables
            tables = try PanelEstimation.concurrently(estimated.map { table in { @Sendable in table.withSensitivity() } })
        }
        var header = "`\(spec.path)` · instrument \(spec.instrument) · outcome `\(spec.outcome.text)` · clusters: \(spec.cluster)"
        if let weights = spec.weights { header += " · weights: \(weights.name)" }
        if !spec.covariates.isEmpty { header += " · covariates: \(spec.covariates.map(\.name).joined(separator: ", "))" }
        // A condition's effects are probabilities: said in percentage points unless the specification names a unit.
        var metadata = ["instrument": spec.instrument, "outcome": spec.outcome.text]
        if let unit = spec.unit {
            metadata["unit"] = unit
        } else if spec.outcomeIsCondition {
            metadata["unit"] = "percentage points"
            metadata["scale"] = "100"
        }
        return DiDReport(title: spec.title, header: header, notes: panel.notes + notes, tables: tables, metadata: metadata)
    }
}
