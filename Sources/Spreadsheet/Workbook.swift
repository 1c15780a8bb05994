import Foundation
import Tabular
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The sheets of an .xlsx workbook as text cells, row by row (1-based row numbers as Excel shows them).
public struct Workbook: Sendable {
    public struct Sheet: Sendable {
        public let name: String
        /// Row number → cells by column index (0-based).
        public let rows: [(number: Int, cells: [Int: String])]
    }

    public let sheets: [Sheet]

    public func sheet(_ name: String) -> Sheet? { sheets.first { $0.name.lowercased() == name.lowercased() } }

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case notAWorkbook(String)
        /// A part of the archive is not well-formed XML (a file cut short, say): reading on would give a smaller,
        /// wrong workbook.
        case damagedPart(part: String, line: Int, reason: String)
        public var description: String {
            switch self {
            case .notAWorkbook(let reason): "not an Excel workbook (.xlsx): \(reason)"
            case .damagedPart(let part, let line, let reason):
                "the workbook is damaged: its part \(part) is not well-formed XML at line \(line) (\(reason)); open and save it again in Excel"
            }
        }
    }

    /// Reads every sheet of an .xlsx or .xls workbook: shared strings, inline strings, numbers and booleans as
    /// text, dates and times (by their cells' number formats) as ISO 8601.
    public static func read(_ data: Data) throws -> Workbook {
        if data.count >= 8, [UInt8](data.prefix(8)) == LegacyWorkbook.signature { return try LegacyWorkbook.read(data) }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw ReadError.notAWorkbook("it is not a zip archive") }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            return bytes
        }
        guard let workbookXML = try part("xl/workbook.xml") else { throw ReadError.notAWorkbook("it has no xl/workbook.xml") }
        let relations = try part("xl/_rels/workbook.xml.rels").map { try XMLElements.parse($0, part: "xl/_rels/workbook.xml.rels") } ?? []
        var targets: [String: String] = [:]
        for relation in relations where relation.name == "Relationship" {
            if let id = relation.attributes["Id"], let target = relation.attributes["Target"] { targets[id] = target }
        }
        var shared: [String] = []
        if let strings = try part("xl/sharedStrings.xml") { shared = try SharedStrings.parse(strings, part: "xl/sharedStrings.xml") }
        // Each cell style's number format, so that dates read as dates.
        var formats = NumberFormats()
        if let styles = try part("xl/styles.xml") {
            var inCellXfs = false
            for element in try XMLElements.parse(styles, part: "xl/styles.xml") {
                switch element.name {
                case "numFmt":
                    if let id = element.attributes["numFmtId"].flatMap(Int.init) { formats.codes[id] = element.attributes["formatCode"] }
                case "cellXfs": inCellXfs = true
                case "cellStyleXfs", "dxfs", "cellStyles": inCellXfs = false
                case "xf" where inCellXfs: formats.styles.append(element.attributes["numFmtId"].flatMap(Int.init) ?? 0)
                default: break
                }
            }
        }
        let workbookElements = try XMLElements.parse(workbookXML, part: "xl/workbook.xml")
        formats.date1904 = workbookElements.contains { $0.name == "workbookPr" && ["1", "true"].contains($0.attributes["date1904"] ?? "") }
        var sheets: [Sheet] = []
        for element in workbookElements where element.name == "sheet" {
            guard let name = element.attributes["name"], let id = element.attributes["r:id"] ?? element.attributes["id"], var target = targets[id] else {
                continue
            }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let xml = try part(target) else { continue }
            sheets.append(Sheet(name: name, rows: try SheetCells.parse(xml, part: target, shared: shared, formats: formats)))
        }
        return Workbook(sheets: sheets)
    }

    /// The column index of a cell reference's letters ("B12" → 1).
    static func columnIndex(_ reference: String) -> Int {
        // ASCII only: Character.isLetter's Unicode tables cost a tenth of reading a large workbook.
        reference.utf8.prefix { isASCIILetter($0) }.reduce(0) { $0 * 26 + Int($1 & 0xDF) - 64 } - 1
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }

    /// A1-style column letters for an index.
    public static func columnLetters(_ index: Int) -> String {
        var n = index + 1, letters = ""
        while n > 0 {
            letters = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    /// A cell to write: text (an inline string) or a number.
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
    }

    /// A sheet to write; with `header`, the first row is bold and stays in view when scrolling.
    public struct SheetContent: Sendable {
        public let name: String
        public let rows: [[Cell]]
        public let header: Bool

        public init(name: String, rows: [[Cell]], header: Bool = false) {
            self.name = name
            self.rows = rows
            self.header = header
        }
    }

    /// Text sheets, for writing XLSForms.
    public static func write(_ sheets: [(name: String, rows: [[String]])]) throws -> Data {
        try write(sheets.map { SheetContent(name: $0.name, rows: $0.rows.map { $0.map(Cell.text) }) })
    }

    /// A workbook (Office Open XML) written directly: inline strings, numbers as numbers, no shared-strings part.
    public static func write(_ sheets: [SheetContent]) throws -> Data {
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                    + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
                    + sheets.indices.map {
                        "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                    }.joined()
                    + "</Types>"
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"\(relationships)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
            (
                "xl/workbook.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                    + "xmlns:r=\"\(relationships)\"><sheets>"
                    + sheets.enumerated().map { "<sheet name=\"\(escape($0.element.name))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }
                    .joined()
                    + "</sheets></workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"\(relationships)/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }
                    .joined()
                    + "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"\(relationships)/styles\" Target=\"styles.xml\"/></Relationships>"
            ),
            (
                "xl/styles.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                    + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
                    + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
                    + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
                    + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
                    + "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
                    + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
                    + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"
            ),
        ]
        for (index, sheet) in sheets.enumerated() {
            var xml =
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            if sheet.header {
                xml +=
                    "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
            }
            xml += "<sheetData>"
            for (r, row) in sheet.rows.enumerated() {
                let style = sheet.header && r == 0 ? " s=\"1\"" : ""
                xml += "<row r=\"\(r + 1)\">"
                for (c, cell) in row.enumerated() {
                    let reference = "\(columnLetters(c))\(r + 1)"
                    switch cell {
                    case .number(let number) where number.isFinite:
                        xml +=
                            "<c r=\"\(reference)\"\(style)><v>\(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)")</v></c>"
                    case .text(let text) where !text.isEmpty:
                        xml += "<c r=\"\(reference)\" t=\"inlineStr\"\(style)><is><t xml:space=\"preserve\">\(escape(text))</t></is></c>"
                    default: continue
                    }
                }
                xml += "</row>"
            }
            parts.append(("xl/worksheets/sheet\(index + 1).xml", xml + "</sheetData></worksheet>"))
        }
        let archive = try Archive(accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Date(timeIntervalSince1970: 1_577_836_800),
                compressionMethod: .deflate
            ) { position, size in bytes.subdata(in: Int(position)..<Int(position) + size) }
        }
        return archive.data ?? Data()
    }

    /// Text for XML: HTML's escapes, and the control characters XML 1.0 cannot carry dropped.
    static func escape(_ text: String) -> String {
        HTML.escape(String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" })))
    }
}

