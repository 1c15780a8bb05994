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

    init(language: String?) { indonesian = LocalizedText.isIndonesian(language) }

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

/// What the interval means, stated in every output (English, for the machine formats).
func intervalNote(_ method: IntervalMethod) -> String { ReportWords(language: "en").intervalNote(method) }

public enum IndicatorMarkdown {
    public static func render(_ table: IndicatorTable) -> String {
        let language = table.language
        let numbers = Numbers(language: language), words = ReportWords(language: language)
        let compared = table.results.contains { $0.comparison != nil }
        var out = "# \(table.title): \(table.round)\n\n\(words.roundLine(table))"
        if let dates = words.dates(table) { out += " \(dates)" }
        out += "\n\n"
        let summary = words.summary(table, numbers: numbers)
        if !summary.isEmpty { out += summary + "\n\n" }
        var header = [words.indicator, words.baseline, table.previousRound ?? words.previous, table.round, words.interval, words.answeredOfEligible]
        if compared { header.append(words.comparison) }
        header += [words.target, words.status]
        out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for result in table.results {
            let kind = result.indicator.measure.kind
            guard let row = result.overall else { continue }
            var cells = [
                cell(result.label(language)), result.indicator.baseline.map { numbers.format($0.value, kind) } ?? "–", numbers.format(row.previous, kind),
                numbers.format(row.value, kind), interval(row, kind, numbers, words), "\(row.n) / \(row.eligible)",
            ]
            if compared { cells.append(result.comparison.map { numbers.format($0.value, kind) } ?? "–") }
            cells += [result.indicator.target.map { numbers.format($0.value, kind) } ?? "–", words.statusWord(result.status)]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        out += "\n\(words.intervalNote(table.intervals))\n"
        for result in table.results {
            let kind = result.indicator.measure.kind
            out += "\n## \(cell(result.label(language)))\n\n"
            out += "`\(result.indicator.id)` · \(result.indicator.instrument) · \(kind)"
            if let flagship = result.indicator.flagship { out += " · \(flagship)" }
            if let population = words.populationLine(result) { out += " · \(population)" }
            out += "\n\n"
            if let note = result.comparability { out += "**\(words.pick("Keterbandingan", "Comparability")):** \(note)\n\n" }
            let columns = [
                words.by, words.group, words.value, words.interval, words.answeredOfEligible, words.notAsked, words.missing, words.nonResponse,
                words.frameUnits, words.previous, words.change,
            ]
            out += "| " + columns.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: columns.count) + "\n"
            for row in result.rows + (result.comparison.map { [$0] } ?? []) {
                let dimension = row.dimension == "comparison" ? words.comparison : row.dimension == "overall" ? words.overall : row.dimension
                let group = row.group == "all" ? "" : row.group
                out += "| \(cell(dimension)) | \(cell(group)) | \(numbers.format(row.value, kind)) | \(interval(row, kind, numbers, words)) | "
                out += "\(row.n) / \(row.eligible) | \(row.notAsked) | \(row.missing) | \(row.nonResponse) | \(row.population.map(String.init) ?? "–") | "
                out += "\(numbers.format(row.previous, kind)) | \(numbers.signed(row.change, kind)) |\n"
            }
            if result.provinceStatus.contains(where: { $0.status != nil }) {
                out += "\n\(words.statusByProvince): "
                out += result.provinceStatus.map { "\($0.name) \(numbers.format($0.value, kind)) (\(words.statusWord($0.status)))" }.joined(separator: "; ")
                out += "\n"
            }
        }
        return out
    }

    /// The interval, or the word that says the value is exact (every eligible unit answered).
    static func interval(_ row: IndicatorRow, _ kind: String, _ numbers: Numbers, _ words: ReportWords) -> String {
        if row.census { return words.exact }
        return row.low.map { "\(numbers.format($0, kind))–\(numbers.format(row.high, kind))" } ?? "–"
    }

    static func cell(_ text: String) -> String { Markdown.text(text) }
}

