// Requirements covered here (issue: DiD, the renderers; a codebase on checks that cannot lie):
// D1 every format renders the same estimates: Markdown, CSV, JSON (parsed back), LaTeX, HTML
// D2 the HTML is one offline file with an event-study chart when there are event-time rows
// D3 text from the data (terms, titles) is escaped in HTML and LaTeX
import Analysis
import Foundation
import TestSupport
import Testing

@testable import Reports

struct DiDReportsTests {
    static func coefficient(_ term: String, _ estimate: Double) -> Coefficient {
        Coefficient(term: term, estimate: estimate, standardError: 0.1, pValue: 0.02, low: estimate - 0.2, high: estimate + 0.2)
    }

    let report = DiDReport(
        title: "Sekar <Desa> & co", header: "spec.yaml · outcome y", notes: ["600 units"],
        tables: [
            DiDTable(
                title: "TWFE_1 & co", estimator: "twfe", rows: [DiDTable.Row(term: "treated", coefficient: coefficient("treated", 0.25))],
                observations: 2400, clusters: 24, seType: "CR1", notes: []),
            DiDTable(
                title: "Event study", estimator: "event_study",
                rows: (-2...2).map { DiDTable.Row(term: "e\($0)", coefficient: coefficient("e\($0)", Double($0) / 10), eventTime: $0) },
                observations: 2400, clusters: 24, seType: "CR1", notes: ["reference period −1"]),
        ])

    @Test("D1: the same estimates in every format")
    func formats() throws {
        let markdown = try DiDReports.render(report, as: .md)
        #expect(markdown.contains("treated") && markdown.contains("0.2500"))
        let csv = try DiDReports.render(report, as: .csv)
        #expect(csv.split(separator: "\n").count == 1 + 1 + 5)
        // The event time and, where the jackknife replaced it, the estimator's own standard error and its kind.
        var rows = report.tables[1].rows
        rows[0].conventionalStandardError = ("cr1_std_error", 0.125)
        let replaced = DiDTable(title: "Event study", estimator: "event_study", rows: rows, observations: 2400, clusters: 24, seType: "CR1", notes: [])
        let lines = DiDReports.csv(DiDReport(title: "t", header: "h", notes: [], tables: [replaced])).split(separator: "\n")
        #expect(lines[1].hasSuffix(",CR1,-2,0.125,cr1_std_error") && lines[2].hasSuffix(",CR1,-1,,"), "\(lines)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try DiDReports.render(report, as: .json).utf8)) as? [String: Any])
        let estimators = try #require(json["estimators"] as? [[String: Any]])
        #expect(estimators.map { $0["estimator"] as? String } == ["twfe", "event_study"])
        let terms = try #require(estimators[0]["terms"] as? [[String: Any]])
        #expect(terms.first?["estimate"] as? Double == 0.25)
        let latex = try DiDReports.render(report, as: .latex)
        #expect(latex.contains("0.2500") && latex.contains("\\caption{TWFE\\_1 \\& co}"))
    }

    @Test("a dose's finding is the effect per unit of dose at its first change, not the programme's")
    func doseFinding() {
        let rows = [
            DiDTable.Row(term: "event time 0 (DID_1)", coefficient: Self.coefficient("event time 0 (DID_1)", 1.9), eventTime: 0),
            DiDTable.Row(term: "DID^n_1 (event time 0, per unit of dose)", coefficient: Self.coefficient("DID^n_1", 1.4)),
        ]
        let table = DiDTable(title: "Dose", estimator: "chaisemartin_dhaultfoeuille", rows: rows, observations: 10, clusters: 5, seType: "x", notes: [])
        let findings = DiDReports.findings(DiDReport(title: "t", header: "h", notes: [], tables: [table]))
        #expect(
            findings == [
                "Dose: at its first change, each unit of the dose raised the outcome by an estimated 1.40 units of the outcome (95% interval 1.20 to 1.60); the interval excludes zero."
            ])
    }

    @Test("D4: the Markdown and HTML reports equal their golden files (Snapshots/; RECORD_SNAPSHOTS=1 re-records)")
    func golden() throws {
        assertSnapshot(try DiDReports.render(report, as: .md), named: "did.md")
        assertSnapshot(try DiDReports.render(report, as: .html), named: "did.html")
    }

    @Test("D2 D3: the HTML is one offline file with a chart, and escapes the data's text")
    func html() throws {
        let html = try DiDReports.render(report, as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("<title>Sekar &lt;Desa&gt; &amp; co</title>") && !html.contains("<Desa>"))
        #expect(html.components(separatedBy: "<svg").count == 2, "one chart: only the event study has event-time rows")
        for forbidden in ["<script", "src=", "<link", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
    }

    @Test("the event-time axis says what event time counts from: adoption, or de Chaisemartin & D'Haultfœuille's first switch")
    func eventTimeAxis() {
        let rows = (-2...1).filter { $0 != -1 }.map { DiDTable.Row(term: "e\($0)", coefficient: Self.coefficient("e\($0)", 0.1), eventTime: $0) }
        #expect(DiDReports.plot(rows, estimator: "event_study").contains(">event time (periods since adoption)</text>"))
        let switching = DiDReports.plot(rows, estimator: "chaisemartin_dhaultfoeuille")
        #expect(switching.contains(">event time (periods since the first switch)</text>") && !switching.contains("since adoption"))
    }
}

