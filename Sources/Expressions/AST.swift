/// A parsed expression: a tree of nodes, each with the text range it came from.
public struct ExpressionNode: Hashable, Sendable, CustomStringConvertible {
    public indirect enum Kind: Hashable, Sendable {
        case number(Double)
        case string(String)
        case reference(String)
        /// `previous(${name})` or `${previous(${name})}`: the same unit's answer in the previous round.
        case previous(String)
        /// `.`: the value of the item the expression belongs to (constraints, warnings).
        case current
        /// A bare name in a `choice_filter`: a column of the choice being filtered.
        case choiceColumn(String)
        /// `..`: only meaningful as the argument of `position(..)`.
        case parent
        case negate(ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        case call(String, [ExpressionNode])
        /// `instance('list')/root/item[predicate]/column`: a column of the rows of a choice list or lookup table
        /// for which the predicate holds (its bare names are the row's columns).
        case instanceLookup(list: String, predicate: ExpressionNode?, column: String?)
    }

    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// A canonical, fully parenthesised rendering used by tests and error messages.
    public var description: String {
        switch kind {
        case .number(let value): Value.format(number: value)
        case .string(let text): "'\(text)'"
        case .reference(let name): "${\(name)}"
        case .previous(let name): "previous(${\(name)})"
        case .current: "."
        case .choiceColumn(let name): name
        case .parent: ".."
        case .negate(let operand): "(-\(operand))"
        case .binary(let op, let lhs, let rhs): "(\(lhs) \(op.rawValue) \(rhs))"
        case .call(let name, let arguments): "\(name)(\(arguments.map(\.description).joined(separator: ", ")))"
        case .instanceLookup(let list, let predicate, let column):
            "instance('\(list)')/root/item" + (predicate.map { "[\($0)]" } ?? "") + (column.map { "/\($0)" } ?? "")
        }
    }

    /// Every field name this expression reads in the current round (previous-round reads excluded).
    public var references: Set<String> {
        var names = Set<String>()
        visit { node in
            if case .reference(let name) = node.kind { names.insert(name) }
        }
        return names
    }

    /// Every field name read through `previous()`.
    public var previousReferences: Set<String> {
        var names = Set<String>()
        visit { node in
            if case .previous(let name) = node.kind { names.insert(name) }
        }
        return names
    }

    /// Whether the expression reads `.`.
    public var usesCurrentValue: Bool {
        var found = false
        visit { node in
            if case .current = node.kind { found = true }
        }
        return found
    }

    /// Every function called.
    public var functionNames: Set<String> {
        var names = Set<String>()
        visit { node in
            if case .call(let name, _) = node.kind { names.insert(name) }
        }
        return names
    }

    /// Pre-order walk over every node.
    public func visit(_ body: (ExpressionNode) -> Void) {
        body(self)
        switch kind {
        case .negate(let operand): operand.visit(body)
        case .binary(_, let lhs, let rhs):
            lhs.visit(body)
            rhs.visit(body)
        case .call(_, let arguments):
            for argument in arguments { argument.visit(body) }
        case .instanceLookup(_, let predicate, _): predicate?.visit(body)
        default: break
        }
    }
}

public enum BinaryOperator: String, Hashable, Sendable {
    case or, and
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case plus = "+"
    case minus = "-"
    case times = "*"
    case div, mod

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: true
        default: false
        }
    }

    var isArithmetic: Bool {
        switch self {
        case .plus, .minus, .times, .div, .mod: true
        default: false
        }
    }
}
