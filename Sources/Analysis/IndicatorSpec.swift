import Expressions
import Foundation
import Questionnaire
import Yams

/// What an indicator measures, over the completed interviews of its instrument in a round.
public enum Measure: Sendable {
    /// Units where the numerator holds, among units where the denominator holds (all interviewed units when
    /// there is none), as a percentage.
    case share(numerator: CompiledExpression, denominator: CompiledExpression?)
    case mean(CompiledExpression)
    case median(CompiledExpression)
    case total(CompiledExpression)
    /// The number of units where a condition holds.
    case count(CompiledExpression)

    public var kind: String {
        switch self {
        case .share: "share"
        case .mean: "mean"
        case .median: "median"
        case .total: "total"
        case .count: "count"
        }
    }

    public var expressions: [CompiledExpression] {
        switch self {
        case .share(let numerator, let denominator): [numerator] + (denominator.map { [$0] } ?? [])
        case .mean(let expression), .median(let expression), .total(let expression), .count(let expression): [expression]
        }
    }
}

/// A split of the results: up the frame (province, district, …), by a frame attribute, or by an answer.
public enum Disaggregation: Hashable, Sendable, CustomStringConvertible {
    case level(String)
    case attribute(String)
    case answer(String)

    public var description: String {
        switch self {
        case .level(let name), .attribute(let name): name
        case .answer(let name): "answer \(name)"
        }
    }
}

public struct TargetPoint: Hashable, Sendable {
    public let value: Double
    /// Days since 1970-01-01.
    public let date: Int
}

public struct Indicator: Sendable {
    public let id: String
    public let label: LocalizedText
    public let instrument: String
    public let level: String
    public let measure: Measure
    public let disaggregations: [Disaggregation]
    public let flagship: String?
    public let baseline: TargetPoint?
    public let target: TargetPoint?
    /// +1 when higher is better, −1 when lower is better.
    public let direction: Int
    public let location: SourceLocation
    /// The units the indicator speaks for (the set's, unless the indicator names its own).
    public var population: Population = .everyUnit
    /// The units shown beside them for comparison (`compare:`), if any.
    public var comparison: Population?

    /// The same indicator by other groups: for the charts' series by province and by district.
    func by(_ disaggregations: [Disaggregation]) -> Indicator {
        var copy = Indicator(
            id: id, label: label, instrument: instrument, level: level, measure: measure, disaggregations: disaggregations, flagship: nil,
            baseline: nil, target: nil, direction: direction, location: location)
        copy.population = population
        copy.comparison = comparison
        return copy
    }

    /// Fields the measure reads.
    public var variables: Set<String> { Set(measure.expressions.flatMap { $0.expression.references }) }
}

public struct IndicatorSet: Sendable {
    public let path: String
    public let title: LocalizedText?
    public let indicators: [Indicator]

    public static func isIndicatorFile(_ path: String) -> Bool {
        path.hasSuffix(".indicators.yaml") || (path as NSString).lastPathComponent == "indicators.yaml"
    }

    /// Reads and checks an indicator file against the questionnaires it refers to (by form id), and the frame's
    /// levels and attributes when known. Every problem is reported with its place.
    public static func load(
        path: String, questionnaires: [Questionnaire], frameLevels: Set<String> = [],
        frameAttributes: Set<String> = []
    ) -> Result<IndicatorSet, DiagnosticReport> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(.malformedYAML, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the indicator file")
                    ]))
        }
        return load(yaml: text, file: path, questionnaires: questionnaires, frameLevels: frameLevels, frameAttributes: frameAttributes)
    }

    /// The same from the file's text (`file` names it in diagnostics).
    public static func load(
        yaml text: String, file path: String, questionnaires: [Questionnaire], frameLevels: Set<String> = [], frameAttributes: Set<String> = []
    ) -> Result<IndicatorSet, DiagnosticReport> {
        var reader = SpecReader(file: path, source: text, questionnaires: questionnaires, frameLevels: frameLevels, frameAttributes: frameAttributes)
        let set = reader.read()
        let report = DiagnosticReport(file: path, source: text, diagnostics: reader.diagnostics)
        if report.hasErrors { return .failure(report) }
        return .success(set ?? IndicatorSet(path: path, title: nil, indicators: []))
    }
}

/// Reads specification YAML with located diagnostics: shared by indicator and DiD specifications.
struct SpecReader {
    let file: String
    let source: String
    let questionnaires: [Questionnaire]
    let frameLevels: Set<String>
    let frameAttributes: Set<String>
    var diagnostics: [Diagnostic] = []