struct DiDFindingsTests {
    @Test("one plain sentence per estimator, in the outcome's unit; Markdown code spans become <code> in HTML")
    func findings() throws {
        let row = DiDTable.Row(
            term: "treated", coefficient: Coefficient(term: "treated", estimate: 0.0512, standardError: 0.01, pValue: 0.001, low: 0.031, high: 0.071))
        let flat = DiDTable.Row(
            term: "overall ATT (simple)",
            coefficient: Coefficient(term: "overall ATT (simple)", estimate: -0.01, standardError: 0.02, pValue: 0.6, low: -0.05, high: 0.03))
        let report = DiDReport(
            title: "T", header: "`did-x.yaml` · outcome `${sid} = 'online'`", notes: [],
            tables: [
                DiDTable(title: "TWFE", estimator: "twfe", rows: [row], observations: 10, clusters: 2, seType: "CR1", notes: []),
                DiDTable(title: "C&S", estimator: "callaway_santanna", rows: [flat], observations: 10, clusters: 2, seType: "IF", notes: []),
            ],
            metadata: ["outcome": "${sid} = 'online'", "unit": "percentage points", "scale": "100"])
        #expect(
            DiDReports.findings(report) == [
                "TWFE: the programme raised the share of units with sid = 'online' by an estimated 5.12 percentage points (95% interval 3.10 to 7.10); the interval excludes zero.",
                "C&S: the programme lowered the share of units with sid = 'online' by an estimated 1.00 percentage points (95% interval -5.00 to 3.00); the interval includes zero, so no effect cannot be ruled out.",
            ])
        let html = try DiDReports.render(report, as: .html)
        #expect(html.contains("<p><code>did-x.yaml</code> · outcome <code>${sid} = &#39;online&#39;</code></p>") && !html.contains("`"))
        #expect(try DiDReports.render(report, as: .md).contains("**Findings.** TWFE: the programme raised"))
    }

    @Test("axis ticks are round values with zero among them")
    func ticks() {
        #expect(Ticks.nice(low: -0.886, high: 2.621) == [-1, 0, 1, 2, 3])
        #expect(Ticks.nice(low: 0, high: 87.6) == [0, 25, 50, 75, 100])
        #expect(Ticks.nice(low: 0.016, high: 0.128).contains(0))
        #expect(Ticks.label(0.05, step: 0.05) == "0.05" && Ticks.label(20, step: 20) == "20")
    }

    @Test("D4: an event study's sensitivity to parallel trends: a table per restriction, the breakdown sentence, a chart, the JSON object")
    func sensitivity() throws {
        let times = [-3, -2, 0, 1, 2]
        var table = DiDTable(
            title: "Event study", estimator: "event_study",
            rows: times.map {
                DiDTable.Row(term: "e\($0)", coefficient: DiDReportsTests.coefficient("e\($0)", $0 < 0 ? 0.01 * Double($0) : 0.5), eventTime: $0)
            },
            observations: 2400, clusters: 24, seType: "CR1", notes: [])
        table.eventCovariance = (times, [true, true, true, true, true], times.indices.map { a in times.indices.map { a == $0 ? 0.01 : 0.002 } })
        table = table.withSensitivity(method: .conditional)
        let s = try #require(table.sensitivity)
        #expect(s.preTimes == [-3, -2] && s.postTimes == [0, 1, 2])
        let report = DiDReport(title: "t", header: "h", notes: [], tables: [table])
        let markdown = try DiDReports.render(report, as: .md)
        #expect(markdown.contains("### Sensitivity to parallel trends (Rambachan & Roth)"))
        #expect(markdown.contains("| M̄ = 1.00 |") && markdown.contains("| Relative magnitudes | effect at event time 0 | average post-period effect |"))
        #expect(markdown.contains("the interval excludes zero until M̄ ="), "\(markdown)")
        let html = try DiDReports.render(report, as: .html)
        #expect(html.contains("aria-label=\"robust confidence intervals by M̄\"") && html.contains("aria-label=\"robust confidence intervals by M\""))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try DiDReports.render(report, as: .json).utf8)) as? [String: Any])
        let estimator = try #require((json["estimators"] as? [[String: Any]])?.first)
        let object = try #require(estimator["sensitivity"] as? [String: Any])
        let targets = try #require(object["targets"] as? [[String: Any]])
        #expect(targets.count == 2 && (targets[0]["relative_magnitudes"] as? [Any])?.count == 9)
        #expect((object["covariance"] as? [[Double]])?.count == 5 && object["pretest_power"] != nil)
        // A table whose event time −1 is an estimate (a varying base period) gets a note instead.
        var varying = DiDTable(
            title: "C&S", estimator: "callaway_santanna",
            rows: [-2, -1, 0].map { (t: Int) in DiDTable.Row(term: "e\(t)", coefficient: DiDReportsTests.coefficient("e\(t)", 0.1), eventTime: t) },
            observations: 10, clusters: 2, seType: "IF", notes: [])
        varying.eventCovariance = ([-2, -1, 0], [true, true, true], [[0.01, 0, 0], [0, 0.01, 0], [0, 0, 0.01]])
        let noted = varying.withSensitivity()
        #expect(noted.sensitivity == nil && noted.notes.last?.contains("base_period: universal") == true)
        // Event time −2 a bin of several periods: a note says why there is no analysis and how to get one.
        var binned = table
        binned.sensitivity = nil
        binned.eventCovariance = (times, [true, false, true, true, true], times.indices.map { a in times.indices.map { a == $0 ? 0.01 : 0.002 } })
        let withoutAnalysis = binned.withSensitivity()
        #expect(withoutAnalysis.sensitivity == nil && withoutAnalysis.notes.last?.contains("event time -2 is a bin of several periods") == true)
    }
}
