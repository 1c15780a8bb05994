import Foundation

/// What the evaluator reads: answers, repeat instances, the previous round, and the injected clock.
///
/// The engine provides it; the evaluator itself does no I/O and reads no clock.
public protocol EvaluationContext {
    /// A field's value from where the expression sits: a single value for fields in scope, a `.nodeset` for
    /// fields inside repeats that do not enclose the expression, and for a repeat's own name a `.nodeset`
    /// with one element per instance.
    func value(of field: String) -> Value
    /// The same unit's answer in the previous round, or `.empty` when there is none.
    func previousValue(of field: String) -> Value
    /// The value of `.`.
    var currentValue: Value { get }
    /// The 1-based number of the innermost enclosing repeat instance, if any.
    var position: Int? { get }
    /// The label of a choice of the field's list, in the interview's language.
    func choiceLabel(field: String, code: String) -> String?
    /// Today's date as days since 1970-01-01.
    var today: Int { get }
    /// Now, as UTC seconds since 1970 and the device's offset in minutes.
    var now: (seconds: Double, offsetMinutes: Int) { get }
    /// In a `choice_filter`: a column of the choice being filtered.
    func choiceColumn(_ name: String) -> Value
    /// A value from a lookup table the form carries (pulldata()).
    func lookup(_ table: String, column: String, keyColumn: String, key: String) -> Value
    /// random(): a number in [0, 1), the same for a field every time its interview is evaluated.
    func random() -> Double
    /// The rows `instance('name')` reads: a choice list's choices (name, label, their columns) or a lookup table's.
    func instanceRows(_ name: String) -> [[String: String]]
    /// A field's values across every instance of a repeat that encloses it, as read from just outside that repeat
    /// (indexed-repeat() inside the repeat itself reads other instances).
    func values(of field: String, acrossInstancesOf repeatName: String) -> Value
}

extension EvaluationContext {
    /// A value from a lookup table the form carries (pulldata()): empty where there is none, as in ODK. The interview
    /// engine reads its questionnaire's tables; other contexts have none.
    public func lookup(_ table: String, column: String, keyColumn: String, key: String) -> Value { .empty }
    /// Outside an interview there is nothing to draw for: NaN, which reads as empty.
    public func random() -> Double { .nan }
    /// Other contexts carry no choice lists or tables.
    public func instanceRows(_ name: String) -> [[String: String]] { [] }
    /// Where there are no repeat instances to tell apart, the field's value as read from here.
    public func values(of field: String, acrossInstancesOf repeatName: String) -> Value { value(of: field) }
}

/// A context reading one row of an instance as the bare names of a predicate (`item[district = ${d}]`), and
/// everything else from the context the path sits in.
struct InstanceRowContext: EvaluationContext {
    let base: any EvaluationContext
    let row: [String: String]

    func value(of field: String) -> Value { base.value(of: field) }
    func previousValue(of field: String) -> Value { base.previousValue(of: field) }
    var currentValue: Value { base.currentValue }
    var position: Int? { base.position }
    func choiceLabel(field: String, code: String) -> String? { base.choiceLabel(field: field, code: code) }
    var today: Int { base.today }
    var now: (seconds: Double, offsetMinutes: Int) { base.now }
    func choiceColumn(_ name: String) -> Value { row[name].map(Value.string) ?? .empty }
    func lookup(_ table: String, column: String, keyColumn: String, key: String) -> Value {
        base.lookup(table, column: column, keyColumn: keyColumn, key: key)
    }
    func random() -> Double { base.random() }
    func instanceRows(_ name: String) -> [[String: String]] { base.instanceRows(name) }
    func values(of field: String, acrossInstancesOf repeatName: String) -> Value { base.values(of: field, acrossInstancesOf: repeatName) }
}

extension EvaluationContext {
    public func choiceColumn(_ name: String) -> Value { .empty }
}

/// A context that reads only fields: no previous round, no current value, no repeat position, no labels, and
/// a clock stopped at 1970-01-01. For expressions evaluated outside an interview (analysis, constant folding).
public protocol FieldOnlyContext: EvaluationContext {}

extension FieldOnlyContext {
    public func previousValue(of field: String) -> Value { .empty }
    public var currentValue: Value { .empty }
    public var position: Int? { nil }
    public func choiceLabel(field: String, code: String) -> String? { nil }
    public var today: Int { 0 }
    public var now: (seconds: Double, offsetMinutes: Int) { (0, 0) }
}

