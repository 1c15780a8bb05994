import Expressions

/// The second pass: everything that needs the whole form — references, repeat scope, types, choice lists,
/// cycles — plus the warnings.
struct SemanticValidator: ExpressionSchema {
    let items: [Item]
    let choiceLists: [String: ChoiceList]
    let brokenNames: Set<String>
    private var signatures: [String: FieldSignature] = [:]
    /// Suggestions already found: a form that names one unknown variable in a thousand places asks once.
    private let suggestions = SuggestionCache()
    private(set) var diagnostics: [Diagnostic] = []
    let file: String
    /// The lookup tables the form carries, with their columns, for pulldata()'s checks.
    var lookups: [String: [String]] = [:]
    var lookupTables: [String: [String]]? { lookups }
    /// instance('name') reads a choice list (name, label and its columns) or a lookup table.
    var instanceTables: [String: [String]]? {
        var tables = lookups
        for (name, list) in choiceLists where tables[name] == nil {
            tables[name] = ["name", "label"] + Set(list.choices.flatMap(\.attributes.keys)).sorted()
        }
        return tables
    }

    init(items: [Item], choiceLists: [ChoiceList], brokenNames: Set<String>, file: String) {
        self.items = items
        var lists: [String: ChoiceList] = [:]
        for list in choiceLists where lists[list.name] == nil { lists[list.name] = list }
        self.choiceLists = lists
        self.brokenNames = brokenNames
        self.file = file
        for item in items { signatures[item.name] = signature(of: item, calculated: .any) }
        // Calculations get the type their expression has, so `${total} > 'x'` is caught too.
        for item in items where item.type == .calculate {
            if let calculation = item.calculation {
                let context = CheckContext(repeatPath: item.repeatPath, currentType: .any)
                let type = TypeChecker.check(calculation.expression, schema: self, context: context).type
                signatures[item.name] = signature(of: item, calculated: type)
            }
        }
        for name in brokenNames where signatures[name] == nil {
            signatures[name] = FieldSignature(type: .any, repeatPath: [])
        }
    }

    private func signature(of item: Item, calculated: StaticType) -> FieldSignature {
        let type: StaticType
        var codes: Set<String>?
        switch item.type {
        case .text: type = .text
        case .integer, .decimal: type = .number
        case .selectOne(let list):
            type = .select(list: list, multiple: false)
            codes = choiceLists[list].map { Set($0.codes) }
        case .selectMultiple(let list), .rank(let list):
            // A ranking reads like a select_multiple whose codes are in order: selected-at(${r}, 0) is the first.
            type = .select(list: list, multiple: true)
            codes = choiceLists[list].map { Set($0.codes) }
        case .date: type = .date
        case .dateTime: type = .dateTime
        case .time: type = .time
        case .geopoint: type = .geopoint
        case .geotrace, .geoshape, .attachment: type = .text
        case .note: type = .string
        case .calculate: type = calculated
        case .acknowledge, .identifier: type = .any
        case .group: type = .group
        case .repeat: type = .repeatInstances
        }
        return FieldSignature(type: type, repeatPath: item.repeatPath, choiceCodes: codes)
    }

    func field(named name: String) -> FieldSignature? { signatures[name] }

    func suggestion(for name: String) -> String? {
        if let known = suggestions.answers[name] { return known }
        if suggestions.matcher == nil { suggestions.matcher = NameMatcher(items.map(\.name)) }
        let found = suggestions.matcher?.closest(to: name)
        suggestions.answers[name] = .some(found)
        return found
    }

    private func staticType(of item: Item) -> StaticType { signatures[item.name]?.type ?? .any }

    private mutating func check(_ compiled: CompiledExpression?, _ context: CheckContext) {
        guard let compiled else { return }
        let result = TypeChecker.check(compiled.expression, schema: self, context: context)
        for diagnostic in result.diagnostics {
            // References to items dropped for other errors were reported already.
            if diagnostic.code == .unknownField, brokenNames.contains(where: { diagnostic.message.contains("'\($0)'") }) { continue }
            diagnostics.append(Diagnostic(expression: diagnostic, at: shifted(compiled, diagnostic.range.start)))
        }
    }

    /// The location of an offset inside a compiled expression (recomputed from the expression's scalar).
    var locate: ((CompiledExpression, Int) -> SourceLocation)?

    private func shifted(_ compiled: CompiledExpression, _ offset: Int) -> SourceLocation {
        locate?(compiled, offset) ?? compiled.location
    }

