import Foundation
import Tabular
import ZIPFoundation

/// The wide data as an Excel workbook (Office Open XML, written directly): a sheet per table (the main
/// table, then each repeat) and a codebook sheet, with inline strings, numbers as numbers and a frozen header.
public enum XLSXWriter {
    public static func write(_ data: ExportData) throws -> Data {
        let tables = [data.wide] + data.repeats
        var sheets: [(name: String, xml: String)] = tables.map { (sheetName($0.name, data.formID), sheet($0)) }
        sheets.append(("codebook", codebookSheet(data)))
        var parts: [(String, String)] = [
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
                \(sheets.indices.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
                </Relationships>
                """),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
                <sheets>\(sheets.enumerated().map { "<sheet name=\"\(escape($0.element.name))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }.joined())</sheets>\
                </workbook>
                """),
            ("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                \(sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined())\
                <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
                </Relationships>
                """),
            ("xl/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
                <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
                <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
                <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
                <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
                </styleSheet>
                """),
        ]
        for (index, sheet) in sheets.enumerated() { parts.append(("xl/worksheets/sheet\(index + 1).xml", sheet.xml)) }
        let archive = try Archive(accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Date(timeIntervalSince1970: 1_577_836_800),
                                 compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let result = archive.data else { throw ExportError.cannotWrite(path: "\(data.formID).xlsx", reason: "the archive was not built") }
        return result
    }

    /// Sheet names: at most 31 characters, none of []:*?/\.
    static func sheetName(_ name: String, _ formID: String) -> String {
        var short = name == formID ? "data" : String(name.dropFirst(formID.count + 1))
        short = String(short.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        return String(short.prefix(31))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // Characters XML 1.0 cannot carry are dropped.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A1-style column letters.
    static func column(_ index: Int) -> String {
        var n = index + 1, letters = ""
        while n > 0 {
            let remainder = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    static func cell(_ reference: String, _ text: String, number: Double?, bold: Bool = false) -> String {
        if let number, number.isFinite { return "<c r=\"\(reference)\"\(bold ? " s=\"1\"" : "")><v>\(Value(number))</v></c>" }
        if text.isEmpty { return "" }
        return "<c r=\"\(reference)\" t=\"inlineStr\"\(bold ? " s=\"1\"" : "")><is><t xml:space=\"preserve\">\(escape(text))</t></is></c>"
    }

    static func sheet(_ table: ExportData.Table) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>
            """
        out += "<row r=\"1\">" + table.columns.enumerated().map { cell("\(column($0.offset))1", $0.element.name, number: nil, bold: true) }.joined() + "</row>"
        for (index, row) in table.rows.enumerated() {
            out += "<row r=\"\(index + 2)\">"
            for (position, value) in row.enumerated() {
                let reference = "\(column(position))\(index + 2)"
                switch (table.columns[position].kind, value) {
                case (.number, .value(_, let number?)), (.flag, .value(_, let number?)): out += cell(reference, value.text, number: number)
                default: out += cell(reference, value.text, number: nil)
                }
            }
            out += "</row>"
        }
        return out + "</sheetData></worksheet>"
    }

    static func codebookSheet(_ data: ExportData) -> String {
        var rows: [[String]] = [["table", "column", "label", "values"]]
        for table in [data.wide] + data.repeats {
            for column in table.columns {
                var values = ""
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
        var out = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            """
        for (index, row) in rows.enumerated() {
            out += "<row r=\"\(index + 1)\">" + row.enumerated().map { cell("\(column($0.offset))\(index + 1)", $0.element, number: nil, bold: index == 0) }.joined() + "</row>"
        }
        return out + "</sheetData></worksheet>"
    }
}

/// Numbers in cells: the shortest text that reads back as the same double.
private struct Value: CustomStringConvertible {
    let number: Double
    init(_ number: Double) { self.number = number }
    var description: String { number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)" }
}