/// Evaluates checked expressions. Evaluation never traps and never throws: anything that cannot be computed
/// (a bad date string, a dynamic regular expression that does not compile) yields `.empty` or false.
public enum Evaluator {
    public static func evaluate(_ expression: ExpressionNode, in context: any EvaluationContext) -> Value {
        switch expression.kind {
        case .number(let value): return .number(value)
        case .string(let text): return .string(text)
        case .reference(let name): return context.value(of: name)
        case .previous(let name): return context.previousValue(of: name)
        case .current: return context.currentValue
        case .choiceColumn(let name): return context.choiceColumn(name)
        case .parent: return .empty
        case .negate(let operand): return .number(-evaluate(operand, in: context).numberValue)
        case .binary(let op, let lhs, let rhs):
            return binary(op, lhs, rhs, context)
        case .call(let name, let arguments):
            return call(name, arguments, context)
        case .instanceLookup(let list, let predicate, let column):
            let rows = context.instanceRows(list).filter { row in
                predicate.map { isTrue($0, in: InstanceRowContext(base: context, row: row)) } ?? true
            }
            return .nodeset(rows.map { .string($0[column ?? "name"] ?? "") })
        }
    }

    /// Evaluates a condition (relevant, required, constraint): XPath `boolean()` of the value.
    public static func isTrue(_ expression: ExpressionNode, in context: any EvaluationContext) -> Bool {
        evaluate(expression, in: context).booleanValue
    }

    private static func binary(_ op: BinaryOperator, _ lhs: ExpressionNode, _ rhs: ExpressionNode, _ context: any EvaluationContext)
        -> Value
    {
        switch op {
        case .or:
            return .boolean(isTrue(lhs, in: context) || isTrue(rhs, in: context))
        case .and:
            return .boolean(isTrue(lhs, in: context) && isTrue(rhs, in: context))
        default:
            break
        }
        let left = evaluate(lhs, in: context)
        let right = evaluate(rhs, in: context)
        switch op {
        case .plus: return .number(left.numberValue + right.numberValue)
        case .minus: return .number(left.numberValue - right.numberValue)
        case .times: return .number(left.numberValue * right.numberValue)
        case .div: return .number(left.numberValue / right.numberValue)
        case .mod: return .number(fmod(left.numberValue, right.numberValue))
        case .equal: return .boolean(equals(left, right))
        case .notEqual: return .boolean(!equals(left, right))
        case .less, .lessEqual, .greater, .greaterEqual:
            let (a, b) = orderedNumbers(left, right)
            switch op {
            case .less: return .boolean(a < b)
            case .lessEqual: return .boolean(a <= b)
            case .greater: return .boolean(a > b)
            default: return .boolean(a >= b)
            }
        default:
            return .empty
        }
    }

    /// XPath equality: booleans compare as booleans, then numbers as numbers, otherwise as strings.
    /// Dates compare with date strings as dates. Empty equals only the empty string.
    static func equals(_ left: Value, _ right: Value) -> Bool {
        let left = single(left)
        let right = single(right)
        switch (left, right) {
        case (.boolean, _), (_, .boolean):
            return left.booleanValue == right.booleanValue
        case (.date, .string(let text)), (.string(let text), .date):
            return dateNumber(text).map { $0 == (left.isDate ? left.numberValue : right.numberValue) } ?? false
        case (.number, .empty), (.empty, .number), (.number, .nonResponse), (.nonResponse, .number):
            return false
        case (.number, _), (_, .number), (.date, _), (_, .date):
            return left.numberValue == right.numberValue
        default:
            return left.stringValue == right.stringValue
        }
    }

    /// XPath relational comparison: both sides as numbers, with date strings read as dates.
    static func orderedNumbers(_ left: Value, _ right: Value) -> (Double, Double) {
        let left = single(left)
        let right = single(right)
        func number(_ value: Value, other: Value) -> Double {
            if case .string(let text) = value, other.isDate || other.isDateTime {
                if other.isDateTime, let parsed = CivilDate.parseDateTime(text) { return parsed.seconds / 86_400 }
                return dateNumber(text) ?? .nan
            }
            if case .time(let seconds) = value { return seconds }
            if case .string(let text) = value, case .time = other { return CivilDate.parseTime(text) ?? .nan }
            return value.numberValue
        }
        return (number(left, other: right), number(right, other: left))
    }

    private static func dateNumber(_ text: String) -> Double? {
        CivilDate.parse(text).map { Double($0.days) }
    }

    private static func single(_ value: Value) -> Value {
        if case .nodeset(let values) = value { return values.first ?? .empty }
        return value
    }

    private static func elements(_ value: Value) -> [Value] {
        if case .nodeset(let values) = value { return values }
        return [value]
    }

    public static func choiceCodes(_ value: Value) -> [String] {
        value.stringValue.split(whereSeparator: { $0 == " " }).map(String.init)
    }

