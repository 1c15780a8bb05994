import Expressions
import Yams

/// Reads a questionnaire's YAML into located items, recording every problem instead of stopping at the first.
///
/// This is the first of two passes: it checks shape, keys, names and value kinds, and parses expressions.
/// `SemanticValidator` then checks what needs the whole form (references, types, cycles).
final class Reader {
    let file: String
    let source: String
    private let sourceLines: [Substring]
    private(set) var diagnostics: [Diagnostic] = []

    /// Names seen so far, with where they were first declared.
    private(set) var declaredNames: [String: SourceLocation] = [:]
    /// Names of items that were dropped because of errors: references to them are not reported again.
    private(set) var brokenNames: Set<String> = []
    /// The scalar each expression came from, to place diagnostics found in the second pass.
    var scalarNodes: [SourceLocation: Node] = [:]

    static let topLevelKeys = ["settings", "survey", "choices"]
    static let settingsKeys = ["form_id", "title", "version", "default_language", "languages", "unit_level", "description"]
    static let itemKeys = [
        "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint", "constraint_message",
        "warning", "warning_message", "calculation", "default", "choice_filter", "appearance", "read_only", "pii",
        "allow", "children", "repeat_count",
    ]
    /// Deeper nesting is no real questionnaire and would only exhaust the stack.
    static let maximumNesting = 32
    /// Reserved: XPath operators and the fixed columns every export carries.
    static let reservedNames: Set<String> = [
        "and", "or", "div", "mod", "not", "true", "false", "meta", "instanceID", "uuid", "interview", "unit",
        "round", "enumerator", "status", "duration", "position", "previous", "current",
    ]

    init(file: String, source: String) {
        self.file = file
        self.source = source
        sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    // MARK: - Reporting

    func report(_ code: DiagnosticCode, _ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(code, at: location, message))
    }

    func location(_ node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: 1, column: 1) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    // MARK: - Document

    struct Draft {
        var settings: Settings?
        var items: [Item] = []
        var choiceLists: [ChoiceList] = []
        var settingsLocation: SourceLocation
        var languages: [String] = []
    }

