import Analysis
import Foundation
import Reports
import Tabular

/// Two groups and two periods from a CSV file: the table of means and the regression
/// y = a + b·group + c·post + d·group×post (+ covariates).
public struct TwoByTwoCSV: Sendable {
    public enum StandardErrorKind: String, CaseIterable, Sendable { case classical, hc1, cr1, cr2, cr3 }

    public var path: String
    public var outcome: String
    public var group: String
    public var post: String
    public var unit: String?
    public var cluster: String?
    public var weights: String?
    public var covariates: [String] = []
    public var standardErrors: StandardErrorKind = .classical

    public init(path: String, outcome: String, group: String, post: String) {
        self.path = path
        self.outcome = outcome
        self.group = group
        self.post = post
    }

    /// The report in Markdown or JSON.
    public func run(format: DiDReports.Format) throws -> String {
        var wanted: [String: CSVColumns.Kind] = [:]
        for name in [outcome, group, post] + covariates + [weights].compactMap({ $0 }) { wanted[name] = .number }
        for name in [unit, cluster].compactMap({ $0 }) { wanted[name] = .text }
        let file: CSVColumns
        switch CSVColumns.read(path: path, columns: wanted, numberLimit: 1e100) {
        case .success(let read): file = read
        case .failure(let error) where error.line == 0: throw WorkflowError.unreadable(path: path)
        case .failure(let error): throw WorkflowError.malformedCSV(path: path, line: error.line, message: error.message)
        }
        guard !file.header.isEmpty else { throw WorkflowError.emptyFile(path: path) }
        for name in [outcome, group, post] + covariates + [unit, cluster, weights].compactMap({ $0 }) where !file.header.contains(name) {
            throw WorkflowError.missingColumn(path: path, column: name, columns: file.header)
        }
        guard file.rowCount > 0 else { throw WorkflowError.noDataRows(path: path) }
        func values(_ name: String) -> [String] {
            let column = file.text(name)!
            return column.codes.map { column.values[Int($0)] }
        }
        func numbers(_ name: String) -> [Double?] { file.number(name)!.map { $0.isNaN ? nil : $0 } }
        let y = numbers(outcome), g = numbers(group), p = numbers(post)
        // The group and period indicators are 0 or 1 (or missing): "2" or "yes" is refused, never read as 0.
        for (name, column) in [(group, g), (post, p)] {
            if let row = column.firstIndex(where: { $0 != nil && $0 != 0 && $0 != 1 }) {
                throw WorkflowError.estimation(
                    source: nil,
                    EstimationError.notBinary(column: name, value: String(format: "%g", column[row]!), unit: "in data row", period: String(row + 1)))
            }
        }
        let covariateValues = covariates.map { numbers($0) }
        let used = y.indices.filter { i in y[i] != nil && g[i] != nil && p[i] != nil && covariateValues.allSatisfy { $0[i] != nil } }
        func kept<T>(_ column: [T]) -> [T] { used.map { column[$0] } }
        do {
            for (name, column) in [(group, g), (post, p)] where Set(kept(column)).count < 2 { throw EstimationError.noVariation(column: name) }
            let table = try TwoByTwo(
                treated: kept(g).map { $0 == 1 }, after: kept(p).map { $0 == 1 }, outcome: kept(y),
                units: unit.map { kept(values($0)) })
            let names = ["(Intercept)", group, post, "\(group):\(post)"] + covariates
            let design = used.map { i in [1, g[i]!, p[i]!, g[i]! * p[i]!] + covariateValues.map { $0[i]! } }
            let errors: StandardErrors =
                switch standardErrors {
                case .cr1: .cr1(cluster: cluster ?? "")
                case .cr3: .cr3(cluster: cluster ?? "")
                case .cr2: .cr2(cluster: cluster ?? "")
                case .hc1: .hc1
                case .classical: .classical
                }
            let weightValues = weights.map { kept(file.number($0)!) }
            if let weights, let weightValues, weightValues.contains(where: { !$0.isFinite || $0 <= 0 }) {
                throw WorkflowError.nonPositiveWeights(column: weights)
            }
            let regression = try Regression.fit(
                y: kept(y).map { $0! }, x: design, names: names, weights: weightValues, standardErrors: errors,
                clusters: cluster.map { kept(values($0)) })
            return format == .json ? try DiDReports.twoByTwoJSON(table, regression) : DiDReports.twoByTwoMarkdown(outcome: outcome, table, regression)
        } catch let error as EstimationError {
            throw WorkflowError.estimation(source: nil, error)
        }
    }
}

