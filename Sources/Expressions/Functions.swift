import Foundation

/// How a function's arguments are checked at load time.
public enum ArgumentRule: Sendable {
    /// Any value.
    case value
    /// A reference to a select field (`selected`, `count-selected`, `selected-at`).
    case selectField
    /// The values of a field across a repeat's instances, or a repeat itself (`count`).
    case repeated
    /// A string literal naming a select field: `'${field}'` (`jr:choice-name`).
    case fieldNameLiteral
    /// `..` (`position`).
    case parentStep
}

/// One function of the expression language.
public struct FunctionDefinition: Sendable {
    public let name: String
    public let arity: ClosedRange<Int>
    public let result: StaticType
    /// Rules for the first arguments; later arguments are `.value`.
    public let rules: [ArgumentRule]
    public let summary: String

    public func rule(at index: Int) -> ArgumentRule { index < rules.count ? rules[index] : .value }

    public var arityText: String {
        if arity.lowerBound == arity.upperBound { return "\(arity.lowerBound)" }
        if arity.upperBound == Int.max { return "\(arity.lowerBound) or more" }
        return "\(arity.lowerBound) to \(arity.upperBound)"
    }
}

/// The registry of every function pantau's expressions may call.
public enum FunctionRegistry {
    public static let all: [String: FunctionDefinition] = {
        var table: [String: FunctionDefinition] = [:]
        func add(_ name: String, _ arity: ClosedRange<Int>, _ result: StaticType, _ rules: [ArgumentRule] = [], _ summary: String) {
            table[name] = FunctionDefinition(name: name, arity: arity, result: result, rules: rules, summary: summary)
        }
        let many = Int.max
        add("if", 3...3, .any, [], "if(condition, then, else)")
        add("not", 1...1, .boolean, [], "logical negation")
        add("true", 0...0, .boolean, [], "the value true")
        add("false", 0...0, .boolean, [], "the value false")
        add("selected", 2...2, .boolean, [.selectField], "whether a select's answer includes a choice code")
        add("count-selected", 1...1, .number, [.selectField], "how many choices a select_multiple answer has")
        add("selected-at", 2...2, .string, [.selectField], "the n-th chosen code, counting from 0")
        add("jr:choice-name", 2...2, .string, [.value, .fieldNameLiteral], "the label of a choice code: jr:choice-name(${f}, '${f}')")
        add("coalesce", 2...2, .any, [], "the first argument that is not empty")
        add("string-length", 1...1, .number, [], "number of characters")
        add("concat", 1...many, .string, [], "joins its arguments as text")
        add("substr", 2...3, .string, [], "substr(text, start[, end]), counting from 0")
        add("contains", 2...2, .boolean, [], "whether text contains a part")
        add("starts-with", 2...2, .boolean, [], "whether text starts with a part")
        add("ends-with", 2...2, .boolean, [], "whether text ends with a part")
        add("regex", 2...2, .boolean, [], "whether text matches a regular expression")
        add("int", 1...1, .number, [], "the number truncated towards zero")
        add("round", 1...2, .number, [], "round(number[, places]), halves away from zero")
        add("number", 1...1, .number, [], "converts to a number (NaN when impossible)")
        add("abs", 1...1, .number, [], "the absolute value")
        add("floor", 1...1, .number, [], "the largest whole number not above")
        add("ceiling", 1...1, .number, [], "the smallest whole number not below")
        add("pow", 2...2, .number, [], "pow(base, exponent)")
        add("sqrt", 1...1, .number, [], "the square root (NaN below zero)")
        add("exp", 1...1, .number, [], "e to the power of a number")
        add("log", 1...1, .number, [], "the natural logarithm")
        add("log10", 1...1, .number, [], "the base-10 logarithm")
        add(
            "digest", 2...3, .string, [],
            "digest(text, algorithm[, encoding]): the text's hash by MD5, SHA-1, SHA-256, SHA-384 or SHA-512, in base64 (the default) or hex")
        add("normalize-space", 1...1, .string, [], "text with spaces trimmed and runs of spaces made one")
        add("translate", 3...3, .string, [], "translate(text, from, to): each character of from replaced by the one at its place in to, or removed")
        add("join", 2...many, .string, [], "join(separator, values…): a repeated field's values (or the arguments) joined")
        add("indexed-repeat", 3...3, .any, [.repeated, .repeated], "indexed-repeat(${field}, ${repeat}, n): the field's value in the repeat's n-th instance")
        add("string", 1...1, .string, [], "converts to text")
        add("boolean", 1...1, .boolean, [], "converts to true/false")
        add("today", 0...0, .date, [], "today's date on the device")
        add("now", 0...0, .dateTime, [], "the current date and time")
        add("date", 1...1, .date, [], "a date from text YYYY-MM-DD or days since 1970-01-01")
        add("format-date", 2...2, .string, [], "formats a date: %Y %y %m %n %b %d %e %a %H %h %M %S")
        add("count", 1...1, .number, [.repeated], "number of instances of a repeat, or of a repeated field's values")
        add("sum", 1...1, .number, [.repeated], "sum of a repeated field over its instances")
        add("min", 1...many, .number, [], "minimum of a repeated field, or of its arguments")
        add("max", 1...many, .number, [], "maximum of a repeated field, or of its arguments")
        add("position", 1...1, .number, [.parentStep], "the current repeat instance's number, from 1: position(..)")
        add("once", 1...1, .any, [], "keeps a calculated value once it is set")
        add("previous", 1...1, .any, [], "the same unit's answer in the previous round")
        add(
            "random", 0...0, .number, [],
            "a number in [0, 1): pantau's is fixed by form, unit, round and field, so resuming or reviewing an interview gives the same one")
        add("pulldata", 4...4, .string, [], "pulldata('table', 'column', 'key column', key): a value from a lookup table carried in the form")
        add("non-response", 1...1, .string, [], "the special non-response code of an answer, or ''")
        return table
    }()

    public static func lookup(_ name: String) -> FunctionDefinition? { all[name] }
}
