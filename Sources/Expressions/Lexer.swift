/// A half-open range of Unicode-scalar offsets inside an expression's text.
///
/// Offsets count Unicode scalars, as Yams' marks do, so the questionnaire reader can add them to the
/// column of the YAML scalar an expression came from.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public let start: Int
    public let end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A token of the ODK expression syntax.
public struct Token: Equatable, Sendable {
    public enum Kind: Hashable, Sendable {
        case number(Double)
        case string(String)
        /// `${name}`
        case reference(String)
        /// `${previous(${name})}`: only meaningful in labels, accepted anywhere as `previous(${name})`.
        case previousReference(String)
        case dot
        case dotDot
        /// A function name such as `count-selected` or `jr:choice-name`.
        case name(String)
        case leftParen, rightParen, comma
        /// `/` and `[ ]`: steps and a predicate of a path into a form's data, `instance('list')/root/item[…]/label`.
        case slash, leftBracket, rightBracket
        case plus, minus, star
        case div, mod, and, or
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        case end
    }

    public let kind: Kind
    public let range: SourceRange
}

/// Splits expression text into tokens; the first problem stops it with a located diagnostic.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var tokens: [Token] = []

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) -> Result<[Token], ExpressionDiagnostic> {
        var lexer = Lexer(text)
        do {
            try lexer.run()
            return .success(lexer.tokens)
        } catch let error as ExpressionDiagnostic {
            return .failure(error)
        } catch {
            return .failure(ExpressionDiagnostic(.syntax, "\(error)", SourceRange(0, 0)))
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let index = position + offset
        return index < scalars.count ? scalars[index] : nil
    }

    /// XPath decides whether `and`, `or`, `div`, `mod` and `*` are operators by what precedes them.
    private var operatorExpected: Bool {
        guard let last = tokens.last else { return false }
        switch last.kind {
        case .number, .string, .reference, .previousReference, .dot, .dotDot, .rightParen, .rightBracket:
            return true
        case .name:
            // The last step of a path (`…/label and …`) is a value.
            return tokens.count > 1 && tokens[tokens.count - 2].kind == .slash
        default:
            return false
        }
    }

    private mutating func add(_ kind: Token.Kind, from start: Int) {
        tokens.append(Token(kind: kind, range: SourceRange(start, position)))
    }

    private mutating func run() throws {
        while let scalar = peek() {
            let start = position
            if scalar.properties.isWhitespace {
                position += 1
                continue
            }
            if let kind = Lexer.singleCharacterTokens[scalar] {
                position += 1
                add(kind, from: start)
                continue
            }
            switch scalar {
            case "!":
                guard peek(1) == "=" else {
                    throw ExpressionDiagnostic(
                        .syntax, "'!' on its own is not an operator; use != or not(...)",
                        SourceRange(start, start + 1))
                }
                position += 2
                add(.notEqual, from: start)
            case "<":
                if peek(1) == "=" {
                    position += 2
                    add(.lessEqual, from: start)
                } else {
                    position += 1
                    add(.less, from: start)
                }
            case ">":
                if peek(1) == "=" {
                    position += 2
                    add(.greaterEqual, from: start)
                } else {
                    position += 1
                    add(.greater, from: start)
                }
            case "'", "\"":
                try lexString(quote: scalar)
            case "$":
                try lexReference()
            case ".":
                if let next = peek(1), next.properties.numericType != nil, ("0"..."9").contains(next) {
                    try lexNumber()
                } else if peek(1) == "." {
                    position += 2
                    add(.dotDot, from: start)
                } else {
                    position += 1
                    add(.dot, from: start)
                }
            case "0"..."9":
                try lexNumber()
            default:
                if Lexer.isNameStart(scalar) {
                    lexName()
                } else {
                    throw ExpressionDiagnostic(.syntax, "unexpected character '\(scalar)'", SourceRange(start, start + 1))
                }
            }
        }
        tokens.append(Token(kind: .end, range: SourceRange(position, position)))
    }

    /// Tokens of one character, whatever follows them.
    static let singleCharacterTokens: [Unicode.Scalar: Token.Kind] = [
        "(": .leftParen, ")": .rightParen, ",": .comma, "+": .plus, "-": .minus, "*": .star, "=": .equal, "/": .slash, "[": .leftBracket,
        "]": .rightBracket,
    ]

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic
    }

    static func isNameContinue(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "."
    }

    private mutating func lexString(quote: Unicode.Scalar) throws {
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while let scalar = peek(), scalar != quote {
            text.append(scalar)
            position += 1
        }
        guard peek() == quote else {
            throw ExpressionDiagnostic(
                .syntax, "this string is never closed; add \(quote) at its end",
                SourceRange(start, position))
        }
        position += 1
        add(.string(String(text)), from: start)
    }

    private mutating func lexNumber() throws {
        let start = position
        var text = ""
        var seenDot = false
        while let scalar = peek(), ("0"..."9").contains(scalar) || (scalar == "." && !seenDot) {
            if scalar == "." { seenDot = true }
            text.unicodeScalars.append(scalar)
            position += 1
        }
        if let scalar = peek(), Lexer.isNameStart(scalar) {
            throw ExpressionDiagnostic(
                .syntax, "a number cannot run into a name; put a space or an operator between them",
                SourceRange(start, position + 1))
        }
        guard let value = Double(text) else {
            throw ExpressionDiagnostic(.syntax, "'\(text)' is not a number", SourceRange(start, position))
        }
        add(.number(value), from: start)
    }

    private mutating func readName() -> String {
        var text = ""
        while let scalar = peek(), Lexer.isNameContinue(scalar) || scalar == ":" {
            text.unicodeScalars.append(scalar)
            position += 1
        }
        return text
    }

    private mutating func lexName() {
        let start = position
        let name = readName()
        if operatorExpected {
            switch name {
            case "and":
                add(.and, from: start)
                return
            case "or":
                add(.or, from: start)
                return
            case "div":
                add(.div, from: start)
                return
            case "mod":
                add(.mod, from: start)
                return
            default: break
            }
        }
        add(.name(name), from: start)
    }

    /// `${name}` or `${previous(${name})}`.
    private mutating func lexReference() throws {
        let start = position
        guard peek(1) == "{" else {
            throw ExpressionDiagnostic(.syntax, "'$' must start a reference such as ${name}", SourceRange(start, start + 1))
        }
        position += 2
        let nameStart = position
        let name = readPlainName()
        if name == "previous" && peek() == "(" {
            position += 1
            let inner = try readInnerReference()
            guard peek() == ")", peek(1) == "}" else {
                throw ExpressionDiagnostic(.syntax, "write a preload as ${previous(${name})}", SourceRange(start, position))
            }
            position += 2
            add(.previousReference(inner), from: start)
            return
        }
        guard peek() == "}" else {
            if name.isEmpty {
                throw ExpressionDiagnostic(.syntax, "a reference needs a name: ${name}", SourceRange(start, position + 1))
            }
            throw ExpressionDiagnostic(
                .syntax, "this reference is not closed; write ${\(name)}",
                SourceRange(start, position))
        }
        if name.isEmpty {
            throw ExpressionDiagnostic(.syntax, "a reference needs a name: ${name}", SourceRange(start, position + 1))
        }
        _ = nameStart
        position += 1
        add(.reference(name), from: start)
    }

    private mutating func readInnerReference() throws -> String {
        let start = position
        guard peek() == "$", peek(1) == "{" else {
            throw ExpressionDiagnostic(.syntax, "write a preload as ${previous(${name})}", SourceRange(start, start + 1))
        }
        position += 2
        let name = readPlainName()
        guard !name.isEmpty, peek() == "}" else {
            throw ExpressionDiagnostic(.syntax, "write a preload as ${previous(${name})}", SourceRange(start, position))
        }
        position += 1
        return name
    }

    private mutating func readPlainName() -> String {
        var text = ""
        while let scalar = peek(), scalar != "}", scalar != "(", scalar != ")", !scalar.properties.isWhitespace,
            scalar != "$", scalar != "{"
        {
            text.unicodeScalars.append(scalar)
            position += 1
        }
        return text
    }
}