/// A panel from a CSV file: TWFE, the event study and Callaway & Sant'Anna. Only the named columns are read, in
/// one pass. The cluster is never chosen implicitly: without one, standard errors are unit-level.
public struct PanelCSV: Sendable {
    public enum Adoption: Sendable {
        /// A 0/1 treatment column (absorbing: a unit's first treated period is its cohort).
        case treatment(column: String)
        /// A column with each unit's first treated period (0 or empty: never).
        case cohort(column: String)
        /// A numeric treatment level (a dose) in each row, for chaisemartin_dhaultfoeuille's dynamic effects.
        case dose(column: String)
    }

    public enum Estimator: String, CaseIterable, Sendable {
        case twfe
        case eventStudy = "event_study"
        case callawaySantAnna = "callaway_santanna"
        case twoStage = "two_stage"
        case twoStageEventStudy = "two_stage_event_study"
        case imputation
        case sunAbraham = "sun_abraham"
        case chaisemartinDHaultfoeuille = "chaisemartin_dhaultfoeuille"
    }

    public var path: String
    public var outcome: String
    public var unit: String
    public var time: String
    public var adoption: Adoption
    public var cluster: String?
    public var weights: String?
    public var covariates: [String] = []
    public var estimators: [Estimator] = [.twfe, .eventStudy, .callawaySantAnna]
    public var method: CallawaySantAnna.Method = .doublyRobust
    /// Callaway & Sant'Anna's comparison units: not yet treated (pantau's default) or never treated (R did's).
    public var comparison: CallawaySantAnna.Comparison = .notYetTreated
    /// The event studies' window: event times before −leads and after lags are binned at the ends.
    public var leads = 3
    public var lags = 3
    /// The rows are repeated cross-sections: each row its own unit (no unit column), Callaway & Sant'Anna only.
    public var crossSections = false
    /// Callaway & Sant'Anna keeps units missing a period (R did's allow_unbalanced_panel) instead of leaving them out.
    public var keepUnbalanced = false
    /// The 0/1 treatment switches off as well as on: each row's treatment as given, not from the first treated period on.
    public var reversible = false
    /// Event studies get Rambachan & Roth's sensitivity to parallel trends and Roth's pre-test power.
    public var sensitivity = true
    /// Callaway & Sant'Anna's pre-periods compare with the period before adoption (R did's base_period = "universal").
    public var universalBase = false
    /// CR2 (Bell–McCaffrey) with Satterthwaite degrees of freedom for twfe, sun_abraham, two_stage, two_stage_event_study and imputation (`--se cr2`).
    public var cr2 = false

    public init(path: String, outcome: String, unit: String, time: String, adoption: Adoption) {
        self.path = path
        self.outcome = outcome
        self.unit = unit
        self.time = time
        self.adoption = adoption
    }

