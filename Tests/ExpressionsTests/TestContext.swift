@testable import Expressions

/// A dictionary-backed context for evaluator tests.
struct TestContext: EvaluationContext {
    var values: [String: Value] = [:]
    var previous: [String: Value] = [:]
    var currentValue: Value = .empty
    var position: Int?
    var labels: [String: [String: String]] = [:]
    var today: Int = CivilDate(year: 2021, month: 6, day: 15)!.days
    var now: (seconds: Double, offsetMinutes: Int) = (Double(CivilDate(year: 2021, month: 6, day: 15)!.days) * 86_400 + 3_600, 420)
    var columns: [String: Value] = [:]
    var instances: [String: [[String: String]]] = [:]

    func value(of field: String) -> Value { values[field] ?? .empty }
    func previousValue(of field: String) -> Value { previous[field] ?? .empty }
    func choiceLabel(field: String, code: String) -> String? { labels[field]?[code] }
    func choiceColumn(_ name: String) -> Value { columns[name] ?? .empty }
    func instanceRows(_ name: String) -> [[String: String]] { instances[name] ?? [] }
}

/// A schema for type-checker tests: name → signature.
struct TestSchema: ExpressionSchema {
    var fields: [String: FieldSignature]
    var instanceTables: [String: [String]]? = nil

    func field(named name: String) -> FieldSignature? { fields[name] }
    func suggestion(for name: String) -> String? { closestMatch(to: name, among: fields.keys.sorted()) }
}

func evaluate(_ text: String, _ context: TestContext = TestContext()) -> Value {
    switch ExpressionParser.parse(text) {
    case .success(let tree): return Evaluator.evaluate(tree, in: context)
    case .failure(let diagnostic): fatalError("test expression does not parse: \(diagnostic)")
    }
}
