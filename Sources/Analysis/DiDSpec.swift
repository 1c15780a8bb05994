import Expressions
import Foundation
import Questionnaire
import Yams

/// A difference-in-differences specification over the store (`Analysis/<programme>/did-*.yaml`).
public struct DiDSpec: Sendable {
    public enum Treatment: Sendable {
        /// An expression over each interview's answers, e.g. `${sid_status} = 'online'`.
        case answer(CompiledExpression)
        /// A frame attribute equal to 1, treated from a round on.
        case attribute(String, from: String)
        /// A treatment's level, a number per interview (`dose:`): de Chaisemartin & D'Haultfœuille's dynamic effects of a
        /// non-binary treatment; a unit-round is treated where the dose is not zero.
        case dose(Measure)
    }

    /// A number per interview: an expression over its answers, or an attribute of its unit in the frame
    /// (looked up the hierarchy, so a district attribute serves its villages).
    public enum Measure: Sendable {
        case answer(CompiledExpression)
        case attribute(String)

        /// How the tables name it: the expression's text or the attribute's name.
        public var name: String {
            switch self {
            case .answer(let expression): expression.text
            case .attribute(let key): key
            }
        }
    }

    public enum Estimator: String, Sendable, CaseIterable {
        case twoByTwo = "two_by_two"
        case regression
        case twfe
        case eventStudy = "event_study"
        case callawaySantAnna = "callaway_santanna"
        case twoStage = "two_stage"
        case twoStageEventStudy = "two_stage_event_study"
        case imputation
        case sunAbraham = "sun_abraham"
        case chaisemartinDHaultfoeuille = "chaisemartin_dhaultfoeuille"
    }

    public let path: String
    public let title: String
    public let instrument: String
    public let outcome: CompiledExpression
    public let treatment: Treatment
    /// Once treated, always treated (units switching off are reported and kept as treated).
    public let absorbing: Bool
    /// A frame level whose unit is each unit's cluster (district by default).
    public let cluster: String
    public let rounds: [String]?
    public let estimators: [Estimator]
    public let comparison: CallawaySantAnna.Comparison
    public let leads: Int
    public let lags: Int
    /// The small-sample convention of clustered standard errors with absorbed effects.
    public let preset: SmallSamplePreset
    /// Survey weights: estimates are then population-weighted.
    public let weights: Measure?
    /// Covariates: row by row in the regressions; each unit's first-round values in Callaway & Sant'Anna.
    public let covariates: [Measure]
    /// How covariates enter Callaway & Sant'Anna: doubly robust (the did package's default) or outcome regression.
    public let method: CallawaySantAnna.Method
    /// What one unit of the outcome is, for the sentences that say what was found ("percentage points", "Rupiah");
    /// nil: percentage points for a condition (a probability), else the outcome's own units.
    public let unit: String?
    /// Callaway & Sant'Anna keeps units missing a round (`missing_rounds: keep`, R did's allow_unbalanced_panel: each
    /// comparison made from rows) instead of leaving them out (`drop`, the default, as R's did).
    public let keepUnbalanced: Bool
    /// Event studies get Rambachan & Roth's sensitivity to parallel trends (`sensitivity: false` leaves it out).
    public let sensitivity: Bool
    /// Callaway & Sant'Anna's pre-periods compare with the period before adoption (`base_period: universal`) rather than
    /// with the period before them (`varying`, R did's default); the sensitivity analysis needs the former.
    public let universalBase: Bool
    /// `standard_errors: cr2`: CR2 (Bell–McCaffrey) with Satterthwaite degrees of freedom for the least-squares estimators
    /// that offer it (regression, twfe, sun_abraham, two_stage, two_stage_event_study, imputation) instead of CR1 and the jackknife; the others keep their own.
    public let cr2: Bool

    /// Whether the outcome is a condition (true or false for a unit): its effects are probabilities.
    public var outcomeIsCondition: Bool {
        switch outcome.expression.kind {
        case .binary(let op, _, _): [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .and, .or].contains(op)
        case .call(let name, _): ["selected", "not", "boolean"].contains(name)
        default: false
        }
    }

    public static func isSpec(_ path: String) -> Bool { (path as NSString).lastPathComponent.hasPrefix("did-") && path.hasSuffix(".yaml") }

