import Analysis
import Foundation
import Tabular

/// The sensitivity to parallel trends of an event study (Rambachan & Roth; Roth's pre-test power) in Markdown, HTML
/// (a chart per restriction, as HonestDiD draws them) and JSON.
extension DiDReports {
    static let sensitivityTitle = "Sensitivity to parallel trends (Rambachan & Roth)"

    static func interval(_ range: ClosedRange<Double>?) -> String {
        guard let range else { return "empty (every value rejected)" }
        return "\(f4(range.lowerBound)) – \(f4(range.upperBound))"
    }

    /// The rows of one restriction's table: the usual interval, then one row per bound; a column per target.
    /// Smoothness rows have a second column per target: the fixed-length interval (FLCI) beside the hybrid test's.
    static func sensitivityRows(_ s: ParallelTrendsSensitivity, relativeMagnitudes: Bool) -> [[String]] {
        let first = s.targets[0]
        let bounds = (relativeMagnitudes ? first.relativeMagnitudes : first.smoothness).map(\.bound)
        var rows = [["usual (exact parallel trends)"] + s.targets.flatMap { relativeMagnitudes ? [interval($0.original)] : [interval($0.original), ""] }]
        for (index, bound) in bounds.enumerated() {
            rows.append(
                [String(format: relativeMagnitudes ? "M̄ = %.2f" : "M = %.4g", bound)]
                    + s.targets.flatMap { target -> [String] in
                        relativeMagnitudes
                            ? [interval(target.relativeMagnitudes[index].interval)]
                            : [interval(target.smoothness[index].interval), interval(target.smoothness[index].fixedLength)]
                    })
        }
        return rows
    }

    /// The column headings of one restriction's table after its first.
    static func sensitivityHeadings(_ s: ParallelTrendsSensitivity, relativeMagnitudes: Bool) -> [String] {
        s.targets.flatMap { relativeMagnitudes ? [$0.name] : [$0.name, "\($0.name), FLCI"] }
    }

    static func methodText(_ s: ParallelTrendsSensitivity) -> String {
        s.method == .conditional
            ? "Andrews–Roth–Pakes conditional test"
            : "conditional-least-favourable hybrid test (HonestDiD's C-LF; first stage κ = 0.005, 1,000 draws, seed 20180601)"
    }

    static func sensitivityNotes(_ s: ParallelTrendsSensitivity) -> [String] {
        var notes = [
            "event times used: pre \(s.preTimes.map(String.init).joined(separator: ", ")), post \(s.postTimes.map(String.init).joined(separator: ", ")) "
                + "(reference −1); robust 95% intervals by inverting the \(methodText(s)), with the table's covariance",
            "relative magnitudes M̄: no change in the trend difference between consecutive post-periods larger than M̄ times the largest such "
                + "change before adoption; smoothness M: the trend difference's slope changes by at most M per period (M = 0 allows linear trends)",
        ]
        notes.append(
            "FLCI: the fixed-length interval for smoothness (Rambachan & Roth's section 4.1; R HonestDiD's default there): the shortest "
                + "interval around an estimator that undoes linear trends with the pre-periods, allowing for its worst-case bias under M")
        if let p = s.pretest {
            notes.append(
                String(
                    format: "pre-test power (Roth 2022): a linear violation of slope %.4g per period would be detected by the pre-test (any pre-period "
                        + "estimate significant at 5%%) only half the time (%.4g per period for 80%%); such a trend would bias the effect at event time 0 by "
                        + "%.4g and the average post-period effect by %.4g", p.slopeForHalf, p.slopeForFourFifths, p.slopeForHalf, p.averageBiasForHalf))
        }
        if let note = s.note { notes.append(note) }
        return notes
    }

