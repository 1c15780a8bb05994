import Foundation

/// Checks an expression against the questionnaire's fields before any interview runs, so that nothing is
/// left to fail at run time: unknown fields and functions, wrong arity, repeat scoping, and type errors that
/// are certain whatever the answers.
public struct TypeChecker {
    let schema: any ExpressionSchema
    let context: CheckContext
    private(set) var diagnostics: [ExpressionDiagnostic] = []

    public init(schema: any ExpressionSchema, context: CheckContext) {
        self.schema = schema
        self.context = context
    }

    /// Checks an expression and returns its inferred type with every problem found.
    public static func check(
        _ expression: ExpressionNode, schema: any ExpressionSchema, context: CheckContext
    ) -> (type: StaticType, diagnostics: [ExpressionDiagnostic]) {
        var checker = TypeChecker(schema: schema, context: context)
        let type = checker.infer(expression, aggregateArgument: false)
        return (type, checker.diagnostics)
    }

    private mutating func report(
        _ code: ExpressionDiagnostic.Code, _ message: String, _ range: SourceRange,
        severity: ExpressionDiagnostic.Severity = .error
    ) {
        diagnostics.append(ExpressionDiagnostic(code, message, range, severity: severity))
    }

    /// Whether a field inside `repeatPath` can be read as a single value from here.
    private func isInScope(_ repeatPath: [String]) -> Bool {
        repeatPath.count <= context.repeatPath.count && Array(context.repeatPath.prefix(repeatPath.count)) == repeatPath
    }

    private mutating func infer(_ expression: ExpressionNode, aggregateArgument: Bool) -> StaticType {
        switch expression.kind {
        case .number: return .number
        case .string: return .string
        case .current:
            guard let type = context.currentType else {
                report(
                    .dotNotAllowed,
                    "'.' means the value of this item, which only constraints, warnings and calculations of a value have; refer to a field as ${name}",
                    expression.range)
                return .any
            }
            return type
        case .choiceColumn(let name):
            guard let columns = context.choiceColumns else {
                report(.syntax, "bare name '\(name)': refer to a field as ${\(name)}", expression.range)
                return .any
            }
            if !columns.contains(name) {
                var message = "the choices of this list have no column '\(name)'"
                if let guess = closestMatch(to: name, among: columns.sorted()) { message += "; did you mean \(guess)?" }
                report(.unknownField, message, expression.range)
            }
            return .string
        case .parent:
            report(.syntax, "'..' can only appear as position(..)", expression.range)
            return .any
        case .reference(let name):
            return inferReference(name, range: expression.range, aggregateArgument: aggregateArgument)
        case .previous(let name):
            guard let field = lookUp(name, range: expression.range) else { return .any }
            if case .group = field.type {
                report(.typeError, "${\(name)} is a group and has no value to preload", expression.range)
            }
            return isInScope(field.repeatPath) ? field.type : .nodeset(field.type)
        case .negate(let operand):
            let type = infer(operand, aggregateArgument: false)
            checkArithmeticOperand(operand, type)
            return .number
        case .binary(let op, let lhs, let rhs):
            let left = infer(lhs, aggregateArgument: false)
            let right = infer(rhs, aggregateArgument: false)
            if op.isArithmetic {
                checkArithmeticOperand(lhs, left)
                checkArithmeticOperand(rhs, right)
                return .number
            }
            if op.isComparison {
                checkComparison(op, lhs, left, rhs, right)
                return .boolean
            }
            return .boolean
        case .call(let name, let arguments):
            return inferCall(name, arguments, range: expression.range)
        case .instanceLookup(let list, let predicate, let column):
            let tables = schema.instanceTables
            let columns = tables?[list].map(Set.init)
            if let tables, columns == nil {
                var message = "instance('\(list)') names no choice list or table of this form"
                if let guess = closestMatch(to: list, among: tables.keys.sorted()) { message += "; did you mean '\(guess)'?" }
                report(.unknownField, message, expression.range)
            }
            if let predicate {
                // Where the table's columns are unknown (unchecked, or no such table: reported above), any name passes.
                var named = Set<String>()
                predicate.visit { if case .choiceColumn(let name) = $0.kind { named.insert(name) } }
                var inner = TypeChecker(
                    schema: schema,
                    context: CheckContext(repeatPath: context.repeatPath, currentType: context.currentType, choiceColumns: columns ?? named))
                _ = inner.infer(predicate, aggregateArgument: false)
                diagnostics += inner.diagnostics
            }
            if let column, let columns, !columns.contains(column) {
                report(.unknownField, "instance('\(list)') has no column '\(column)'; it has \(columns.sorted().joined(separator: ", "))", expression.range)
            }
            return .any
        }
    }