public enum IndicatorCSV {
    public static let header = [
        "indicator", "label", "instrument", "measure", "round", "dimension", "group", "value", "se", "ci_low",
        "ci_high", "n", "N", "missing", "non_response", "not_asked", "exact", "previous", "change", "baseline", "target", "status",
        "comparability", "population",
    ]

    public static func render(_ table: IndicatorTable) -> String {
        var rows = [header]
        for result in table.results {
            for row in result.rows + (result.comparison.map { [$0] } ?? []) {
                rows.append([
                    result.indicator.id, result.label(table.language), result.indicator.instrument, result.indicator.measure.kind, table.round,
                    row.dimension, row.group, Numbers.plain(row.value), Numbers.plain(row.standardError), Numbers.plain(row.low),
                    Numbers.plain(row.high), String(row.n), row.population.map(String.init) ?? "", String(row.missing), String(row.nonResponse),
                    String(row.notAsked), row.census ? "1" : "0", Numbers.plain(row.previous), Numbers.plain(row.change),
                    Numbers.plain(result.indicator.baseline?.value), Numbers.plain(result.indicator.target?.value),
                    row.dimension == "overall" ? (result.status?.rawValue ?? "") : "", result.comparability ?? "",
                    row.dimension == "comparison" ? (result.indicator.comparison?.description ?? "") : result.indicator.population.description,
                ])
            }
        }
        return CSV.write(rows)
    }
}

/// JSON: `{title, round, previous_round, rounds, intervals, interval_note, extracted_at, indicators: [{id, label,
/// instrument, measure, flagship, direction, baseline, target, status, comparability, population, comparison_population,
/// series: [{round, value}], comparison_series, comparison: ROW, rows: [ROW]}]}` with ROW `{dimension, group, value, se,
/// ci_low, ci_high, n, N, missing, non_response, not_asked, exact, previous, change}`; absent numbers are null.
public enum IndicatorJSON {
    public static func render(_ table: IndicatorTable) throws -> String {
        func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        func json(_ row: IndicatorRow) -> [String: Any] {
            [
                "dimension": row.dimension, "group": row.group, "value": number(row.value), "se": number(row.standardError),
                "ci_low": number(row.low), "ci_high": number(row.high), "n": row.n, "N": row.population ?? NSNull(),
                "missing": row.missing, "non_response": row.nonResponse, "not_asked": row.notAsked, "exact": row.census,
                "previous": number(row.previous), "change": number(row.change),
            ]
        }
        func point(_ point: TargetPoint?) -> Any {
            guard let point else { return NSNull() }
            return ["value": point.value, "date": CivilDate(days: point.date).description]
        }
        let object: [String: Any] = [
            "title": table.title, "round": table.round, "previous_round": table.previousRound ?? NSNull(), "rounds": table.rounds,
            "intervals": table.intervals.rawValue, "interval_note": intervalNote(table.intervals), "extracted_at": table.extractedAt ?? NSNull(),
            "indicators": table.results.map { result -> [String: Any] in
                [
                    "id": result.indicator.id, "label": result.label(table.language), "instrument": result.indicator.instrument,
                    "measure": result.indicator.measure.kind, "flagship": result.indicator.flagship ?? NSNull(),
                    "direction": result.indicator.direction > 0 ? "up" : "down", "baseline": point(result.indicator.baseline),
                    "target": point(result.indicator.target), "status": result.status?.rawValue ?? NSNull(),
                    "comparability": result.comparability ?? NSNull(),
                    "series": result.series.map { ["round": $0.round, "value": number($0.value)] },
                    "population": result.indicator.population.description,
                    "comparison_population": result.indicator.comparison?.description ?? NSNull(),
                    "comparison_series": result.comparisonSeries.map { ["round": $0.round, "value": number($0.value)] },
                    "comparison": result.comparison.map(json) ?? NSNull(),
                    "rows": result.rows.map(json),
                ]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
