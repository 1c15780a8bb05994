// Requirements covered here: the page frame every HTML report shares.
// H1 the five characters HTML gives a meaning are escaped, everything else kept
// H2 a page is self-contained (no script, no external resource), names its language and title, prints on A4
import Tabular
import Testing

struct HTMLTests {
    @Test("H1: escaping")
    func escaping() {
        #expect(HTML.escape(#"<a href="x">Tom & 'Jerry'</a> é"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; é")
    }

    @Test("H2: one self-contained page, title and language escaped, the page's own style after the common one")
    func page() {
        let html = HTML.pageStart(title: "Desa <Satu>", language: "id", style: ".own { color: red; }") + "<p>x</p>\n" + HTML.pageEnd
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">"))
        #expect(html.contains("<title>Desa &lt;Satu&gt;</title>"))
        #expect(html.contains("@page { size: A4"))
        #expect(html.range(of: "@page")!.lowerBound < html.range(of: ".own { color: red; }")!.lowerBound)
        #expect(html.hasSuffix("<body>\n<p>x</p>\n</body>\n</html>\n"))
        for forbidden in ["<script", "src=", "<link", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
    }
}
