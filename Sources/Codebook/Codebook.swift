import Expressions
import Foundation
import Questionnaire

/// Everything an analyst needs to read beside the data, built from a validated questionnaire.
public struct Codebook: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let name: String
        public let type: String
        public let labels: [(language: String, text: String)]
        public let hints: [(language: String, text: String)]
        /// Enclosing groups and repeats, outermost first.
        public let path: [String]
        public let repeatPath: [String]
        public let choices: [ChoiceEntry]
        public let choiceListName: String?
        /// "Always", or the conditions in words.
        public let askedWhen: String
        /// The relevance expressions as written, own and inherited.
        public let relevanceAsWritten: [String]
        public let required: String
        public let constraint: Check?
        public let warning: Check?
        public let calculation: String?
        public let defaultValue: String?
        public let choiceFilter: String?
        public let repeatCount: String?
        public let allowedNonResponses: [String]
        public let pii: Bool
        public let isContainer: Bool
        /// The author's attributes for other tools (`instance::hxl`), by name.
        public var attributes: [(name: String, value: String)] = []
        /// The fields whose change alone recomputes the value (XLSForm's trigger).
        public var trigger: [String] = []

        public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.name == rhs.name && lhs.type == rhs.type && lhs.path == rhs.path }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    public struct ChoiceEntry: Hashable, Sendable {
        public let code: String
        public let labels: [String]
    }

    public struct Check: Hashable, Sendable {
        public let expression: String
        public let inWords: String
        public let message: String?
    }

    public let formID: String
    public let title: String
    public let version: String
    public let languages: [String]
    public let unitLevel: String?
    public let entries: [Entry]

    public init(_ questionnaire: Questionnaire) {
        let settings = questionnaire.settings
        formID = settings.formID
        version = settings.version
        languages = settings.languages
        unitLevel = settings.unitLevel
        title = settings.title.text(in: settings.defaultLanguage)
        let describer = ExpressionDescriber(questionnaire: questionnaire)
        var entries: [Entry] = []
        let languageOrder = settings.languages.isEmpty ? [LocalizedText.anyLanguage] : settings.languages
        func texts(_ text: LocalizedText?) -> [(String, String)] {
            guard let text else { return [] }
            if text.translations.count == 1, let plain = text.translations[LocalizedText.anyLanguage] { return [("", plain)] }
            return languageOrder.compactMap { language in text.translations[language].map { (language, $0) } }
        }
        func walk(_ items: [Item], inherited: [(String, CompiledExpression)]) {
            for item in items {
                var conditions = inherited
                if let relevant = item.relevant { conditions.append(("\(item.type) \(item.name)", relevant)) }
                let words =
                    conditions.isEmpty ? "always" : conditions.map { describer.describe($0.1.expression) }.joined(separator: ", and ")
                let list = item.type.choiceList.flatMap { questionnaire.choiceList(named: $0) }
                let required: String
                switch item.required {
                case .no: required = "no"
                case .yes: required = "yes"
                case .when(let expression): required = "when \(describer.describe(expression.expression)) (\(expression.text))"
                }
                var defaultText: String?
                switch item.defaultValue {
                case .literal(let value): defaultText = value
                case .expression(let expression): defaultText = expression.text
                case nil: defaultText = nil
                }
                entries.append(
                    Entry(
                        name: item.name, type: item.type.description, labels: texts(item.label), hints: texts(item.hint),
                        path: item.path, repeatPath: item.repeatPath,
                        choices: list?.choices.map {
                            ChoiceEntry(
                                code: $0.name,
                                labels: $0.label == nil
                                    ? $0.media.sorted { $0.key < $1.key }.map { "[\($0.key): \($0.value.text(in: settings.defaultLanguage))]" }
                                    : texts($0.label).map(\.1))
                        } ?? [],
                        choiceListName: item.type.choiceList,
                        askedWhen: words,
                        relevanceAsWritten: conditions.map { $0.0 == "\(item.type) \(item.name)" ? $0.1.text : "\($0.1.text) (\($0.0))" },
                        required: required,
                        constraint: item.constraint.map {
                            Check(
                                expression: $0.text, inWords: describer.describe($0.expression),
                                message: item.constraintMessage?.text(in: settings.defaultLanguage))
                        },
                        warning: item.warning.map {
                            Check(
                                expression: $0.text, inWords: describer.describe($0.expression),
                                message: item.warningMessage?.text(in: settings.defaultLanguage))
                        },
                        calculation: item.calculation?.text, defaultValue: defaultText, choiceFilter: item.choiceFilter?.text,
                        repeatCount: item.repeatCount?.text,
                        allowedNonResponses: item.allowedNonResponses.map(\.rawValue), pii: item.pii, isContainer: item.type.isContainer
                    ))
                entries[entries.count - 1].attributes = item.attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                entries[entries.count - 1].trigger = item.trigger
                walk(item.children, inherited: conditions)
            }
        }
        walk(questionnaire.items, inherited: [])
        self.entries = entries
    }
}
