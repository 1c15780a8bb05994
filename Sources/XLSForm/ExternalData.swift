import Foundation
import Tabular

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Data files beside a form, as ODK reads them: choice files of select_one_from_file and the tables of csv-external,
/// xml-external and pulldata(), each as a header and rows of text.
enum ExternalData {
    struct Table {
        let header: [String]
        let rows: [(line: Int, values: [String])]
    }

    /// Why a file could not be read, in words for the cell that names it.
    struct Problem: Error {
        let reason: String
    }

    /// A .csv, .xml or .geojson file: CSV with its header row; XML as `<root><item><name>…</name>…</item></root>`,
    /// each item's child elements its columns; GeoJSON features with `id` as the name, `title` as the label, their
    /// other properties as columns and the geometry as ODK's "lat lon 0 0;…" text.
    static func read(_ path: String) -> Result<Table, Problem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Problem(reason: "is not beside the form"))
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "xml": return xml(data)
        case "geojson": return geoJSON(data)
        default:
            guard let text = String(data: data, encoding: .utf8) else { return .failure(Problem(reason: "is not UTF-8 text")) }
            switch CSV.parse(text) {
            case .failure(let error): return .failure(Problem(reason: "is not CSV: \(error)"))
            case .success(let rows):
                guard let header = rows.first else { return .failure(Problem(reason: "is empty")) }
                return .success(
                    Table(
                        header: header.fields.map { $0.trimmingCharacters(in: .whitespaces) },
                        rows: rows.dropFirst().filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }.map {
                            ($0.line, $0.fields)
                        }))
            }
        }
    }

    static func xml(_ data: Data) -> Result<Table, Problem> {
        let reader = ItemReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else {
            return .failure(Problem(reason: "is not well-formed XML (line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "unreadable"))"))
        }
        // libxml2 may stop at a truncated file without an error: a root never closed is one.
        guard reader.closedRoot else { return .failure(Problem(reason: "is not well-formed XML (it ends before its root element is closed)")) }
        guard !reader.items.isEmpty else { return .failure(Problem(reason: "has no <item> elements under its root")) }
        var header: [String] = []
        for item in reader.items { for (column, _) in item.cells where !header.contains(column) { header.append(column) } }
        return .success(
            Table(header: header, rows: reader.items.map { item in (item.line, header.map { column in item.cells.first { $0.0 == column }?.1 ?? "" }) }))
    }

    /// Collects `root/item/column` text, in document order.
    final class ItemReader: NSObject, XMLParserDelegate {
        var items: [(line: Int, cells: [(String, String)])] = []
        private(set) var closedRoot = false
        private var depth = 0
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]
        ) {
            depth += 1
            if depth == 2 { items.append((parser.lineNumber, [])) }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if depth == 3, !items.isEmpty { items[items.count - 1].cells.append((elementName, text.trimmingCharacters(in: .whitespacesAndNewlines))) }
            depth -= 1
            if depth == 0 { closedRoot = true }
            text = ""
        }
    }

    static func geoJSON(_ data: Data) -> Result<Table, Problem> {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["type"] as? String == "FeatureCollection",
            let features = object["features"] as? [[String: Any]]
        else { return .failure(Problem(reason: "is not a GeoJSON FeatureCollection")) }
        var header = ["name", "label", "geometry"]
        var rows: [[String: String]] = []
        for (index, feature) in features.enumerated() {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            var row: [String: String] = [:]
            for (key, value) in properties where !["id", "title"].contains(key) {
                row[key] = text(value)
                if !header.contains(key) { header.append(key) }
            }
            guard let id = (feature["id"] ?? properties["id"]).map(text), !id.isEmpty else {
                return .failure(Problem(reason: "has a feature (number \(index + 1)) with no id, which ODK takes as the choice's name"))
            }
            row["name"] = id
            row["label"] = properties["title"].map(text) ?? id
            row["geometry"] = geometry(feature["geometry"] as? [String: Any])
            rows.append(row)
        }
        return .success(Table(header: header, rows: rows.enumerated().map { index, row in (index + 1, header.map { row[$0] ?? "" }) }))
    }

    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }

    /// A Point, LineString or Polygon's outer ring as ODK writes geo answers: "lat lon 0 0" points joined by ";".
    static func geometry(_ geometry: [String: Any]?) -> String {
        guard let geometry, let type = geometry["type"] as? String else { return "" }
        func point(_ coordinates: Any?) -> String? {
            guard let pair = coordinates as? [Any], pair.count >= 2 else { return nil }
            return "\(text(pair[1])) \(text(pair[0])) 0 0"
        }
        switch type {
        case "Point": return point(geometry["coordinates"]) ?? ""
        case "LineString": return (geometry["coordinates"] as? [Any] ?? []).compactMap(point).joined(separator: ";")
        case "Polygon": return ((geometry["coordinates"] as? [Any])?.first as? [Any] ?? []).compactMap(point).joined(separator: ";")
        default: return ""
        }
    }
}
