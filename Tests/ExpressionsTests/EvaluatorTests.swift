// Requirements covered here (semantics follow XPath 1.0 as ODK applies it):
// E1 an unanswered or irrelevant field is empty: '' as text, NaN in arithmetic, false as a condition
// E2 comparisons: booleans as booleans, then numbers, else strings; empty equals only ''; NaN compares false
// E3 a special non-response reads as empty everywhere except non-response(), which returns its code
// E4 functions behave as ODK documents them
// E5 dates are days since 1970-01-01; date strings compare with dates as dates
// E6 evaluation never traps: bad input gives empty, NaN or false
import Foundation
import Testing

@testable import Expressions

struct EvaluatorTests {
    static let context: TestContext = {
        var context = TestContext()
        context.values = [
            "age": .number(34), "zero": .number(0), "name": .string("Siti Aminah"), "blank": .empty,
            "sid": .string("online"), "uses": .string("planning budgeting"), "dk": .nonResponse(.dontKnow),
            "refused": .nonResponse(.refused), "born": .date(CivilDate(year: 1990, month: 2, day: 28)!.days),
            "flag": .boolean(true), "ages": .nodeset([.number(30), .number(5), .number(12)]),
            "ages_gap": .nodeset([.number(30), .empty]), "members": .nodeset([.boolean(true), .boolean(true), .boolean(true)]),
            "code": .string("2"), "start": .time(8 * 3600 + 30 * 60),
        ]
        context.previous = ["bpd": .number(4), "sid": .string("paper")]
        context.labels = ["sid": ["online": "Elektronik daring"]]
        context.position = 2
        return context
    }()

    /// Expression and the expected XPath string() of its value.
    static let cases: [(String, String)] = [
        // E1
        ("${blank}", ""), ("${blank} + 1", "NaN"), ("boolean(${blank})", "false"), ("string-length(${blank})", "0"),
        ("${missing_everywhere}", ""),
        // E2
        ("${blank} = ''", "true"), ("${age} = ''", "false"), ("${blank} = 0", "false"), ("${blank} != 0", "true"),
        ("${blank} > 0", "false"), ("${blank} < 0", "false"), ("${age} = '34'", "true"), ("${age} = 34.0", "true"),
        ("${flag} = 'anything'", "true"), ("${zero} = false()", "true"), ("'abc' < 'abd'", "false"),
        ("${code} = 2", "true"), ("${code} > 1", "true"),
        // E3
        ("${dk}", ""), ("${dk} + 1", "NaN"), ("${dk} = ''", "true"), ("${dk} > 0", "false"), ("${dk} = 0", "false"),
        ("non-response(${dk})", "dont_know"), ("non-response(${refused}) = 'refused'", "true"),
        ("non-response(${age})", ""), ("coalesce(${dk}, 7)", "7"), ("boolean(${dk})", "false"),
        // arithmetic
        ("7 div 2", "3.5"), ("7 mod 3", "1"), ("-7 mod 3", "-1"), ("1 div 0", "Infinity"), ("0 div 0", "NaN"),
        ("${age} * 2 - 8", "60"), ("100000000000000000000 * 10", "1000000000000000000000"), ("1 div 100000000", "0.00000001"),
        ("-${age}", "-34"), ("0.1 + 0.2 = 0.3", "false"),
        // logic
        ("${age} > 18 and ${sid} = 'online'", "true"), ("${age} < 18 or ${blank} = ''", "true"), ("not(${flag})", "false"),
        ("true() and false()", "false"),
        // E4 selects
        ("selected(${uses}, 'budgeting')", "true"), ("selected(${uses}, 'budget')", "false"), ("selected(${blank}, 'a')", "false"),
        ("count-selected(${uses})", "2"), ("count-selected(${blank})", "0"), ("selected-at(${uses}, 1)", "budgeting"),
        ("selected-at(${uses}, 5)", ""), ("jr:choice-name(${sid}, '${sid}')", "Elektronik daring"),
        ("jr:choice-name('nope', '${sid}')", ""),
        // E4 text
        ("concat(${name}, ' (', ${age}, ')')", "Siti Aminah (34)"), ("substr(${name}, 0, 4)", "Siti"), ("substr(${name}, 5)", "Aminah"),
        ("substr('abc', 10)", ""), ("contains(${name}, 'Amin')", "true"), ("starts-with(${name}, 'Siti')", "true"),
        ("ends-with(${name}, 'x')", "false"), ("string-length(${name})", "11"), ("string-length('désa')", "4"),
        ("regex('081234567890', '^0[0-9]{8,12}$')", "true"), ("regex('12', '^0')", "false"), ("regex('x', '(')", "false"),
        // E4 numbers
        ("int(3.9)", "3"), ("int(-3.9)", "-3"), ("round(2.5)", "3"), ("round(-2.5)", "-3"), ("round(3.14159, 2)", "3.14"),
        ("number('12.5')", "12.5"), ("number('abc')", "NaN"), ("number(' 7 ')", "7"), ("number('1e3')", "NaN"),
        ("string(12)", "12"), ("string(1.5)", "1.5"), ("boolean('false')", "true"), ("boolean(0)", "false"),
        ("if(${age} > 18, 'adult', 'minor')", "adult"), ("if(${blank}, 1, 2)", "2"), ("coalesce(${blank}, ${age})", "34"),
        // E4 repeats
        ("count(${members})", "3"), ("sum(${ages})", "47"), ("sum(${ages_gap})", "NaN"), ("min(${ages})", "5"),
        ("max(${ages})", "30"), ("max(3, 9, 4)", "9"), ("max(${ages_gap})", "NaN"), ("position(..)", "2"),
        ("concat(${ages})", "30512"),
        // preload
        ("previous(${bpd}) + 1", "5"), ("${previous(${sid})}", "paper"), ("previous(${age})", ""),
        // E5 dates
        ("${born}", "1990-02-28"), ("today()", "2021-06-15"), ("date('2021-01-01')", "2021-01-01"),
        ("date('2021-02-30')", ""), ("${born} < '2000-01-01'", "true"), ("${born} = '1990-02-28'", "true"),
        ("today() - date('2021-06-01')", "14"), ("date(0)", "1970-01-01"), ("date(today() + 1)", "2021-06-16"),
        ("format-date(${born}, '%d/%m/%Y')", "28/02/1990"), ("format-date(${born}, '%e %b %y, %a')", "28 Feb 90, Wed"),
        ("format-date(now(), '%H:%M')", "08:00"), ("format-date('junk', '%Y')", ""),
        ("now()", "2021-06-15T08:00:00+07:00"), ("${start} < '09:00'", "true"), ("${start}", "08:30:00"),
    ]

