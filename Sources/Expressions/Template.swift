/// Label and hint text with `${name}` and `${previous(${name})}` interpolations.
public struct Template: Hashable, Sendable {
    public enum Segment: Hashable, Sendable {
        case text(String)
        case field(String, SourceRange)
        case previous(String, SourceRange)
    }

    public let segments: [Segment]

    /// Splits text into literal parts and interpolations; an unclosed `${` is reported.
    public static func parse(_ text: String) -> Result<Template, ExpressionDiagnostic> {
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        func flush() {
            if !literal.isEmpty {
                segments.append(.text(String(literal)))
                literal = String.UnicodeScalarView()
            }
        }
        while index < scalars.count {
            guard scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                literal.append(scalars[index])
                index += 1
                continue
            }
            // Find the matching close brace, allowing one nested ${…} for previous().
            var depth = 0
            var end = index
            while end < scalars.count {
                if scalars[end] == "{" { depth += 1 }
                if scalars[end] == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                end += 1
            }
            guard end < scalars.count else {
                return .failure(ExpressionDiagnostic(.syntax, "'${' is never closed; write ${name}", SourceRange(index, scalars.count)))
            }
            let piece = String(String.UnicodeScalarView(scalars[index...end]))
            switch Lexer.tokenize(piece) {
            case .failure(let diagnostic):
                return .failure(
                    ExpressionDiagnostic(
                        diagnostic.code, diagnostic.message,
                        SourceRange(index + diagnostic.range.start, index + diagnostic.range.end)))
            case .success(let tokens):
                let range = SourceRange(index, end + 1)
                flush()
                switch tokens.first?.kind {
                case .reference(let name) where tokens.count == 2: segments.append(.field(name, range))
                case .previousReference(let name) where tokens.count == 2: segments.append(.previous(name, range))
                default:
                    return .failure(
                        ExpressionDiagnostic(.syntax, "only ${name} and ${previous(${name})} can be shown inside a label", range))
                }
            }
            index = end + 1
        }
        flush()
        return .success(Template(segments: segments))
    }

    /// The fields shown (current round).
    public var references: [(name: String, range: SourceRange)] {
        segments.compactMap { if case .field(let name, let range) = $0 { (name, range) } else { nil } }
    }

    /// The fields shown from the previous round.
    public var previousReferences: [(name: String, range: SourceRange)] {
        segments.compactMap { if case .previous(let name, let range) = $0 { (name, range) } else { nil } }
    }

    /// Fills the interpolations from a context.
    /// The text with each interpolation filled in as a person reads it: a choice's label rather than its code
    /// (labels joined by commas for several), and a dash where there is no value, so that "(last round: ${…})" never
    /// shows an empty pair of brackets.
    public func render(in context: any EvaluationContext) -> String {
        segments.map { segment in
            switch segment {
            case .text(let text): text
            case .field(let name, _): Self.shown(context.value(of: name), field: name, context)
            case .previous(let name, _): Self.shown(context.previousValue(of: name), field: name, context)
            }
        }.joined()
    }

    static func shown(_ value: Value, field: String, _ context: any EvaluationContext) -> String {
        if value.isEmpty, !value.isNonResponse { return "—" }
        if case .string(let text) = value {
            let labels = text.split(separator: " ").map { context.choiceLabel(field: field, code: String($0)) }
            if !labels.isEmpty, labels.allSatisfy({ $0 != nil }) { return labels.compactMap { $0 }.joined(separator: ", ") }
        }
        return value.stringValue
    }
}
