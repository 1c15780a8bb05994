/// A problem found in an expression, located by Unicode-scalar offsets inside the expression text.
///
/// Codes are stable (`X001`…) so that authors can look them up in the catalogue, docs/diagnostics.md.
public struct ExpressionDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case syntax = "X001"
        case unknownFunction = "X002"
        case wrongArity = "X003"
        case unknownField = "X004"
        case fieldOutsideRepeat = "X005"
        case typeError = "X006"
        case unknownChoice = "X007"
        case dotNotAllowed = "X008"
        case invalidRegex = "X009"
        case positionNeedsRepeat = "X010"
        case previousNeedsField = "X011"

        /// A short name for the catalogue.
        public var title: String {
            switch self {
            case .syntax: "expression syntax error"
            case .unknownFunction: "unknown function"
            case .wrongArity: "wrong number of arguments"
            case .unknownField: "unknown field"
            case .fieldOutsideRepeat: "repeated field used outside its repeat"
            case .typeError: "type error certain at load time"
            case .unknownChoice: "value is not a choice of the field's list"
            case .dotNotAllowed: "'.' used where there is no current value"
            case .invalidRegex: "invalid regular expression"
            case .positionNeedsRepeat: "position(..) outside a repeat"
            case .previousNeedsField: "previous() needs a field reference"
            }
        }
    }

    public enum Severity: String, Sendable { case error, warning }

    public let code: Code
    public let message: String
    public let range: SourceRange
    public let severity: Severity

    public init(_ code: Code, _ message: String, _ range: SourceRange, severity: Severity = .error) {
        self.code = code
        self.message = message
        self.range = range
        self.severity = severity
    }

    public var description: String { "\(range.start): \(severity.rawValue)[\(code.rawValue)]: \(message)" }
}