    private mutating func lookUp(_ name: String, range: SourceRange) -> FieldSignature? {
        if let field = schema.field(named: name) { return field }
        var message = "no field is named '\(name)'"
        if let suggestion = schema.suggestion(for: name) { message += "; did you mean ${\(suggestion)}?" }
        report(.unknownField, message, range)
        return nil
    }

    private mutating func inferReference(_ name: String, range: SourceRange, aggregateArgument: Bool) -> StaticType {
        guard let field = lookUp(name, range: range) else { return .any }
        switch field.type {
        case .group:
            report(.typeError, "${\(name)} is a group and has no value; refer to a question inside it", range)
            return .any
        case .repeatInstances:
            if !aggregateArgument {
                report(.fieldOutsideRepeat, "${\(name)} is a repeat; count its instances with count(${\(name)})", range)
            }
            return .repeatInstances
        default:
            break
        }
        if isInScope(field.repeatPath) { return field.type }
        if !aggregateArgument {
            let repeatName = field.repeatPath.last ?? ""
            report(
                .fieldOutsideRepeat,
                "${\(name)} is asked once per instance of repeat '\(repeatName)' and has no single value here; use an aggregate such as sum(${\(name)}), count(${\(repeatName)}) or max(${\(name)})",
                range)
        }
        return .nodeset(field.type)
    }

    private mutating func checkArithmeticOperand(_ expression: ExpressionNode, _ type: StaticType) {
        switch type {
        case .text, .geopoint:
            report(.typeError, "arithmetic on \(expression), a \(type) value, never gives a number", expression.range)
        case .select(let list, true):
            report(
                .typeError,
                "arithmetic on \(expression), a select_multiple of list '\(list)'; use count-selected(\(expression)) to count choices",
                expression.range)
        case .select(let list, false):
            if case .reference(let name) = expression.kind, let codes = schema.field(named: name)?.choiceCodes,
                !codes.isEmpty, codes.allSatisfy({ Value.parseNumber($0) == nil })
            {
                report(.typeError, "arithmetic on ${\(name)}, whose choice codes in list '\(list)' are not numbers", expression.range)
            }
        case .string:
            if case .string(let literal) = expression.kind, Value.parseNumber(literal) == nil {
                report(.typeError, "arithmetic on the text '\(literal)', which is not a number", expression.range)
            }
        default:
            break
        }
    }

    private mutating func checkComparison(
        _ op: BinaryOperator, _ lhs: ExpressionNode, _ left: StaticType,
        _ rhs: ExpressionNode, _ right: StaticType
    ) {
        checkLiteral(against: lhs, left, literal: rhs, op: op)
        checkLiteral(against: rhs, right, literal: lhs, op: op)
    }