    @Test("E1–E6: value table", arguments: cases)
    func evaluates(expression: String, expected: String) {
        #expect(evaluate(expression, Self.context).stringValue == expected, "\(expression)")
    }

    @Test("E4: once() keeps a value once set")
    func once() {
        var context = Self.context
        #expect(evaluate("once(${age} + 1)", context).stringValue == "35")
        context.currentValue = .number(99)
        #expect(evaluate("once(${age} + 1)", context).stringValue == "99")
    }

    @Test("E4: if() evaluates only the chosen branch")
    func ifIsLazy() {
        final class Counting: EvaluationContext {
            var reads: [String] = []
            func value(of field: String) -> Value {
                reads.append(field)
                return .number(1)
            }
            func previousValue(of field: String) -> Value { .empty }
            var currentValue: Value { .empty }
            var position: Int? { nil }
            func choiceLabel(field: String, code: String) -> String? { nil }
            var today: Int { 0 }
            var now: (seconds: Double, offsetMinutes: Int) { (0, 0) }
        }
        let context = Counting()
        let tree = try! ExpressionParser.parse("if(true(), ${a}, ${b})").get()
        _ = Evaluator.evaluate(tree, in: context)
        #expect(context.reads == ["a"])
    }

    @Test("E6: choice-filter columns read from the context")
    func choiceColumn() throws {
        var context = TestContext()
        context.values = ["province": .string("11")]
        context.columns = ["province": .string("11")]
        let tree = try ExpressionParser.parse("province = ${province}", allowingChoiceColumns: true).get()
        #expect(Evaluator.isTrue(tree, in: context))
        context.columns = ["province": .string("33")]
        #expect(!Evaluator.isTrue(tree, in: context))
    }
}

struct CivilDateTests {
    @Test("E5: days ↔ calendar round trip, 1600–2400")
    func roundTrip() {
        var previous: CivilDate?
        for days in stride(from: -135_000, through: 157_000, by: 1) {
            let date = CivilDate(days: days)
            #expect(date.days == days)
            if let previous {
                // Consecutive days advance by exactly one calendar day.
                let advanced =
                    previous.day < CivilDate.daysIn(month: previous.month, year: previous.year)
                    ? (previous.year, previous.month, previous.day + 1)
                    : previous.month == 12 ? (previous.year + 1, 1, 1) : (previous.year, previous.month + 1, 1)
                if (date.year, date.month, date.day) != advanced {
                    Issue.record("\(previous) → \(date)")
                    return
                }
            }
            previous = date
        }
    }

