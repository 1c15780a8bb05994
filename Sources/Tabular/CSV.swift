import Foundation

/// RFC 4180 CSV: comma-separated fields, double quotes around fields that hold commas, quotes or line
/// breaks, quotes doubled inside. Accepts \n and \r\n line ends and a leading UTF-8 byte-order mark.
public enum CSV {
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// 1-based line in the file where the problem starts.
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// A row with the file line it starts on (1-based), so messages can point at it.
    public struct Row: Hashable, Sendable {
        public let line: Int
        public let fields: [String]
    }

    public static func parse(_ text: String) -> Result<[Row], ParseError> {
        var rows: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        var line = 1
        var rowLine = 1
        var inQuotes = false
        var quotedFieldLine = 1
        var fieldWasQuoted = false
        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            fieldWasQuoted = false
        }
        func endRow() {
            endField()
            // A blank line is not a row.
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowLine, fields: fields)) }
            fields = []
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if inQuotes {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.append("\"")
                        index += 2
                        continue
                    }
                    inQuotes = false
                    index += 1
                    continue
                }
                if scalar == "\n" { line += 1 }
                field.append(scalar)
                index += 1
                continue
            }
            switch scalar {
            case "\"":
                if field.isEmpty && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                    quotedFieldLine = line
                } else {
                    return .failure(ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")"))
                }
            case ",":
                endField()
            case "\r":
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                endRow()
                line += 1
                rowLine = line
            case "\n":
                endRow()
                line += 1
                rowLine = line
            default:
                if fieldWasQuoted {
                    return .failure(ParseError(line: line, message: "text after a closing quote; a quoted field must end at a comma or line end"))
                }
                field.append(scalar)
            }
            index += 1
        }
        if inQuotes { return .failure(ParseError(line: quotedFieldLine, message: "a quoted field is never closed")) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRow() }
        return .success(rows)
    }

    /// Quotes a field when it needs quoting.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix(" ") || field.hasSuffix(" ") else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One line per row, \n line ends. Text that a spreadsheet would run as a formula is neutralised (OWASP's rule
    /// for CSV injection): a cell starting with =, +, -, @, a tab or a carriage return gets a leading ' unless it is a
    /// number, so a unit named `=HYPERLINK(…)` shows as text in Excel and LibreOffice and -3.5 stays a number.
    public static func write(_ rows: [[String]]) -> String {
        rows.map { $0.map { escape(neutralised($0)) }.joined(separator: ",") + "\n" }.joined()
    }

    /// The cell with a leading ' when a spreadsheet would read it as a formula.
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        if Double(cell) != nil { return cell }
        return "'" + cell
    }
}
