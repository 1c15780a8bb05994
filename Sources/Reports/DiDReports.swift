import Analysis
import Foundation
import Tabular

/// DiD reports in the conventions economists use: coefficients with stars and standard errors in parentheses,
/// N, clusters, the standard-error type and the small-sample convention in every table; an SVG event-study plot
/// with pointwise intervals and the uniform band in HTML; broom's names in CSV and JSON.
public enum DiDReports {
    public enum Format: String, CaseIterable, Sendable { case md, csv, latex, html, json }

    public static func render(_ report: DiDReport, as format: Format) throws -> String {
        switch format {
        case .md: markdown(report)
        case .csv: csv(report)
        case .latex: latex(report)
        case .html: html(report)
        case .json: try json(report)
        }
    }

    /// One plain sentence per estimator: its headline estimate in the outcome's unit, with the interval, and whether
    /// it can be told apart from zero; for readers who do not read coefficient tables.
    public static func findings(_ report: DiDReport) -> [String] {
        let unit = report.metadata["unit"] ?? "units of the outcome"
        let scale = Double(report.metadata["scale"] ?? "") ?? 1
        let written = (report.metadata["outcome"] ?? "the outcome").replacingOccurrences(of: "${", with: "").replacingOccurrences(of: "}", with: "")
        // A condition's effect is on the share of units for which it holds.
        let outcome = scale == 100 ? "the share of units with \(written)" : written
        func number(_ value: Double) -> String { String(format: abs(value * scale) >= 100 ? "%.0f" : "%.2f", value * scale) }
        return report.tables.compactMap { table in
            // A dose: the effect of one unit of it at the first change, not the programme's.
            if let row = table.rows.first(where: { $0.term.hasPrefix("DID^n_1 ") }), row.coefficient.low.isFinite, row.coefficient.high.isFinite {
                let c = row.coefficient, clear = c.low > 0 || c.high < 0
                return "\(table.title): at its first change, each unit of the dose \(c.estimate >= 0 ? "raised" : "lowered") \(outcome) by an "
                    + "estimated \(number(abs(c.estimate))) \(unit) (95% interval \(number(c.low)) to \(number(c.high))); "
                    + (clear ? "the interval excludes zero." : "the interval includes zero, so no effect cannot be ruled out.")
            }
            let preferred = ["overall ATT (simple)", "average post-period effect", "treated", "group × post", "difference-in-differences"]
            guard
                let row = preferred.lazy.compactMap({ term in table.rows.first { $0.term == term } }).first
                    ?? table.rows.first(where: { $0.term.lowercased().contains("did") || $0.term.contains("×") })
            else { return nil }
            let c = row.coefficient
            guard c.estimate.isFinite, c.low.isFinite, c.high.isFinite else { return nil }
            let direction = c.estimate >= 0 ? "raised" : "lowered"
            let clear = c.low > 0 || c.high < 0
            return "\(table.title): the programme \(direction) \(outcome) by an estimated \(number(abs(c.estimate))) \(unit) "
                + "(95% interval \(number(c.low)) to \(number(c.high))); "
                + (clear ? "the interval excludes zero." : "the interval includes zero, so no effect cannot be ruled out.")
        }
    }

