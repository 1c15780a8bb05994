// Requirements covered here (issue: `pantau validate`):
// V1 every error is reported at the exact line and column of the offending YAML node, or inside an expression
// V2 all problems of a file are reported in one run
// V3 warnings do not make a file invalid
import Testing

@testable import Questionnaire

struct ValidationTests {
    static let integer = "  - type: integer\n    name: a\n    label: A\n"

    /// A form, and the diagnostics expected as "LINE:COLUMN CODE".
    static let cases: [(String, String, [String])] = [
        ("malformed YAML", "settings: [\n", ["2:1 Q001"]),
        ("tab indentation", "settings:\n\tform_id: x\n", ["2:1 Q001"]),
        ("duplicate key", form("  - type: integer\n    name: a\n    name: b\n    label: A\n"), ["7:5 Q001"]),
        ("not a mapping", "- a\n- b\n", ["1:1 Q002"]),
        ("survey not a list", "settings:\n  form_id: t\n  title: T\n  version: \"1\"\nsurvey: 3\n", ["5:9 Q002"]),
        ("missing settings", "survey:\n  - type: note\n    name: n\n    label: N\n", ["1:1 Q005"]),
        ("missing form_id", "settings:\n  title: T\n  version: \"1\"\nsurvey:\n  - type: note\n    name: n\n    label: N\n", ["2:3 Q005"]),
        ("unknown top-level key", form(integer) + "chioces: {}\n", ["9:1 Q003"]),
        (
            "unknown setting", form(integer).replacingOccurrences(of: "  title: T\n", with: "  title: T\n  unit_levl: village\n"),
            ["4:3 Q003"]
        ),
        ("unknown item key", form("  - type: integer\n    name: a\n    label: A\n    relevnt: 1 = 1\n"), ["9:5 Q003"]),
        ("required: maybe", form("  - type: integer\n    name: a\n    label: A\n    required: maybe\n"), ["9:15 Q004"]),
        ("read_only: sometimes", form("  - type: integer\n    name: a\n    label: A\n    read_only: sometimes\n"), ["9:16 Q004"]),
        ("label as a list", form("  - type: integer\n    name: a\n    label: [A]\n"), ["8:12 Q004"]),
        ("unknown type", form("  - type: integr\n    name: a\n    label: A\n"), ["6:11 Q010"]),
        ("select without list", form("  - type: select_one\n    name: a\n    label: A\n"), ["6:11 Q010"]),
        ("missing name", form("  - type: integer\n    label: A\n"), ["6:5 Q011"]),
        ("invalid name", form("  - type: integer\n    name: 2a\n    label: A\n"), ["7:11 Q012"]),
        ("name with a dash", form("  - type: integer\n    name: a-b\n    label: A\n"), ["7:11 Q012"]),
        ("duplicate name", form(integer + integer), ["10:11 Q013"]),
        ("reserved name", form("  - type: integer\n    name: round\n    label: A\n"), ["7:11 Q014"]),
        ("unknown choice list", form("  - type: select_one yn\n    name: a\n    label: A\n"), ["6:11 Q020"]),
        (
            "duplicate choice",
            form(
                "  - type: select_one yn\n    name: a\n    label: A\n",
                choices: "  yn:\n    - {name: y, label: Y}\n    - {name: y, label: Yes}\n"), ["12:14 Q021"]
        ),
        ("empty choice list", form("  - type: select_one yn\n    name: a\n    label: A\n", choices: "  yn: []\n"), ["6:11 Q022"]),
        (
            "choice with a space",
            form("  - type: select_one yn\n    name: a\n    label: A\n", choices: "  yn:\n    - {name: y y, label: Y}\n"), ["11:14 Q025"]
        ),
        ("label missing a language", form("  - type: integer\n    name: a\n    label: {id: A}\n", languages: "[id, en]"), ["9:12 Q023"]),
        ("plain label in a bilingual form", form("  - type: integer\n    name: a\n    label: A\n", languages: "[id, en]"), ["9:12 Q023"]),
        (
            "undeclared language", form("  - type: integer\n    name: a\n    label: {id: A, en: A, fr: A}\n", languages: "[id, en]"),
            ["9:27 Q024"]
        ),
        ("question without label", form("  - type: integer\n    name: a\n"), ["6:5 Q023"]),
        ("empty group", form("  - type: group\n    name: g\n    label: G\n    children: []\n"), ["9:15 Q030"]),
        ("group without children", form("  - type: group\n    name: g\n    label: G\n"), ["6:5 Q030"]),
        (
            "negative repeat_count",
            form(
                "  - type: repeat\n    name: r\n    label: R\n    repeat_count: -1\n    children:\n" + "  "
                    + integer.replacingOccurrences(of: "\n    ", with: "\n      ")), ["9:19 Q031"]
        ),
        (
            "text repeat_count",
            form(
                "  - type: text\n    name: n\n    label: N\n  - type: repeat\n    name: r\n    label: R\n    repeat_count: ${n}\n    children:\n"
                    + "  " + integer.replacingOccurrences(of: "\n    ", with: "\n      ")), ["12:19 Q031"]
        ),
        ("children on a question", form("  - type: integer\n    name: a\n    label: A\n    children: []\n"), ["9:5 Q032"]),
        ("calculate without calculation", form("  - type: calculate\n    name: c\n"), ["6:5 Q033"]),
        ("calculation on a question", form("  - type: integer\n    name: a\n    label: A\n    calculation: 1\n"), ["9:5 Q034"]),
        ("constraint on a note", form("  - type: note\n    name: a\n    label: A\n    constraint: 1 = 1\n"), ["9:5 Q034"]),
        ("unknown non-response", form("  - type: integer\n    name: a\n    label: A\n    allow: [dont_knw]\n"), ["9:13 Q035"]),
        (
            "cycle",
            form(
                "  - type: calculate\n    name: a\n    calculation: ${b} + 1\n  - type: calculate\n    name: b\n    calculation: ${a} + 1\n"
            ), ["6:5 Q041"]
        ),
        ("self reference", form("  - type: integer\n    name: a\n    label: A\n    relevant: ${a} > 1\n"), ["6:5 Q041"]),
        (
            "group relevance on its own child",
            form(
                "  - type: group\n    name: g\n    label: G\n    relevant: ${a} > 1\n    children:\n      - type: integer\n        name: a\n        label: A\n"
            ), ["6:5 Q041"]
        ),
        // Expressions: the column points inside the expression text.
        ("syntax error", form("  - type: integer\n    name: a\n    label: A\n    constraint: . > 1 and\n"), ["9:26 X001"]),
        ("syntax error, quoted", form("  - type: integer\n    name: a\n    label: A\n    constraint: \". > 1 and\"\n"), ["9:27 X001"]),
        ("unknown function", form("  - type: integer\n    name: a\n    label: A\n    constraint: . > 1 and foo(1)\n"), ["9:27 X002"]),
        ("wrong arity", form("  - type: integer\n    name: a\n    label: A\n    constraint: if(. > 1, 2)\n"), ["9:17 X003"]),
        (
            "unknown field", form(integer + "  - type: integer\n    name: b\n    label: B\n    relevant: ${a} > 1 and ${c} > 2\n"),
            ["12:28 X004"]
        ),
        (
            "field outside its repeat",
            form(
                "  - type: repeat\n    name: r\n    label: R\n    children:\n      - type: integer\n        name: x\n        label: X\n  - type: integer\n    name: b\n    label: B\n    relevant: ${x} > 1\n"
            ), ["16:15 X005"]
        ),
        (
            "certain type error",
            form("  - type: text\n    name: t\n    label: T\n  - type: integer\n    name: b\n    label: B\n    relevant: ${t} * 2 > 1\n"),
            ["12:15 X006"]
        ),
        (
            "not a choice",
            form(
                "  - type: select_one yn\n    name: s\n    label: S\n  - type: integer\n    name: b\n    label: B\n    relevant: ${s} = 'ya'\n",
                choices: "  yn:\n    - {name: 'yes', label: Y}\n    - {name: 'no', label: N}\n"), ["12:22 X007"]
        ),
        ("dot in relevant", form("  - type: integer\n    name: a\n    label: A\n    relevant: . > 1\n"), ["9:15 X008"]),
        ("label interpolation of an unknown field", form("  - type: integer\n    name: a\n    label: \"Age of ${nam}\"\n"), ["8:12 X004"]),
        (
            "block scalar expression",
            form("  - type: integer\n    name: a\n    label: A\n    constraint: |\n      . > 1 and\n      foo(.)\n"), ["11:7 X002"]
        ),
        // Warnings.
        ("default not a number", form("  - type: integer\n    name: a\n    label: A\n    default: many\n"), ["9:14 Q004"]),
        (
            "default not a choice",
            form("  - type: select_one yn\n    name: a\n    label: A\n    default: maybe\n", choices: "  yn:\n    - {name: y, label: Y}\n"),
            ["9:14 Q004"]
        ),
        ("default not a date", form("  - type: date\n    name: a\n    label: A\n    default: 2021-02-30\n"), ["9:14 Q004"]),
        ("never shown", form("  - type: integer\n    name: a\n    label: A\n    relevant: 1 = 2\n"), ["9:15 W001"]),
        ("unused choice list", form(integer, choices: "  yn:\n    - {name: y, label: Y}\n"), ["10:3 W002"]),
        ("label shows a later field", form("  - type: note\n    name: n\n    label: \"You are ${a}\"\n" + integer), ["8:12 W003"]),
        (
            "name too long for Stata", form("  - type: integer\n    name: a_name_that_is_longer_than_stata_allows\n    label: A\n"),
            ["7:11 W004"]
        ),
        (
            "label too long for Stata", form("  - type: integer\n    name: a\n    label: \(String(repeating: "x", count: 81))\n"),
            ["8:12 W005"]
        ),
    ]