    /// A field compared with a literal that it can never equal is a certain mistake.
    private mutating func checkLiteral(against field: ExpressionNode, _ type: StaticType, literal: ExpressionNode, op: BinaryOperator) {
        guard case .string(let text) = literal.kind, !text.isEmpty else { return }
        switch type {
        case .select(let list, _):
            guard op == .equal || op == .notEqual, case .reference(let name) = field.kind,
                let codes = schema.field(named: name)?.choiceCodes, !codes.contains(text)
            else { return }
            var message = "'\(text)' is not a choice of list '\(list)' used by ${\(name)}"
            if let guess = closestMatch(to: text, among: codes.sorted()) { message += "; did you mean '\(guess)'?" }
            report(.unknownChoice, message, literal.range)
        case .number:
            if Value.parseNumber(text) == nil, NonResponse(rawValue: text) == nil {
                report(.typeError, "\(field) is a number and can never be compared meaningfully with the text '\(text)'", literal.range)
            } else if NonResponse(rawValue: text) != nil {
                report(
                    .typeError, "a special non-response never equals a value; test it with non-response(\(field)) = '\(text)'",
                    literal.range)
            }
        case .date:
            if CivilDate.parse(text) == nil {
                report(.typeError, "\(field) is a date; '\(text)' is not a date written YYYY-MM-DD", literal.range)
            }
        default:
            break
        }
    }

    private mutating func inferCall(_ name: String, _ arguments: [ExpressionNode], range: SourceRange) -> StaticType {
        guard let definition = FunctionRegistry.lookup(name) else {
            var message = "there is no function '\(name)'"
            if let guess = closestMatch(to: name, among: FunctionRegistry.all.keys.sorted()) { message += "; did you mean \(guess)()?" }
            report(.unknownFunction, message, range)
            for argument in arguments { _ = infer(argument, aggregateArgument: false) }
            return .any
        }
        if !definition.arity.contains(arguments.count) {
            report(
                .wrongArity,
                "\(name)() takes \(definition.arityText) argument\(definition.arity == 1...1 ? "" : "s"), not \(arguments.count)", range)
        }
        if name == "previous" {
            report(.previousNeedsField, "previous() takes one field reference, as in previous(${name})", range)
            return .any
        }
        let aggregatesNodesets = ["count", "sum", "min", "max", "concat"].contains(name)
        var types: [StaticType] = []
        for (index, argument) in arguments.enumerated() {
            let rule = definition.rule(at: index)
            if rule == .parentStep {
                if case .parent = argument.kind {
                    if context.repeatPath.isEmpty {
                        report(.positionNeedsRepeat, "position(..) counts repeat instances, but this item is not inside a repeat", range)
                    }
                } else {
                    report(.syntax, "write position(..): the argument must be '..'", argument.range)
                }
                types.append(.number)
                continue
            }
            if rule == .fieldNameLiteral {
                checkFieldNameLiteral(argument)
                types.append(.string)
                continue
            }
            let type = infer(argument, aggregateArgument: aggregatesNodesets || rule == .repeated)
            types.append(type)
            switch rule {
            case .selectField:
                switch type {
                case .select, .any, .nodeset(.select): break
                // ODK's idiom for a location's parts: selected-at(${point}, 0) is its latitude, 3 its accuracy.
                case .geopoint where name == "selected-at": break
                default:
                    report(.typeError, "\(name)() needs a select_one or select_multiple field, but \(argument) is \(type)", argument.range)
                }
            case .repeated:
                switch type {
                case .nodeset, .repeatInstances, .any: break
                default:
                    if name == "count" {
                        report(
                            .typeError, "count() counts the instances of a repeat, as in count(${repeat_name}); \(argument) is \(type)",
                            argument.range)
                    }
                    if name == "indexed-repeat", case .reference = argument.kind {
                        // Inside the repeat itself: the field's values across its instances are read all the same.
                    } else if name == "indexed-repeat" {
                        report(.typeError, "indexed-repeat() takes a field and a repeat written as ${name}; \(argument) is \(type)", argument.range)
                    }
                }
            default: break
            }
        }
        if name == "pulldata", let tables = schema.lookupTables, arguments.count == 4 {
            checkLookup(arguments, tables: tables)
        }
        if name == "min" || name == "max", arguments.count > 1 {
            for (argument, type) in zip(arguments, types) {
                if case .nodeset = type {
                    report(
                        .fieldOutsideRepeat, "\(name)() over a repeated field takes that field alone, as in \(name)(\(argument))",
                        argument.range)
                }
            }
        }
        if name == "selected" || name == "selected-at", arguments.count == 2 {
            checkChoiceLiteral(function: name, arguments[0], arguments[1])
        }
        if name == "digest", arguments.count >= 2 {
            if case .string(let algorithm) = arguments[1].kind, !Digest.algorithms.contains(algorithm) {
                report(
                    .typeError, "digest() knows the algorithms \(Digest.algorithms.joined(separator: ", ")), not '\(algorithm)'", arguments[1].range)
            }
            if arguments.count == 3, case .string(let encoding) = arguments[2].kind, !["base64", "hex"].contains(encoding) {
                report(.typeError, "digest() encodes in base64 or hex, not '\(encoding)'", arguments[2].range)
            }
        }
        if name == "regex", arguments.count == 2, case .string(let pattern) = arguments[1].kind {
            if (try? NSRegularExpressionBox(pattern)) == nil {
                report(.invalidRegex, "'\(pattern)' is not a valid regular expression", arguments[1].range)
            }
        }
        switch name {
        case "if":
            if types.count == 3 { return types[1] == types[2] ? types[1] : .any }
            return .any
        case "coalesce":
            if types.count == 2, types[0] == types[1] { return types[0] }
            return .any
        case "once":
            return types.first ?? .any
        default:
            return definition.result
        }
    }