    /// Markdown's `code` spans in already escaped HTML text, as <code> elements.
    static func codeSpans(_ escaped: String) -> String {
        escaped.split(separator: "`", omittingEmptySubsequences: false).enumerated().map {
            $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element)
        }
        .joined()
    }

    static func stars(_ p: Double) -> String { !p.isFinite ? "" : p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "" }

    /// A row's cells as text, shared by the Markdown and HTML tables: term, estimate with stars, (s.e.), the 95%
    /// interval, then the uniform band and the wild bootstrap's p-value and interval where the table has them.
    static func cells(_ row: DiDTable.Row, banded: Bool, bootstrapped: Bool) -> [String] {
        let c = row.coefficient
        func range(_ low: Double, _ high: Double) -> String { "\(f4(low)) – \(f4(high))" }
        var cells = [row.term, "\(f4(c.estimate))\(stars(c.pValue))", "(\(f4(c.standardError)))", range(c.low, c.high)]
        if banded { cells.append(row.band.map { range($0.lowerBound, $0.upperBound) } ?? "") }
        if bootstrapped {
            // No draw as extreme as the data: the p-value is below one in the number of draws, not zero.
            func p(_ result: WildClusterBootstrap.Result) -> String {
                // Below what four decimals show: said as a bound, never as 0.0000.
                result.pValue == 0
                    ? "< " + String(format: "%.2g", 1 / Double(result.draws)) : result.pValue < 0.00005 ? "< 0.0001" : f4(result.pValue)
            }
            cells += row.wildBootstrap.map { [p($0), $0.interval.map { range($0.lowerBound, $0.upperBound) } ?? "—"] } ?? ["", ""]
        }
        return cells
    }

    /// Four decimals, or a dash for what could not be computed (never "nan").
    static func f4(_ value: Double) -> String { value.isFinite ? String(format: "%.4f", value) : "—" }

    static func footer(_ table: DiDTable) -> String {
        var out = "N = \(table.observations)\(table.clusters.map { "; \($0) clusters" } ?? ""); standard errors: \(table.seType). "
        out += "* p<0.1, ** p<0.05, *** p<0.01."
        if let clusters = table.clusters, clusters < 50, table.seType.hasPrefix("CR1") {
            out += " With \(clusters) clusters, p-values and intervals use t(\(clusters - 1))"
            out += table.rows.contains { $0.wildBootstrap != nil } ? "; the wild cluster bootstrap is in the bootstrap columns." : "."
        }
        return out
    }

    public static func markdown(_ report: DiDReport) -> String {
        var out = "# \(report.title)\n\n\(report.header)\n\n"
        let found = findings(report)
        if !found.isEmpty { out += "**Findings.** " + found.joined(separator: " ") + "\n\n" }
        if !report.notes.isEmpty { out += "Panel: " + report.notes.joined(separator: "; ") + ".\n\n" }
        for table in report.tables {
            if table.rows.isEmpty {
                out += "## \(table.title)\n\n" + table.notes.map { "- \($0)\n" }.joined() + "\n"
                continue
            }
            let banded = table.rows.contains { $0.band != nil }, bootstrapped = table.rows.contains { $0.wildBootstrap != nil }
            out +=
                "## \(table.title)\n\n| term | estimate | (s.e.) | 95% CI |\(banded ? " uniform 95% band |" : "")\(bootstrapped ? " bootstrap p | bootstrap 95% CI |" : "")\n"
                + "|---|---|---|---|\(banded ? "---|" : "")\(bootstrapped ? "---|---|" : "")\n"
            for row in table.rows {
                out += "| " + cells(row, banded: banded, bootstrapped: bootstrapped).joined(separator: " | ") + " |\n"
            }
            out += "\n" + footer(table) + "\n"
            for note in table.notes { out += "\n- \(note)" }
            out += "\n\n" + sensitivityMarkdown(table)
        }
        if let comparison = EstimatorComparison(report.tables) {
            out += "## Event-time estimates compared\n\n\(comparison.sentence)\n\n| event time | " + comparison.estimators.joined(separator: " | ") + " |\n"
            out += "|---|" + String(repeating: "---|", count: comparison.estimators.count) + "\n"
            for (row, time) in comparison.eventTimes.enumerated() {
                out += "| \(time) | " + comparison.estimates[row].map(comparisonCell).joined(separator: " | ") + " |\n"
            }
            out += "\nEach cell: the estimate [95% interval]; — where the estimator has no such event time.\n\n"
        }
        return out
    }

    static func comparisonCell(_ estimate: EstimatorComparison.Estimate?) -> String {
        guard let estimate else { return "—" }
        return "\(f4(estimate.estimate)) [\(f4(estimate.low)), \(f4(estimate.high))]"
    }

    /// The value labels of the vertical axis and the title of the horizontal one.
    static func axes(
        _ ticks: [Double], y: (Double) -> Double, left: Double, right: Double, width: Double, height: Double,
        since origin: String = "adoption"
    ) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        var svg = ""
        for tick in ticks {
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">%@</text>\n", left - 4, y(tick) + 3,
                Ticks.label(tick, step: step) as NSString)
        }
        return svg
            + String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%@</text>\n",
                left + (width - left - right) / 2, height - 2, HTML.escape("event time (periods since \(origin))") as NSString)
    }

    /// The estimators' event-time estimates in one chart: one colour per estimator, side by side at each event time.
    static func comparisonPlot(_ comparison: EstimatorComparison) -> String {
        let colours = ["#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#2c3e50", "#16a085"]
        let width = 640.0, height = 280.0, left = 56.0, right = 16.0, top = 14.0, bottom = 34.0
        let all = comparison.estimates.flatMap { $0.compactMap { $0 } }
        let ticks = Ticks.nice(low: min(0, all.map(\.low).min() ?? 0), high: max(0, all.map(\.high).max() ?? 0))
        let low = ticks.first!, high = ticks.last!, span = max(high - low, 1e-9)
        let slot = (width - left - right) / Double(comparison.eventTimes.count)
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - low) / span) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"event-time estimates of every estimator\">\n"
        svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left, width - right, y(0), y(0))
        let count = Double(comparison.estimators.count)
        for (row, time) in comparison.eventTimes.enumerated() {
            let centre = left + slot * (Double(row) + 0.5)
            for (column, estimate) in comparison.estimates[row].enumerated() {
                guard let estimate else { continue }
                let x = centre + slot * 0.7 * ((Double(column) + 0.5) / count - 0.5)
                let colour = colours[column % colours.count] as NSString
                svg += String(
                    format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>", x, x, y(estimate.low), y(estimate.high),
                    colour)
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%@\"/>", x, y(estimate.estimate), colour)
            }
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n", centre, height - 16, time)
        }
        // de Chaisemartin & D'Haultfœuille count event time from each unit's first switch, which may be a switch off.
        let switching = comparison.estimators.contains("chaisemartin_dhaultfoeuille")
        svg += axes(
            ticks, y: y, left: left, right: right, width: width, height: height,
            since: switching ? "adoption; for chaisemartin_dhaultfoeuille, since the first switch" : "adoption")
        let legend = comparison.estimators.enumerated().map { index, name in
            "<span style=\"color:\(colours[index % colours.count])\">●</span> \(HTML.escape(name))"
        }
        return svg + "</svg>\n<p class=\"note\">\(legend.joined(separator: " &nbsp; ")); bars are pointwise 95% intervals.</p>\n"
    }

    /// One row per term, with broom's column names; then the row's event time, and the estimator's own standard error
    /// where another replaced it (the jackknife under 50 clusters) with its kind (as the JSON names it).
    public static func csv(_ report: DiDReport) -> String {
        var rows = [
            [
                "estimator", "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "conf_low_uniform", "conf_high_uniform",
                "bootstrap_p_value", "bootstrap_conf_low", "bootstrap_conf_high", "n_obs", "n_clusters", "se_type", "event_time",
                "conventional_std_error", "conventional_std_error_kind",
            ]
        ]
        for table in report.tables {
            for row in table.rows {
                let c = row.coefficient
                // An empty cell for what could not be computed: readers take it as missing, never as the text "nan".
                func cell(_ value: Double) -> String { value.isFinite ? "\(value)" : "" }
                rows.append([
                    table.estimator, row.term, cell(c.estimate), cell(c.standardError), cell(c.statistic), cell(c.pValue), cell(c.low), cell(c.high),
                    row.band.map { cell($0.lowerBound) } ?? "", row.band.map { cell($0.upperBound) } ?? "",
                    row.wildBootstrap.map { cell($0.pValue) } ?? "", row.wildBootstrap?.interval.map { cell($0.lowerBound) } ?? "",
                    row.wildBootstrap?.interval.map { cell($0.upperBound) } ?? "", String(table.observations), table.clusters.map(String.init) ?? "",
                    table.seType, row.eventTime.map(String.init) ?? "", row.conventionalStandardError.map { cell($0.value) } ?? "",
                    row.conventionalStandardError?.name ?? "",
                ])
            }
        }
        return CSV.write(rows)
    }

    /// Broom's names per term; estimator, n_obs, n_clusters and se_type per table.
    public static func json(_ report: DiDReport) throws -> String {
        var object: [String: Any] = [
            "title": report.title, "notes": report.notes,
            "estimators": report.tables.map { table -> [String: Any] in
                [
                    "estimator": table.estimator, "title": table.title, "n_obs": table.observations, "n_clusters": table.clusters ?? NSNull(),
                    "se_type": table.seType, "notes": table.notes,
                    "sensitivity": table.sensitivity.map(sensitivityJSON) ?? NSNull(),
                    "randomisation_inference": table.randomisation.map {
                        ["term": $0.term, "p_value": $0.pValue, "assignments": $0.assignments, "enumerated": $0.enumerated] as [String: Any]
                    } ?? NSNull(),
                    "terms": table.rows.map { row -> [String: Any] in
                        let c = row.coefficient
                        // What cannot be computed (a standard error of zero makes the statistic NaN) is null, not a failure.
                        func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
                        var term: [String: Any] = [
                            "term": row.term, "estimate": number(c.estimate), "std_error": number(c.standardError), "statistic": number(c.statistic),
                            "p_value": number(c.pValue), "conf_low": number(c.low), "conf_high": number(c.high),
                        ]
                        if let band = row.band {
                            term["conf_low_uniform"] = number(band.lowerBound)
                            term["conf_high_uniform"] = number(band.upperBound)
                        }
                        if let e = row.eventTime { term["event_time"] = e }
                        if let se = row.conventionalStandardError { term[se.name] = number(se.value) }
                        if let wild = row.wildBootstrap {
                            term["wild_bootstrap"] = [
                                "p_value": number(wild.pValue), "conf_low": wild.interval.map { number($0.lowerBound) } ?? NSNull(),
                                "conf_high": wild.interval.map { number($0.upperBound) } ?? NSNull(), "weights": wild.weights.rawValue,
                                "draws": wild.draws, "enumerated": wild.enumerated, "null_imposed": wild.nullImposed,
                            ]
                        }
                        return term
                    },
                ]
            },
        ]
        if let comparison = EstimatorComparison(report.tables) {
            object["comparison"] =
                [
                    "sentence": comparison.sentence, "estimators": comparison.estimators, "agree": comparison.disagreements.isEmpty,
                    "event_times": comparison.eventTimes.enumerated().map { row, time -> [String: Any] in
                        var estimates: [String: Any] = [:]
                        for (column, estimate) in comparison.estimates[row].enumerated() {
                            guard let estimate else { continue }
                            estimates[comparison.estimators[column]] = ["estimate": estimate.estimate, "conf_low": estimate.low, "conf_high": estimate.high]
                        }
                        return ["event_time": time, "estimates": estimates]
                    },
                ] as [String: Any]
        }
        for (key, value) in report.metadata where object[key] == nil { object[key] = value }
        return try JSONText.prettySorted(object) + "\n"
    }

    static func latexEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(character)"
            case "×": out += "$\\times$"
            case "−": out += "$-$"
            case "–": out += "--"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "\\": out += "\\textbackslash{}"
            default: out.append(character)
            }
        }
        return out
    }

    /// A booktabs table per estimator: coefficient with stars, standard error in parentheses beneath.
    public static func latex(_ report: DiDReport) -> String {
        var out = "% \(report.title) — generated by pantau; needs \\usepackage{booktabs}\n"
        for table in report.tables {
            out += "\\begin{table}[htbp]\\centering\n\\caption{\(latexEscape(table.title))}\n\\begin{tabular}{lc}\n\\toprule\n"
            for row in table.rows {
                let c = row.coefficient
                let mark = stars(c.pValue).isEmpty ? "" : "$^{\(stars(c.pValue))}$"
                out += "\(latexEscape(row.term)) & \(f4(c.estimate))\(mark) \\\\\n & (\(f4(c.standardError))) \\\\\n"
            }
            out += "\\midrule\nN & \(table.observations) \\\\\n"
            if let clusters = table.clusters { out += "Clusters & \(clusters) \\\\\n" }
            out += "\\bottomrule\n\\end{tabular}\n\\par\\footnotesize Standard errors in parentheses: \(latexEscape(table.seType)). "
            out += "$^{*}$ p$<$0.1, $^{**}$ p$<$0.05, $^{***}$ p$<$0.01."
            for note in table.notes { out += " \(latexEscape(note))." }
            out += "\n\\end{table}\n\n"
        }
        return out
    }

    /// One self-contained file that works offline; an SVG plot for every table with event-time rows.
    public static func html(_ report: DiDReport) -> String {
        var out = HTML.pageStart(
            title: report.title, language: "en",
            style: """
                table { border-collapse: collapse; margin: 0.5rem 0; } th, td { padding: 0.2rem 0.6rem; text-align: right; border-bottom: 1px solid #ddd; }
                th:first-child, td:first-child { text-align: left; } td { white-space: nowrap; } td:first-child { white-space: normal; } .se { color: #555; } p.note, li { color: #555; font-size: 0.85rem; }
                p.summary { font-size: 1rem; background: #f6f8fa; padding: 0.6rem 0.8rem; }
                """)
        out += "<h1>\(HTML.escape(report.title))</h1><p>\(codeSpans(HTML.escape(report.header)))</p>\n"
        let found = findings(report)
        if !found.isEmpty { out += "<p class=\"summary\">\(found.map(HTML.escape).joined(separator: " "))</p>\n" }
        if !report.notes.isEmpty { out += "<p class=\"note\">Panel: \(HTML.escape(report.notes.joined(separator: "; "))).</p>\n" }
        for table in report.tables {
            out += "<section><h2>\(HTML.escape(table.title))</h2>\n"
            if table.rows.isEmpty {
                out += "<ul>" + table.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n</section>\n"
                continue
            }
            let events = table.rows.filter { $0.eventTime != nil }
            if events.count > 1 { out += plot(events, estimator: table.estimator) }
            let banded = table.rows.contains { $0.band != nil }, bootstrapped = table.rows.contains { $0.wildBootstrap != nil }
            out += "<table><tr><th>term</th><th>estimate</th><th>(s.e.)</th><th>95% CI</th>\(banded ? "<th>uniform 95% band</th>" : "")"
            out += "\(bootstrapped ? "<th>bootstrap p</th><th>bootstrap 95% CI</th>" : "")</tr>\n"
            for row in table.rows {
                let texts = cells(row, banded: banded, bootstrapped: bootstrapped)
                out += "<tr>" + texts.enumerated().map { "<td\($0.offset == 2 ? " class=\"se\"" : "")>\(HTML.escape($0.element))</td>" }.joined() + "</tr>\n"
            }
            out += "</table>\n<p class=\"note\">\(HTML.escape(footer(table)))</p>\n"
            if !table.notes.isEmpty { out += "<ul>" + table.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n" }
            out += sensitivityHTML(table) + "</section>\n"
        }
        if let comparison = EstimatorComparison(report.tables) {
            out += "<section><h2>Event-time estimates compared</h2>\n<p class=\"summary\">\(HTML.escape(comparison.sentence))</p>\n"
            out += comparisonPlot(comparison)
            out += "<table><tr><th>event time</th>" + comparison.estimators.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>\n"
            for (row, time) in comparison.eventTimes.enumerated() {
                out += "<tr><td>\(time)</td>" + comparison.estimates[row].map { "<td>\(HTML.escape(comparisonCell($0)))</td>" }.joined() + "</tr>\n"
            }
            out += "</table>\n</section>\n"
        }
        return out + HTML.pageEnd
    }

    /// Estimates with pointwise 95% intervals (bars) and, where computed, the uniform band (a shaded box per
    /// event time); for an event study, event time −1 is the reference, drawn hollow at zero.
    static func plot(_ events: [DiDTable.Row], estimator: String) -> String {
        var points = events.map { (event: $0.eventTime!, estimate: $0.coefficient.estimate, low: $0.coefficient.low, high: $0.coefficient.high, band: $0.band) }
        // An event study has no coefficient at −1 (the reference, drawn hollow at zero); Callaway & Sant'Anna
        // estimates −1 like any other event time (its varying base period), so it is drawn as one.
        let referenced = !points.contains(where: { $0.event == -1 })
        if referenced { points.append((-1, 0, 0, 0, nil)) }
        points.sort { $0.event < $1.event }
        let width = 560.0, height = 260.0, left = 56.0, right = 16.0, top = 14.0, bottom = 34.0
        let lows = points.map { min($0.low, $0.band?.lowerBound ?? $0.low) }, highs = points.map { max($0.high, $0.band?.upperBound ?? $0.high) }
        // Round tick values with zero among them, so the reference line is labelled 0.
        let ticks = Ticks.nice(low: min(0, lows.min()!), high: max(0, highs.max()!))
        let low = ticks.first!, high = ticks.last!
        let span = max(high - low, 1e-9)
        func x(_ index: Int) -> Double { left + (width - left - right) * (Double(index) + 0.5) / Double(points.count) }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - low) / span) }
        let slot = (width - left - right) / Double(points.count)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"event study: estimates with 95% intervals and uniform bands\">\n"
        svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left, width - right, y(0), y(0))
        let hasBand = points.contains { $0.band != nil }
        for (index, point) in points.enumerated() {
            let cx = x(index)
            if let band = point.band {
                svg += String(
                    format: "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1b6ca8\" fill-opacity=\"0.15\"/>",
                    cx - slot * 0.3, y(band.upperBound), slot * 0.6, max(0.5, y(band.lowerBound) - y(band.upperBound)))
            }
            svg += String(
                format: "<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1b6ca8\" stroke-width=\"2\"/>", cx, cx, y(point.low),
                y(point.high))
            svg += String(
                format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%@\" stroke=\"#1b6ca8\" stroke-width=\"1.5\"/>", cx, y(point.estimate),
                (referenced && point.event == -1 ? "#fff" : "#1b6ca8") as NSString)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n", cx, height - 16, point.event)
        }
        svg += axes(
            ticks, y: y, left: left, right: right, width: width, height: height,
            since: estimator == "chaisemartin_dhaultfoeuille" ? "the first switch" : "adoption")
        let legend =
            hasBand
            ? "bars are pointwise 95% intervals; shaded boxes are the uniform 95% band, which covers all event times at once"
            : "bars are pointwise 95% intervals, not simultaneous bands"
        // Without a reference period the pre-period points mean what the estimator makes of them.
        let axis =
            referenced
            ? "−1 is the reference, drawn at zero"
            : estimator == "imputation"
                ? "before 0, the pre-trend test's coefficients on untreated unit-periods, against the periods before them; from 0, the imputed effects"
                : "each event time, −1 included, estimated against the period before it"
        return svg + "</svg>\n<p class=\"note\">Event time on the horizontal axis (\(axis)); \(legend).</p>\n"
    }
}

