import Foundation
import Spreadsheet

/// The wide data as an Excel workbook: a sheet per table (the main table, then each repeat) with a bold, frozen
/// header and numbers as numbers, and a codebook sheet.
public enum XLSXWriter {
    public static func write(_ data: ExportData) throws -> Data {
        let tables = [data.wide] + data.repeats
        let sheets =
            tables.map { Workbook.SheetContent(name: sheetName($0.name, data.formID), rows: rows($0), header: true) }
            + [Workbook.SheetContent(name: "codebook", rows: codebookRows(data).map { $0.map(Workbook.Cell.text) }, header: true)]
        return try Workbook.write(sheets)
    }

    /// Sheet names: at most 31 characters, none of []:*?/\.
    static func sheetName(_ name: String, _ formID: String) -> String {
        let short = name == formID ? "data" : String(name.dropFirst(formID.count + 1))
        return String(short.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
    }

    static func rows(_ table: ExportData.Table) -> [[Workbook.Cell]] {
        [table.columns.map { .text($0.name) }]
            + table.rows.map { row in
                row.enumerated().map { position, value in
                    switch (table.columns[position].kind, value) {
                    case (.number, .value(_, let number?)), (.flag, .value(_, let number?)): .number(number)
                    default: .text(value.text)
                    }
                }
            }
    }

    static func codebookRows(_ data: ExportData) -> [[String]] {
        var rows: [[String]] = [["table", "column", "label", "values"]]
        for table in [data.wide] + data.repeats {
            for column in table.columns {
                let values: String
                switch column.kind {
                case .choice(let choices): values = choices.map { "\($0.code) = \($0.label)" }.joined(separator: "; ")
                case .flag: values = "1 chosen, 0 not"
                case .number: values = "number"
                case .date: values = "date (YYYY-MM-DD)"
                case .dateTime: values = "date and time (UTC)"
                case .time: values = "time of day"
                case .text: values = "text"
                }
                rows.append([table.name, column.name, column.label, values])
            }
        }
        rows.append(["", "", "", ""])
        rows.append(["note", "", "Empty: not asked or not answered. dont_know, refused, not_applicable: as written.", ""])
        if !data.excludedPII.isEmpty { rows.append(["note", "", "Personal data left out: \(data.excludedPII.joined(separator: ", "))", ""]) }
        return rows
    }
}