    @Test("E5: zero padding writes what printf's %0*d writes")
    func zeroPadding() {
        for value in [-12_345, -1_000, -999, -5, -1, 0, 1, 7, 42, 999, 2021, 12_345] {
            for width in 1...5 {
                #expect(CivilDate.zeroPadded(value, width) == String(format: "%0\(width)d", value), "\(value) width \(width)")
            }
        }
        #expect(CivilDate(year: 2021, month: 6, day: 5)!.description == "2021-06-05")
        #expect(CivilDate(year: 812, month: 12, day: 25)!.description == "0812-12-25")
    }

    @Test("trimming spaces agrees with Foundation's trimmingCharacters(in: .whitespaces)")
    func trimmingSpaces() {
        let pieces = ["", " ", "\t", "\n", "\r\n", "\u{00A0}", "\u{2003}", "\u{3000}", "\u{200B}", "a", "1 2", "é", "👍🏽", "\u{0301}", "x\ty"]
        var cases: [String] = []
        for a in pieces { for b in pieces { for c in pieces { cases.append(a + b + c) } } }
        // Every scalar of the Basic Multilingual Plane around a letter.
        cases += (0..<0x1_0000).compactMap(Unicode.Scalar.init).map { "\($0)a\($0)" }
        cases += ["a", "abc", " a", "a ", "1\u{A0}", "\u{A0}1", "x\u{7F}", "\u{7F}"]
        let mismatches = cases.filter { $0.trimmingSpaces != $0.trimmingCharacters(in: .whitespaces) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5).map { Array($0.unicodeScalars) })")
        // Substrings too, and line ends as a terminal line's are stripped.
        #expect(" a b "[...].dropFirst(0).trimmingSpaces == "a b")
        for text in ["", "\n", "\r\n", "a\r\n", "\r\na", "\n a \r", " \t", "x\ny"] {
            #expect(text.trimmingLineEnds == text.trimmingCharacters(in: CharacterSet(charactersIn: "\r\n")), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("E5: known dates and weekdays")
    func knownDates() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)!.days == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1)!.days == 11_017)
        #expect(CivilDate(year: 2021, month: 6, day: 15)!.weekday == 2)  // a Tuesday
        #expect(CivilDate(year: 2021, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate.parse("2021-13-01") == nil)
        #expect(
            CivilDate.parseDateTime("2021-06-15T08:00:00+07:00")?.seconds == Double(CivilDate(year: 2021, month: 6, day: 15)!.days) * 86_400
                + 3_600)
    }
}

struct MoreFunctionTests {
    @Test(
        "ODK's numeric and text functions used in the field",
        arguments: [
            ("abs(-2.5)", Value.number(2.5)), ("floor(-2.5)", .number(-3)), ("ceiling(2.1)", .number(3)), ("pow(2, 10)", .number(1024)),
            ("sqrt(16)", .number(4)), ("exp(0)", .number(1)), ("log(1)", .number(0)), ("log10(1000)", .number(3)),
            ("normalize-space('  a   b  ')", .string("a b")), ("translate('abc-d', 'abc-', 'ABC')", .string("ABCd")),
            ("join(', ', 'x', 'y')", .string("x, y")),
            // digest(): FIPS 180 and RFC 1321 test vectors for 'abc', base64 by default as ODK encodes.
            ("digest('abc', 'SHA-256', 'hex')", .string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
            ("digest('abc', 'SHA-256')", .string("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")),
            ("digest('abc', 'MD5', 'hex')", .string("900150983cd24fb0d6963f7d28e17f72")),
            ("digest('abc', 'SHA-1', 'hex')", .string("a9993e364706816aba3e25717850c26c9cd0d89d")),
            (
                "digest('abc', 'SHA-384', 'hex')",
                .string("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
            ),
            (
                "digest('abc', 'SHA-512', 'hex')",
                .string(
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
            ),
            ("digest('abc', 'SHA-2', 'hex')", .empty),
        ])
    func values(expression: String, expected: Value) {
        #expect(evaluate(expression) == expected)
    }

    @Test("indexed-repeat and join over a repeated field's values")
    func repeated() {
        var context = TestContext()
        context.values["name"] = .nodeset([.string("Ani"), .string("Budi"), .string("Citra")])
        #expect(evaluate("indexed-repeat(${name}, ${members}, 2)", context) == .string("Budi"))
        #expect(evaluate("indexed-repeat(${name}, ${members}, 4)", context) == .empty)
        #expect(evaluate("join(' ', ${name})", context) == .string("Ani Budi Citra"))
    }
}
