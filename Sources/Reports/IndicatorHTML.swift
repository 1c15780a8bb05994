import Analysis
import Foundation
import Tabular

/// One self-contained HTML file: inline CSS and SVG, no scripts, no network requests; prints on A4.
public enum IndicatorHTML {
    static let palette = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#4f5d75", "#c4661f", "#2e4057", "#9a031e"]

    public static func render(_ table: IndicatorTable) -> String {
        let language = table.language
        let numbers = Numbers(language: language)
        var out = HTML.pageStart(
            title: "\(table.title) \(table.round)", language: language ?? "en",
            style: """
                h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 0.4rem; }
                p.note { color: #555; font-size: 0.85rem; }
                table { border-collapse: collapse; width: 100%; margin: 0.4rem 0 1rem; font-size: 0.85rem; }
                th, td { border: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: right; white-space: nowrap; }
                td:first-child, td.text { white-space: normal; }
                th:first-child, td:first-child, td.text { text-align: left; }
                th { background: #f3f3f3; }
                .met { background: #d8f0d8; } .on { background: #fff2c6; } .off { background: #f8d4d4; }
                .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
                .charts svg { border: 1px solid #eee; background: #fff; }
                .warning { color: #8a1c1c; font-weight: 600; }
                @media print { .charts svg { max-width: 48%; height: auto; } }
                """)
        out += """
            <h1>\(escape(table.title))</h1>
            <p>Round <strong>\(escape(table.round))</strong>\(table.previousRound.map { "; previous round \(escape($0))" } ?? ""). Only completed interviews count; irrelevant answers never do.</p>
            <p class="note">\(escape(intervalNote(table.intervals)))</p>
            <table>
            <tr><th>indicator</th><th>value</th><th>95% CI</th><th>n / N</th><th>previous</th><th>change</th><th>target</th><th>status</th></tr>

            """
        for result in table.results {
            guard let row = result.overall else { continue }
            let kind = result.indicator.measure.kind
            let statusClass =
                result.status.map { status -> String in
                    switch status {
                    case .met: "met"
                    case .onTrack: "on"
                    case .offTrack: "off"
                    }
                } ?? ""
            out +=
                "<tr><td><a href=\"#\(escape(result.indicator.id))\">\(escape(result.label(language)))</a>\(result.comparability == nil ? "" : " <span class=\"warning\">†</span>")</td>"
            out +=
                "<td>\(numbers.format(row.value, kind))</td><td>\(row.low.map { "\(numbers.format($0, kind))–\(numbers.format(row.high, kind))" } ?? "–")</td>"
            out +=
                "<td>\(row.n) / \(row.population.map(String.init) ?? "–")</td><td>\(numbers.format(row.previous, kind))</td><td>\(numbers.signed(row.change, kind))</td>"
            out +=
                "<td>\(result.indicator.target.map { numbers.format($0.value, kind) } ?? "–")</td><td class=\"\(statusClass)\">\(escape(result.status?.rawValue ?? "–"))</td></tr>\n"
        }
        out += "</table>\n<p class=\"note\">† not comparable with the previous round; see the indicator.</p>\n"
        for result in table.results {
            let kind = result.indicator.measure.kind
            out += "<section id=\"\(escape(result.indicator.id))\">\n<h2>\(escape(result.label(language)))</h2>\n"
            if let note = result.comparability { out += "<p class=\"warning\">\(escape(note))</p>\n" }
            out += "<div class=\"charts\">\n" + lineChart(result, numbers) + barChart(result, numbers) + "</div>\n"
            out +=
                "<table><tr><th>by</th><th>group</th><th>value</th><th>95% CI</th><th>n</th><th>N</th><th>missing</th><th>non-response</th><th>previous</th><th>change</th></tr>\n"
            for row in result.rows {
                out += "<tr><td>\(escape(row.dimension))</td><td class=\"text\">\(escape(row.group))</td><td>\(numbers.format(row.value, kind))</td>"
                out += "<td>\(row.low.map { "\(numbers.format($0, kind))–\(numbers.format(row.high, kind))" } ?? "–")</td><td>\(row.n)</td>"
                out += "<td>\(row.population.map(String.init) ?? "–")</td><td>\(row.missing)</td><td>\(row.nonResponse)</td>"
                out += "<td>\(numbers.format(row.previous, kind))</td><td>\(numbers.signed(row.change, kind))</td></tr>\n"
            }
            out += "</table>\n</section>\n"
        }
        return out + HTML.pageEnd
    }

    /// Rounds on the x axis; the overall line in black, one thin line per province; the target dashed.
    static func lineChart(_ result: IndicatorResult, _ numbers: Numbers) -> String {
        let width = 460.0, height = 260.0, left = 52.0, right = 130.0, top = 16.0, bottom = 30.0
        let rounds = result.series.map(\.round)
        var all = result.series.compactMap(\.value) + result.provinceSeries.flatMap { $0.values.compactMap { $0 } }
        if let target = result.indicator.target?.value { all.append(target) }
        guard !all.isEmpty, rounds.count > 0 else { return "" }
        // Shares keep their zero; other measures use the data's range, so that change stays visible.
        var low = result.indicator.measure.kind == "share" ? min(0, all.min()!) : all.min()!, high = all.max()!
        if high == low { high = low + 1 }
        let margin = (high - low) * 0.08
        high += margin
        if result.indicator.measure.kind == "share", all.max()! <= 100 { high = min(high, 100) }
        if result.indicator.measure.kind != "share" || low < 0 { low -= margin }
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double { left + (rounds.count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(rounds.count - 1)) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / (high - low)) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(result.indicator.id)) by round\">\n"
        for step in 0...4 {
            let value = low + (high - low) * Double(step) / 4
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" stroke=\"#eee\"/>"
            svg +=
                "<text x=\"\(f(left - 4))\" y=\"\(f(y(value) + 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">\(numbers.format(value, result.indicator.measure.kind))</text>\n"
        }
        for (index, round) in rounds.enumerated() {
            svg += "<text x=\"\(f(x(index)))\" y=\"\(f(height - 10))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">\(escape(round))</text>\n"
        }
        if let target = result.indicator.target?.value {
            svg +=
                "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(target)))\" y2=\"\(f(y(target)))\" stroke=\"#2a7d2a\" stroke-dasharray=\"5 4\"/>"
            svg +=
                "<text x=\"\(f(width - right + 4))\" y=\"\(f(y(target) + 4))\" font-size=\"10\" fill=\"#2a7d2a\">target \(numbers.format(target, result.indicator.measure.kind))</text>\n"
        }
        func path(_ values: [Double?]) -> String {
            var d = "", pen = false
            for (index, value) in values.enumerated() {
                guard let value else {
                    pen = false
                    continue
                }
                d += "\(pen ? "L" : "M")\(f(x(index))) \(f(y(value))) "
                pen = true
            }
            return d
        }
        // Labels at the lines' ends, pushed apart so they never overlap.
        var labels: [(y: Double, name: String, colour: String)] = []
        for (index, series) in result.provinceSeries.enumerated() {
            let colour = palette[index % palette.count]
            svg += "<path d=\"\(path(series.values))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.2\" opacity=\"0.8\"/>\n"
            if let last = series.values.lastIndex(where: { $0 != nil }), let value = series.values[last] {
                labels.append((y(value) + 3, String(series.name.prefix(22)), colour))
            }
        }
        labels.sort { $0.y < $1.y }
        for index in labels.indices.dropFirst() where labels[index].y < labels[index - 1].y + 10 { labels[index].y = labels[index - 1].y + 10 }
        for label in labels {
            svg += "<text x=\"\(f(width - right + 4))\" y=\"\(f(label.y))\" font-size=\"9\" fill=\"\(label.colour)\">\(escape(label.name))</text>\n"
        }
        svg += "<path d=\"\(path(result.series.map(\.value)))\" fill=\"none\" stroke=\"#111\" stroke-width=\"2.5\"/>\n"
        for (index, value) in result.series.enumerated() {
            if let value = value.value { svg += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"#111\"/>" }
        }
        svg += "\n</svg>\n"
        return svg
    }

    /// This round's value per district, as horizontal bars.
    static func barChart(_ result: IndicatorResult, _ numbers: Numbers) -> String {
        let values = result.districts.filter { $0.value != nil }
        guard !values.isEmpty else { return "" }
        let rowHeight = 13.0, left = 150.0, width = 460.0, top = 8.0
        let height = top * 2 + rowHeight * Double(values.count)
        let maxValue = max(values.compactMap(\.value).max() ?? 1, result.indicator.target?.value ?? 0, 1e-9)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(result.indicator.id)) by district\">\n"
        for (index, entry) in values.enumerated() {
            let value = entry.value ?? 0
            let y = top + rowHeight * Double(index)
            let length = max(0, (width - left - 50) * value / maxValue)
            svg +=
                "<text x=\"\(f(left - 4))\" y=\"\(f(y + 9.5))\" font-size=\"9\" text-anchor=\"end\" fill=\"#333\">\(escape(String(entry.name.prefix(26))))</text>"
            svg += "<rect x=\"\(f(left))\" y=\"\(f(y + 2))\" width=\"\(f(length))\" height=\"\(f(rowHeight - 4))\" fill=\"#1b6ca8\"/>"
            svg +=
                "<text x=\"\(f(left + length + 3))\" y=\"\(f(y + 9.5))\" font-size=\"9\" fill=\"#333\">\(numbers.format(value, result.indicator.measure.kind))</text>\n"
        }
        if let target = result.indicator.target?.value {
            let x = left + (width - left - 50) * target / maxValue
            svg += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(height - top))\" stroke=\"#2a7d2a\" stroke-dasharray=\"4 3\"/>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    public static func escape(_ text: String) -> String { HTML.escape(text) }
}
