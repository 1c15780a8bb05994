// Requirements covered here (issue: outputs a programme manager signs):
// G1 the indicator report in Markdown and HTML, in Indonesian and in English, equals its golden file
//    (Snapshots/; RECORD_SNAPSHOTS=1 re-records, and Scripts/render_report.sh renders the HTML for a look)
// G2 nothing English is left in the Indonesian report's own words
import Foundation
import TestSupport
import Testing

@testable import Analysis
@testable import Reports

@Suite(.temporaryFiles)
struct ReportSnapshotTests {
    func table(_ language: String) throws -> IndicatorTable {
        let fixture = try Fixture.make()
        try PopulationTests.spec.write(to: fixture.folder.appendingPathComponent("populations.indicators.yaml"), atomically: true, encoding: .utf8)
        var table = try fixture.table(round: "R2", spec: "populations.indicators.yaml", language: language)
        table.extractedAt = "2021-07-01 09:00 UTC"
        return table
    }

    @Test("G1: golden Markdown and HTML reports", arguments: ["id", "en"])
    func golden(language: String) throws {
        let table = try table(language)
        assertSnapshot(IndicatorMarkdown.render(table), named: "indicators-\(language).md")
        assertSnapshot(IndicatorHTML.render(table), named: "indicators-\(language).html")
    }

    @Test("G2: the Indonesian report's own words are Indonesian")
    func indonesian() throws {
        let markdown = IndicatorMarkdown.render(try table("id"))
        for english in [
            "previous round", "Only completed", "answered", "eligible", "off track", "on track", "met", "comparison", "not asked", "exact", "not comparable",
            "changed",
        ] {
            #expect(!markdown.contains(english), "\(english)")
        }
        #expect(markdown.contains("menjawab / memenuhi syarat") && markdown.contains("pembanding"))
    }
}