    private static func call(_ name: String, _ arguments: [ExpressionNode], _ context: any EvaluationContext) -> Value {
        // indexed-repeat(${field}, ${repeat}, n) reads across the repeat's instances even from inside one of them.
        if name == "indexed-repeat", arguments.count == 3, case .reference(let field) = arguments[0].kind,
            case .reference(let repeatName) = arguments[1].kind
        {
            return apply(name, [context.values(of: field, acrossInstancesOf: repeatName), .empty, evaluate(arguments[2], in: context)], context)
        }
        // Lazy functions first: only the chosen branch is evaluated.
        switch name {
        case "if":
            guard arguments.count == 3 else { return .empty }
            return isTrue(arguments[0], in: context) ? evaluate(arguments[1], in: context) : evaluate(arguments[2], in: context)
        case "once":
            let current = context.currentValue
            if !current.isEmpty { return current }
            return arguments.first.map { evaluate($0, in: context) } ?? .empty
        case "coalesce":
            for argument in arguments {
                let value = evaluate(argument, in: context)
                if !single(value).isEmpty { return single(value) }
            }
            return .empty
        case "jr:choice-name":
            guard arguments.count == 2 else { return .empty }
            let code = evaluate(arguments[0], in: context).stringValue
            var field = ""
            switch arguments[1].kind {
            case .string(let text): field = String(text.dropFirst(2).dropLast())
            case .reference(let name): field = name
            default: return .empty
            }
            return .string(context.choiceLabel(field: field, code: code) ?? "")
        case "position":
            return context.position.map { .number(Double($0)) } ?? .number(.nan)
        default:
            break
        }
        let values = arguments.map { evaluate($0, in: context) }
        return apply(name, values, context)
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    static func apply(_ name: String, _ values: [Value], _ context: any EvaluationContext) -> Value {
        func arg(_ index: Int) -> Value { index < values.count ? single(values[index]) : .empty }
        switch name {
        case "not": return .boolean(!arg(0).booleanValue)
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "selected":
            return .boolean(choiceCodes(arg(0)).contains(arg(1).stringValue.trimmingCharacters(in: .whitespaces)))
        case "count-selected":
            return .number(Double(choiceCodes(arg(0)).count))
        case "selected-at":
            let codes = choiceCodes(arg(0))
            let index = arg(1).numberValue
            guard index.isFinite, index >= 0, Int(index) < codes.count else { return .string("") }
            return .string(codes[Int(index)])
        case "string-length": return .number(Double(arg(0).stringValue.count))
        case "concat":
            return .string(values.flatMap(elements).map(\.stringValue).joined())
        case "substr":
            let characters = Array(arg(0).stringValue)
            let startValue = arg(1).numberValue
            let endValue = values.count > 2 ? arg(2).numberValue : Double(characters.count)
            guard startValue.isFinite, !endValue.isNaN else { return .string("") }
            let start = max(0, min(characters.count, Int(startValue)))
            let end = endValue.isInfinite ? characters.count : max(start, min(characters.count, Int(endValue)))
            return .string(String(characters[start..<end]))
        case "contains": return .boolean(arg(1).stringValue.isEmpty || arg(0).stringValue.contains(arg(1).stringValue))
        case "starts-with": return .boolean(arg(0).stringValue.hasPrefix(arg(1).stringValue))
        case "ends-with": return .boolean(arg(0).stringValue.hasSuffix(arg(1).stringValue))
        case "regex":
            guard let box = try? NSRegularExpressionBox(arg(1).stringValue) else { return .boolean(false) }
            let text = arg(0).stringValue
            let range = NSRange(text.startIndex..., in: text)
            return .boolean(box.regex.firstMatch(in: text, range: range) != nil)
        case "int":
            let number = arg(0).numberValue
            return .number(number.isFinite ? number.rounded(.towardZero) : number)
        case "round":
            let number = arg(0).numberValue
            let places = values.count > 1 ? arg(1).numberValue : 0
            guard number.isFinite, places.isFinite else { return .number(number.isNaN || places.isNaN ? .nan : number) }
            let scale = pow(10, places.rounded(.towardZero))
            return .number((number * scale).rounded(.toNearestOrAwayFromZero) / scale)
        case "number": return .number(arg(0).numberValue)
        case "random": return .number(context.random())
        case "pulldata":
            return context.lookup(arg(0).stringValue, column: arg(1).stringValue, keyColumn: arg(2).stringValue, key: arg(3).stringValue)
        case "abs": return .number(abs(arg(0).numberValue))
        case "floor": return .number(arg(0).numberValue.rounded(.down))
        case "ceiling": return .number(arg(0).numberValue.rounded(.up))
        case "pow": return .number(Foundation.pow(arg(0).numberValue, arg(1).numberValue))
        case "sqrt": return .number(arg(0).numberValue.squareRoot())
        case "exp": return .number(Foundation.exp(arg(0).numberValue))
        case "log": return .number(Foundation.log(arg(0).numberValue))
        case "log10": return .number(Foundation.log10(arg(0).numberValue))
        case "digest":
            return Digest.text(arg(0).stringValue, algorithm: arg(1).stringValue, encoding: values.count > 2 ? arg(2).stringValue : "base64")
                .map(Value.string) ?? .empty
        case "normalize-space":
            return .string(arg(0).stringValue.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " "))
        case "translate":
            let from = Array(arg(1).stringValue), to = Array(arg(2).stringValue)
            var out = ""
            for character in arg(0).stringValue {
                guard let index = from.firstIndex(of: character) else {
                    out.append(character)
                    continue
                }
                if index < to.count { out.append(to[index]) }
            }
            return .string(out)
        case "join":
            return .string(values.dropFirst().flatMap(elements).map(\.stringValue).joined(separator: arg(0).stringValue))
        case "indexed-repeat":
            // The n-th of the field's values across the repeat's instances (ODK's indexed-repeat), from 1.
            let all = values.first.map(elements) ?? []
            let index = arg(2).numberValue
            guard index.isFinite, index >= 1, Int(index) <= all.count else { return .empty }
            return all[Int(index) - 1]
        case "string": return .string(arg(0).stringValue)
        case "boolean": return .boolean(values.first.map { elements($0).isEmpty ? false : single($0).booleanValue } ?? false)
        case "today": return .date(context.today)
        case "now":
            let now = context.now
            return .dateTime(now.seconds, offsetMinutes: now.offsetMinutes)
        case "date": return toDate(arg(0))
        case "format-date": return formatDate(arg(0), arg(1).stringValue)
        case "count":
            guard let value = values.first else { return .number(0) }
            if case .nodeset(let items) = value { return .number(Double(items.count)) }
            return .number(value.isEmpty ? 0 : 1)
        case "sum":
            // As in ODK: an empty or non-response value makes the sum NaN, since the total is then unknown.
            return .number(elements(values.first ?? .empty).reduce(0) { $0 + $1.numberValue })
        case "min", "max":
            let numbers = values.flatMap(elements).map(\.numberValue)
            guard !numbers.isEmpty, !numbers.contains(where: \.isNaN) else { return .number(.nan) }
            return .number(name == "min" ? numbers.min()! : numbers.max()!)
        case "non-response":
            if case .nonResponse(let code) = arg(0) { return .string(code.rawValue) }
            return .string("")
        default:
            return .empty
        }
    }

