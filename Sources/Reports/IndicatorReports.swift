import Analysis
import Expressions
import Foundation
import Questionnaire
import Tabular

/// Number formatting shared by the renderers: one decimal for shares and means, whole numbers with thousands
/// separators for totals, counts and medians of amounts; in the report's language's convention (Indonesian
/// 1.250.000 and 6,8, English 1,250,000 and 6.8). Machine formats (CSV, JSON) use `plain`.
struct Numbers {
    let indonesian: Bool

    init(language: String?) { indonesian = language?.lowercased().hasPrefix("id") == true }

    func format(_ value: Double?, _ kind: String) -> String {
        guard let value, value.isFinite else { return "–" }
        if kind == "total" || kind == "count" || (kind == "median" && abs(value) >= 1000) { return localized(Self.grouped(value)) }
        return localized(String(format: "%.1f", value))
    }

    func signed(_ value: Double?, _ kind: String) -> String {
        guard let value, value.isFinite else { return "–" }
        return (value > 0 ? "+" : "") + format(value, kind)
    }

    /// English separators swapped for Indonesian ones.
    func localized(_ text: String) -> String {
        guard indonesian else { return text }
        return String(text.map { $0 == "," ? "." : $0 == "." ? "," : $0 })
    }

    static func grouped(_ value: Double) -> String {
        let rounded = Int64(value.rounded())
        let digits = String(abs(rounded))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (rounded < 0 ? "-" : "") + String(out.reversed())
    }

    static func plain(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return Value(value).description
    }
}

/// Plain-number text for machine formats.
private struct Value {
    let number: Double
    init(_ number: Double) { self.number = number }
    var description: String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(format: "%.6g", number)
    }
}

extension IndicatorResult {
    func label(_ language: String?) -> String { indicator.label.text(in: language) }
    var overall: IndicatorRow? { rows.first { $0.dimension == "overall" } }
}

/// What the interval means, stated in every output.
func intervalNote(_ method: IntervalMethod) -> String {
    switch method {
    case .fpc:
        return
            "95% intervals treat the responding units as a random sample of the units in the frame, with the finite-population correction: the survey is a census of programme units, so with full response an indicator has no sampling error and its interval closes; it then reflects only non-response."
    case .srs: return "95% intervals assume simple random sampling from an infinite population (no finite-population correction)."
    case .none: return "No intervals."
    }
}

public enum IndicatorMarkdown {
    public static func render(_ table: IndicatorTable) -> String {
        let language = table.language
        let numbers = Numbers(language: language)
        var out = "# \(table.title): \(table.round)\n\n"
        out +=
            "Previous round: \(table.previousRound ?? "none"). Only completed interviews count; irrelevant answers never do. \(intervalNote(table.intervals))\n\n"
        out += "| indicator | value | 95% CI | n / N | previous | change | baseline | target | status |\n|---|---|---|---|---|---|---|---|---|\n"
        for result in table.results {
            let kind = result.indicator.measure.kind
            guard let row = result.overall else { continue }
            let ci = row.low.map { "\(numbers.format($0, kind))–\(numbers.format(row.high, kind))" } ?? "–"
            out += "| \(cell(result.label(language))) | \(numbers.format(row.value, kind)) | \(ci) | \(row.n) / \(row.population.map(String.init) ?? "–") | "
            out += "\(numbers.format(row.previous, kind)) | \(numbers.signed(row.change, kind)) | "
            out +=
                "\(result.indicator.baseline.map { numbers.format($0.value, kind) } ?? "–") | \(result.indicator.target.map { numbers.format($0.value, kind) } ?? "–") | "
            out += "\(result.status?.rawValue ?? "–") |\n"
        }
        for result in table.results {
            let kind = result.indicator.measure.kind
            out += "\n## \(cell(result.label(language)))\n\n"
            out += "`\(result.indicator.id)` · \(result.indicator.instrument) · \(kind)"
            if let flagship = result.indicator.flagship { out += " · \(flagship)" }
            out += "\n\n"
            if let note = result.comparability { out += "**Comparability:** \(note)\n\n" }
            out += "| by | group | value | 95% CI | n | N | missing | non-response | previous | change |\n|---|---|---|---|---|---|---|---|---|---|\n"
            for row in result.rows {
                let ci = row.low.map { "\(numbers.format($0, kind))–\(numbers.format(row.high, kind))" } ?? "–"
                out +=
                    "| \(cell(row.dimension)) | \(cell(row.group)) | \(numbers.format(row.value, kind)) | \(ci) | \(row.n) | \(row.population.map(String.init) ?? "–") | "
                out += "\(row.missing) | \(row.nonResponse) | \(numbers.format(row.previous, kind)) | \(numbers.signed(row.change, kind)) |\n"
            }
        }
        return out
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}

public enum IndicatorCSV {
    public static let header = [
        "indicator", "label", "instrument", "measure", "round", "dimension", "group", "value", "se", "ci_low",
        "ci_high", "n", "N", "missing", "non_response", "previous", "change", "baseline", "target", "status", "comparability",
    ]

