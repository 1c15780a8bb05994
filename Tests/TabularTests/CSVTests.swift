import Foundation
import Randomness
import Tabular
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct CSVTests {
    @Test("RFC 4180 fields: quotes, commas, line breaks, CRLF, BOM, blank lines")
    func parse() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\n"
        let rows = try CSV.parse(text).get()
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test("text a spreadsheet would run as a formula gets a leading '; numbers, including negative ones, do not")
    func formulaInjection() {
        #expect(
            CSV.write([["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "-3.5", "+7", "1e5", "a=b", ""]]) == "'=1+1,'+A1,'-2+3,'@SUM(A1),'\tx,-3.5,+7,1e5,a=b,\n")
    }

    @Test("malformed quoting is located")
    func errors() {
        #expect(throws: CSV.ParseError(line: 2, message: "a quoted field is never closed")) { try CSV.parse("a\n\"open\n").get() }
        #expect(throws: CSV.ParseError(line: 1, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")) {
            try CSV.parse("ab\"c\n").get()
        }
        #expect(throws: CSV.ParseError(line: 1, message: "text after a closing quote; a quoted field must end at a comma or line end")) {
            try CSV.parse("\"a\"b\n").get()
        }
    }

    @Test("writing then reading gives the same fields")
    func roundTrip() throws {
        let rows = [["code", "name"], ["1", "a, \"b\"\nc"], [" padded ", ""]]
        #expect(try CSV.parse(CSV.write(rows)).get().map(\.fields) == rows)
    }
}

/// The column reader for large files agrees with `CSV.parse` field for field, and parses numbers as Double does.
@Suite(.temporaryFiles)
struct CSVColumnsTests {
    func columns(_ text: String, _ wanted: [String: CSVColumns.Kind]) throws -> CSVColumns {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try CSVColumns.read(bytes: UnsafeBufferPointer($0), columns: wanted).get() }
    }

    @Test("the same fields as CSV.parse: quotes, commas, line breaks, CRLF, BOM, blank lines; a short row is refused with its line")
    func agrees() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\n3,,\n1,\"x, y\",z"
        let table = try columns(text, ["a": .text, "b": .text, "c": .text, "missing": .text])
        #expect(table.header == ["a", "b", "c"] && table.rowCount == 4)
        let reference = try CSV.parse(text).get().dropFirst().map(\.fields)
        for (position, name) in ["a", "b", "c"].enumerated() {
            let column = try #require(table.text(name))
            #expect(column.codes.map { column.values[Int($0)] } == reference.map { position < $0.count ? $0[position] : "" }, "\(name)")
        }
        #expect(table.text("b")?.codes == [0, 1, 2, 0])  // interned in order of first appearance
        #expect(table.text("missing") == nil)
        for (short, line) in [("a,b,c\n1,2,3\n4,5\n", 3), ("a,b,c\n\"1\",2,3\n\n4,5,6,7\n", 4)] {
            let read = Array(short.utf8).withUnsafeBufferPointer { CSVColumns.read(bytes: $0, columns: ["a": .text]) }
            #expect(throws: CSV.ParseError(line: line, message: short.contains("7") ? "4 fields where the header has 3" : "2 fields where the header has 3")) {
                try read.get()
            }
        }
    }

    @Test("random files: every field and every error the same as CSV.parse")
    func random() throws {
        var random = SplitMix64(seed: 7)
        func next(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }
        let pieces = ["a", "b", "1", ",", "\"", "\"\"", "\n", "\r\n", " ", "é", "x,y", ""]
        // A number field as files have them: a number, a missing value, or now and then text.
        func number() -> String { next(8) == 0 ? ["a", "2.52.5", " 1", "nan"][next(4)] : ["1", "2.5", "-3e2", "", "NA", ".", "17"][next(7)] }
        func missing(_ field: String) -> Bool { field.allSatisfy { $0 == " " } || field == "NA" || field == "." }
        for _ in 0..<400 {
            var text = "h1,h2,h3\n"
            for _ in 0..<next(12) {
                let count = next(6) == 0 ? 1 + next(4) : 3
                let fields = (0..<count).map { position -> String in
                    if position == 2 { return number() }
                    if next(3) == 0 {
                        return "\"" + (0..<next(4)).map { _ in pieces[next(pieces.count)] }.joined().replacingOccurrences(of: "\"", with: "\"\"") + "\""
                    }
                    return (0..<next(3)).map { _ in ["a", "b", "1", " ", "é", "2.5", "-3e2"][next(7)] }.joined()
                }
                text += fields.joined(separator: ",") + (next(2) == 0 ? "\n" : "\r\n")
            }
            if next(10) == 0 { text += "\"broken" }
            var expected = CSV.parse(text)
            // The column reader's own rules on top of CSV.parse's: three fields a row, h3 a number or missing.
            if case .success(let rows) = expected,
                let bad = rows.dropFirst().first(where: { row in
                    row.fields.count != 3 || (!missing(row.fields[2]) && !(Double(row.fields[2])?.isFinite ?? false))
                })
            {
                let field = bad.fields.count > 2 ? bad.fields[2] : ""
                expected = .failure(
                    CSV.ParseError(
                        line: bad.line,
                        message: bad.fields.count > 2 && !missing(field) && !(Double(field)?.isFinite ?? false)
                            ? "column 'h3': '\(field)' is not a number (a missing value is an empty field, NA or .)"
                            : "\(bad.fields.count) field\(bad.fields.count == 1 ? "" : "s") where the header has 3"))
            }
            let read = Array(text.utf8).withUnsafeBufferPointer { CSVColumns.read(bytes: $0, columns: ["h1": .text, "h2": .text, "h3": .number]) }
            switch (expected, read) {
            case (.success(let rows), .success(let table)):
                let data = Array(rows.dropFirst()).map(\.fields)
                #expect(table.rowCount == data.count, "\(text.debugDescription)")
                for (position, name) in ["h1", "h2"].enumerated() {
                    let column = try #require(table.text(name))
                    #expect(column.codes.map { column.values[Int($0)] } == data.map { position < $0.count ? $0[position] : "" }, "\(text.debugDescription)")
                }
                let numbers = try #require(table.number("h3"))
                for (row, fields) in data.enumerated() {
                    let expected = fields.count > 2 ? Double(fields[2]) : nil
                    if let expected, expected.isFinite { #expect(numbers[row] == expected, "\(fields)") } else { #expect(numbers[row].isNaN, "\(fields)") }
                }
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(text.debugDescription)")
            default:
                Issue.record("disagree on \(text.debugDescription): \(expected) against \(read)")
            }
        }
    }

    @Test("numbers: every decimal rounded as Swift's own parser rounds it (ties to even); text is refused with its line")
    func numbers() throws {
        var random = SplitMix64(seed: 3)
        var lines = ["v"], expected: [Double] = []
        for index in 0..<5_000 {
            let draw = random.next()
            let value = Double(Int64(bitPattern: draw) >> 11) / Double(1 << 40) * (index % 2 == 0 ? 1 : 1e-7)
            lines.append("\(value)")
            expected.append(value)
        }
        // (An empty field alone on a line would be a blank line, not a row.)
        lines += ["1.25", "-0.5", "12345678901234567890", "1e300", "1e-300", "NA", ".", "  ", "+7", "3.", ".5"]
        let table = try columns(lines.joined(separator: "\n") + "\n", ["v": .number])
        let parsed = try #require(table.number("v"))
        for (value, got) in zip(expected, parsed) {
            #expect(got == value, "\(value) read as \(got)")
        }
        let tail = Array(parsed.suffix(11))
        #expect(tail[0] == 1.25 && tail[1] == -0.5 && tail[2] == Double("12345678901234567890") && tail[3] == 1e300 && tail[4] == 1e-300)
        #expect(tail[5].isNaN && tail[6].isNaN && tail[7].isNaN, "missing values")
        #expect(tail[8] == 7 && tail[9] == 3 && tail[10] == 0.5)
        for text in ["abc", " 1", "nan", "inf", "1e", "--1", "1e999"] {
            let read = Array("v\n1\n\(text)\n".utf8).withUnsafeBufferPointer { CSVColumns.read(bytes: $0, columns: ["v": .number]) }
            #expect(throws: CSV.ParseError(line: 3, message: "column 'v': '\(text)' is not a number (a missing value is an empty field, NA or .)")) {
                try read.get()
            }
        }
        let large = Array("v\n1\n-2e150\n".utf8).withUnsafeBufferPointer { CSVColumns.read(bytes: $0, columns: ["v": .number], numberLimit: 1e100) }
        #expect(
            throws: CSV.ParseError(line: 3, message: "column 'v': -2e150 is beyond ±1e100, where the estimators' sums of squares overflow; rescale the column")
        ) {
            try large.get()
        }
    }

    @Test("numbers with 15 to 21 significant digits at every scale, and halfway cases, as Swift's parser reads them")
    func longNumbers() throws {
        var random = SplitMix64(seed: 11)
        func next() -> UInt64 { random.next() }
        var texts = [
            "9007199254740993", "9007199254740995", "-9007199254740993", "18446744073709551615", "0.30000000000000004",
            "2.2250738585072014e-308", "4.9406564584124654e-324", "1.7976931348623157e308", "0.1000000000000000055511151231257827",
            "123456789012345678.5", "0.000000000000000000001234567890123456789",
        ]
        for _ in 0..<100_000 {
            let digits = 15 + Int(next() % 7)
            var mantissa = String(next() % 9 + 1)
            for _ in 1..<digits { mantissa += String(next() % 10) }
            let point = Int(next() % UInt64(digits + 4))
            let text = point >= digits ? mantissa : String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            texts.append((next() & 1 == 0 ? "-" : "") + (text.hasPrefix(".") ? "0" + text : text))
        }
        let table = try columns((["v"] + texts).joined(separator: "\n") + "\n", ["v": .number])
        let parsed = try #require(table.number("v"))
        let mismatches = zip(texts, parsed).filter { Double($0.0)! != $0.1 }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("a file is read (mapped) as its bytes are; an empty file, a missing one and a folder are told apart")
    func fromFile() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = "unit,y\nA,1.5\nB,2\n\nC,-3e2\r\n"
        let file = folder.appendingPathComponent("panel.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let read = try CSVColumns.read(path: file.path, columns: ["unit": .text, "y": .number]).get()
        let direct = try columns(text, ["unit": .text, "y": .number])
        #expect(read.rowCount == 3 && read.number("y") == direct.number("y") && read.number("y") == [1.5, 2, -300])
        #expect(read.text("unit")?.values == ["A", "B", "C"])
        let empty = folder.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        #expect(try CSVColumns.read(path: empty.path, columns: ["y": .number]).get().rowCount == 0)
        #expect(throws: CSV.ParseError.self) { try CSVColumns.read(path: folder.appendingPathComponent("missing.csv").path, columns: [:]).get() }
        #expect(throws: CSV.ParseError.self) { try CSVColumns.read(path: folder.path, columns: [:]).get() }
    }

    @Test("files without quotes (the fast path) and files over a megabyte (read in two halves) agree with CSV.parse")
    func unquotedAndLarge() throws {
        var random = SplitMix64(seed: 11)
        func next(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }
        for rows in [5, 40, 60_000] {
            var text = "unit,period,y\n"
            for row in 0..<rows {
                switch next(20) {
                case 0: text += "\n"  // a blank line
                case 1: text += "u\(row / 10),,\r\n"  // empty fields, CRLF
                default: text += "u\(row / 10),\(2011 + row % 10),\(Double(next(1_000_000)) / 997)" + (next(2) == 0 ? "\n" : "\r\n")
                }
            }
            let expected = Array(try CSV.parse(text).get().dropFirst()).map(\.fields)
            let table = try Array(text.utf8).withUnsafeBufferPointer {
                try CSVColumns.read(bytes: $0, columns: ["unit": .text, "period": .text, "y": .number]).get()
            }
            #expect(table.rowCount == expected.count)
            for (position, name) in ["unit", "period"].enumerated() {
                let column = try #require(table.text(name))
                #expect(column.codes.map { column.values[Int($0)] } == expected.map { position < $0.count ? $0[position] : "" }, "\(rows) rows, \(name)")
                #expect(Set(column.values).count == column.values.count, "each value interned once, \(name)")
            }
            let numbers = try #require(table.number("y"))
            // Seventeen significant digits, read exactly as Swift's own parser reads them.
            #expect(zip(numbers, expected).allSatisfy { number, fields in fields[2].isEmpty ? number.isNaN : number == Double(fields[2])! })
            // One short row late in the file (in the second half of a large one): refused, with its line.
            // Split on the byte: to Swift, "\r\n" is one Character and would not split at "\n".
            var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            let target = lines.count - 3
            lines[target] = "u1"
            let damaged = lines.joined(separator: "\n")
            let read = Array(damaged.utf8).withUnsafeBufferPointer { CSVColumns.read(bytes: $0, columns: ["unit": .text, "y": .number]) }
            #expect(throws: CSV.ParseError(line: target + 1, message: "1 field where the header has 3")) { try read.get() }
        }
    }
}

