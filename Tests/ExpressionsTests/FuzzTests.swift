import Randomness
import TestSupport
// Requirements covered here:
// F1 the lexer, parser, type checker and evaluator never trap on generated or mutated input
// F2 printing a tree and parsing the result gives the same tree (the canonical form is faithful)
import Testing

@testable import Expressions

struct FuzzTests {
    static let atoms = [
        "${age}", "${sid}", "${uses}", "${member_age}", "${members}", "${missing}", ".", "1", "0", "-3.5", "'online'",
        "''", "'2021-01-01'", "true()", "today()", "previous(${age})", "position(..)", "${name}", "${visit}",
    ]
    static let functions = Array(FunctionRegistry.all.keys).sorted() + ["nope"]
    static let operators = ["+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or"]

    static func generate(_ random: inout SplitMix64, depth: Int) -> String {
        let choice = depth > 4 ? 0 : Int.random(in: 0..<4, using: &random)
        switch choice {
        case 0: return atoms.randomElement(using: &random)!
        case 1:
            return
                "\(generate(&random, depth: depth + 1)) \(operators.randomElement(using: &random)!) \(generate(&random, depth: depth + 1))"
        case 2:
            let count = Int.random(in: 0...3, using: &random)
            let arguments = (0..<count).map { _ in generate(&random, depth: depth + 1) }
            return "\(functions.randomElement(using: &random)!)(\(arguments.joined(separator: ", ")))"
        default:
            return "(\(generate(&random, depth: depth + 1)))"
        }
    }

    static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        let pool: [Unicode.Scalar] = [
            "(", ")", "$", "{", "}", "'", "\"", ".", ",", "-", "=", "<", "!", " ", "a", "1", "é", "\0", "\u{1F600}", ":", "/",
        ]
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<3, using: &random) {
            case 0 where !scalars.isEmpty: scalars.remove(at: Int.random(in: 0..<scalars.count, using: &random))
            case 1: scalars.insert(pool.randomElement(using: &random)!, at: Int.random(in: 0...scalars.count, using: &random))
            default:
                if !scalars.isEmpty { scalars[Int.random(in: 0..<scalars.count, using: &random)] = pool.randomElement(using: &random)! }
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    @Test("F1 F2: generated and mutated expressions never trap", arguments: [1, 2, 3, 4] as [UInt64])
    func fuzz(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let schema = TypeCheckerTests.schema
        var context = TestContext()
        context.values = [
            "age": .number(3), "uses": .string("a b"), "members": .nodeset([.boolean(true)]),
            "member_age": .nodeset([.number(1), .nonResponse(.dontKnow)]), "visit": .date(100),
        ]
        for _ in 0..<1500 {
            let text = Self.generate(&random, depth: 0)
            for candidate in [text, Self.mutate(text, &random)] {
                guard case .success(let tree) = ExpressionParser.parse(candidate) else { continue }
                _ = TypeChecker.check(tree, schema: schema, context: CheckContext(repeatPath: ["members"], currentType: .number))
                _ = Evaluator.evaluate(tree, in: context)
                // F2: the canonical form parses back to the same shape.
                guard case .success(let reparsed) = ExpressionParser.parse(tree.description) else {
                    Issue.record("canonical form does not parse: \(tree.description) from \(candidate)")
                    return
                }
                #expect(reparsed.description == tree.description)
            }
            _ = Template.parse(Self.mutate("Last round: ${previous(${age})} and ${age}", &random))
        }
    }
}
