import Analysis
import Foundation
import Tabular

/// One self-contained HTML file: inline CSS and SVG, no scripts, no network requests; prints on A4.
public enum IndicatorHTML {
    /// Okabe and Ito's colour-blind-safe palette, darkened where the original is too pale on white; black is kept
    /// for the overall line and grey for the comparison units.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#3B8FC2", "#A5402D", "#5E3C99"]

    public static func render(_ table: IndicatorTable) -> String {
        let language = table.language
        let numbers = Numbers(language: language), words = ReportWords(language: language)
        let compared = table.results.contains { $0.comparison != nil }
        var out = HTML.pageStart(
            title: "\(table.title) \(table.round)", language: language ?? "en",
            style: """
                h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 0.4rem; }
                p.note { color: #555; font-size: 0.85rem; } p.summary { font-size: 1rem; background: #f6f8fa; padding: 0.6rem 0.8rem; }
                table { border-collapse: collapse; width: 100%; margin: 0.4rem 0 1rem; font-size: 0.85rem; }
                th, td { border: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: right; white-space: nowrap; }
                td:first-child, td.text { white-space: normal; }
                th:first-child, td:first-child, td.text { text-align: left; }
                th { background: #f3f3f3; white-space: normal; vertical-align: bottom; }
                td:first-child { min-width: 14rem; }
                td.comparison, th.comparison { color: #555; background: #fafafa; }
                .met { background: #d8f0d8; } .on { background: #fff2c6; } .off { background: #f8d4d4; }
                .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
                .charts svg { border: 1px solid #eee; background: #fff; }
                .warning { color: #8a1c1c; font-weight: 600; }
                @media print { .charts svg { max-width: 48%; height: auto; } h2 { break-after: avoid; } }
                """)
        out += "<h1>\(escape(table.title))</h1>\n<p>\(escape(words.roundLine(table)))</p>\n"
        if let dates = words.dates(table) { out += "<p class=\"note\">\(escape(dates))</p>\n" }
        let summary = words.summary(table, numbers: numbers)
        if !summary.isEmpty { out += "<p class=\"summary\">\(escape(summary))</p>\n" }
        out += "<table>\n<tr><th>\(words.indicator)</th><th>\(words.baseline)</th><th>\(escape(table.previousRound ?? words.previous))</th>"
        out += "<th>\(escape(table.round))</th><th>\(words.interval)</th><th>\(words.answeredOfEligible)</th>"
        if compared { out += "<th class=\"comparison\">\(words.comparison)</th>" }
        out += "<th>\(words.target)</th><th>\(words.status)</th></tr>\n"
        for result in table.results {
            guard let row = result.overall else { continue }
            let kind = result.indicator.measure.kind
            let mark = result.comparability == nil ? "" : " <span class=\"warning\">†</span>"
            out += "<tr><td><a href=\"#\(escape(result.indicator.id))\">\(escape(result.label(language)))</a>\(mark)</td>"
            out += "<td>\(result.indicator.baseline.map { numbers.format($0.value, kind) } ?? "–")</td><td>\(numbers.format(row.previous, kind))</td>"
            out += "<td><strong>\(numbers.format(row.value, kind))</strong></td><td>\(escape(IndicatorMarkdown.interval(row, kind, numbers, words)))</td>"
            out += "<td>\(row.n) / \(row.eligible)</td>"
            if compared { out += "<td class=\"comparison\">\(result.comparison.map { numbers.format($0.value, kind) } ?? "–")</td>" }
            out += "<td>\(result.indicator.target.map { numbers.format($0.value, kind) } ?? "–")</td>"
            out += "<td class=\"\(statusClass(result.status))\">\(escape(words.statusWord(result.status)))</td></tr>\n"
        }
        out += "</table>\n<p class=\"note\">\(escape(words.notComparableMark)) \(escape(words.intervalNote(table.intervals)))</p>\n"
        for result in table.results {
            let kind = result.indicator.measure.kind
            out += "<section id=\"\(escape(result.indicator.id))\">\n<h2>\(escape(result.label(language)))</h2>\n"
            if let population = words.populationLine(result) { out += "<p class=\"note\">\(escape(population))</p>\n" }
            if let note = result.comparability { out += "<p class=\"warning\">\(escape(note))</p>\n" }
            out += "<div class=\"charts\">\n" + lineChart(result, numbers, words, table) + barChart(result, numbers) + "</div>\n"
            out += "<table><tr><th>\(words.by)</th><th>\(words.group)</th><th>\(words.value)</th><th>\(words.interval)</th>"
            out += "<th>\(words.answeredOfEligible)</th><th>\(words.notAsked)</th><th>\(words.missing)</th><th>\(words.nonResponse)</th>"
            out += "<th>\(words.frameUnits)</th><th>\(words.previous)</th><th>\(words.change)</th></tr>\n"
            for row in result.rows + (result.comparison.map { [$0] } ?? []) {
                let comparison = row.dimension == "comparison"
                let dimension = comparison ? words.comparison : row.dimension == "overall" ? words.overall : row.dimension
                out +=
                    "<tr\(comparison ? " class=\"comparison\"" : "")><td>\(escape(dimension))</td><td class=\"text\">\(escape(row.group == "all" ? "" : row.group))</td>"
                out += "<td>\(numbers.format(row.value, kind))</td><td>\(escape(IndicatorMarkdown.interval(row, kind, numbers, words)))</td>"
                out += "<td>\(row.n) / \(row.eligible)</td><td>\(row.notAsked)</td><td>\(row.missing)</td><td>\(row.nonResponse)</td>"
                out +=
                    "<td>\(row.population.map(String.init) ?? "–")</td><td>\(numbers.format(row.previous, kind))</td><td>\(numbers.signed(row.change, kind))</td></tr>\n"
            }
            out += "</table>\n"
            if result.provinceStatus.contains(where: { $0.status != nil }) {
                out += "<table><tr><th>\(words.statusByProvince)</th><th>\(escape(table.round))</th><th>\(words.status)</th></tr>\n"
                for province in result.provinceStatus {
                    out += "<tr><td>\(escape(province.name))</td><td>\(numbers.format(province.value, kind))</td>"
                    out += "<td class=\"\(statusClass(province.status))\">\(escape(words.statusWord(province.status)))</td></tr>\n"
                }
                out += "</table>\n"
            }
            out += "</section>\n"
        }
        return out + HTML.pageEnd
    }

    static func statusClass(_ status: TargetStatus?) -> String {
        switch status {
        case .met: "met"
        case .onTrack: "on"
        case .offTrack: "off"
        case nil: ""
        }
    }

    /// Rounds on the x axis, round tick values on the y axis; the programme's overall line in black, the comparison
    /// units dashed grey, one thin line per province in a colour-blind-safe palette with its label at the line's
    /// end (labels pushed apart so they never overlap); the target dashed green.
    static func lineChart(_ result: IndicatorResult, _ numbers: Numbers, _ words: ReportWords, _ table: IndicatorTable) -> String {
        let width = 460.0, height = 280.0, left = 56.0, right = 132.0, top = 16.0, bottom = 30.0
        let rounds = result.series.map(\.round)
        var all = result.series.compactMap(\.value) + result.provinceSeries.flatMap { $0.values.compactMap { $0 } }
        all += result.comparisonSeries.compactMap(\.value)
        if let target = result.indicator.target?.value { all.append(target) }
        guard !all.isEmpty, rounds.count > 0 else { return "" }
        let kind = result.indicator.measure.kind
        // Shares keep their zero; other measures use the data's range, so that change stays visible.
        var ticks = Ticks.nice(low: kind == "share" ? min(0, all.min()!) : all.min()!, high: all.max()!)
        if kind == "share" { ticks = ticks.filter { $0 <= 100 || $0 <= all.max()! } }
        let low = ticks.first!, high = max(ticks.last!, low + 1e-9)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double { left + (rounds.count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(rounds.count - 1)) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / (high - low)) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(result.indicator.id))\">\n"
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for tick in ticks {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"\(tick == 0 ? "#999" : "#eee")\"/>"
            let text = kind == "share" || step < 1000 ? numbers.localized(Ticks.label(tick, step: step)) : numbers.format(tick, "total")
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(y(tick) + 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(text)</text>\n"
        }
        for (index, round) in rounds.enumerated() {
            svg += "<text x=\"\(f(x(index)))\" y=\"\(f(height - 10))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">\(escape(round))</text>\n"
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
        var labels: [(y: Double, name: String, colour: String)] = []
        if let target = result.indicator.target?.value {
            svg +=
                "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(target)))\" y2=\"\(f(y(target)))\" stroke=\"#1e7b1e\" stroke-dasharray=\"5 4\"/>\n"
            labels.append((y(target) + 3, "\(words.target) \(numbers.format(target, kind))", "#1e7b1e"))
        }
        for (index, series) in result.provinceSeries.enumerated() {
            let colour = palette[index % palette.count]
            svg += "<path d=\"\(path(series.values))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.3\"/>\n"
            if let last = series.values.lastIndex(where: { $0 != nil }), let value = series.values[last] {
                labels.append((y(value) + 3, String(series.name.prefix(22)), colour))
            }
        }
        if !result.comparisonSeries.isEmpty {
            svg += "<path d=\"\(path(result.comparisonSeries.map(\.value)))\" fill=\"none\" stroke=\"#777\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n"
            if let value = result.comparisonSeries.last(where: { $0.value != nil })?.value { labels.append((y(value) + 3, words.comparison, "#555")) }
        }
        svg += "<path d=\"\(path(result.series.map(\.value)))\" fill=\"none\" stroke=\"#111\" stroke-width=\"2.5\"/>\n"
        for (index, value) in result.series.enumerated() {
            if let value = value.value { svg += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"#111\"/>" }
        }
        if let value = result.series.last(where: { $0.value != nil })?.value { labels.append((y(value) + 3, words.overall, "#111")) }
        // Labels at the right, in value order, at least 11 px apart, and kept inside the chart.
        labels.sort { $0.y < $1.y }
        for index in labels.indices.dropFirst() where labels[index].y < labels[index - 1].y + 11 { labels[index].y = labels[index - 1].y + 11 }
        if let last = labels.last, last.y > height - 4 {
            let shift = last.y - (height - 4)
            for index in labels.indices { labels[index].y -= shift }
        }
        for label in labels {
            svg += "<text x=\"\(f(width - right + 6))\" y=\"\(f(label.y))\" font-size=\"9.5\" fill=\"\(label.colour)\">\(escape(label.name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// This round's value per district of the indicator's units, as horizontal bars.
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
            svg += "<rect x=\"\(f(left))\" y=\"\(f(y + 2))\" width=\"\(f(length))\" height=\"\(f(rowHeight - 4))\" fill=\"#0072B2\"/>"
            svg +=
                "<text x=\"\(f(left + length + 3))\" y=\"\(f(y + 9.5))\" font-size=\"9\" fill=\"#333\">\(numbers.format(value, result.indicator.measure.kind))</text>\n"
        }
        if let target = result.indicator.target?.value {
            let x = left + (width - left - 50) * target / maxValue
            svg += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(height - top))\" stroke=\"#1e7b1e\" stroke-dasharray=\"4 3\"/>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    public static func escape(_ text: String) -> String { HTML.escape(text) }
}