extension DiDReports {
    /// Two groups and two periods: the table of means with the three differences, and the regression.
    public static func twoByTwoMarkdown(outcome: String, _ table: TwoByTwo, _ regression: RegressionResult) -> String {
        func cell(_ c: TwoByTwo.Cell) -> String { "\(f4(c.mean)) (\(f4(c.standardError))) [n=\(c.n)]" }
        func diff(_ d: TwoByTwo.Difference) -> String { "\(f4(d.estimate)) (\(f4(d.standardError)))" }
        var out = "# Difference-in-differences: \(outcome)\n\n## 2×2 table of means (standard errors)\n\n"
        out += "| | comparison | treated | treated − comparison |\n|---|---|---|---|\n"
        out += "| before | \(cell(table.comparisonBefore)) | \(cell(table.treatedBefore)) | \(diff(table.gapBefore)) |\n"
        out += "| after | \(cell(table.comparisonAfter)) | \(cell(table.treatedAfter)) | |\n"
        out += "| change | \(diff(table.comparisonChange)) | \(diff(table.treatedChange)) | **\(diff(table.didEstimate))** |\n\n"
        if table.balanced { out += "Changes within units observed in both periods; \(table.unitsDropped) units observed in one period only were left out.\n\n" }
        out += "## Regression\n\n| term | estimate | |\n|---|---|---|\n"
        for coefficient in regression.coefficients {
            out += "| \(coefficient.term) | \(f4(coefficient.estimate))\(stars(coefficient.pValue)) | (\(f4(coefficient.standardError))) |\n"
        }
        out += "| N | \(regression.observations) | |\n"
        if let clusters = regression.clusters { out += "| clusters | \(clusters) | |\n" }
        out += "| R² | \(f4(regression.rSquared)) | |\n\n"
        let degrees =
            regression.coefficientDegreesOfFreedom.map { values in
                "t with each term's Satterthwaite degrees of freedom ("
                    + zip(regression.coefficients, values).map { "\($0.term) \(String(format: "%.2f", $1))" }.joined(separator: ", ") + ")"
            } ?? "t(\(regression.degreesOfFreedom))"
        out += "Standard errors: \(regression.standardErrors.name); p-values and intervals from \(degrees). * p<0.1, ** p<0.05, *** p<0.01.\n"
        return out
    }

    /// The same in JSON, with broom's names.
    public static func twoByTwoJSON(_ table: TwoByTwo, _ regression: RegressionResult) throws -> String {
        func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
        let terms = regression.coefficients.enumerated().map { j, c -> [String: Any] in
            [
                "term": c.term, "estimate": number(c.estimate), "std_error": number(c.standardError), "statistic": number(c.statistic),
                "p_value": number(c.pValue), "conf_low": number(c.low), "conf_high": number(c.high),
                "df": regression.coefficientDegreesOfFreedom.map { number($0[j]) } ?? regression.degreesOfFreedom,
            ]
        }
        let object: [String: Any] = [
            "estimator": "ols_did", "n_obs": regression.observations, "n_clusters": regression.clusters ?? NSNull(),
            "se_type": regression.standardErrors.name, "df": regression.degreesOfFreedom, "r_squared": number(regression.rSquared), "terms": terms,
            "two_by_two": [
                "did": number(table.didEstimate.estimate), "did_std_error": number(table.didEstimate.standardError), "balanced": table.balanced,
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
