import Expressions
import Foundation

/// Stata 14+ .dta files (format 118, little-endian), written directly: the dataset label, variable labels,
/// value labels for select_one, dates as Stata dates, and the extended missing values .a (dont_know),
/// .b (refused) and .c (not_applicable).
public enum StataWriter {
    /// Type codes of format 118.
    enum TypeCode {
        static let double: UInt16 = 65526
        static let long: UInt16 = 65528
        static let byte: UInt16 = 65530
        static let strL: UInt16 = 32768
    }

    /// A variable as Stata stores it.
    enum Storage {
        case double(format: String)
        case long(labels: [(Int32, String)])
        case byte
        case string(width: Int)
        case strL
    }

    /// The bit pattern of a missing double: `.` then .a, .b, … each 2^40 further.
    static func missingDouble(_ letter: Int) -> Double { Double(bitPattern: 0x7FE0_0000_0000_0000 + UInt64(letter) << 40) }
    static let missingLong: Int32 = 2_147_483_621
    static let missingByte: Int8 = 101

    /// 0 for `.`, 1 for .a (dont_know), 2 for .b (refused), 3 for .c (not_applicable).
    static func missingLetter(_ cell: ExportData.Cell) -> Int {
        guard case .nonResponse(let code) = cell else { return 0 }
        switch code {
        case .dontKnow: return 1
        case .refused: return 2
        case .notApplicable: return 3
        }
    }

