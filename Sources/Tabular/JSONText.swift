import Foundation

/// JSON text written as Foundation's `JSONSerialization` writes it with `.prettyPrinted` and `.sortedKeys`
/// (the same bytes: two-space indents, `"key" : value`, `\/` for a slash, integral doubles without `.0`, keys in
/// its numeric order — for keys without control characters, whose order ICU decides),
/// for the value types reports build: strings, booleans, integers, doubles, `NSNull`, arrays and dictionaries
/// with string keys.
///
/// On Linux, JSONSerialization took longer to write a DiD report than the whole of reading the estimates took to
/// compute (about 7 ms for a hundred terms); this writer is a single pass into one string.
public enum JSONText {
    public struct InvalidValue: Error, CustomStringConvertible {
        public let description: String
    }

    public static func prettySorted(_ value: Any) throws -> String {
        var out = ""
        try write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: Any, indent: Int, into out: inout String) throws {
        switch value {
        case let text as String: escape(text, into: &out)
        case let flag as Bool: out += flag ? "true" : "false"
        case let number as Int: out += String(number)
        case let number as Int64: out += String(number)
        case let number as Int32: out += String(number)
        case let number as UInt: out += String(number)
        case let number as UInt64: out += String(number)
        case let number as Double:
            guard number.isFinite else { throw InvalidValue(description: "JSON has no \(number)") }
            let text = number.description
            out += text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        case is NSNull: out += "null"
        case let array as [Any]:
            let inner = String(repeating: " ", count: indent + 2)
            out += "[\n"
            if array.isEmpty { out += "\n" }
            for (index, element) in array.enumerated() {
                out += inner
                try write(element, indent: indent + 2, into: &out)
                out += index == array.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case let object as [String: Any]:
            let inner = String(repeating: " ", count: indent + 2)
            out += "{\n"
            if object.isEmpty { out += "\n" }
            let keys = object.keys.sorted(by: foundationOrder)
            for (index, key) in keys.enumerated() {
                out += inner
                escape(key, into: &out)
                out += " : "
                try write(object[key]!, indent: indent + 2, into: &out)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            throw InvalidValue(description: "JSON cannot hold a value of type \(type(of: value))")
        }
    }

    /// JSONSerialization's key order: a numeric comparison in the system locale ("a9" before "a10").
    private static func foundationOrder(_ a: String, _ b: String) -> Bool {
        let text = a as NSString
        return text.compare(b, options: [.numeric], range: NSRange(location: 0, length: text.length), locale: NSLocale.system) == .orderedAscending
    }

    /// Where a quoted string goes: JSON, or a double-quoted YAML scalar, which reads the same escapes but must not
    /// hold YAML's non-printable characters raw (and needs no escaped slash).
    public enum Dialect: Sendable { case json, yaml }

    /// A string in double quotes, escaped for the dialect.
    public static func quoted(_ text: String, as dialect: Dialect = .json) -> String {
        var out = ""
        escape(text, as: dialect, into: &out)
        return out
    }

    private static func escape(_ text: String, as dialect: Dialect = .json, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where dialect == .json: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || (dialect == .yaml && !yamlPrintable(scalar)):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// What YAML 1.1 keeps as written inside double quotes: its printable characters, less the line breaks it
    /// would fold (NEL, the line and paragraph separators). Tab and the C0 block are handled above.
    private static func yamlPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2028, 0x2029: false
        case 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