    /// The rendered report, and a line of timings (read, estimate with each estimator, render).
    public func run(format: DiDReports.Format) throws -> (output: String, timing: String) {
        let clock = ContinuousClock()
        let started = clock.now
        var wanted: [String: CSVColumns.Kind] = [outcome: .number, time: .text]
        if !crossSections { wanted[unit] = .text }
        let adoptionColumn: String
        switch adoption {
        case .treatment(let column), .cohort(let column), .dose(let column): adoptionColumn = column
        }
        if case .dose = adoption, let other = estimators.first(where: { $0 != .chaisemartinDHaultfoeuille }) {
            throw WorkflowError.estimation(source: nil, .doseNeedsChaisemartin(estimator: other.rawValue))
        }
        if case .dose = adoption { wanted[adoptionColumn] = .number }
        for name in [adoptionColumn, cluster].compactMap({ $0 }) where wanted[name] == nil { wanted[name] = .text }
        for name in [weights].compactMap({ $0 }) + covariates { wanted[name] = .number }
        let table: CSVColumns
        switch CSVColumns.read(path: path, columns: wanted, numberLimit: 1e100) {
        case .success(let read): table = read
        case .failure(let error) where error.line == 0: throw WorkflowError.unreadable(path: path)
        case .failure(let error): throw WorkflowError.malformedCSV(path: path, line: error.line, message: error.message)
        }
        guard !table.header.isEmpty else { throw WorkflowError.emptyFile(path: path) }
        guard table.rowCount > 0 else { throw WorkflowError.noDataRows(path: path) }
        for name in [outcome, time, adoptionColumn] + [crossSections ? nil : unit, cluster, weights].compactMap({ $0 }) + covariates
        where !table.header.contains(name) {
            throw WorkflowError.missingColumn(path: path, column: name, columns: table.header)
        }
        let read = clock.now
        func coded(_ name: String) -> LongPanel.CodedColumn {
            let column = table.text(name)!
            return LongPanel.CodedColumn(codes: column.codes, values: column.values)
        }
        let tables: [DiDTable], notes: [String], phases: [String]
        // Repeated cross-sections: each row a unit of its own.
        let units =
            crossSections
            ? LongPanel.CodedColumn(codes: (0..<Int32(table.rowCount)).map { $0 }, values: (1...table.rowCount).map { "row \($0)" }) : coded(unit)
        do {
            if crossSections, let other = estimators.first(where: { $0 != .callawaySantAnna }) {
                throw EstimationError.needsPanel(estimator: other.rawValue)
            }
            let built = try LongPanel.fromColumns(
                outcome: table.number(outcome)!, unit: units, unitName: crossSections ? "row" : unit, time: coded(time),
                adoption: {
                    switch adoption {
                    case .treatment(let column): .treatment(coded(column))
                    case .cohort(let column): .cohort(coded(column))
                    case .dose(let column): .dose(table.number(column)!)
                    }
                }(),
                cluster: cluster.map(coded), clusterName: cluster, weight: weights.map { table.number($0)! }, weightName: weights,
                covariates: covariates.map { ($0, table.number($0)!) }, adoptionName: adoptionColumn, timeName: time, reversible: reversible)
            let panel = built.panel, method = method, comparison = comparison, leads = leads, lags = lags
            let keepUnbalanced = keepUnbalanced || crossSections, sensitivity = sensitivity, universalBase = universalBase, cr2 = cr2
            notes = built.notes + (cluster == nil ? ["no --cluster: standard errors at the unit level"] : [])
            // The estimators are independent: they run at once, each timed on its own.
            let durations = Durations()
            let sides = PanelEstimation.clusterSides(panel)
            let clusters = PanelEstimation.clusterNote(panel, sides: sides)
            tables = try PanelEstimation.concurrently(
                estimators.map { estimator in
                    { @Sendable in
                        let begun = ContinuousClock.now
                        defer { durations.record(estimator.rawValue, ContinuousClock.now - begun) }
                        let table = try PanelEstimation.attempt(estimator.rawValue) {
                            switch estimator {
                            case .twfe: try PanelEstimation.twoWayFixedEffects(panel, cr2: cr2)
                            case .eventStudy: try PanelEstimation.eventStudy(panel, leads: leads, lags: lags)
                            case .callawaySantAnna:
                                try PanelEstimation.callawaySantAnna(
                                    panel, comparison: comparison, method: method, keepUnbalanced: keepUnbalanced, universalBase: universalBase)
                            case .twoStage: try PanelEstimation.twoStage(panel, cr2: cr2)
                            case .twoStageEventStudy: try PanelEstimation.twoStageEventStudy(panel, leads: leads, lags: lags, cr2: cr2)
                            case .imputation: try PanelEstimation.imputation(panel, lags: lags, cr2: cr2)
                            case .sunAbraham: try PanelEstimation.sunAbraham(panel, leads: leads, lags: lags, cr2: cr2)
                            case .chaisemartinDHaultfoeuille: try PanelEstimation.chaisemartinDHaultfoeuille(panel, leads: leads, lags: lags)
                            }
                        }
                        let chosen = cr2 ? PanelEstimation.withoutCR2(table) : table
                        return sensitivity ? chosen.withSensitivity() : chosen
                    }
                }
            ).map { try PanelEstimation.withRandomisationInference($0.adding(note: clusters), panel, sides: sides) }
            phases = estimators.map { "\($0.rawValue) \(seconds(durations.value($0.rawValue)))" }
        } catch let error as EstimationError {
            throw WorkflowError.estimation(source: nil, error)
        }
        var header = "\(path) · outcome \(outcome) · \(crossSections ? "repeated cross-sections" : "unit \(unit)") · time \(time)"
        if let cluster { header += " · clusters: \(cluster)" }
        let report = DiDReport(title: "Difference-in-differences: \(outcome)", header: header, notes: notes, tables: tables)
        let estimated = clock.now
        let output = try DiDReports.render(report, as: format)
        let timing =
            "read CSV \(seconds(read - started)), estimate \(seconds(estimated - read)) (\(phases.joined(separator: ", "))), "
            + "write \(seconds(clock.now - estimated))"
        return (output, timing)
    }
}

private func seconds(_ duration: Duration) -> String {
    String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18)
}

/// Each estimator's time, written from the threads that run them.
private final class Durations: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Duration] = [:]

    func record(_ name: String, _ duration: Duration) {
        lock.lock()
        values[name] = duration
        lock.unlock()
    }

    func value(_ name: String) -> Duration {
        lock.lock()
        defer { lock.unlock() }
        return values[name] ?? .zero
    }
}