    func read() -> Draft? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch let error as YamlError {
            reportYAMLError(error)
            return nil
        } catch {
            report(.malformedYAML, SourceLocation(file: file, line: 1, column: 1), "the file is not valid YAML: \(error)")
            return nil
        }
        guard let root, case .mapping(let mapping) = root else {
            report(.badStructure, location(root), "a questionnaire is a mapping with the keys settings, survey and choices")
            return nil
        }
        var draft = Draft(settingsLocation: location(root))
        var settingsNode: Node?
        var surveyNode: Node?
        var choicesNode: Node?
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            switch name {
            case "settings":
                settingsNode = value
                draft.settingsLocation = location(key)
            case "survey": surveyNode = value
            case "choices": choicesNode = value
            default: reportUnknownKey(name, key, allowed: Reader.topLevelKeys, context: "at the top level")
            }
        }
        // Languages first: labels everywhere are checked against them.
        if let settingsNode {
            draft.settings = readSettings(settingsNode)
            draft.languages = draft.settings?.languages ?? []
        } else {
            report(
                .missingSetting, location(root), "the questionnaire has no settings section; add settings with form_id, title and version")
        }
        languages = draft.languages
        if let choicesNode { draft.choiceLists = readChoices(choicesNode) }
        if let surveyNode {
            guard case .sequence(let sequence) = surveyNode else {
                report(.badStructure, location(surveyNode), "survey must be a list of items, each starting with '- type:'")
                return draft
            }
            draft.items = readItems(Array(sequence), parentPath: [], repeatPath: [])
            if draft.items.isEmpty && sequence.isEmpty {
                report(.emptyGroup, location(surveyNode), "the survey has no items")
            }
        } else {
            report(.badStructure, location(root), "the questionnaire has no survey section; add survey: with a list of items")
        }
        return draft
    }

    private var languages: [String] = []

    private func reportYAMLError(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "malformed YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            report(.malformedYAML, location(mark), message)
        case .reader(let problem, _, _, _):
            report(.malformedYAML, SourceLocation(file: file, line: 1, column: 1), "the file cannot be read as UTF-8 text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            report(
                .malformedYAML, location(context.mark),
                "a key appears twice in one mapping: \(duplicates.joined(separator: ", ")); keep one of them")
        default:
            report(.malformedYAML, SourceLocation(file: file, line: 1, column: 1), "malformed YAML: \(error)")
        }
    }

    // MARK: - Scalars

    func scalarKey(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else {
            report(.badStructure, location(node), "a key must be a plain word")
            return nil
        }
        return scalar.string
    }

    func reportUnknownKey(_ name: String, _ node: Node, allowed: [String], context: String) {
        var message = "unknown key '\(name)' \(context)"
        if let guess = closestMatch(to: name, among: allowed) {
            message += "; did you mean \(guess)?"
        } else {
            message += "; the keys here are \(allowed.joined(separator: ", "))"
        }
        report(.unknownKey, location(node), message)
    }

    func string(_ node: Node, key: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(.wrongValueKind, location(node), "\(key) must be a single value, not a \(kindName(node))")
            return nil
        }
        return scalar.string
    }

    func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: "value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    func boolean(_ node: Node, key: String) -> Bool? {
        guard let text = string(node, key: key) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            report(.wrongValueKind, location(node), "\(key) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// A string, or a mapping from language code to string; every declared language must be present.
    func localized(_ node: Node, key: String, requireAllLanguages: Bool = true) -> LocalizedText? {
        switch node {
        case .scalar(let scalar):
            if requireAllLanguages, languages.count > 1 {
                report(
                    .missingTranslation, location(node),
                    "\(key) is given once but the form declares the languages \(languages.joined(separator: ", ")); write it per language, e.g. \(key): {\(languages.map { "\($0): …" }.joined(separator: ", "))}"
                )
            }
            return LocalizedText(plain: scalar.string)
        case .mapping(let mapping):
            var translations: [String: String] = [:]
            for (languageNode, textNode) in mapping {
                guard let language = scalarKey(languageNode), let text = string(textNode, key: "\(key).\(language)") else { continue }
                if !languages.isEmpty, !languages.contains(language) {
                    var message =
                        "\(key) is given in '\(language)', which the settings do not declare (languages: \(languages.joined(separator: ", ")))"
                    if let guess = closestMatch(to: language, among: languages) { message += "; did you mean \(guess)?" }
                    report(.unknownLanguage, location(languageNode), message)
                }
                translations[language] = text
            }
            if requireAllLanguages {
                let missing = languages.filter { translations[$0] == nil }
                if !missing.isEmpty {
                    report(
                        .missingTranslation, location(node),
                        "\(key) has no text in \(missing.joined(separator: ", ")); every declared language needs one")
                }
            }
            return LocalizedText(translations)
        default:
            report(.wrongValueKind, location(node), "\(key) must be text, or a mapping from language code to text")
            return nil
        }
    }

    // MARK: - Expressions

    /// Maps an offset inside a scalar's value to its place in the file.
    func location(of node: Node, offset: Int) -> SourceLocation {
        guard case .scalar(let scalar) = node, let mark = scalar.mark else { return location(node) }
        let value = scalar.string
        switch scalar.style {
        case .plain, .singleQuoted, .doubleQuoted, .any:
            if value.contains("\n") { return location(node) }
            let quote = (scalar.style == .singleQuoted || scalar.style == .doubleQuoted) ? 1 : 0
            return SourceLocation(file: file, line: mark.line, column: mark.column + quote + offset)
        case .literal, .folded:
            // The text starts on the line after the indicator; find which line holds the offset.
            let prefix = value.unicodeScalars.prefix(offset)
            let lineOffset = scalar.style == .literal ? prefix.filter { $0 == "\n" }.count : 0
            let lastBreak =
                scalar.style == .literal
                ? (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) : 0
            let line = mark.line + 1 + lineOffset
            guard line - 1 < sourceLines.count else { return location(node) }
            let indent = sourceLines[line - 1].unicodeScalars.prefix { $0 == " " }.count
            let column = scalar.style == .literal ? indent + (offset - lastBreak) + 1 : indent + 1
            return SourceLocation(file: file, line: line, column: column)
        }
    }

    func expression(_ node: Node, key: String, allowingChoiceColumns: Bool = false) -> CompiledExpression? {
        guard let text = string(node, key: key) else { return nil }
        switch ExpressionParser.parse(text, allowingChoiceColumns: allowingChoiceColumns) {
        case .success(let expression):
            scalarNodes[location(node)] = node
            return CompiledExpression(text: text, expression: expression, location: location(node))
        case .failure(let diagnostic):
            diagnostics.append(Diagnostic(expression: diagnostic, at: location(of: node, offset: diagnostic.range.start)))
            return nil
        }
    }

    /// `required`: true/false, or an expression; a lone word such as `maybe` is a value of the wrong kind.
    func requirement(_ node: Node) -> Requirement? {
        guard let text = string(node, key: "required") else { return nil }
        switch text.lowercased() {
        case "true", "yes": return .yes
        case "false", "no", "": return .no
        default: break
        }
        if text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" }) {
            report(.wrongValueKind, location(node), "required must be true, false or an expression such as ${age} >= 18, not '\(text)'")
            return nil
        }
        return expression(node, key: "required").map(Requirement.when)
    }

    // MARK: - Settings

    func readSettings(_ node: Node) -> Settings? {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "settings must be a mapping with form_id, title, version and languages")
            return nil
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            if Reader.settingsKeys.contains(name) {
                values[name] = value
            } else {
                reportUnknownKey(name, key, allowed: Reader.settingsKeys, context: "in settings")
            }
        }
        var languageList: [String] = []
        if let node = values["languages"] {
            if case .sequence(let sequence) = node {
                for entry in sequence {
                    guard let code = string(entry, key: "languages") else { continue }
                    if languageList.contains(code) {
                        report(.duplicateName, location(entry), "language '\(code)' is listed twice")
                    }
                    languageList.append(code)
                }
            } else if let single = string(node, key: "languages") {
                languageList = [single]
            }
        }
        languages = languageList
        var defaultLanguage: String?
        if let node = values["default_language"], let code = string(node, key: "default_language") {
            defaultLanguage = code
            if !languageList.isEmpty, !languageList.contains(code) {
                report(
                    .unknownLanguage, location(node),
                    "default_language '\(code)' is not among the languages \(languageList.joined(separator: ", "))")
            }
        }
        func required(_ key: String) -> String? {
            guard let node = values[key] else {
                report(.missingSetting, location(node), "settings has no \(key)")
                return nil
            }
            return string(node, key: key)
        }
        let formID = required("form_id")
        if let formID, let node = values["form_id"], !isValidName(formID) {
            report(.invalidName, location(node), "form_id '\(formID)' must match [A-Za-z_][A-Za-z0-9_]*")
        }
        let version = required("version")
        var title: LocalizedText?
        if let node = values["title"] {
            title = localized(node, key: "title")
        } else {
            report(.missingSetting, location(node), "settings has no title")
        }
        let unitLevel = values["unit_level"].flatMap { string($0, key: "unit_level") }
        guard let formID, let version, let title else { return nil }
        return Settings(
            formID: formID, title: title, version: version,
            defaultLanguage: defaultLanguage ?? languageList.first, languages: languageList, unitLevel: unitLevel)
    }

    // MARK: - Names

    func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }
    }

    // MARK: - Choices

    func readChoices(_ node: Node) -> [ChoiceList] {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "choices must be a mapping from list name to a list of choices")
            return []
        }
        var lists: [ChoiceList] = []
        for (key, value) in mapping {
            guard let listName = scalarKey(key) else { continue }
            if !isValidName(listName) {
                report(.invalidName, location(key), "choice list name '\(listName)' must match [A-Za-z_][A-Za-z0-9_]*")
            }
            guard case .sequence(let sequence) = value else {
                report(.badStructure, location(value), "choice list '\(listName)' must be a list of choices, each with name and label")
                continue
            }
            var seen: [String: SourceLocation] = [:]
            var choices: [Choice] = []
            for entry in sequence {
                guard case .mapping(let choiceMapping) = entry else {
                    report(.badStructure, location(entry), "a choice is a mapping with name and label")
                    continue
                }
                var name: String?
                var label: LocalizedText?
                var attributes: [String: String] = [:]
                var nameNode: Node?
                for (choiceKey, choiceValue) in choiceMapping {
                    guard let field = scalarKey(choiceKey) else { continue }
                    switch field {
                    case "name":
                        name = string(choiceValue, key: "name")
                        nameNode = choiceValue
                    case "label": label = localized(choiceValue, key: "label")
                    default:
                        if let text = string(choiceValue, key: field) { attributes[field] = text }
                    }
                }
                guard let name, let nameNode else {
                    report(.missingName, location(entry), "a choice in list '\(listName)' has no name (its code in the data)")
                    continue
                }
                if name.isEmpty || name.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
                    report(
                        .invalidChoiceName, location(nameNode),
                        "choice name '\(name)' must be non-empty and without spaces, since select_multiple answers are stored space-separated"
                    )
                }
                if let first = seen[name] {
                    report(
                        .duplicateChoiceName, location(nameNode),
                        "choice '\(name)' appears twice in list '\(listName)' (first at line \(first.line))")
                }
                seen[name] = location(nameNode)
                if label == nil {
                    report(.missingTranslation, location(entry), "choice '\(name)' in list '\(listName)' has no label")
                }
                choices.append(Choice(name: name, label: label, attributes: attributes, location: location(entry)))
            }
            if lists.contains(where: { $0.name == listName }) {
                report(.duplicateName, location(key), "choice list '\(listName)' is defined twice")
            }
            lists.append(ChoiceList(name: listName, choices: choices, location: location(key)))
        }
        return lists
    }

    // MARK: - Items

    func readItems(_ nodes: [Node], parentPath: [String], repeatPath: [String]) -> [Item] {
        nodes.compactMap { readItem($0, parentPath: parentPath, repeatPath: repeatPath) }
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    func readItem(_ node: Node, parentPath: [String], repeatPath: [String]) -> Item? {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "an item is a mapping with at least type and name")
            return nil
        }
        var values: [String: Node] = [:]
        var keyNodes: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            if Reader.itemKeys.contains(name) {
                values[name] = value
                keyNodes[name] = key
            } else {
                reportUnknownKey(name, key, allowed: Reader.itemKeys, context: "on an item")
            }
        }
        // Name first, so that later messages can mention it.
        var name: String?
        if let nameNode = values["name"], let text = string(nameNode, key: "name") {
            if !isValidName(text) {
                report(
                    .invalidName, location(nameNode), "name '\(text)' must start with a letter or _ and contain only letters, digits and _")
            } else if Reader.reservedNames.contains(text) {
                report(.reservedName, location(nameNode), "name '\(text)' is reserved; choose another, e.g. \(text)_value")
            } else if let first = declaredNames[text] {
                report(
                    .duplicateName, location(nameNode),
                    "name '\(text)' is already used at line \(first.line); names must be unique in the form")
            } else {
                declaredNames[text] = location(nameNode)
            }
            name = text
        } else if values["name"] == nil {
            report(.missingName, location(node), "this item has no name; every item needs one, e.g. name: village_head")
        }
        let describe = name.map { "'\($0)'" } ?? "this item"

        var type: ItemType?
        if let typeNode = values["type"], let text = string(typeNode, key: "type") {
            type = parseType(text, node: typeNode)
        } else if values["type"] == nil {
            report(.badStructure, location(node), "item \(describe) has no type")
        }
        guard let type, let name else {
            if let name { brokenNames.insert(name) }
            // Still read children so their problems are reported in this run.
            if let children = values["children"], case .sequence(let sequence) = children {
                _ = readItems(Array(sequence), parentPath: parentPath + [name ?? "?"], repeatPath: repeatPath)
            }
            return nil
        }
        let itemLocation = location(node)

        // Keys that mean nothing for this type are reported, not dropped.
        func notFor(_ key: String, _ reason: String) {
            if let keyNode = keyNodes[key] {
                report(.keyNotForType, location(keyNode), "\(key) has no meaning on \(type) item \(describe): \(reason)")
            }
        }
        if type != .calculate { notFor("calculation", "only calculate items have a calculation") }
        if type != .repeat { notFor("repeat_count", "only repeats have a repeat_count") }
        if type.choiceList == nil { notFor("choice_filter", "only selects filter their choices") }
        if !type.isQuestion {
            for key in ["required", "constraint", "warning", "allow", "default", "read_only"] where type != .calculate || key != "default" {
                notFor(key, "it takes no answer")
            }
        }
        if values["constraint_message"] != nil && values["constraint"] == nil { notFor("constraint_message", "there is no constraint") }
        if values["warning_message"] != nil && values["warning"] == nil { notFor("warning_message", "there is no warning") }
        if values["required_message"] != nil && values["required"] == nil { notFor("required_message", "there is no required") }

        let label = values["label"].flatMap { localized($0, key: "label") }
        if label == nil, type.isQuestion || type == .note {
            if values["label"] == nil, type != .identifier {
                report(.missingTranslation, itemLocation, "\(type) item \(describe) has no label; an enumerator needs one to ask it")
            }
        }
        let hint = values["hint"].flatMap { localized($0, key: "hint") }
        var templates: [String: Template] = [:]
        if let label, let labelNode = values["label"] {
            for (language, text) in label.translations {
                switch Template.parse(text) {
                case .success(let template): templates[language] = template
                case .failure(let diagnostic):
                    let textNode = labelTextNode(labelNode, language: language)
                    diagnostics.append(Diagnostic(expression: diagnostic, at: location(of: textNode, offset: diagnostic.range.start)))
                }
            }
        }
        if let hint, let hintNode = values["hint"] {
            for (language, text) in hint.translations {
                if case .failure(let diagnostic) = Template.parse(text) {
                    let textNode = labelTextNode(hintNode, language: language)
                    diagnostics.append(Diagnostic(expression: diagnostic, at: location(of: textNode, offset: diagnostic.range.start)))
                } else if case .success(let template) = Template.parse(text) {
                    templates["hint:" + language] = template
                }
            }
        }

        let required = values["required"].flatMap(requirement) ?? .no
        let relevant = values["relevant"].flatMap { expression($0, key: "relevant") }
        let constraint = values["constraint"].flatMap { expression($0, key: "constraint") }
        let warning = values["warning"].flatMap { expression($0, key: "warning") }
        var calculation = values["calculation"].flatMap { expression($0, key: "calculation") }
        if type == .calculate, values["calculation"] == nil {
            report(.missingCalculation, itemLocation, "calculate item \(describe) has no calculation")
        }
        if type != .calculate { calculation = nil }
        var defaultValue: DefaultValue?
        if let node = values["default"], let text = string(node, key: "default") {
            if text.contains("${") || text.contains("(") {
                defaultValue = expression(node, key: "default").map(DefaultValue.expression)
            } else {
                defaultValue = .literal(text)
            }
        }
        let choiceFilter = values["choice_filter"].flatMap { expression($0, key: "choice_filter", allowingChoiceColumns: true) }
        let appearance = values["appearance"].flatMap { string($0, key: "appearance") }
        let readOnly = values["read_only"].flatMap { boolean($0, key: "read_only") } ?? false
        let pii = values["pii"].flatMap { boolean($0, key: "pii") } ?? false
        var allowed: [NonResponse] = []
        if let node = values["allow"] {
            let entries: [Node]
            if case .sequence(let sequence) = node { entries = Array(sequence) } else { entries = [node] }
            for entry in entries {
                guard let code = string(entry, key: "allow") else { continue }
                if let nonResponse = NonResponse(rawValue: code) {
                    if !allowed.contains(nonResponse) { allowed.append(nonResponse) }
                } else {
                    var message =
                        "allow: '\(code)' is not a special non-response; the choices are \(NonResponse.allCases.map(\.rawValue).joined(separator: ", "))"
                    if let guess = closestMatch(to: code, among: NonResponse.allCases.map(\.rawValue)) {
                        message += "; did you mean \(guess)?"
                    }
                    report(.unknownNonResponse, location(entry), message)
                }
            }
        }
        var repeatCount: CompiledExpression?
        if let node = values["repeat_count"], type == .repeat, let text = string(node, key: "repeat_count") {
            if let number = Double(text), number < 0 || number != number.rounded() {
                report(
                    .badRepeatCount, location(node),
                    "repeat_count must be a whole number of instances, or an expression giving one; '\(text)' is not")
            } else {
                repeatCount = expression(node, key: "repeat_count")
            }
        }

        var children: [Item] = []
        if type.isContainer, parentPath.count >= Reader.maximumNesting {
            report(
                .badStructure, itemLocation,
                "\(type) \(describe) is nested \(parentPath.count + 1) deep; groups and repeats may nest at most \(Reader.maximumNesting) deep"
            )
        } else if type.isContainer {
            let childRepeatPath = type == .repeat ? repeatPath + [name] : repeatPath
            if let childrenNode = values["children"] {
                if case .sequence(let sequence) = childrenNode {
                    children = readItems(Array(sequence), parentPath: parentPath + [name], repeatPath: childRepeatPath)
                    if sequence.isEmpty {
                        report(.emptyGroup, location(childrenNode), "\(type) \(describe) has no children; add items or remove it")
                    }
                } else {
                    report(.badStructure, location(childrenNode), "children of \(describe) must be a list of items")
                }
            } else {
                report(.emptyGroup, itemLocation, "\(type) \(describe) has no children; add items under children:")
            }
        } else if let keyNode = keyNodes["children"] {
            report(.childrenNotAllowed, location(keyNode), "\(type) item \(describe) cannot have children; only group and repeat can")
        }

        return Item(
            name: name, type: type, label: label, hint: hint, labelTemplates: templates, required: required,
            requiredMessage: values["required_message"].flatMap { localized($0, key: "required_message") },
            relevant: relevant, constraint: constraint,
            constraintMessage: values["constraint_message"].flatMap { localized($0, key: "constraint_message") },
            warning: warning, warningMessage: values["warning_message"].flatMap { localized($0, key: "warning_message") },
            calculation: calculation, defaultValue: defaultValue, choiceFilter: choiceFilter, appearance: appearance,
            readOnly: readOnly, pii: pii, allowedNonResponses: allowed, repeatCount: repeatCount, children: children,
            repeatPath: repeatPath, path: parentPath, location: itemLocation,
            valueLocations: values.mapValues { location($0) }
        )
    }

    private func labelTextNode(_ node: Node, language: String) -> Node {
        if case .mapping(let mapping) = node {
            for (key, value) in mapping where key.scalar?.string == language { return value }
        }
        return node
    }

    func parseType(_ text: String, node: Node) -> ItemType? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else {
            report(.unknownType, location(node), "type is empty")
            return nil
        }
        switch first {
        case "select_one", "select_multiple":
            guard words.count == 2 else {
                report(.unknownType, location(node), "\(first) needs exactly one choice list name, as in '\(first) yes_no'")
                return nil
            }
            return first == "select_one" ? .selectOne(list: words[1]) : .selectMultiple(list: words[1])
        default:
            if words.count == 1, let type = ItemType.simpleNames[first] { return type }
            let known = Array(ItemType.simpleNames.keys) + ["select_one", "select_multiple"]
            var message = "unknown type '\(text)'"
            if let guess = closestMatch(to: first, among: known.sorted()) {
                message += "; did you mean \(guess)?"
            } else {
                message += "; the types are \(known.sorted().joined(separator: ", "))"
            }
            report(.unknownType, location(node), message)
            return nil
        }
    }
}
