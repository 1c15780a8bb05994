import Expressions

/// Text given once, or once per language code.
public struct LocalizedText: Hashable, Sendable {
    /// Language code → text. A text given as a plain string is stored under `LocalizedText.anyLanguage`.
    public let translations: [String: String]

    public static let anyLanguage = ""

    /// Whether a language code is Indonesian (`id`, `id-ID`, `ind`): the one test by which the runner, the reports
    /// and the exports choose their own words and number conventions.
    public static func isIndonesian(_ code: String?) -> Bool { code?.lowercased().hasPrefix("id") == true }

    public init(_ translations: [String: String]) { self.translations = translations }
    public init(plain text: String) { translations = [LocalizedText.anyLanguage: text] }

    /// The text in a language, falling back to the untranslated text, then to any text in sorted order.
    public func text(in language: String?) -> String {
        if let language, let text = translations[language] { return text }
        if let text = translations[LocalizedText.anyLanguage] { return text }
        return translations.keys.sorted().first.flatMap { translations[$0] } ?? ""
    }

    public var allTexts: [String] { translations.keys.sorted().compactMap { translations[$0] } }
}

/// An expression as written in the questionnaire, parsed and located.
public struct CompiledExpression: Hashable, Sendable {
    public let text: String
    public let expression: ExpressionNode
    public let location: SourceLocation

    public init(text: String, expression: ExpressionNode, location: SourceLocation) {
        self.text = text
        self.expression = expression
        self.location = location
    }
}

/// `required`: never, always, or when an expression holds.
public enum Requirement: Hashable, Sendable {
    case no
    case yes
    case when(CompiledExpression)
}

/// A `default`: a literal answer, or an expression (one that reads a field or calls a function, e.g.
/// `previous(${sid_status})`).
public enum DefaultValue: Hashable, Sendable {
    case literal(String)
    case expression(CompiledExpression)
}

public enum ItemType: Hashable, Sendable, CustomStringConvertible {
    case text, integer, decimal
    case selectOne(list: String)
    case selectMultiple(list: String)
    /// Every choice of the list put in order, first to last (ODK's rank): stored as the codes in that order.
    case rank(list: String)
    case date, dateTime, time
    case note, calculate, acknowledge, geopoint, identifier
    /// A line (two or more points) and a closed area (three or more corners), as ODK's geotrace and geoshape.
    case geotrace, geoshape
    /// A photo, recording, video or other file: the enumerator gives its path, the store keeps the file.
    case attachment(AttachmentKind)
    case group, `repeat`

    public static let simpleNames: [String: ItemType] = [
        "text": .text, "integer": .integer, "decimal": .decimal, "date": .date, "datetime": .dateTime,
        "time": .time, "note": .note, "calculate": .calculate, "acknowledge": .acknowledge,
        "geopoint": .geopoint, "geotrace": .geotrace, "geoshape": .geoshape, "identifier": .identifier,
        "image": .attachment(.image), "audio": .attachment(.audio), "video": .attachment(.video), "file": .attachment(.file), "group": .group,
        "repeat": .repeat,
    ]

    public var description: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .decimal: "decimal"
        case .selectOne(let list): "select_one \(list)"
        case .selectMultiple(let list): "select_multiple \(list)"
        case .rank(let list): "rank \(list)"
        case .date: "date"
        case .dateTime: "datetime"
        case .time: "time"
        case .note: "note"
        case .calculate: "calculate"
        case .acknowledge: "acknowledge"
        case .geopoint: "geopoint"
        case .geotrace: "geotrace"
        case .geoshape: "geoshape"
        case .attachment(let kind): kind.rawValue
        case .identifier: "identifier"
        case .group: "group"
        case .repeat: "repeat"
        }
    }

    public var choiceList: String? {
        switch self {
        case .selectOne(let list), .selectMultiple(let list), .rank(let list): list
        default: nil
        }
    }

    public var isContainer: Bool { self == .group || self == .repeat }

    /// Whether an enumerator enters a value for it.
    public var isQuestion: Bool {
        switch self {
        case .note, .calculate, .group, .repeat: false
        default: true
        }
    }

    /// Whether the item holds a value in the data.
    public var holdsValue: Bool {
        switch self {
        case .note, .group, .repeat: false
        default: true
        }
    }
}

/// What an attachment question takes.
public enum AttachmentKind: String, Hashable, Sendable, CaseIterable {
    case image, audio, video, file
}

