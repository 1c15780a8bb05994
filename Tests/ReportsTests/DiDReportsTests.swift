// Requirements covered here (issue: DiD, the renderers; a codebase on checks that cannot lie):
// D1 every format renders the same estimates: Markdown, CSV, JSON (parsed back), LaTeX, HTML
// D2 the HTML is one offline file with an event-study chart when there are event-time rows
// D3 text from the data (terms, titles) is escaped in HTML and LaTeX
import Analysis
import Foundation
import Reports
import Testing

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
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try DiDReports.render(report, as: .json).utf8)) as? [String: Any])
        let estimators = try #require(json["estimators"] as? [[String: Any]])
        #expect(estimators.map { $0["estimator"] as? String } == ["twfe", "event_study"])
        let terms = try #require(estimators[0]["terms"] as? [[String: Any]])
        #expect(terms.first?["estimate"] as? Double == 0.25)
        let latex = try DiDReports.render(report, as: .latex)
        #expect(latex.contains("0.2500") && latex.contains("\\caption{TWFE\\_1 \\& co}"))
    }

    @Test("D2 D3: the HTML is one offline file with a chart, and escapes the data's text")
    func html() throws {
        let html = try DiDReports.render(report, as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("<title>Sekar &lt;Desa&gt; &amp; co</title>") && !html.contains("<Desa>"))
        #expect(html.components(separatedBy: "<svg").count == 2, "one chart: only the event study has event-time rows")
        for forbidden in ["<script", "src=", "<link", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
    }
}
