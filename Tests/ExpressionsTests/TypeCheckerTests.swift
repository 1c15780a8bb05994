// Requirements covered here:
// T1 every reference names an existing field (with a suggestion for near misses)
// T2 repeat scoping: a repeated field has no single value outside its repeat except in aggregates
// T3 functions exist and are called with the right number of arguments
// T4 type errors that are certain at load time are reported; plausible code is not
// T5 '.' only where the item has a value; position(..) only inside a repeat
import Testing

@testable import Expressions

struct TypeCheckerTests {
    static let schema = TestSchema(fields: [
        "age": FieldSignature(type: .number, repeatPath: []),
        "name": FieldSignature(type: .text, repeatPath: []),
        "sid": FieldSignature(
            type: .select(list: "sid_status", multiple: false), repeatPath: [], choiceCodes: ["none", "paper", "offline", "online"]),
        "uses": FieldSignature(type: .select(list: "uses", multiple: true), repeatPath: [], choiceCodes: ["planning", "budgeting"]),
        "grade": FieldSignature(type: .select(list: "grades", multiple: false), repeatPath: [], choiceCodes: ["1", "2", "3"]),
        "visit": FieldSignature(type: .date, repeatPath: []),
        "gps": FieldSignature(type: .geopoint, repeatPath: []),
        "members": FieldSignature(type: .repeatInstances, repeatPath: []),
        "member_age": FieldSignature(type: .number, repeatPath: ["members"]),
        "section": FieldSignature(type: .group, repeatPath: []),
    ])

    static func codes(_ text: String, _ context: CheckContext = CheckContext()) -> [String] {
        guard case .success(let tree) = ExpressionParser.parse(text) else { return ["parse"] }
        return TypeChecker.check(tree, schema: schema, context: context).diagnostics.map(\.code.rawValue)
    }

    /// Valid expressions that must pass without a diagnostic.
    static let valid: [String] = [
        "${age} > 18", "${sid} = 'online'", "${sid} != 'none'", "selected(${uses}, 'planning')", "count-selected(${uses}) > 1",
        "${grade} + 1", "sum(${member_age}) > 0", "count(${members}) >= 1", "max(${member_age})", "${visit} < '2021-06-30'",
        "${visit} <= today()", "string-length(${name}) > 2", "concat(${name}, ' ', ${age})", "jr:choice-name(${sid}, '${sid}')",
        "previous(${sid}) = 'online'", "${age} > previous(${age})", "if(${age} > 1, 'a', 'b')", "non-response(${age}) = 'dont_know'",
        "coalesce(${age}, 0) + 1", "regex(${name}, '^[A-Z]')", "number(${name}) > 1", "${age} = ''", "once(today())",
        "max(${age}, 5)", "format-date(${visit}, '%Y')",
    ]

    @Test("T1–T5: valid expressions pass", arguments: valid)
    func validExpressions(text: String) {
        #expect(Self.codes(text) == [], "\(text)")
    }

    /// Invalid expression, the codes expected, and optional context.
    static let invalid: [(String, [String])] = [
        ("${agee} > 1", ["X004"]), ("${nothing_like_it} > 1", ["X004"]),
        ("${member_age} > 1", ["X005"]), ("${members} > 1", ["X005"]), ("${member_age} + sum(${member_age})", ["X005"]),
        ("foo(1)", ["X002"]), ("selectd(${uses}, 'a')", ["X002"]), ("if(1, 2)", ["X003"]), ("today(1)", ["X003"]),
        ("concat()", ["X003"]), ("substr('a')", ["X003"]),
        ("${name} + 1", ["X006"]), ("'abc' * 2", ["X006"]), ("${gps} - 1", ["X006"]), ("${uses} + 1", ["X006"]),
        ("${sid} + 1", ["X006"]), ("${age} = 'abc'", ["X006"]), ("${age} = 'dont_know'", ["X006"]),
        ("${visit} = 'yesterday'", ["X006"]), ("selected(${age}, '1')", ["X006"]), ("count(${age})", ["X006"]),
        ("jr:choice-name(${age}, '${age}')", ["X006"]), ("jr:choice-name(${sid}, 'sid')", ["X006"]), ("${section} = 1", ["X006"]),
        ("${sid} = 'onlin'", ["X007"]), ("selected(${uses}, 'plannin')", ["X007"]),
        (". > 1", ["X008"]), ("regex(${name}, '([')", ["X009"]), ("position(..)", ["X010"]), ("position(1)", ["X001"]),
        ("previous(1)", ["X011"]), ("max(${member_age}, 3)", ["X005"]),
        ("digest(${name}, 'SHA256')", ["X006"]), ("digest(${name}, 'MD5', 'base32')", ["X006"]),
    ]

    @Test("T1–T5: certain mistakes are reported", arguments: invalid)
    func invalidExpressions(text: String, expected: [String]) {
        #expect(Self.codes(text) == expected, "\(text)")
    }

    @Test("T2: inside the repeat, its fields are single values")
    func repeatScope() {
        let inside = CheckContext(repeatPath: ["members"])
        #expect(Self.codes("${member_age} > 1 and position(..) = 1", inside) == [])
        #expect(Self.codes("${age} > ${member_age}", inside) == [])
    }

    @Test("T5: '.' takes the item's type")
    func currentValue() throws {
        let context = CheckContext(currentType: .number)
        #expect(Self.codes(". >= 0 and . <= 120", context) == [])
        #expect(Self.codes(". = 'abc'", context) == ["X006"])
    }

    @Test("T1: messages suggest the nearest name")
    func suggestions() throws {
        let tree = try ExpressionParser.parse("${agee} > 1 and ${sid} = 'onlin'").get()
        let messages = TypeChecker.check(tree, schema: Self.schema, context: CheckContext()).diagnostics.map(\.message)
        #expect(
            messages == [
                "no field is named 'agee'; did you mean ${age}?",
                "'onlin' is not a choice of list 'sid_status' used by ${sid}; did you mean 'online'?",
            ])
    }

    @Test("T1: diagnostics point at the offending part")
    func ranges() throws {
        let tree = try ExpressionParser.parse("${age} > 1 and ${agee} > 2").get()
        let diagnostic = try #require(TypeChecker.check(tree, schema: Self.schema, context: CheckContext()).diagnostics.first)
        #expect(diagnostic.range == SourceRange(15, 22))
    }

    @Test("every registered function has a checked arity and evaluates without trapping")
    func registryIsComplete() {
        let names = [
            "if", "selected", "count-selected", "selected-at", "jr:choice-name", "coalesce", "string-length", "concat",
            "substr", "contains", "starts-with", "ends-with", "regex", "int", "round", "number", "string", "boolean",
            "true", "false", "today", "now", "date", "format-date", "count", "sum", "min", "max", "position", "once",
            "previous", "not", "non-response",
        ]
        for name in names {
            let definition = FunctionRegistry.lookup(name)
            #expect(definition != nil, "\(name) is missing")
            guard let definition else { continue }
            // Any argument count within the arity, with awkward values, must evaluate.
            for count in definition.arity.lowerBound...min(definition.arity.upperBound, 4) {
                let arguments = Array(repeating: Value.nonResponse(.refused), count: count)
                _ = Evaluator.apply(name, arguments, TestContext())
            }
        }
    }
}