    private mutating func checkChoiceLiteral(function: String, _ field: ExpressionNode, _ code: ExpressionNode) {
        guard function == "selected", case .string(let text) = code.kind, case .reference(let name) = field.kind,
            let signature = schema.field(named: name), let codes = signature.choiceCodes, !codes.contains(text)
        else { return }
        var list = ""
        if case .select(let name, _) = signature.type { list = name }
        var message = "'\(text)' is not a choice of list '\(list)' used by ${\(name)}"
        if let guess = closestMatch(to: text, among: codes.sorted()) { message += "; did you mean '\(guess)'?" }
        report(.unknownChoice, message, code.range)
    }

    /// pulldata('table', 'column', 'key column', key): a table the form carries, and columns it has, when named
    /// by literals (as they nearly always are).
    mutating func checkLookup(_ arguments: [ExpressionNode], tables: [String: [String]]) {
        guard case .string(let table) = arguments[0].kind else { return }
        guard let columns = tables[table] else {
            let known = tables.keys.sorted()
            report(
                .unknownField,
                "pulldata() reads the table '\(table)', which the form does not carry"
                    + (known.isEmpty
                        ? "; add it under lookups (an XLSForm takes TABLE.csv from beside the form)" : "; the tables are \(known.joined(separator: ", "))"),
                arguments[0].range)
            return
        }
        for argument in arguments[1...2] {
            guard case .string(let column) = argument.kind, !columns.contains(column) else { continue }
            report(.unknownField, "the table '\(table)' has no column '\(column)'; its columns are \(columns.joined(separator: ", "))", argument.range)
        }
    }

    private mutating func checkFieldNameLiteral(_ argument: ExpressionNode) {
        let name: String?
        switch argument.kind {
        case .string(let text):
            if text.hasPrefix("${"), text.hasSuffix("}") { name = String(text.dropFirst(2).dropLast()) } else { name = nil }
        case .reference(let reference):
            name = reference
        default:
            name = nil
        }
        guard let name else {
            report(.typeError, "the second argument of jr:choice-name() names the select field in quotes, as in '${field}'", argument.range)
            return
        }
        guard let field = lookUp(name, range: argument.range) else { return }
        if case .select = field.type { return }
        report(.typeError, "jr:choice-name() needs a select field, but ${\(name)} is \(field.type)", argument.range)
    }
}

/// Compiles a regular expression; wrapped so the type checker reads as plain Swift.
struct NSRegularExpressionBox {
    let regex: NSRegularExpression
    init(_ pattern: String) throws { regex = try NSRegularExpression(pattern: pattern) }
}