/// One item of the survey: a question, a note, a calculation, a group or a repeat.
public struct Item: Hashable, Sendable {
    public let name: String
    public let type: ItemType
    public let label: LocalizedText?
    public let hint: LocalizedText?
    /// Parsed label and hint templates per language code, for interpolation.
    public let labelTemplates: [String: Template]
    public let required: Requirement
    public let requiredMessage: LocalizedText?
    public let relevant: CompiledExpression?
    public let constraint: CompiledExpression?
    public let constraintMessage: LocalizedText?
    /// A soft check: a value failing it may be kept if the enumerator confirms with a reason.
    public let warning: CompiledExpression?
    public let warningMessage: LocalizedText?
    public let calculation: CompiledExpression?
    public let defaultValue: DefaultValue?
    public let choiceFilter: CompiledExpression?
    public let appearance: String?
    public let readOnly: Bool
    public let pii: Bool
    /// Special non-responses the enumerator may record instead of a value.
    public let allowedNonResponses: [NonResponse]
    public let repeatCount: CompiledExpression?
    public let children: [Item]
    /// The enclosing repeats, outermost first.
    public let repeatPath: [String]
    /// The enclosing groups and repeats, outermost first.
    public let path: [String]
    public let location: SourceLocation
    /// Where each key's value is written, for diagnostics that point at one value.
    public let valueLocations: [String: SourceLocation]
    /// Media files shown with the question on a touch screen (image, big-image, audio, video), by kind; a terminal
    /// shows their file names.
    public var media: [String: LocalizedText] = [:]
    /// Attributes an author attached for other tools (an XLSForm's `instance::hxl` tag, a custom `bind::` attribute):
    /// they change nothing in the interview and are carried to the codebook, by their column's name.
    public var attributes: [String: String] = [:]
    /// Fields whose change recomputes this item's calculation or default; when given, only their change does (a
    /// time stamp taken when consent is given: `calculation: now()`, `trigger: [consent]`), as XLSForm's trigger.
    public var trigger: [String] = []

    /// The location of a key's value, or of the item when the key is absent.
    public func location(of key: String) -> SourceLocation { valueLocations[key] ?? location }

    /// This item and every item below it, in document order.
    public var flattened: [Item] { [self] + children.flatMap(\.flattened) }
}

public struct Choice: Hashable, Sendable {
    public let name: String
    public let label: LocalizedText?
    /// Extra columns used by choice filters (cascading selects).
    public let attributes: [String: String]
    public let location: SourceLocation
    /// Media files shown with the choice on a touch screen, by kind; a terminal shows their file names.
    public var media: [String: LocalizedText] = [:]
}

public struct ChoiceList: Hashable, Sendable {
    public let name: String
    public let choices: [Choice]
    public let location: SourceLocation

    public var codes: [String] { choices.map(\.name) }
    public func choice(_ code: String) -> Choice? { choices.first { $0.name == code } }
}

public struct Settings: Hashable, Sendable {
    public let formID: String
    public let title: LocalizedText
    public let version: String
    public let defaultLanguage: String?
    public let languages: [String]
    public let unitLevel: String?
    /// Whether a choice name may appear twice in one list (cascading lists told apart by a choice_filter).
    public var allowsChoiceDuplicates = false
}

/// A table a form looks values up in (`pulldata('households', 'head', 'hhid', ${hhid})`), carried inside the
/// definition so that it works offline and the stored definition keeps what the form read.
public struct LookupTable: Hashable, Sendable {
    public let name: String
    public let columns: [String]
    public let rows: [[String: String]]

    public init(name: String, columns: [String], rows: [[String: String]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// The column's value in the first row whose key column holds the key, as ODK's pulldata() finds it.
    public func value(_ column: String, where keyColumn: String, is key: String) -> String? {
        rows.first { $0[keyColumn] == key }?[column]
    }
}

/// A validated questionnaire. Only `QuestionnaireLoader` creates one, after every check has passed, so later
/// stages never see an invalid definition.
public struct Questionnaire: Hashable, Sendable {
    /// The most instances one repeat holds: an enumerator adding more is told so, and a repeat_count written as a
    /// larger number is a validation error (a computed one is held to it and the runner says so).
    public static let maximumRepeatInstances = 1000

    public let settings: Settings
    public let items: [Item]
    public let choiceLists: [ChoiceList]
    public let dependencies: DependencyGraph
    /// The definition text itself, so stored data never loses its meaning.
    public let sourceText: String
    public let sourcePath: String
    /// Warnings found while loading.
    public let warnings: [Diagnostic]
    /// Tables pulldata() reads, by name.
    public internal(set) var lookups: [String: LookupTable] = [:]

    init(
        settings: Settings, items: [Item], choiceLists: [ChoiceList], dependencies: DependencyGraph,
        sourceText: String, sourcePath: String, warnings: [Diagnostic]
    ) {
        self.settings = settings
        self.items = items
        self.choiceLists = choiceLists
        self.dependencies = dependencies
        self.sourceText = sourceText
        self.sourcePath = sourcePath
        self.warnings = warnings
    }

    /// Every item in document order.
    public var allItems: [Item] { items.flatMap(\.flattened) }

    public func item(named name: String) -> Item? { allItems.first { $0.name == name } }

    public func choiceList(named name: String) -> ChoiceList? { choiceLists.first { $0.name == name } }

    public struct Summary: Hashable, Sendable, CustomStringConvertible {
        public let items, questions, groups, repeats, choiceLists: Int
        public let languages: [String]

        public var description: String {
            "\(items) items, \(questions) questions, \(groups) groups, \(repeats) repeats, \(choiceLists) choice lists, languages: \(languages.isEmpty ? "none declared" : languages.joined(separator: ", "))"
        }
    }

    public var summary: Summary {
        let all = allItems
        return Summary(
            items: all.count, questions: all.filter { $0.type.isQuestion }.count,
            groups: all.filter { $0.type == .group }.count, repeats: all.filter { $0.type == .repeat }.count,
            choiceLists: choiceLists.count, languages: settings.languages)
    }
}