    mutating func validate() -> DependencyGraph {
        let order = Dictionary(items.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var usedLists = Set<String>()
        for item in items {
            let inside = item.type == .repeat ? item.repeatPath + [item.name] : item.repeatPath
            let itemType = staticType(of: item)
            check(item.relevant, CheckContext(repeatPath: inside))
            check(item.constraint, CheckContext(repeatPath: item.repeatPath, currentType: itemType))
            check(item.warning, CheckContext(repeatPath: item.repeatPath, currentType: itemType))
            check(item.calculation, CheckContext(repeatPath: item.repeatPath, currentType: .any))
            if case .when(let expression) = item.required { check(expression, CheckContext(repeatPath: item.repeatPath)) }
            if case .expression(let expression) = item.defaultValue { check(expression, CheckContext(repeatPath: item.repeatPath)) }
            check(item.repeatCount, CheckContext(repeatPath: item.repeatPath))
            for name in item.trigger where signatures[name] == nil {
                var message = "the trigger of '\(item.name)' names '\(name)', but no field has that name"
                if let guess = suggestion(for: name) { message += "; did you mean \(guess)?" }
                diagnostics.append(
                    Diagnostic(expression: ExpressionDiagnostic(.unknownField, message, SourceRange(0, name.count)), at: item.location(of: "trigger")))
            }
            if let repeatCount = item.repeatCount {
                let type = TypeChecker.check(repeatCount.expression, schema: self, context: CheckContext(repeatPath: item.repeatPath)).type
                switch type {
                case .text, .boolean, .date, .dateTime, .time, .geopoint, .select(_, true), .group, .repeatInstances:
                    diagnostics.append(
                        Diagnostic(
                            .badRepeatCount, at: repeatCount.location,
                            "repeat_count of '\(item.name)' must give a number of instances, but \(repeatCount.text) is \(type)"))
                default: break
                }
                let written = repeatCount.text.trimmingCharacters(in: .whitespaces)
                if let literal = Double(written), literal > Double(Questionnaire.maximumRepeatInstances) {
                    diagnostics.append(
                        Diagnostic(
                            .badRepeatCount, at: repeatCount.location,
                            "repeat_count of '\(item.name)' is \(written), but a repeat holds at most \(Questionnaire.maximumRepeatInstances) instances"))
                }
            }
            if let list = item.type.choiceList {
                usedLists.insert(list)
                if let choices = choiceLists[list] {
                    if choices.choices.isEmpty {
                        diagnostics.append(
                            Diagnostic(
                                .emptyChoiceList, at: item.location(of: "type"),
                                "'\(item.name)' uses choice list '\(list)', which has no choices"))
                    }
                    let columns = Set(choices.choices.flatMap { $0.attributes.keys }).union(["name", "label"])
                    check(item.choiceFilter, CheckContext(repeatPath: item.repeatPath, choiceColumns: columns))
                } else {
                    var message = "'\(item.name)' uses choice list '\(list)', which is not defined under choices"
                    if let guess = closestMatch(to: list, among: choiceLists.keys.sorted()) { message += "; did you mean \(guess)?" }
                    diagnostics.append(Diagnostic(.unknownChoiceList, at: item.location(of: "type"), message))
                }
            }
            if case .literal(let value) = item.defaultValue, item.type.isQuestion {
                let list = item.type.choiceList.flatMap { choiceLists[$0] }
                if item.type.choiceList == nil || list != nil, case .failure(let error) = item.type.parseAnswer(value, choices: list) {
                    diagnostics.append(
                        Diagnostic(.wrongValueKind, at: item.location(of: "default"), "default of '\(item.name)': \(error)"))
                }
            }
            // Labels and hints: fields shown must exist and be in scope; fields asked later get a warning.
            for (key, template) in item.labelTemplates {
                for reference in template.references + template.previousReferences {
                    guard let signature = signatures[reference.name] else {
                        var message =
                            "the \(key.hasPrefix("hint:") ? "hint" : "label") of '\(item.name)' shows ${\(reference.name)}, but no field has that name"
                        if let guess = suggestion(for: reference.name) { message += "; did you mean ${\(guess)}?" }
                        diagnostics.append(
                            Diagnostic(
                                expression: ExpressionDiagnostic(.unknownField, message, reference.range),
                                at: item.location(of: key.hasPrefix("hint:") ? "hint" : "label")))
                        continue
                    }
                    if !signature.repeatPath.isEmpty, !item.repeatPath.starts(with: signature.repeatPath) {
                        diagnostics.append(
                            Diagnostic(
                                expression: ExpressionDiagnostic(
                                    .fieldOutsideRepeat,
                                    "the label of '\(item.name)' shows ${\(reference.name)}, which is asked once per instance of repeat '\(signature.repeatPath.last!)'",
                                    reference.range), at: item.location(of: key.hasPrefix("hint:") ? "hint" : "label")))
                    }
                }
                for reference in template.references {
                    if let target = items.first(where: { $0.name == reference.name }), target.type.isQuestion,
                        let targetIndex = order[reference.name], let index = order[item.name], targetIndex > index
                    {
                        diagnostics.append(
                            Diagnostic(
                                .labelShowsLaterField, at: item.location(of: key.hasPrefix("hint:") ? "hint" : "label"),
                                "the \(key.hasPrefix("hint:") ? "hint" : "label") of '\(item.name)' shows ${\(reference.name)}, which is asked only later (line \(target.location.line)); it will be empty here"
                            ))
                    }
                }
            }
            if let relevant = item.relevant, isConstantlyFalse(relevant.expression) {
                diagnostics.append(
                    Diagnostic(
                        .neverShown, at: relevant.location,
                        "'\(item.name)' can never be shown: its relevant (\(relevant.text)) is always false"))
            }
            if item.name.count > 32 {
                diagnostics.append(
                    Diagnostic(
                        .nameTooLongForStata, at: item.location(of: "name"),
                        "name '\(item.name)' has \(item.name.count) characters; Stata allows 32, so it will be cut on export"))
            }
            if item.type.holdsValue, let label = item.label, let long = label.allTexts.first(where: { $0.count > 80 }) {
                diagnostics.append(
                    Diagnostic(
                        .labelTooLongForStata, at: item.location(of: "label"),
                        "a label of '\(item.name)' has \(long.count) characters; Stata variable labels hold 80"))
            }
        }
        for list in choiceLists.values where !usedLists.contains(list.name) {
            diagnostics.append(Diagnostic(.unusedChoiceList, at: list.location, "choice list '\(list.name)' is not used by any select"))
        }
        let analysis = DependencyAnalysis(items: items)
        // Two items of one name (already an error) make the name depend on itself: no cycle to report then.
        let duplicated = Set(Dictionary(grouping: items, by: \.name).filter { $0.value.count > 1 }.keys)
        for cycle in analysis.cycles() where !cycle.contains(where: duplicated.contains) {
            let first = items.first { $0.name == cycle[0] }
            let loop = (cycle + [cycle[0]]).joined(separator: " → ")
            diagnostics.append(
                Diagnostic(
                    .cycle, at: first?.location ?? SourceLocation(file: file, line: 1, column: 1),
                    "cycle among calculations, defaults and relevance: \(loop); each of these waits for another"))
        }
        return analysis.graph()
    }

    /// True when a relevance has no inputs at all and evaluates to false.
    private func isConstantlyFalse(_ expression: ExpressionNode) -> Bool {
        guard expression.references.isEmpty, expression.previousReferences.isEmpty, !expression.usesCurrentValue,
            expression.functionNames.isDisjoint(with: ["today", "now", "position", "once"])
        else { return false }
        return !Evaluator.isTrue(expression, in: ConstantContext())
    }
}

/// An evaluation context with no answers: used to fold expressions that read nothing.
struct ConstantContext: FieldOnlyContext {
    func value(of field: String) -> Value { .empty }
}

extension Questionnaire {
    /// The type a calculate item's expression has (as the type checker works it out), in the item's repeat scope:
    /// what exports store it as.
    public func calculatedType(of item: Item) -> StaticType {
        guard let calculation = item.calculation else { return .any }
        var schema = SemanticValidator(items: allItems, choiceLists: choiceLists, brokenNames: [], file: sourcePath)
        schema.lookups = lookups.mapValues(\.columns)
        return TypeChecker.check(calculation.expression, schema: schema, context: CheckContext(repeatPath: item.repeatPath, currentType: .any)).type
    }

    /// Checks an expression written outside the questionnaire (an indicator, an analysis specification) against
    /// its fields, as if it sat at the top level of the form.
    public func check(_ expression: ExpressionNode) -> (type: StaticType, diagnostics: [ExpressionDiagnostic]) {
        var schema = SemanticValidator(items: allItems, choiceLists: choiceLists, brokenNames: [], file: sourcePath)
        schema.lookups = lookups.mapValues(\.columns)
        return TypeChecker.check(expression, schema: schema, context: CheckContext())
    }
}

/// The validator's memo of "did you mean" answers (a class: the validator is a value that the checks copy).
final class SuggestionCache {
    var matcher: NameMatcher?
    var answers: [String: String?] = [:]
}