@Suite(.temporaryFiles)
struct JSONTextTests {
    @Test("the same bytes as JSONSerialization (pretty, sorted keys) on random reports")
    func sameAsFoundation() throws {
        var random = SplitMix64(seed: 5)
        func next() -> UInt64 { random.next() >> 11 }
        let pieces = ["a", "/", "\"", "\\", "\n", "\t", "\u{1}", "\u{1F}", "é", "−", "·", "👍🏽", " ", "\u{7F}", "\u{2028}", "x y"]
        func text() -> String { (0..<Int(next() % 6)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }
        // Keys as reports write them: no control characters (whose collation order is left to ICU).
        let printable = pieces.filter { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } } + ["a9", "a10", "B"]
        func key() -> String { (0..<Int(next() % 6)).map { _ in printable[Int(next() % UInt64(printable.count))] }.joined() }
        func number() -> Double {
            switch next() % 5 {
            case 0: return Double(Int(next() % 2_000_000)) - 1_000_000
            case 1: return Double(next()) / Double(1 << 53) * pow(10, Double(Int(next() % 40)) - 20)
            case 2:
                let bits = next() << 11 | next() % 2048
                let value = Double(bitPattern: bits)
                return value.isFinite ? value : 1.5
            case 3: return -0.0
            default: return Double(next() % 1000) / 8
            }
        }
        func value(_ depth: Int) -> Any {
            switch next() % (depth > 2 ? 5 : 7) {
            case 0: return text()
            case 1: return number()
            case 2: return Int(next() % 100_000) - 50_000
            case 3: return next() & 1 == 0
            case 4: return NSNull()
            case 5: return (0..<Int(next() % 4)).map { _ in value(depth + 1) }
            default: return Dictionary((0..<Int(next() % 4)).map { _ in (key(), value(depth + 1)) }, uniquingKeysWith: { a, _ in a })
            }
        }
        for _ in 0..<2_000 {
            let report: [String: Any] = ["estimators": [value(0), value(0)], "n": value(1), "title": text()]
            let foundation = String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
            let ours = try JSONText.prettySorted(report)
            #expect(ours == foundation)
            if ours != foundation { break }
        }
        #expect(throws: JSONText.InvalidValue.self) { try JSONText.prettySorted(["x": Double.nan]) }
    }
}