    init(file: String, source: String, questionnaires: [Questionnaire], frameLevels: Set<String>, frameAttributes: Set<String>) {
        self.file = file
        self.source = source
        self.questionnaires = questionnaires
        self.frameLevels = frameLevels
        self.frameAttributes = frameAttributes
    }

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
    }

    mutating func report(_ code: DiagnosticCode, _ node: Node?, _ message: String) {
        diagnostics.append(Diagnostic(code, at: location(node), message))
    }

    static let indicatorKeys = [
        "id", "label", "instrument", "level", "share", "mean", "median", "total", "count", "disaggregate",
        "flagship", "baseline", "target", "direction", "population",
    ]
    static let setKeys = ["indicators", "title", "population", "compare"]

    /// A `population:` condition on frame attributes, checked against the frame's attributes when they are known.
    mutating func population(_ node: Node?) -> Population? {
        guard let node else { return nil }
        guard let text = node.string, let population = Population.parse(text) else {
            report(.badStructure, node, "a population is written ATTRIBUTE = VALUE (or !=), joined by 'and', e.g. kompak = 1")
            return nil
        }
        for condition in population.conditions where !frameAttributes.isEmpty && !frameAttributes.contains(condition.attribute) {
            report(
                .unknownDisaggregation, node,
                "'\(condition.attribute)' is not a frame attribute; the frame's attributes are \(frameAttributes.sorted().joined(separator: ", "))")
        }
        return population
    }

    mutating func read() -> IndicatorSet? {
        let root: Node?
        do { root = try Yams.compose(yaml: source) } catch {
            report(.malformedYAML, nil, "the indicator file is not valid YAML: \(error)")
            return nil
        }
        guard case .mapping(let top)? = root, case .sequence(let list)? = top["indicators"] else {
            report(.badStructure, root, "an indicator file is a mapping with an indicators: list")
            return nil
        }
        for (key, _) in top where !Self.setKeys.contains(key.string ?? "") {
            report(.unknownKey, key, "unknown key '\(key.string ?? "")'; the keys here are \(Self.setKeys.joined(separator: ", "))")
        }
        let setPopulation = population(top["population"]) ?? .everyUnit
        let compare = top["compare"]?.string
        if let node = top["compare"], compare == nil || setPopulation.comparison(on: compare!) == nil {
            report(.badStructure, node, "compare names a frame attribute that the population fixes, e.g. population: kompak = 1 with compare: kompak")
        }
        var indicators: [Indicator] = []
        var ids: [String: Int] = [:]
        for node in list {
            guard var indicator = readIndicator(node) else { continue }
            if case .mapping(let mapping) = node, let own = population(mapping["population"]) {
                indicator.population = own
            } else {
                indicator.population = setPopulation
            }
            indicator.comparison = compare.flatMap { indicator.population.comparison(on: $0) }
            if let line = ids[indicator.id] {
                report(.duplicateName, node, "indicator id '\(indicator.id)' is already used at line \(line)")
            }
            ids[indicator.id] = indicator.location.line
            indicators.append(indicator)
        }
        return IndicatorSet(path: file, title: top["title"].flatMap(localized), indicators: indicators)
    }

    func localized(_ node: Node) -> LocalizedText? {
        if let text = node.string { return LocalizedText(plain: text) }
        guard case .mapping(let mapping) = node else { return nil }
        var translations: [String: String] = [:]
        for (key, value) in mapping { if let language = key.string, let text = value.string { translations[language] = text } }
        return LocalizedText(translations)
    }

    /// Parses an expression and checks it against a questionnaire; offsets become file columns.
    mutating func expression(_ node: Node, in questionnaire: Questionnaire?, what: String) -> CompiledExpression? {
        guard let text = node.string, case .scalar(let scalar) = node else {
            report(.wrongValueKind, node, "\(what) must be an expression")
            return nil
        }
        let quote = scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0
        func at(_ offset: Int) -> SourceLocation {
            SourceLocation(file: file, line: node.mark?.line ?? 1, column: (node.mark?.column ?? 1) + quote + offset)
        }
        switch ExpressionParser.parse(text) {
        case .failure(let diagnostic):
            diagnostics.append(Diagnostic(expression: diagnostic, at: at(diagnostic.range.start)))
            return nil
        case .success(let parsed):
            if let questionnaire {
                for diagnostic in questionnaire.check(parsed).diagnostics {
                    diagnostics.append(Diagnostic(expression: diagnostic, at: at(diagnostic.range.start)))
                }
                // Names and phone numbers never enter an analysis: a report would print them per unit.
                for name in parsed.references.sorted() where questionnaire.item(named: name)?.pii == true {
                    report(
                        .readsPersonalData, node,
                        "\(what) reads ${\(name)}, which \(questionnaire.settings.formID) marks as personal data (pii); analyses never read personal data")
                }
            }
            if !parsed.previousReferences.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        expression: ExpressionDiagnostic(
                            .previousNeedsField, "previous() has no meaning in an analysis; compare rounds with the previous-round columns instead",
                            parsed.range), at: at(0)))
            }
            return CompiledExpression(text: text, expression: parsed, location: location(node))
        }
    }

    func date(_ node: Node?) -> Int? {
        guard let text = node?.string else { return nil }
        if let date = CivilDate.parse(text) { return date.days }
        // YYYY-MM: the month's last day.
        let parts = text.split(separator: "-")
        if parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) {
            return CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))?.days
        }
        return nil
    }

    mutating func point(_ node: Node?, _ what: String) -> TargetPoint? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node, let value = mapping["value"]?.string.flatMap(Double.init), let day = date(mapping["date"]) else {
            report(.badTarget, node, "\(what) is written {value: NUMBER, date: YYYY-MM-DD}")
            return nil
        }
        return TargetPoint(value: value, date: day)
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    mutating func readIndicator(_ node: Node) -> Indicator? {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, node, "an indicator is a mapping with id, label, instrument and a measure")
            return nil
        }
        for (key, _) in mapping where !Self.indicatorKeys.contains(key.string ?? "") {
            let name = key.string ?? ""
            var message = "unknown key '\(name)' on an indicator"
            if let guess = closestMatch(to: name, among: Self.indicatorKeys) { message += "; did you mean \(guess)?" }
            report(.unknownKey, key, message)
        }
        guard let id = mapping["id"]?.string, !id.isEmpty else {
            report(.missingName, node, "an indicator needs an id")
            return nil
        }
        let label = mapping["label"].flatMap(localized) ?? LocalizedText(plain: id)
        if mapping["label"] == nil { report(.missingTranslation, node, "indicator \(id) has no label") }
        guard let instrumentNode = mapping["instrument"], let instrument = instrumentNode.string else {
            report(.unknownInstrument, node, "indicator \(id) names no instrument (a questionnaire's form_id)")
            return nil
        }
        let questionnaire = questionnaires.first { $0.settings.formID == instrument }
        if questionnaire == nil {
            var message = "indicator \(id): no questionnaire has form_id '\(instrument)'"
            if let guess = closestMatch(to: instrument, among: questionnaires.map(\.settings.formID)) { message += "; did you mean \(guess)?" }
            report(.unknownInstrument, instrumentNode, message)
        }
        let level = mapping["level"]?.string ?? questionnaire?.settings.unitLevel ?? ""
        let measureKeys = ["share", "mean", "median", "total", "count"].filter { mapping[$0] != nil }
        guard measureKeys.count == 1, let measureNode = mapping[measureKeys[0]] else {
            report(
                .measureShape, node,
                "indicator \(id) needs exactly one of share, mean, median, total or count\(measureKeys.count > 1 ? "; it has \(measureKeys.joined(separator: ", "))" : "")"
            )
            return nil
        }
        var measure: Measure?
        switch measureKeys[0] {
        case "share":
            guard case .mapping(let share) = measureNode, let numeratorNode = share["numerator"] else {
                report(.measureShape, measureNode, "a share is written {numerator: CONDITION, denominator: CONDITION}")
                return nil
            }
            for (key, _) in share where !["numerator", "denominator"].contains(key.string ?? "") {
                report(.unknownKey, key, "unknown key '\(key.string ?? "")' in a share; the keys are numerator and denominator")
            }
            let numerator = expression(numeratorNode, in: questionnaire, what: "the numerator")
            let denominator = share["denominator"].flatMap { expression($0, in: questionnaire, what: "the denominator") }
            if let numerator, let denominator, !Self.implies(numerator.expression, denominator.expression) {
                report(
                    .numeratorOutsideDenominator, numeratorNode,
                    "the numerator of \(id) is not within its denominator: every unit it counts must also satisfy '\(denominator.text)'; add that condition with 'and'"
                )
            }
            if let numerator { measure = .share(numerator: numerator, denominator: denominator) }
        case "mean": measure = expression(measureNode, in: questionnaire, what: "the mean").map(Measure.mean)
        case "median": measure = expression(measureNode, in: questionnaire, what: "the median").map(Measure.median)
        case "total": measure = expression(measureNode, in: questionnaire, what: "the total").map(Measure.total)
        default: measure = expression(measureNode, in: questionnaire, what: "the count").map(Measure.count)
        }
        var disaggregations: [Disaggregation] = []
        if let list = mapping["disaggregate"] {
            guard case .sequence(let entries) = list else {
                report(.badStructure, list, "disaggregate is a list, e.g. [province, district, kompak]")
                return nil
            }
            for entry in entries {
                if let name = entry.string {
                    if frameLevels.contains(name) {
                        disaggregations.append(.level(name))
                        continue
                    }
                    if frameAttributes.contains(name) {
                        disaggregations.append(.attribute(name))
                        continue
                    }
                    if let item = questionnaire?.item(named: name), item.type.choiceList != nil, item.repeatPath.isEmpty {
                        if item.pii {
                            report(.readsPersonalData, entry, "disaggregate by \(name), which is marked personal data (pii); analyses never read personal data")
                        }
                        disaggregations.append(.answer(name))
                        continue
                    }
                    let item = questionnaire?.item(named: name)
                    if frameLevels.isEmpty && frameAttributes.isEmpty && (item == nil || item?.type == .identifier) {
                        // No frame given (validating alone): accept it as a frame level or attribute.
                        disaggregations.append(.level(name))
                        continue
                    }
                    report(
                        .unknownDisaggregation, entry,
                        "'\(name)' is neither a frame level (\(frameLevels.sorted().joined(separator: ", "))), a frame attribute nor a select question of \(instrument)"
                    )
                } else {
                    report(.badStructure, entry, "a disaggregation is a name")
                }
            }
        }
        var direction = 1
        if let node = mapping["direction"] {
            switch node.string {
            case "up": direction = 1
            case "down": direction = -1
            default: report(.badTarget, node, "direction is up or down")
            }
        }
        let baseline = point(mapping["baseline"], "the baseline")
        let target = point(mapping["target"], "the target")
        if let baseline, let target, target.date <= baseline.date { report(.badTarget, mapping["target"], "the target's date must come after the baseline's") }
        guard let measure else { return nil }
        return Indicator(
            id: id, label: label, instrument: instrument, level: level, measure: measure, disaggregations: disaggregations,
            flagship: mapping["flagship"]?.string, baseline: baseline, target: target, direction: direction, location: location(node))
    }

    /// A conservative check that the numerator's units are within the denominator's: every conjunct of the
    /// denominator appears in the numerator, or is `${x} != ''` (x answered) for an x the numerator tests against
    /// a non-empty value.
    static func implies(_ numerator: ExpressionNode, _ denominator: ExpressionNode) -> Bool {
        // Each alternative of an 'or' must lie within the denominator.
        if case .binary(.or, let lhs, let rhs) = numerator.kind { return implies(lhs, denominator) && implies(rhs, denominator) }
        func conjuncts(_ node: ExpressionNode) -> [ExpressionNode] {
            if case .binary(.and, let lhs, let rhs) = node.kind { return conjuncts(lhs) + conjuncts(rhs) }
            return [node]
        }
        let have = conjuncts(numerator)
        let haveText = Set(have.map(\.description))
        for atom in conjuncts(denominator) where !haveText.contains(atom.description) {
            guard case .binary(.notEqual, let field, let literal) = atom.kind, case .reference(let name) = field.kind,
                case .string("") = literal.kind
            else { return false }
            let tested = have.contains { candidate in
                switch candidate.kind {
                case .binary(let op, let lhs, let rhs):
                    guard case .reference(name) = lhs.kind else { return false }
                    switch (op, rhs.kind) {
                    case (.equal, .string(let text)): return !text.isEmpty
                    case (.equal, .number), (.greater, _), (.greaterEqual, _), (.less, .number), (.lessEqual, .number): return true
                    default: return false
                    }
                case .call("selected", let arguments):
                    if case .reference(name) = arguments.first?.kind { return true }
                    return false
                default: return false
                }
            }
            if !tested { return false }
        }
        return true
    }
}

extension Node.Mapping {
    subscript(_ key: String) -> Node? {
        for (candidate, value) in self where candidate.string == key { return value }
        return nil
    }
}