/// Runs `handler` over one part of the archive; a part that is not well-formed is an error, never a shorter result.
/// Both the result and `parserError` are checked: on Linux `parse()` returns true for a document cut short.
private func parseXML(_ data: Data, part: String, with handler: XMLParserDelegate) throws {
    let parser = XMLParser(data: data)
    parser.delegate = handler
    let parsed = parser.parse()
    if !parsed || parser.parserError != nil {
        let code = (parser.parserError as NSError?)?.code
        // 5 is XMLParser.ErrorCode.prematureDocumentEndError, what a truncated file gives.
        let reason = code == 5 ? "it ends before its XML does" : "XML parser error \(code ?? 0)"
        throw Workbook.ReadError.damagedPart(part: part, line: parser.lineNumber, reason: reason)
    }
}

/// Flat list of XML elements with their attributes (enough for workbook.xml and relationships).
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
    }
    private var elements: [Element] = []

    static func parse(_ data: Data, part: String) throws -> [Element] {
        let handler = XMLElements()
        try parseXML(data, part: part, with: handler)
        return handler.elements
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributes))
    }
}

/// The shared-strings table: each <si>'s text runs joined.
final class SharedStrings: NSObject, XMLParserDelegate {
    private var strings: [String] = []
    private var current = ""
    private var inText = false

    static func parse(_ data: Data, part: String) throws -> [String] {
        let handler = SharedStrings()
        try parseXML(data, part: part, with: handler)
        return handler.strings
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "si" { current = "" }
        if elementName == "t" { inText = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "t" { inText = false }
        if elementName == "si" { strings.append(current) }
    }
}

/// A worksheet's cells as text.
final class SheetCells: NSObject, XMLParserDelegate {
    private let shared: [String]
    private let formats: NumberFormats
    private var rows: [Int: [Int: String]] = [:]
    private var reference = "", type = "", text = "", style = 0
    private var inValue = false

    init(shared: [String], formats: NumberFormats) {
        self.shared = shared
        self.formats = formats
    }

    static func parse(_ data: Data, part: String, shared: [String], formats: NumberFormats) throws -> [(number: Int, cells: [Int: String])] {
        let handler = SheetCells(shared: shared, formats: formats)
        try parseXML(data, part: part, with: handler)
        return handler.rows.keys.sorted().map { ($0, handler.rows[$0]!) }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "c":
            reference = attributes["r"] ?? ""
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            text = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { text += string } }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        switch elementName {
        case "v", "t": inValue = false
        case "c":
            let row = Int(String(reference.utf8.drop { Workbook.isASCIILetter($0) })!) ?? 0
            var value = text
            if type == "s", let index = Int(text), index < shared.count { value = shared[index] }
            if type == "b" { value = text == "1" ? "TRUE" : "FALSE" }
            // Whole numbers typed into Excel come back as "3" rather than "3.0", dates as dates.
            if type == "n", let number = Double(text) {
                let id = style < formats.styles.count ? formats.styles[style] : 0
                value = CellFormat.text(number, formatID: id, code: formats.codes[id], date1904: formats.date1904)
                if !CellFormat.isDate(formatID: id, code: formats.codes[id]), number != number.rounded() || abs(number) >= 1e15 { value = text }
            }
            if !value.isEmpty { rows[row, default: [:]][Workbook.columnIndex(reference)] = value }
        default: break
        }
    }
}

/// An .xlsx workbook's number formats: each cell style's format id, the custom formats' codes, the date system.
struct NumberFormats {
    var styles: [Int] = []
    var codes: [Int: String] = [:]
    var date1904 = false
}