    public static func render(_ table: IndicatorTable) -> String {
        var rows = [header]
        for result in table.results {
            for row in result.rows {
                rows.append([
                    result.indicator.id, result.label(table.language), result.indicator.instrument, result.indicator.measure.kind, table.round,
                    row.dimension, row.group, Numbers.plain(row.value), Numbers.plain(row.standardError), Numbers.plain(row.low),
                    Numbers.plain(row.high), String(row.n), row.population.map(String.init) ?? "", String(row.missing), String(row.nonResponse),
                    Numbers.plain(row.previous), Numbers.plain(row.change), Numbers.plain(result.indicator.baseline?.value),
                    Numbers.plain(result.indicator.target?.value), row.dimension == "overall" ? (result.status?.rawValue ?? "") : "",
                    result.comparability ?? "",
                ])
            }
        }
        return CSV.write(rows)
    }
}

/// JSON: `{title, round, previous_round, rounds, intervals, interval_note, indicators: [{id, label, instrument, measure,
/// flagship, direction, baseline, target, status, comparability, series: [{round, value}], rows: [{dimension, group,
/// value, se, ci_low, ci_high, n, N, missing, non_response, previous, change}]}]}`; absent numbers are null.
public enum IndicatorJSON {
    public static func render(_ table: IndicatorTable) throws -> String {
        func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        func point(_ point: TargetPoint?) -> Any {
            guard let point else { return NSNull() }
            return ["value": point.value, "date": CivilDate(days: point.date).description]
        }
        let object: [String: Any] = [
            "title": table.title, "round": table.round, "previous_round": table.previousRound ?? NSNull(), "rounds": table.rounds,
            "intervals": table.intervals.rawValue, "interval_note": intervalNote(table.intervals),
            "indicators": table.results.map { result -> [String: Any] in
                [
                    "id": result.indicator.id, "label": result.label(table.language), "instrument": result.indicator.instrument,
                    "measure": result.indicator.measure.kind, "flagship": result.indicator.flagship ?? NSNull(),
                    "direction": result.indicator.direction > 0 ? "up" : "down", "baseline": point(result.indicator.baseline),
                    "target": point(result.indicator.target), "status": result.status?.rawValue ?? NSNull(),
                    "comparability": result.comparability ?? NSNull(),
                    "series": result.series.map { ["round": $0.round, "value": number($0.value)] },
                    "rows": result.rows.map { row -> [String: Any] in
                        [
                            "dimension": row.dimension, "group": row.group, "value": number(row.value), "se": number(row.standardError),
                            "ci_low": number(row.low), "ci_high": number(row.high), "n": row.n, "N": row.population ?? NSNull(),
                            "missing": row.missing, "non_response": row.nonResponse, "previous": number(row.previous), "change": number(row.change),
                        ]
                    },
                ]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