    static func sensitivityMarkdown(_ table: DiDTable) -> String {
        guard let s = table.sensitivity else { return "" }
        var out = "### \(sensitivityTitle)\n\n" + s.targets.map { s.sentence(for: $0) }.joined(separator: " ") + "\n\n"
        for (relative, name) in [(true, "Relative magnitudes"), (false, "Smoothness")] {
            let headings = sensitivityHeadings(s, relativeMagnitudes: relative)
            out += "| \(name) | " + headings.joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: headings.count) + "\n"
            for row in sensitivityRows(s, relativeMagnitudes: relative) { out += "| " + row.joined(separator: " | ") + " |\n" }
            out += "\n"
        }
        return out + sensitivityNotes(s).map { "- \($0)\n" }.joined() + "\n"
    }

    static func sensitivityHTML(_ table: DiDTable) -> String {
        guard let s = table.sensitivity else { return "" }
        var out =
            "<h3>\(HTML.escape(sensitivityTitle))</h3>\n<p class=\"summary\">"
            + HTML.escape(s.targets.map { s.sentence(for: $0) }.joined(separator: " ")) + "</p>\n"
        for (relative, name) in [(true, "Relative magnitudes"), (false, "Smoothness")] {
            out += sensitivityPlot(s, relativeMagnitudes: relative)
            out +=
                "<table><tr><th>\(name)</th>" + sensitivityHeadings(s, relativeMagnitudes: relative).map { "<th>\(HTML.escape($0))</th>" }.joined()
                + "</tr>\n"
            for row in sensitivityRows(s, relativeMagnitudes: relative) { out += "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n" }
            out += "</table>\n"
        }
        return out + "<ul>" + sensitivityNotes(s).map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
    }

    /// Robust intervals against the bound, the usual interval first, one colour per target (the breakdown values are
    /// in the sentence above the chart).
    static func sensitivityPlot(_ s: ParallelTrendsSensitivity, relativeMagnitudes: Bool) -> String {
        let colours = ["#1b6ca8", "#c0392b"]
        let width = 640.0, height = 260.0, left = 56.0, right = 16.0, top = 14.0, bottom = 34.0
        let columns = [nil] + (relativeMagnitudes ? s.targets[0].relativeMagnitudes : s.targets[0].smoothness).map(\.bound)
        func range(_ target: ParallelTrendsSensitivity.Target, _ column: Int) -> ClosedRange<Double>? {
            column == 0 ? target.original : (relativeMagnitudes ? target.relativeMagnitudes : target.smoothness)[column - 1].interval
        }
        let finite = s.targets.flatMap { target in columns.indices.compactMap { range(target, $0) } }.flatMap { [$0.lowerBound, $0.upperBound] }
            .filter(\.isFinite)
        let ticks = Ticks.nice(low: min(0, finite.min() ?? 0), high: max(0, finite.max() ?? 0))
        let low = ticks.first!, high = ticks.last!, span = max(high - low, 1e-9)
        let slot = (width - left - right) / Double(columns.count)
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (min(max(value, low), high) - low) / span) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"robust confidence intervals by \(relativeMagnitudes ? "M̄" : "M")\">\n"
        svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left, width - right, y(0), y(0))
        for column in columns.indices {
            let centre = left + slot * (Double(column) + 0.5)
            for (index, target) in s.targets.enumerated() {
                guard let r = range(target, column) else { continue }
                let x = centre + slot * 0.5 * ((Double(index) + 0.5) / Double(s.targets.count) - 0.5)
                svg += String(
                    format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"3\"/>", x, x, y(r.lowerBound), y(r.upperBound),
                    colours[index % 2] as NSString)
            }
            let label = columns[column].map { String(format: relativeMagnitudes ? "%.2f" : "%.3g", $0) } ?? "usual"
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%@</text>\n", centre, height - 16, label as NSString)
        }
        let tickStep = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for tick in ticks {
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">%@</text>\n", left - 4, y(tick) + 3,
                Ticks.label(tick, step: tickStep) as NSString)
        }
        svg += String(
            format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%@</text>\n", left + (width - left - right) / 2,
            height - 2,
            (relativeMagnitudes ? "M̄ (post-period trend changes relative to the largest pre-period one)" : "M (change in the trend's slope per period)")
                as NSString)
        let legend = s.targets.enumerated().map { index, target in "<span style=\"color:\(colours[index % 2])\">●</span> \(HTML.escape(target.name))" }
        return svg + "</svg>\n<p class=\"note\">\(legend.joined(separator: " &nbsp; ")); bars are robust 95% intervals (the first pair: the usual ones).</p>\n"
    }

    static func sensitivityJSON(_ s: ParallelTrendsSensitivity) -> [String: Any] {
        func range(_ r: ClosedRange<Double>?) -> Any {
            guard let r else { return NSNull() }
            return [r.lowerBound.isFinite ? r.lowerBound : NSNull(), r.upperBound.isFinite ? r.upperBound : NSNull()] as [Any]
        }
        var object: [String: Any] = [
            "method": s.method.rawValue, "pre_event_times": s.preTimes, "post_event_times": s.postTimes, "estimates": s.estimates,
            "covariance": s.covariance,
            "targets": s.targets.map { target -> [String: Any] in
                [
                    "target": target.name, "estimate": target.estimate, "conf_int": range(target.original),
                    "relative_magnitudes": target.relativeMagnitudes.map { ["mbar": $0.bound, "conf_int": range($0.interval)] as [String: Any] },
                    "smoothness": target.smoothness.map { ["m": $0.bound, "conf_int": range($0.interval), "flci": range($0.fixedLength)] as [String: Any] },
                    "breakdown_mbar": target.relativeMagnitudesBreakdown ?? NSNull(), "breakdown_m": target.smoothnessBreakdown ?? NSNull(),
                    "breakdown_m_flci": target.smoothnessFixedLengthBreakdown ?? NSNull(),
                    "sentence": s.sentence(for: target),
                ]
            },
        ]
        if let p = s.pretest {
            object["pretest_power"] = [
                "slope_for_50_percent_power": p.slopeForHalf, "slope_for_80_percent_power": p.slopeForFourFifths,
                "average_bias_at_50_percent_slope": p.averageBiasForHalf,
            ]
        }
        if let note = s.note { object["note"] = note }
        return object
    }
}