    static let keys = [
        "title", "instrument", "outcome", "treatment", "adoption", "cluster", "rounds", "estimators", "comparison", "leads", "lags",
        "small_sample", "weights", "covariates", "method", "unit", "missing_rounds", "sensitivity", "base_period",
        "standard_errors", "dose",
    ]

    public static func load(path: String, questionnaires: [Questionnaire]) -> Result<DiDSpec, DiagnosticReport> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(.malformedYAML, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the specification")
                    ]))
        }
        var reader = SpecReader(file: path, source: text, questionnaires: questionnaires, frameLevels: [], frameAttributes: [])
        let spec = reader.readDiD()
        let report = DiagnosticReport(file: path, source: text, diagnostics: reader.diagnostics)
        if report.hasErrors || spec == nil {
            return .failure(
                report.hasErrors
                    ? report
                    : DiagnosticReport(
                        file: path, source: text,
                        diagnostics: [
                            Diagnostic(.badStructure, at: SourceLocation(file: path, line: 1, column: 1), "the specification is incomplete")
                        ]))
        }
        return .success(spec!)
    }
}

extension SpecReader {
    mutating func readDiD() -> DiDSpec? {
        let root: Node?
        do { root = try Yams.compose(yaml: source) } catch {
            report(.malformedYAML, nil, "the specification is not valid YAML: \(error)")
            return nil
        }
        guard case .mapping(let mapping)? = root else {
            report(.badStructure, root, "a DiD specification is a mapping with instrument, outcome, treatment and estimators")
            return nil
        }
        for (key, _) in mapping where !DiDSpec.keys.contains(key.string ?? "") {
            var message = "unknown key '\(key.string ?? "")'"
            if let guess = closestMatch(to: key.string ?? "", among: DiDSpec.keys) { message += "; did you mean \(guess)?" }
            report(.unknownKey, key, message)
        }
        guard let instrumentNode = mapping["instrument"], let instrument = instrumentNode.string else {
            report(.unknownInstrument, root, "the specification names no instrument (a questionnaire's form_id)")
            return nil
        }
        let questionnaire = questionnaires.first { $0.settings.formID == instrument }
        if questionnaire == nil { report(.unknownInstrument, instrumentNode, "no questionnaire has form_id '\(instrument)'") }
        guard let outcomeNode = mapping["outcome"], let outcome = expression(outcomeNode, in: questionnaire, what: "the outcome") else {
            if mapping["outcome"] == nil { report(.measureShape, root, "the specification has no outcome") }
            return nil
        }
        var treatment: DiDSpec.Treatment?
        if let node = mapping["treatment"] {
            if case .mapping(let fields) = node, let attribute = fields["attribute"]?.string {
                guard let from = fields["from"]?.string else {
                    report(.badStructure, node, "an attribute treatment needs the round it starts: {attribute: \(attribute), from: ROUND}")
                    return nil
                }
                treatment = .attribute(attribute, from: from)
            } else if let compiled = expression(node, in: questionnaire, what: "the treatment") {
                treatment = .answer(compiled)
            }
        } else if mapping["dose"] == nil {
            report(.measureShape, root, "the specification has no treatment (or dose)")
        }
        var estimators: [DiDSpec.Estimator] = []
        if case .sequence(let list)? = mapping["estimators"] {
            for entry in list {
                if let name = entry.string, let estimator = DiDSpec.Estimator(rawValue: name) {
                    estimators.append(estimator)
                } else {
                    report(
                        .badStructure, entry,
                        "unknown estimator '\(entry.string ?? "")'; the estimators are \(DiDSpec.Estimator.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
        } else {
            report(.badStructure, root, "estimators is a list, e.g. [twfe, callaway_santanna]")
        }
        var comparison = CallawaySantAnna.Comparison.notYetTreated
        if let node = mapping["comparison"] {
            switch node.string {
            case "never_treated": comparison = .neverTreated
            case "not_yet_treated": comparison = .notYetTreated
            default: report(.badStructure, node, "comparison is never_treated or not_yet_treated")
            }
        }
        let rounds: [String]? = {
            if case .sequence(let list)? = mapping["rounds"] { return list.compactMap(\.string) }
            return nil
        }()
        var preset = SmallSamplePreset.fixest
        if let node = mapping["small_sample"] {
            if let value = node.string.flatMap(SmallSamplePreset.init(rawValue:)) {
                preset = value
            } else {
                report(.badStructure, node, "small_sample is \(SmallSamplePreset.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        // Weights and covariates: an expression over the answers, or {attribute: NAME} from the frame.
        func measure(_ node: Node, what: String) -> DiDSpec.Measure? {
            if case .mapping(let fields) = node {
                guard let attribute = fields["attribute"]?.string, fields.count == 1 else {
                    report(.badStructure, node, "\(what) is an expression over the answers or {attribute: NAME} from the frame")
                    return nil
                }
                return .attribute(attribute)
            }
            return expression(node, in: questionnaire, what: what).map { .answer($0) }
        }
        let weights = mapping["weights"].flatMap { measure($0, what: "weights") }
        var covariates: [DiDSpec.Measure] = []
        if let node = mapping["covariates"] {
            if case .sequence(let list) = node {
                for entry in list { if let covariate = measure(entry, what: "a covariate") { covariates.append(covariate) } }
            } else {
                report(.badStructure, node, "covariates is a list, e.g. [\"${bpd_meetings}\", {attribute: papua}] (quote expressions inside brackets)")
            }
        }
        /// A key whose value is one of a few words, each meaning a value; otherwise the message, and the default.
        func choice<T>(_ key: String, _ values: [String: T], default fallback: T, _ message: String) -> T {
            guard let node = mapping[key] else { return fallback }
            if let word = node.string, let value = values[word] { return value }
            report(.badStructure, node, message)
            return fallback
        }
        let method = choice(
            "method", ["dr": CallawaySantAnna.Method.doublyRobust, "or": .outcomeRegression], default: .doublyRobust,
            "method is dr (doubly robust) or or (outcome regression)")
        let keepUnbalanced = choice(
            "missing_rounds", ["keep": true, "drop": false], default: false,
            "missing_rounds is drop (units missing a round left out of Callaway & Sant'Anna) or keep")
        let sensitivity = choice(
            "sensitivity", ["true": true, "yes": true, "false": false, "no": false], default: true,
            "sensitivity is true (event studies get the sensitivity to parallel trends, the default) or false")
        let universalBase = choice(
            "base_period", ["universal": true, "varying": false], default: false,
            "base_period is varying (R did's default) or universal (pre-periods compared with the period before adoption)")
        let cr2 = choice(
            "standard_errors", ["conventional": false, "cr2": true], default: false,
            "standard_errors is conventional (CR1, the cluster jackknife under 50 clusters) or cr2 (Bell–McCaffrey with Satterthwaite "
                + "degrees of freedom, for regression, twfe, sun_abraham, two_stage, two_stage_event_study and imputation)")
        if let node = mapping["dose"] {
            // A dose moves up and down, and only de Chaisemartin & D'Haultfœuille's dynamic effects take one.
            if mapping["treatment"] != nil {
                report(.badStructure, node, "give treatment (a condition) or dose (a number), not both")
            } else if mapping["adoption"]?.string != "reversible" {
                report(.badStructure, node, "a dose can go down as well as up: it needs adoption: reversible")
            } else if let other = estimators.first(where: { $0 != .chaisemartinDHaultfoeuille }) {
                report(
                    .badStructure, node,
                    "\(other.rawValue) needs a 0/1 treatment; a dose is for chaisemartin_dhaultfoeuille alone (its dynamic effects, lags of 0 or more)")
            } else if let lags = Int(mapping["lags"]?.string ?? "3"), lags < 0 {
                report(.badStructure, node, "a dose has the dynamic effects only: lags must be 0 or more")
            } else {
                treatment = measure(node, what: "the dose").map { .dose($0) }
            }
        }
        guard let treatment else { return nil }
        return DiDSpec(
            path: file, title: mapping["title"]?.string ?? "Difference-in-differences", instrument: instrument, outcome: outcome,
            treatment: treatment, absorbing: mapping["adoption"]?.string != "reversible", cluster: mapping["cluster"]?.string ?? "district",
            rounds: rounds, estimators: estimators, comparison: comparison,
            leads: Int(mapping["leads"]?.string ?? "") ?? 3, lags: Int(mapping["lags"]?.string ?? "") ?? 3, preset: preset,
            weights: weights, covariates: covariates, method: method, unit: mapping["unit"]?.string, keepUnbalanced: keepUnbalanced,
            sensitivity: sensitivity, universalBase: universalBase, cr2: cr2)
    }
}
