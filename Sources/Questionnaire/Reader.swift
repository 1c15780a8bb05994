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
    // Written by the reading passes in this file and in Reader+Items.swift.
    var diagnostics: [Diagnostic] = []

    /// Names seen so far, with where they were first declared.
    var declaredNames: [String: SourceLocation] = [:]
    /// Names of items that were dropped because of errors: references to them are not reported again.
    var brokenNames: Set<String> = []
    /// The scalar each expression came from, to place diagnostics found in the second pass.
    var scalarNodes: [SourceLocation: Node] = [:]

    static let topLevelKeys = ["settings", "survey", "choices", "lookups"]
    static let settingsKeys = [
        "form_id", "title", "version", "default_language", "languages", "unit_level", "description", "allow_choice_duplicates",
    ]
    static let itemKeys = [
        "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint", "constraint_message",
        "warning", "warning_message", "calculation", "default", "choice_filter", "appearance", "read_only", "pii",
        "allow", "children", "repeat_count", "media", "attributes", "trigger",
    ]
    static let mediaKinds: Set<String> = ["image", "big-image", "audio", "video"]
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
        var lookups: [LookupTable] = []
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
        var lookupsNode: Node?
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            switch name {
            case "settings":
                settingsNode = value
                draft.settingsLocation = location(key)
            case "survey": surveyNode = value
            case "choices": choicesNode = value
            case "lookups": lookupsNode = value
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
        if let lookupsNode { draft.lookups = readLookups(lookupsNode) }
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
    /// Whether a choice name may appear twice in one list (cascading lists filtered by a choice_filter, as XLSForm's
    /// allow_choice_duplicates).
    private var allowsChoiceDuplicates = false

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
        allowsChoiceDuplicates = values["allow_choice_duplicates"].flatMap { boolean($0, key: "allow_choice_duplicates") } ?? false
        guard let formID, let version, let title else { return nil }
        var settings = Settings(
            formID: formID, title: title, version: version,
            defaultLanguage: defaultLanguage ?? languageList.first, languages: languageList, unitLevel: unitLevel)
        settings.allowsChoiceDuplicates = allowsChoiceDuplicates
        return settings
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
                var media: [String: LocalizedText] = [:]
                for (choiceKey, choiceValue) in choiceMapping {
                    guard let field = scalarKey(choiceKey) else { continue }
                    switch field {
                    case "name":
                        name = string(choiceValue, key: "name")
                        nameNode = choiceValue
                    case "label": label = localized(choiceValue, key: "label")
                    case "media": media = readMedia(choiceValue)
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
                if let first = seen[name], !allowsChoiceDuplicates {
                    report(
                        .duplicateChoiceName, location(nameNode),
                        "choice '\(name)' appears twice in list '\(listName)' (first at line \(first.line))")
                }
                seen[name] = location(nameNode)
                // A choice shown by its picture alone needs no label.
                if label == nil, media.isEmpty {
                    report(.missingTranslation, location(entry), "choice '\(name)' in list '\(listName)' has no label")
                }
                var choice = Choice(name: name, label: label, attributes: attributes, location: location(entry))
                choice.media = media
                choices.append(choice)
            }
            if lists.contains(where: { $0.name == listName }) {
                report(.duplicateName, location(key), "choice list '\(listName)' is defined twice")
            }
            lists.append(ChoiceList(name: listName, choices: choices, location: location(key)))
        }
        return lists
    }
}

extension Reader {
    /// `lookups: {NAME: [{column: value, …}, …]}`: the tables pulldata() reads.
    func readLookups(_ node: Node) -> [LookupTable] {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "lookups maps a table name to a list of rows, each a mapping from column to value")
            return []
        }
        var tables: [LookupTable] = []
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            guard case .sequence(let sequence) = value else {
                report(.badStructure, location(value), "lookup table '\(name)' is a list of rows, each a mapping from column to value")
                continue
            }
            var columns: [String] = [], rows: [[String: String]] = []
            for entry in sequence {
                guard case .mapping(let cells) = entry else {
                    report(.badStructure, location(entry), "a row of lookup table '\(name)' is a mapping from column to value")
                    continue
                }
                var row: [String: String] = [:]
                for (columnNode, cell) in cells {
                    guard let column = scalarKey(columnNode), let text = string(cell, key: "\(name).\(column)") else { continue }
                    if !columns.contains(column) { columns.append(column) }
                    row[column] = text
                }
                rows.append(row)
            }
            tables.append(LookupTable(name: name, columns: columns, rows: rows))
        }
        return tables
    }
}
