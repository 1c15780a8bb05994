/// Recursive-descent parser for ODK expressions, with XPath 1.0 operator precedence:
/// `or` < `and` < `= !=` < `< <= > >=` < `+ -` < `* div mod` < unary `-`.
public enum ExpressionParser {
    /// Parses a whole expression, or returns the first syntax problem with its position.
    /// `allowingChoiceColumns` lets bare names stand for columns of the choices sheet, as in a `choice_filter`
    /// such as `province = ${province}`.
    public static func parse(_ text: String, allowingChoiceColumns: Bool = false) -> Result<ExpressionNode, ExpressionDiagnostic> {
        switch Lexer.tokenize(text) {
        case .failure(let diagnostic):
            return .failure(diagnostic)
        case .success(let tokens):
            var state = State(tokens: tokens, allowsColumns: allowingChoiceColumns)
            do {
                if case .end = state.current.kind {
                    return .failure(ExpressionDiagnostic(.syntax, "the expression is empty", SourceRange(0, 0)))
                }
                let expression = try state.parseOr(depth: 0)
                guard case .end = state.current.kind else {
                    throw ExpressionDiagnostic(
                        .syntax, "unexpected \(State.describe(state.current)) after a complete expression; is an operator missing?",
                        state.current.range)
                }
                return .success(expression)
            } catch let diagnostic as ExpressionDiagnostic {
                return .failure(diagnostic)
            } catch {
                return .failure(ExpressionDiagnostic(.syntax, "\(error)", SourceRange(0, 0)))
            }
        }
    }

    struct State {
        let tokens: [Token]
        var allowsColumns: Bool
        var index = 0
        /// Deeply nested input must fail with a message, never overflow the stack.
        static let maximumDepth = 200
        static let maximumChain = 1000

        var current: Token { tokens[index] }

        mutating func advance() -> Token {
            let token = tokens[index]
            if index < tokens.count - 1 { index += 1 }
            return token
        }

        static func describe(_ token: Token) -> String {
            switch token.kind {
            case .number(let value): "number \(Value.format(number: value))"
            case .string(let text): "string '\(text)'"
            case .reference(let name): "${\(name)}"
            case .previousReference(let name): "${previous(${\(name)})}"
            case .dot: "'.'"
            case .dotDot: "'..'"
            case .name(let name): "'\(name)'"
            case .leftParen: "'('"
            case .rightParen: "')'"
            case .comma: "','"
            case .slash: "'/' (a path step in ODK, not division: write 'div')"
            case .leftBracket: "'['"
            case .rightBracket: "']'"
            case .plus: "'+'"
            case .minus: "'-'"
            case .star: "'*'"
            case .div: "'div'"
            case .mod: "'mod'"
            case .and: "'and'"
            case .or: "'or'"
            case .equal: "'='"
            case .notEqual: "'!='"
            case .less: "'<'"
            case .lessEqual: "'<='"
            case .greater: "'>'"
            case .greaterEqual: "'>='"
            case .end: "the end of the expression"
            }
        }

        private func checkDepth(_ depth: Int) throws {
            if depth > State.maximumDepth {
                throw ExpressionDiagnostic(
                    .syntax, "the expression is nested too deeply (more than \(State.maximumDepth) levels)",
                    current.range)
            }
        }

        private mutating func binaryLevel(
            depth: Int,
            operators: [Token.Kind: BinaryOperator],
            next: (inout State, Int) throws -> ExpressionNode
        ) throws -> ExpressionNode {
            try checkDepth(depth)
            var lhs = try next(&self, depth + 1)
            var chain = 0
            while let op = operators[current.kind] {
                // Each operator in a chain deepens the tree by one; evaluation recurses over that depth.
                chain += 1
                if depth + chain > State.maximumChain {
                    throw ExpressionDiagnostic(
                        .syntax,
                        "the expression is too long (more than \(State.maximumChain) operators in a row); split it into calculations",
                        current.range)
                }
                _ = advance()
                let rhs = try next(&self, depth + 1)
                lhs = ExpressionNode(.binary(op, lhs, rhs), lhs.range.union(rhs.range))
            }
            return lhs
        }

        mutating func parseOr(depth: Int) throws -> ExpressionNode {
            try binaryLevel(depth: depth, operators: [.or: .or]) { try $0.parseAnd(depth: $1) }
        }

        mutating func parseAnd(depth: Int) throws -> ExpressionNode {
            try binaryLevel(depth: depth, operators: [.and: .and]) { try $0.parseEquality(depth: $1) }
        }

        mutating func parseEquality(depth: Int) throws -> ExpressionNode {
            try binaryLevel(depth: depth, operators: [.equal: .equal, .notEqual: .notEqual]) { try $0.parseRelational(depth: $1) }
        }

        mutating func parseRelational(depth: Int) throws -> ExpressionNode {
            try binaryLevel(
                depth: depth, operators: [.less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual]
            ) {
                try $0.parseAdditive(depth: $1)
            }
        }

        mutating func parseAdditive(depth: Int) throws -> ExpressionNode {
            try binaryLevel(depth: depth, operators: [.plus: .plus, .minus: .minus]) { try $0.parseMultiplicative(depth: $1) }
        }

