import Expressions

/// A place in a source file: 1-based line and column, columns counting Unicode scalars as Yams does.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// For spreadsheets (XLSForm): the column's header, shown instead of its number (`form.xlsx:survey:12:relevant`).
    public let field: String?

    public init(file: String, line: Int, column: Int, field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    public var description: String { "\(file):\(line):\(field ?? String(column))" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// The stable catalogue of questionnaire diagnostics. Codes never change meaning once released;
/// docs/diagnostics.md lists every one. ExpressionNode problems keep their own `X…` codes from the Expressions module.
public enum DiagnosticCode: String, Sendable, CaseIterable {
    case malformedYAML = "Q001"
    case badStructure = "Q002"
    case unknownKey = "Q003"
    case wrongValueKind = "Q004"
    case missingSetting = "Q005"
    case unknownType = "Q010"
    case missingName = "Q011"
    case invalidName = "Q012"
    case duplicateName = "Q013"
    case reservedName = "Q014"
    case unknownChoiceList = "Q020"
    case duplicateChoiceName = "Q021"
    case emptyChoiceList = "Q022"
    case missingTranslation = "Q023"
    case unknownLanguage = "Q024"
    case invalidChoiceName = "Q025"
    case emptyGroup = "Q030"
    case badRepeatCount = "Q031"
    case childrenNotAllowed = "Q032"
    case missingCalculation = "Q033"
    case keyNotForType = "Q034"
    case unknownNonResponse = "Q035"
    case cycle = "Q041"
    case unknownInstrument = "I001"
    case measureShape = "I002"
    case numeratorOutsideDenominator = "I003"
    case badTarget = "I004"
    case unknownDisaggregation = "I005"
    case readsPersonalData = "I006"
    case neverShown = "W001"
    case unusedChoiceList = "W002"
    case labelShowsLaterField = "W003"
    case nameTooLongForStata = "W004"
    case labelTooLongForStata = "W005"
    case xlsformSkipped = "W006"
    case xlsformUnsupported = "Q050"
    case xlsformUnmatched = "Q051"

    public var title: String {
        switch self {
        case .malformedYAML: "malformed YAML"
        case .badStructure: "a section or item has the wrong shape"
        case .unknownKey: "unknown key (with a suggestion for misspellings)"
        case .wrongValueKind: "a value of the wrong kind, e.g. required: maybe"
        case .missingSetting: "a required setting is missing"
        case .unknownType: "unknown item type"
        case .missingName: "an item has no name"
        case .invalidName: "a name does not match [A-Za-z_][A-Za-z0-9_]*"
        case .duplicateName: "a name is used twice in the form"
        case .reservedName: "a name is reserved"
        case .unknownChoiceList: "a select names a choice list that does not exist"
        case .duplicateChoiceName: "a choice name appears twice in one list"
        case .emptyChoiceList: "a select's choice list has no choices"
        case .missingTranslation: "a label or hint lacks a declared language"
        case .unknownLanguage: "a label names a language the settings do not declare"
        case .invalidChoiceName: "a choice name contains spaces or is empty"
        case .emptyGroup: "a group or repeat has no children"
        case .badRepeatCount: "repeat_count is not a count"
        case .childrenNotAllowed: "children on an item that is not a group or repeat"
        case .missingCalculation: "a calculate without a calculation"
        case .keyNotForType: "a key that has no meaning for the item's type"
        case .unknownNonResponse: "allow: names an unknown non-response"
        case .cycle: "a cycle among calculations, defaults and relevance"
        case .unknownInstrument: "an indicator names an instrument that no questionnaire has"
        case .measureShape: "an indicator needs exactly one measure: share, mean, median, total or count"
        case .numeratorOutsideDenominator: "a share's numerator is not within its denominator"
        case .badTarget: "a baseline or target is not a value with a date"
        case .unknownDisaggregation: "a disaggregation is neither a frame level, a frame attribute nor a select question"
        case .readsPersonalData: "an indicator or DiD outcome reads a question marked personal data (pii)"
        case .neverShown: "an item can never be shown"
        case .unusedChoiceList: "a choice list no select uses"
        case .labelShowsLaterField: "a label shows a field asked only later"
        case .nameTooLongForStata: "a name longer than Stata's 32 characters"
        case .labelTooLongForStata: "a label longer than Stata's 80 characters"
        case .xlsformSkipped: "an XLSForm column or metadata row pantau does not use, skipped (media, metadata types, unknown columns)"
        case .xlsformUnsupported: "an XLSForm type pantau cannot ask (files, images, audio, video, ranges, …)"
        case .xlsformUnmatched: "an XLSForm begin or end group/repeat without its partner"
        }
    }

    public var severity: Diagnostic.Severity { rawValue.hasPrefix("W") ? .warning : .error }
}

/// One problem found in a questionnaire, located in its source.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    /// `Q…`/`W…` for questionnaire rules, `X…` for expression problems.
    public let code: String
    public let severity: Severity
    public let location: SourceLocation
    public let message: String
    /// The text at the location where there is no source file to quote (a spreadsheet cell's content).
    public var excerpt: String?

    public init(_ code: DiagnosticCode, at location: SourceLocation, _ message: String) {
        self.code = code.rawValue
        self.severity = code.severity
        self.location = location
        self.message = message
    }

    public init(expression diagnostic: ExpressionDiagnostic, at location: SourceLocation) {
        code = diagnostic.code.rawValue
        severity = diagnostic.severity == .error ? .error : .warning
        self.location = location
        message = diagnostic.message
    }

    private init(code: String, severity: Severity, location: SourceLocation, message: String) {
        (self.code, self.severity, self.location, self.message) = (code, severity, location, message)
    }

    /// The same diagnostic at another place (a spreadsheet cell for a converted XLSForm).
    public func moved(to location: SourceLocation) -> Diagnostic {
        Diagnostic(code: code, severity: severity, location: location, message: message)
    }

    /// The same diagnostic at another place with its message rewritten (line numbers of generated YAML in the
    /// message replaced by the cells they came from).
    public func moved(to location: SourceLocation, message: String) -> Diagnostic {
        Diagnostic(code: code, severity: severity, location: location, message: message)
    }

    /// The same diagnostic quoting the text at its location.
    public func quoting(_ text: String?) -> Diagnostic {
        var quoted = self
        quoted.excerpt = text
        return quoted
    }

    /// `FILE:LINE:COLUMN: error: message [CODE]`
    public var description: String { "\(location): \(severity.rawValue): \(message) [\(code)]" }

    /// The one-line form followed by the offending source line and a caret under the column.
    public func rendered(source: String?) -> String {
        rendered(lines: source.map(Self.lines))
    }

    /// The source's lines, split once for many diagnostics (splitting per diagnostic made long lists quadratic).
    public static func lines(_ source: String) -> [Substring] { source.split(separator: "\n", omittingEmptySubsequences: false) }

    public func rendered(lines: [Substring]?) -> String {
        guard let lines else { return excerpt.map { "\(description)\n    \($0.replacingTabs())" } ?? description }
        guard location.line >= 1, location.line <= lines.count else { return description }
        let line = String(lines[location.line - 1]).replacingTabs()
        let caretOffset = max(0, min(location.column - 1, line.unicodeScalars.count))
        return "\(description)\n    \(line)\n    \(String(repeating: " ", count: caretOffset))^"
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\t" ? " " : $0 }))
    }
}

/// Every diagnostic of one file, in source order.
public struct DiagnosticReport: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let source: String?
    public let diagnostics: [Diagnostic]

    public init(file: String, source: String?, diagnostics: [Diagnostic]) {
        self.file = file
        self.source = source
        self.diagnostics = diagnostics.sorted { ($0.location, $0.code) < ($1.location, $1.code) }
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var hasErrors: Bool { !errors.isEmpty }

    public var description: String { rendered(withSource: false) }

    public func rendered(withSource: Bool) -> String {
        let lines = withSource ? source.map(Diagnostic.lines) : nil
        return diagnostics.map { withSource ? $0.rendered(lines: lines) : $0.description }.joined(separator: "\n")
    }
}
