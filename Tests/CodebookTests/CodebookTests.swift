// Requirements covered here (issue: `pantau codebook` and `pantau diff`):
// C1 the codebook lists every variable with labels in every language, type, choices with codes and labels,
//    when it is asked (in words and as written), constraints and warnings, non-responses and the personal-data flag
// C2 the HTML codebook is one self-contained file: no scripts, no external resources
// D1 diff lists per variable: added, removed, type changed, codes added/removed/recoded/relabelled, label and
//    relevance changes
// D2 only type changes and removed or recoded codes of kept variables break comparability
import Foundation
import TestSupport
import Testing

@testable import Codebook
@testable import Questionnaire

func loadExample(_ name: String) throws -> Questionnaire {
    try QuestionnaireLoader.load(path: repositoryRoot.appendingPathComponent("Questionnaires/examples/\(name)").path).get()
}

func loadForm(_ yaml: String) throws -> Questionnaire {
    try QuestionnaireLoader.load(yaml: yaml, file: "t.yaml").get()
}

struct CodebookTests {
    @Test("C1: Markdown codebook of the example (golden file)")
    func markdown() throws {
        let codebook = Codebook(try loadExample("household.yaml"))
        assertSnapshot(CodebookMarkdown.render(codebook), named: "household-codebook.md")
    }

    @Test("C1: labels cannot inject markup into the Markdown codebook: links, HTML, emphasis and table cells are escaped")
    func markupInjection() throws {
        let form = try loadForm(
            """
            settings: {form_id: t, title: T, version: "1"}
            survey:
              - {type: text, name: q, label: "<script>alert(1)</script> [click](http://example.org) *bold* a|b"}
              - {type: select_one yn, name: s, label: S}
            choices:
              yn:
                - {name: "yes", label: "![x](http://example.org/x.png)"}
                - {name: "no", label: No}
            """)
        let markdown = CodebookMarkdown.render(Codebook(form))
        #expect(markdown.contains("\\<script\\>alert(1)\\</script\\> \\[click\\](http://example.org) \\*bold\\* a\\|b"), "\(markdown)")
        #expect(markdown.contains("!\\[x\\](http://example.org/x.png)"))
        #expect(!markdown.contains("<script>") && !markdown.contains("[click]("))
    }

    @Test("C2: HTML codebook of the example (golden file), self-contained")
    func html() throws {
        let html = CodebookHTML.render(Codebook(try loadExample("household.yaml")))
        assertSnapshot(html, named: "household-codebook.html")
        for external in ["<script", "http://", "https://", "<link", "src=", "@import"] {
            #expect(!html.contains(external), "\(external)")
        }
    }

    @Test("C1: relevance in words, inherited from groups, with choice labels")
    func relevanceInWords() throws {
        let codebook = Codebook(try loadExample("household.yaml"))
        let byName = Dictionary(uniqueKeysWithValues: codebook.entries.map { ($0.name, $0) })
        #expect(byName["province"]?.askedWhen == "consent is 'OK'")
        #expect(byName["business_registered"]?.askedWhen == "has_business includes 'yes' (Ya)")
        #expect(byName["member_disability"]?.askedWhen == "consent is 'OK', and member_age is at least 5")
        #expect(byName["member_age"]?.warning?.inWords == "the answer is at most 100")
        #expect(byName["member_age"]?.allowedNonResponses == ["dont_know"])
        #expect(byName["respondent_name"]?.pii == true)
        #expect(byName["district"]?.choices.map(\.code) == ["1105", "1117", "3329", "3326"])
        #expect(byName["district"]?.labels.map(\.language) == ["id", "en"])
    }

    @Test("C2: HTML escapes what authors write")
    func escaping() throws {
        let codebook = Codebook(
            try loadForm(
                """
                settings: {form_id: t, title: "<T&>", version: "1"}
                survey:
                  - {type: integer, name: a, label: "<script>alert(1)</script>", constraint: ". < 5 and . > 1"}
                """))
        let html = CodebookHTML.render(codebook)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&lt;T&amp;&gt;"))
    }
}