    @Test("V1: each problem at its exact place", arguments: cases)
    func locatesProblem(_ title: String, yaml: String, expected: [String]) {
        #expect(diagnostics(yaml) == expected, "\(title)")
    }

    @Test("V2: every problem of a file in one run")
    func allProblemsInOneRun() {
        let yaml = form(
            """
              - type: integr
                name: a
                label: A
              - type: integer
                name: 1b
                label: B
                relevnt: 1
              - type: select_one nope
                name: c
                label: C
                constraint: foo(.)

            """)
        #expect(diagnostics(yaml) == ["6:11 Q010", "10:11 Q012", "12:5 Q003", "13:11 Q020", "16:17 X002"])
    }

    @Test("V1: the rendered message has the file, position, message, code, source line and caret")
    func renderedMessage() throws {
        let yaml = form("  - type: integer\n    name: a\n    label: A\n    relevnt: 1 = 1\n")
        guard case .failure(let report) = QuestionnaireLoader.load(yaml: yaml, file: "forms/t.yaml") else {
            Issue.record("expected errors")
            return
        }
        #expect(
            report.rendered(withSource: true) == """
                forms/t.yaml:9:5: error: unknown key 'relevnt' on an item; did you mean relevant? [Q003]
                        relevnt: 1 = 1
                        ^
                """)
    }

    @Test("V3: warnings leave the questionnaire usable")
    func warningsAreNotErrors() throws {
        let questionnaire = try load(form("  - type: integer\n    name: a\n    label: A\n    relevant: false()\n"))
        #expect(questionnaire.warnings.map(\.code) == ["W001"])
    }

    @Test("unreadable and binary files get a message, not a crash")
    func unreadableFiles() {
        guard case .failure(let missing) = QuestionnaireLoader.load(path: "/nonexistent/form.yaml") else {
            Issue.record("expected a failure")
            return
        }
        #expect(missing.description == "/nonexistent/form.yaml:1:1: error: cannot open the questionnaire: no such file [Q001]")
        guard case .failure(let binary) = QuestionnaireLoader.load(yaml: "settings:\0\0", file: "b.yaml") else {
            Issue.record("expected a failure")
            return
        }
        #expect(binary.diagnostics.first?.message.contains("NUL") == true)
    }
}