    private static func toDate(_ value: Value) -> Value {
        switch value {
        case .date: return value
        case .dateTime(let seconds, let offset):
            return .date(Int(((seconds + Double(offset * 60)) / 86_400).rounded(.down)))
        case .string(let text):
            return CivilDate.parse(text).map { .date($0.days) } ?? .empty
        case .number(let days):
            return days.isFinite ? .date(Int(days.rounded(.down))) : .empty
        default:
            return .empty
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private static func formatDate(_ value: Value, _ format: String) -> Value {
        var seconds: Double
        switch value {
        case .dateTime(let utc, let offset): seconds = utc + Double(offset * 60)
        case .time(let timeOfDay): seconds = timeOfDay
        default:
            guard case .date(let days) = toDate(value) else { return .string("") }
            seconds = Double(days) * 86_400
        }
        let days = Int((seconds / 86_400).rounded(.down))
        let date = CivilDate(days: days)
        let secondOfDay = Int(seconds - Double(days) * 86_400)
        var output = ""
        var iterator = format.makeIterator()
        func pad(_ number: Int, _ width: Int = 2) -> String {
            let text = String(number)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        while let character = iterator.next() {
            guard character == "%", let directive = iterator.next() else {
                output.append(character)
                continue
            }
            switch directive {
            case "Y": output += pad(date.year, 4)
            case "y": output += pad(date.year % 100)
            case "m": output += pad(date.month)
            case "n": output += String(date.month)
            case "b": output += monthNames[date.month - 1]
            case "d": output += pad(date.day)
            case "e": output += String(date.day)
            case "a": output += dayNames[date.weekday]
            case "H": output += pad(secondOfDay / 3600)
            case "h": output += String(secondOfDay / 3600)
            case "M": output += pad((secondOfDay / 60) % 60)
            case "S": output += pad(secondOfDay % 60)
            case "%": output += "%"
            default: output += "%\(directive)"
            }
        }
        return .string(output)
    }
}

extension Value {
    var isDate: Bool { if case .date = self { true } else { false } }
    var isDateTime: Bool { if case .dateTime = self { true } else { false } }
}
