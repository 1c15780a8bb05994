import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

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
        public var description: String {
            switch self {
            case .notAWorkbook(let reason): "not an Excel workbook (.xlsx): \(reason)"
            }
        }
    }

    /// Reads every sheet: shared strings, inline strings, numbers and booleans as text.
    public static func read(_ data: Data) throws -> Workbook {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw ReadError.notAWorkbook("it is not a zip archive") }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            return bytes
        }
        guard let workbookXML = try part("xl/workbook.xml") else { throw ReadError.notAWorkbook("it has no xl/workbook.xml") }
        let relations = try part("xl/_rels/workbook.xml.rels").map { XMLElements.parse($0) } ?? []
        var targets: [String: String] = [:]
        for relation in relations where relation.name == "Relationship" {
            if let id = relation.attributes["Id"], let target = relation.attributes["Target"] { targets[id] = target }
        }
        var shared: [String] = []
        if let strings = try part("xl/sharedStrings.xml") { shared = SharedStrings.parse(strings) }
        var sheets: [Sheet] = []
        for element in XMLElements.parse(workbookXML) where element.name == "sheet" {
            guard let name = element.attributes["name"], let id = element.attributes["r:id"] ?? element.attributes["id"], var target = targets[id] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let xml = try part(target) else { continue }
            sheets.append(Sheet(name: name, rows: SheetCells.parse(xml, shared: shared)))
        }
        return Workbook(sheets: sheets)
    }

    /// The column index of a cell reference's letters ("B12" → 1).
    static func columnIndex(_ reference: String) -> Int {
        reference.prefix { $0.isLetter }.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    /// A1-style column letters for an index.
    public static func columnLetters(_ index: Int) -> String {
        var n = index + 1, letters = ""
        while n > 0 {
            letters = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    /// A workbook of text sheets (inline strings), for writing XLSForms.
    public static func write(_ sheets: [(name: String, rows: [[String]])]) throws -> Data {
        func escape(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        var parts: [(String, String)] = [
            ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                + sheets.indices.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined()
                + "</Types>"),
            ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
            ("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
                + sheets.enumerated().map { "<sheet name=\"\(escape($0.element.name))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }.joined()
                + "</sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined()
                + "</Relationships>"),
        ]
        for (index, sheet) in sheets.enumerated() {
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            for (r, row) in sheet.rows.enumerated() {
                xml += "<row r=\"\(r + 1)\">"
                for (c, text) in row.enumerated() where !text.isEmpty {
                    xml += "<c r=\"\(columnLetters(c))\(r + 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(text))</t></is></c>"
                }
                xml += "</row>"
            }
            parts.append(("xl/worksheets/sheet\(index + 1).xml", xml + "</sheetData></worksheet>"))
        }
        let archive = try Archive(accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Date(timeIntervalSince1970: 1_577_836_800),
                                 compressionMethod: .deflate) { position, size in bytes.subdata(in: Int(position)..<Int(position) + size) }
        }
        return archive.data ?? Data()
    }
}

/// Flat list of XML elements with their attributes (enough for workbook.xml and relationships).
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String] }
    private var elements: [Element] = []

    static func parse(_ data: Data) -> [Element] {
        let handler = XMLElements()
        let parser = XMLParser(data: data)
        parser.delegate = handler
        parser.parse()
        return handler.elements
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributes))
    }
}

/// The shared-strings table: each <si>'s text runs joined.
final class SharedStrings: NSObject, XMLParserDelegate {
    private var strings: [String] = []
    private var current = ""
    private var inText = false

    static func parse(_ data: Data) -> [String] {
        let handler = SharedStrings()
        let parser = XMLParser(data: data)
        parser.delegate = handler
        parser.parse()
        return handler.strings
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
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
    private var rows: [Int: [Int: String]] = [:]
    private var reference = "", type = "", text = ""
    private var inValue = false

    init(shared: [String]) { self.shared = shared }

    static func parse(_ data: Data, shared: [String]) -> [(number: Int, cells: [Int: String])] {
        let handler = SheetCells(shared: shared)
        let parser = XMLParser(data: data)
        parser.delegate = handler
        parser.parse()
        return handler.rows.keys.sorted().map { ($0, handler.rows[$0]!) }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch elementName {
        case "c":
            reference = attributes["r"] ?? ""
            type = attributes["t"] ?? "n"
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
            let row = Int(reference.drop { $0.isLetter }) ?? 0
            var value = text
            if type == "s", let index = Int(text), index < shared.count { value = shared[index] }
            if type == "b" { value = text == "1" ? "TRUE" : "FALSE" }
            // Whole numbers typed into Excel come back as "3" rather than "3.0".
            if type == "n", let number = Double(text), number == number.rounded(), abs(number) < 1e15 { value = String(Int64(number)) }
            if !value.isEmpty { rows[row, default: [:]][Workbook.columnIndex(reference)] = value }
        default: break
        }
    }
}