    /// Names Stata accepts: letters, digits and underscores, not starting with a digit, at most 32 characters, unique.
    static func names(_ columns: [ExportData.Column]) -> [String] {
        var used = Set<String>()
        return columns.map { column in
            var name = String(column.name.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") ? Character($0) : "_" })
            if name.isEmpty || name.first!.isNumber { name = "_" + name }
            name = String(name.prefix(32))
            var candidate = name, suffix = 2
            while used.contains(candidate) {
                let tail = "_\(suffix)"
                candidate = String(name.prefix(32 - tail.count)) + tail
                suffix += 1
            }
            used.insert(candidate)
            return candidate
        }
    }

    /// The value label set shared by numeric variables that hold special non-responses: .a, .b and .c in words.
    static let nonResponseLabelName = "nonresponse"

    public static func write(
        _ table: ExportData.Table, label: String,
        nonResponseLabels: [(NonResponse, String)] = [(.dontKnow, "don't know"), (.refused, "refused"), (.notApplicable, "not applicable")]
    ) throws -> Data {
        // Value labels for the extended missing values: Stata keys them .a = 2,147,483,622, .b, .c …, whatever the
        // storage type, so one set serves the numbers and each choice list gets them too.
        let missingLabels: [(Int32, String)] = nonResponseLabels.map { code, text in
            (missingLong + Int32(missingLetter(.nonResponse(code))), text)
        }
        let labelledNumbers = Set(
            table.columns.indices.filter { index in
                table.columns[index].kind == .number && table.rows.contains { if case .nonResponse = $0[index] { true } else { false } }
            })
        let k = table.columns.count, n = table.rows.count
        guard k <= 32_767 else { throw ExportError.tooManyColumns(table: table.name, count: k) }
        let varNames = names(table.columns)
        let storages: [Storage] = table.columns.enumerated().map { index, column in
            switch column.kind {
            case .number: return .double(format: "%10.0g")
            case .date: return .double(format: "%td")
            case .dateTime: return .double(format: "%tc")
            case .flag: return .byte
            case .choice(let choices): return .long(labels: choices.enumerated().map { (Int32($0.offset + 1), $0.element.label) } + missingLabels)
            case .text, .time:
                let width = table.rows.map { $0[index].text.utf8.count }.max() ?? 1
                return width > 2045 ? .strL : .string(width: max(1, width))
            }
        }
        var out = ByteWriter()
        var map = [UInt64](repeating: 0, count: 14)
        out.text("<stata_dta>")
        out.text("<header><release>118</release><byteorder>LSF</byteorder><K>")
        out.uint16(UInt16(k))
        out.text("</K><N>")
        out.uint64(UInt64(n))
        out.text("</N><label>")
        let labelBytes = Array(label.utf8.prefix(320))
        out.uint16(UInt16(labelBytes.count))
        out.bytes(labelBytes)
        out.text("</label><timestamp>")
        let stamp = Self.timestamp()
        out.uint8(UInt8(stamp.utf8.count))
        out.text(stamp)
        out.text("</timestamp></header>")
        map[1] = UInt64(out.count)
        out.text("<map>")
        let mapOffset = out.count
        for value in map { out.uint64(value) }
        out.text("</map>")
        map[2] = UInt64(out.count)
        out.text("<variable_types>")
        for storage in storages {
            switch storage {
            case .double: out.uint16(TypeCode.double)
            case .long: out.uint16(TypeCode.long)
            case .byte: out.uint16(TypeCode.byte)
            case .string(let width): out.uint16(UInt16(width))
            case .strL: out.uint16(TypeCode.strL)
            }
        }
        out.text("</variable_types>")
        map[3] = UInt64(out.count)
        out.text("<varnames>")
        for name in varNames { out.fixed(name, 129) }
        out.text("</varnames>")
        map[4] = UInt64(out.count)
        out.text("<sortlist>")
        for _ in 0...k { out.uint16(0) }
        out.text("</sortlist>")
        map[5] = UInt64(out.count)
        out.text("<formats>")
        for storage in storages {
            switch storage {
            case .double(let format): out.fixed(format, 57)
            case .long, .byte: out.fixed("%8.0g", 57)
            case .string(let width): out.fixed("%-\(min(width, 2045))s", 57)
            case .strL: out.fixed("%9s", 57)
            }
        }
        out.text("</formats>")
        map[6] = UInt64(out.count)
        out.text("<value_label_names>")
        for (index, storage) in storages.enumerated() {
            if case .long = storage {
                out.fixed(varNames[index], 129)
            } else if labelledNumbers.contains(index) {
                out.fixed(Self.nonResponseLabelName, 129)
            } else {
                out.fixed("", 129)
            }
        }
        out.text("</value_label_names>")
        map[7] = UInt64(out.count)
        out.text("<variable_labels>")
        for column in table.columns { out.fixed(Self.truncated(column.label, 320), 321) }
        out.text("</variable_labels>")
        map[8] = UInt64(out.count)
        out.text("<characteristics></characteristics>")
        map[9] = UInt64(out.count)
        out.text("<data>")
        var strls: [(v: Int, o: Int, text: String)] = []
        for (o, row) in table.rows.enumerated() {
            for (v, storage) in storages.enumerated() {
                let cell = row[v]
                switch storage {
                case .double(let format):
                    if case .value(_, let number?) = cell {
                        switch format {
                        case "%td": out.double(number + 3_653)  // days since 1960-01-01
                        case "%tc": out.double((number + 3_653 * 86_400) * 1_000)  // milliseconds since 1960-01-01
                        default: out.double(number)
                        }
                    } else if case .value(let text, nil) = cell, let number = Double(text) {
                        out.double(number)
                    } else {
                        out.double(missingDouble(missingLetter(cell)))
                    }
                case .long:
                    guard case .choice(let choices) = table.columns[v].kind else { continue }
                    if case .value(let text, _) = cell, let position = choices.firstIndex(where: { $0.code == text }) {
                        out.int32(Int32(position + 1))
                    } else {
                        out.int32(missingLong + Int32(missingLetter(cell)))
                    }
                case .byte:
                    if case .value(_, let number?) = cell { out.int8(Int8(number)) } else { out.int8(missingByte + Int8(missingLetter(cell))) }
                case .string(let width):
                    out.fixed(cell.text, width)
                case .strL:
                    if cell.text.isEmpty {
                        out.uint16(0)
                        out.uint48(0)
                    } else {
                        out.uint16(UInt16(v + 1))
                        out.uint48(UInt64(o + 1))
                        strls.append((v + 1, o + 1, cell.text))
                    }
                }
            }
        }
        out.text("</data>")
        map[10] = UInt64(out.count)
        out.text("<strls>")
        for strl in strls {
            out.text("GSO")
            out.uint32(UInt32(strl.v))
            out.uint64(UInt64(strl.o))
            out.uint8(130)  // text, with its terminating null
            let bytes = Array(strl.text.utf8) + [0]
            out.uint32(UInt32(bytes.count))
            out.bytes(bytes)
        }
        out.text("</strls>")
        map[11] = UInt64(out.count)
        out.text("<value_labels>")
        var labelSets: [(name: String, labels: [(Int32, String)])] = storages.enumerated().compactMap { index, storage in
            guard case .long(let labels) = storage else { return nil }
            return (varNames[index], labels)
        }
        if !labelledNumbers.isEmpty { labelSets.append((Self.nonResponseLabelName, missingLabels)) }
        for (name, labels) in labelSets {
            var texts: [UInt8] = [], offsets: [Int32] = []
            for (_, text) in labels {
                offsets.append(Int32(texts.count))
                texts += Array(Self.truncated(text, 32_000).utf8) + [0]
            }
            let length = 8 + 8 * labels.count + texts.count
            out.text("<lbl>")
            out.int32(Int32(length))
            out.fixed(name, 129)
            out.bytes([0, 0, 0])
            out.int32(Int32(labels.count))
            out.int32(Int32(texts.count))
            for offset in offsets { out.int32(offset) }
            for (value, _) in labels { out.int32(value) }
            out.bytes(texts)
            out.text("</lbl>")
        }
        out.text("</value_labels>")
        map[12] = UInt64(out.count)
        out.text("</stata_dta>")
        map[13] = UInt64(out.count)
        map[0] = 0
        for (index, value) in map.enumerated() { out.setUInt64(value, at: mapOffset + 8 * index) }
        return Data(out.storage)
    }

    /// At most `limit` bytes of UTF-8, cut at a character boundary.
    static func truncated(_ text: String, _ limit: Int) -> String {
        var result = ""
        var size = 0
        for character in text {
            let length = String(character).utf8.count
            if size + length > limit { break }
            result.append(character)
            size += length
        }
        return result
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd MMM yyyy HH:mm"
        return formatter.string(from: Date())
    }
}

/// Little-endian bytes.
struct ByteWriter {
    var storage: [UInt8] = []
    var count: Int { storage.count }

    mutating func text(_ value: String) { storage += Array(value.utf8) }
    mutating func bytes(_ value: [UInt8]) { storage += value }
    mutating func uint8(_ value: UInt8) { storage.append(value) }
    mutating func int8(_ value: Int8) { storage.append(UInt8(bitPattern: value)) }
    mutating func uint16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { storage += $0 } }
    mutating func uint32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { storage += $0 } }
    mutating func int32(_ value: Int32) { withUnsafeBytes(of: value.littleEndian) { storage += $0 } }
    mutating func uint64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { storage += $0 } }
    mutating func uint48(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { storage += $0.prefix(6) } }
    mutating func double(_ value: Double) { uint64(value.bitPattern) }

    /// A string in a fixed-width field, null-padded, cut at a character boundary to leave room for a null.
    mutating func fixed(_ value: String, _ width: Int) {
        let bytes = Array(StataWriter.truncated(value, width).utf8)
        storage += bytes
        storage += [UInt8](repeating: 0, count: width - bytes.count)
    }

    mutating func setUInt64(_ value: UInt64, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (index, byte) in $0.enumerated() { storage[offset + index] = byte } }
    }
}
