// Requirements covered here:
// P1 operators follow XPath 1.0 precedence: or < and < = != < < <= > >= < + - < * div mod < unary -
// P2 references ${name}, previous(${name}) and ${previous(${name})}, '.', literals, calls with hyphenated names
// P3 every syntax error names what is wrong and where (a Unicode-scalar offset)
// P4 bare names are rejected except as choice-filter columns
import Testing

@testable import Expressions

struct ParserTests {
    static let canonical: [(String, String)] = [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 div 2 mod 3", "((8 div 2) mod 3)"),
        ("-${a} + 1", "((-${a}) + 1)"),
        ("--1", "(-(-1))"),
        ("${a} > 1 and ${b} < 2 or ${c} = 'x'", "(((${a} > 1) and (${b} < 2)) or (${c} = 'x'))"),
        ("${a} = 1 or ${b} = 2 and ${c} = 3", "((${a} = 1) or ((${b} = 2) and (${c} = 3)))"),
        ("${a} != ${b}", "(${a} != ${b})"),
        ("${a} <= 3 = true()", "((${a} <= 3) = true())"),
        (". >= 0 and . <= 120", "((. >= 0) and (. <= 120))"),
        ("count-selected(${s}) >= 2", "(count-selected(${s}) >= 2)"),
        ("jr:choice-name(${s}, '${s}')", "jr:choice-name(${s}, '${s}')"),
        ("previous(${bpd})", "previous(${bpd})"),
        ("${previous(${bpd})} + 1", "(previous(${bpd}) + 1)"),
        ("position(..)", "position(..)"),
        ("concat('a', \"b\", ${c})", "concat('a', 'b', ${c})"),
        ("today()", "today()"),
        (".5 + 1.25", "(0.5 + 1.25)"),
        ("${a}*2", "(${a} * 2)"),
        ("${div} div ${mod}", "(${div} div ${mod})"),
        ("if(${a} > 0, 'yes', 'no')", "if((${a} > 0), 'yes', 'no')"),
        ("  ${a}  ", "${a}"),
        ("${nama_kepala_désa}", "${nama_kepala_désa}"),
    ]

    @Test("P1 P2: canonical trees", arguments: canonical)
    func parsesToCanonicalTree(input: String, expected: String) throws {
        let tree = try ExpressionParser.parse(input).get()
        #expect(tree.description == expected)
    }

    /// Input, expected offset of the error, a fragment of its message.
    static let syntaxErrors: [(String, Int, String)] = [
        ("", 0, "empty"),
        ("1 +", 3, "ends where a value was expected"),
        ("(1 + 2", 0, "expected ')'"),
        ("1 + 2)", 5, "after a complete expression"),
        ("${a} 1", 5, "is an operator missing"),
        ("'abc", 0, "never closed"),
        ("${a", 0, "not closed"),
        ("${}", 0, "needs a name"),
        ("$a", 0, "must start a reference"),
        ("age > 3", 0, "bare name 'age'"),
        ("${a} / 2", 5, "write 'div'"),
        ("${a} ! 2", 5, "!="),
        ("${a} # 2", 5, "unexpected character"),
        ("concat(1,", 9, "ends where a value"),
        ("f(1 2)", 4, "expected ',' or ')'"),
        ("12abc", 0, "cannot run into a name"),
        ("${a} = and", 7, "needs a value on its left"),
        ("${previous(x)}", 11, "previous"),
    ]

    @Test("P3: syntax errors are located", arguments: syntaxErrors)
    func reportsSyntaxErrors(input: String, offset: Int, fragment: String) {
        switch ExpressionParser.parse(input) {
        case .success(let tree):
            Issue.record("expected an error for \(input), got \(tree)")
        case .failure(let diagnostic):
            #expect(diagnostic.code == .syntax)
            #expect(diagnostic.range.start == offset, "\(diagnostic)")
            #expect(diagnostic.message.contains(fragment), "\(diagnostic.message)")
        }
    }

    @Test("P3: offsets count Unicode scalars, as YAML columns do")
    func offsetsCountScalars() {
        guard case .failure(let diagnostic) = ExpressionParser.parse("'désa' = # ") else {
            Issue.record("expected an error")
            return
        }
        #expect(diagnostic.range.start == 9)
    }

    @Test("P4: choice-filter columns")
    func choiceColumns() throws {
        let tree = try ExpressionParser.parse("province = ${province} and kind != 'x'", allowingChoiceColumns: true).get()
        #expect(tree.description == "((province = ${province}) and (kind != 'x'))")
        #expect(tree.references == ["province"])
    }

    @Test("references exclude previous-round reads")
    func referencesAndPrevious() throws {
        let tree = try ExpressionParser.parse("${a} + previous(${b}) + sum(${c}) + ${previous(${d})}").get()
        #expect(tree.references == ["a", "c"])
        #expect(tree.previousReferences == ["b", "d"])
    }

    @Test("deep nesting fails with a message, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        guard case .failure(let diagnostic) = ExpressionParser.parse(deep) else {
            Issue.record("expected an error")
            return
        }
        #expect(diagnostic.message.contains("nested too deeply"))
        let minus = String(repeating: "-", count: 5000) + "1"
        #expect((try? ExpressionParser.parse(minus).get()) == nil)
        let long = "1" + String(repeating: " + 1", count: 5000)
        guard case .failure(let tooLong) = ExpressionParser.parse(long) else {
            Issue.record("expected an error")
            return
        }
        #expect(tooLong.message.contains("too long"))
        // The longest accepted chain evaluates without exhausting the stack.
        let accepted = try? ExpressionParser.parse("1" + String(repeating: " + 1", count: 990)).get()
        #expect(accepted.map { Evaluator.evaluate($0, in: TestContext()).stringValue } == "991")
    }
}