struct DiffTests {
    static func version(_ survey: String, choices: String) -> String {
        "settings: {form_id: t, title: T, version: \"1\"}\nsurvey:\n\(survey)choices:\n\(choices)"
    }

    static let base = version(
        """
          - {type: select_one sid, name: sid, label: SID status}
          - {type: integer, name: meetings, label: BPD meetings, relevant: "${sid} != 'none'"}
          - {type: text, name: notes, label: Notes}

        """,
        choices: """
              sid:
                - {name: none, label: None}
                - {name: paper, label: Paper}
                - {name: online, label: Online}

            """)

    @Test("D1 D2: the example's next round keeps comparability (golden file)")
    func exampleRounds() throws {
        let diff = QuestionnaireDiff(old: try loadExample("household.yaml"), new: try loadExample("household-2021-H2.yaml"))
        #expect(!diff.breaksComparability)
        assertSnapshot(DiffRenderer.render(diff, markdown: true), named: "household-diff.md")
        assertSnapshot(DiffRenderer.render(diff, markdown: false), named: "household-diff.txt")
    }

    /// A change to the base form, and the changes expected for one variable.
    static let cases: [(String, String, String, [String], Bool)] = [
        (
            "added variable", "  - {type: text, name: notes, label: Notes}\n",
            "  - {type: text, name: notes, label: Notes}\n  - {type: integer, name: covid, label: COVID}\n",
            ["covid: added (integer)"], false
        ),
        ("removed variable", "  - {type: text, name: notes, label: Notes}\n", "", ["notes: removed (text)"], false),
        (
            "type changed", "{type: integer, name: meetings", "{type: decimal, name: meetings",
            ["meetings: type changed: integer → decimal"], true
        ),
        (
            "select became text", "{type: select_one sid, name: sid", "{type: text, name: sid",
            ["sid: type changed: select_one sid → text"], true
        ),
        (
            "code added", "    - {name: online, label: Online}\n",
            "    - {name: online, label: Online}\n    - {name: offline, label: Offline}\n",
            ["sid: choice codes added: offline"], false
        ),
        ("code removed", "    - {name: paper, label: Paper}\n", "", ["sid: choice codes removed: paper"], true),
        (
            "code recoded", "{name: paper, label: Paper}", "{name: p, label: Paper}",
            ["sid: choice recoded: 'Paper' was code paper, is now p"], true
        ),
        (
            "codes swapped", "{name: paper, label: Paper}\n    - {name: online, label: Online}",
            "{name: paper, label: Online}\n    - {name: online, label: Paper}",
            ["sid: choice recoded: 'Online' was code online, is now paper", "sid: choice recoded: 'Paper' was code paper, is now online"],
            true
        ),
        (
            "choice relabelled", "{name: paper, label: Paper}", "{name: paper, label: Paper records}",
            ["sid: choice paper relabelled: 'Paper' → 'Paper records'"], false
        ),
        (
            "label changed", "label: BPD meetings", "label: BPD meetings held",
            ["meetings: label changed: 'BPD meetings' → 'BPD meetings held'"], false
        ),
        (
            "relevance changed", "relevant: \"${sid} != 'none'\"", "relevant: \"${sid} = 'online'\"",
            ["meetings: relevance changed: ${sid} != 'none' → ${sid} = 'online'"], false
        ),
    ]

    @Test("D1 D2: each kind of change", arguments: cases)
    func change(_ title: String, find: String, replace: String, expected: [String], breaks: Bool) throws {
        #expect(Self.base.contains(find), "\(title)")
        let old = try loadForm(Self.base)
        let new = try loadForm(Self.base.replacingOccurrences(of: find, with: replace))
        let diff = QuestionnaireDiff(old: old, new: new)
        let lines = diff.variables.flatMap { variable in variable.changes.map { "\(variable.name): \($0)" } }
        #expect(lines == expected, "\(title)")
        #expect(diff.breaksComparability == breaks, "\(title)")
    }

    @Test("D1: identical versions have no changes")
    func identical() throws {
        let diff = QuestionnaireDiff(old: try loadForm(Self.base), new: try loadForm(Self.base))
        #expect(diff.variables.isEmpty)
        #expect(diff.unchangedCount == 3)
    }
}
