import Codebook
import Foundation
import Tabular

/// The export formats, each writing into a folder.
public enum ExportFormat: String, CaseIterable, Sendable {
    case csv, long, dta, xlsx
}

public enum Exporter {
    /// Writes `data` in `format` into `folder` (created when missing); returns the files written.
    public static func write(_ data: ExportData, as format: ExportFormat, to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var files: [String] = []
        func emit(_ name: String, _ contents: Data) throws {
            let path = (folder as NSString).appendingPathComponent(name)
            do { try contents.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw ExportError.cannotWrite(path: path, reason: error.localizedDescription)
            }
            files.append(path)
        }
        switch format {
        case .csv:
            try emit("\(data.wide.name).csv", Data(csv(data.wide).utf8))
            for table in data.repeats { try emit("\(table.name).csv", Data(csv(table).utf8)) }
        case .long:
            var rows = [["interview_uuid", "unit_code", "round", "variable", "instance", "value"]]
            for answer in data.long { rows.append([answer.interview, answer.unit, answer.round, answer.variable, answer.instance, answer.value.text]) }
            try emit("\(data.formID)-long.csv", Data(CSV.write(rows).utf8))
        case .dta:
            try emit("\(data.wide.name).dta", try StataWriter.write(data.wide, label: data.title, nonResponseLabels: data.nonResponseLabels))
            for table in data.repeats {
                try emit("\(table.name).dta", try StataWriter.write(table, label: "\(data.title): \(table.name)", nonResponseLabels: data.nonResponseLabels))
            }
        case .xlsx:
            try emit("\(data.formID).xlsx", try XLSXWriter.write(data))
        }
        try emit("\(data.formID)-codebook.md", Data(codebook(data, format: format).utf8))
        return files
    }

    /// One row per interview (or instance), select_multiple as its raw value and one 0/1 column per choice,
    /// non-responses as their codes (dont_know, refused, not_applicable), an empty cell for not asked or no answer.
    static func csv(_ table: ExportData.Table) -> String {
        CSV.write([table.columns.map(\.name)] + table.rows.map { $0.map(\.text) })
    }

    /// The questionnaire's codebook with what the export did: the files, the conventions, the personal data left out.
    static func codebook(_ data: ExportData, format: ExportFormat) -> String {
        var out = "# Export of \(data.formID): \(data.title)\n\n"
        out += "- interviews: \(data.wide.rows.count) (completed and approved unless --status said otherwise)\n"
        out += "- main table: \(data.wide.name) (\(data.wide.columns.count) columns)\n"
        for table in data.repeats { out += "- repeat table: \(table.name), \(table.rows.count) rows, keyed by interview_uuid and instance\n" }
        out += "- conventions: an empty cell is a question not asked or not answered; dont_know, refused and not_applicable are written "
        switch format {
        case .dta:
            out +=
                "as Stata's extended missing values .a, .b and .c in numeric variables, and as their codes in string variables; "
                + "select_one variables are numbered 1… in choice order with value labels (.a, .b, .c labelled too); dates are Stata dates (%td), "
                + "started_at a Stata datetime (%tc)\n"
        default:
            out +=
                "as those codes; select_multiple has its raw value (codes separated by spaces) and one 0/1 column per choice, "
                + "named VARIABLE_CODE; dates are YYYY-MM-DD, date-times ISO 8601 in UTC\n"
        }
        if data.excludedPII.isEmpty {
            out += "- personal data: none left out\n"
        } else {
            out += "- personal data left out (add --include-pii to export them): \(data.excludedPII.joined(separator: ", "))\n"
        }
        // Each column's type as written: what a reader of the CSV should parse it as.
        for table in [data.wide] + data.repeats {
            out += "\n## Columns of \(table.name)\n\n| column | label | type |\n|---|---|---|\n"
            for column in table.columns {
                let type =
                    switch column.kind {
                    case .number: "number"
                    case .text: "text"
                    case .date: "date"
                    case .dateTime: "date-time"
                    case .time: "time"
                    case .choice: "choice (code)"
                    case .flag: "0/1"
                    }
                out += "| \(column.name) | \(column.label.replacingOccurrences(of: "|", with: "\\|")) | \(type) |\n"
            }
        }
        out += "\n" + CodebookMarkdown.render(Codebook(data.questionnaire))
        return out
    }
}