        mutating func parseMultiplicative(depth: Int) throws -> ExpressionNode {
            try binaryLevel(depth: depth, operators: [.star: .times, .div: .div, .mod: .mod]) { try $0.parseUnary(depth: $1) }
        }

        mutating func parseUnary(depth: Int) throws -> ExpressionNode {
            try checkDepth(depth)
            if case .minus = current.kind {
                let minus = advance()
                let operand = try parseUnary(depth: depth + 1)
                return ExpressionNode(.negate(operand), minus.range.union(operand.range))
            }
            return try parsePrimary(depth: depth + 1)
        }

        mutating func parsePrimary(depth: Int) throws -> ExpressionNode {
            try checkDepth(depth)
            let token = advance()
            switch token.kind {
            case .number(let value): return ExpressionNode(.number(value), token.range)
            case .string(let text): return ExpressionNode(.string(text), token.range)
            case .reference(let name): return ExpressionNode(.reference(name), token.range)
            case .previousReference(let name): return ExpressionNode(.previous(name), token.range)
            case .dot: return ExpressionNode(.current, token.range)
            case .dotDot: return ExpressionNode(.parent, token.range)
            case .leftParen:
                let inner = try parseOr(depth: depth + 1)
                guard case .rightParen = current.kind else {
                    throw ExpressionDiagnostic(
                        .syntax, "expected ')' to close the '(' here, found \(State.describe(current))",
                        token.range.union(current.range))
                }
                let close = advance()
                return ExpressionNode(inner.kind, token.range.union(close.range))
            case .name(let name):
                guard case .leftParen = current.kind else {
                    if allowsColumns, !["and", "or", "div", "mod"].contains(name) {
                        return ExpressionNode(.choiceColumn(name), token.range)
                    }
                    if ["and", "or", "div", "mod"].contains(name) {
                        throw ExpressionDiagnostic(.syntax, "'\(name)' needs a value on its left", token.range)
                    }
                    throw ExpressionDiagnostic(
                        .syntax, "bare name '\(name)': refer to a field as ${\(name)}, or call a function as \(name)(...)",
                        token.range)
                }
                _ = advance()
                var arguments: [ExpressionNode] = []
                if case .rightParen = current.kind {
                    // No arguments.
                } else {
                    while true {
                        arguments.append(try parseOr(depth: depth + 1))
                        if case .comma = current.kind {
                            _ = advance()
                            continue
                        }
                        break
                    }
                }
                guard case .rightParen = current.kind else {
                    throw ExpressionDiagnostic(
                        .syntax, "expected ',' or ')' in the arguments of \(name)(), found \(State.describe(current))",
                        current.range)
                }
                let close = advance()
                if name == "previous", arguments.count == 1, case .reference(let field) = arguments[0].kind {
                    return ExpressionNode(.previous(field), token.range.union(close.range))
                }
                if name == "instance", arguments.count == 1, case .string(let list) = arguments[0].kind {
                    return try parseInstancePath(list: list, from: token.range, depth: depth)
                }
                return ExpressionNode(.call(name, arguments), token.range.union(close.range))
            case .end:
                throw ExpressionDiagnostic(.syntax, "the expression ends where a value was expected", token.range)
            case .slash:
                throw ExpressionDiagnostic(.syntax, "'/' is a path step in ODK, not division; write 'div'", token.range)
            default:
                throw ExpressionDiagnostic(.syntax, "expected a value, found \(State.describe(token))", token.range)
            }
        }

        /// `instance('list')/root/item[predicate]/column`, after `instance('list')`: rows of a choice list or a
        /// table the form carries, those for which the predicate holds (bare names in it are the row's columns), and
        /// one column of them. Without a column the rows' names are the value (what count() counts).
        mutating func parseInstancePath(list: String, from start: SourceRange, depth: Int) throws -> ExpressionNode {
            var end = start
            for step in ["root", "item"] {
                guard case .slash = current.kind, case .name(let name) = tokens[min(index + 1, tokens.count - 1)].kind, name == step else {
                    throw ExpressionDiagnostic(
                        .syntax, "instance('\(list)') is read as instance('\(list)')/root/item[…]/column", start.union(current.range))
                }
                _ = advance()
                end = advance().range
            }
            var predicate: ExpressionNode?
            if case .leftBracket = current.kind {
                _ = advance()
                let outer = allowsColumns
                allowsColumns = true
                predicate = try parseOr(depth: depth + 1)
                allowsColumns = outer
                guard case .rightBracket = current.kind else {
                    throw ExpressionDiagnostic(.syntax, "expected ']' to close the condition on the items, found \(State.describe(current))", current.range)
                }
                end = advance().range
            }
            var column: String?
            if case .slash = current.kind {
                _ = advance()
                guard case .name(let name) = current.kind else {
                    throw ExpressionDiagnostic(.syntax, "expected a column name after '/', found \(State.describe(current))", current.range)
                }
                column = name
                end = advance().range
            }
            return ExpressionNode(.instanceLookup(list: list, predicate: predicate, column: column), start.union(end))
        }
    }
}
