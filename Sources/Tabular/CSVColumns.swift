import Foundation

/// Selected columns of a large CSV file, read in one pass over its bytes: text columns interned to integer
/// codes, number columns parsed to doubles. The same RFC 4180 rules as `CSV.parse` (quotes, doubled quotes,
/// CRLF, a byte-order mark, blank lines skipped), without building a string per field: a 750,000-row panel
/// reads in a fraction of the time and memory.
public struct CSVColumns: Sendable {
    public enum Kind: Sendable { case text, number }

    public let header: [String]
    /// Data rows (blank lines are not rows).
    public let rowCount: Int
    private let texts: [String: (codes: [Int32], values: [String])]
    private let numbers: [String: [Double]]

    /// Each row's code into `values`, in order of first appearance; a missing field is the empty string.
    public func text(_ name: String) -> (codes: [Int32], values: [String])? { texts[name] }

    /// Each row's number; NaN where the field is empty or not a number.
    public func number(_ name: String) -> [Double]? { numbers[name] }

    /// Reads the named columns (those absent from the header are left out: check `header`).
    /// Every row must have the header's number of fields; a number column holds numbers no larger in magnitude than
    /// `numberLimit`, or a missing value (an empty field, spaces, NA or .); a text column holds UTF-8. Otherwise the
    /// first row that does not is the error, with its line.
    public static func read(path: String, columns wanted: [String: Kind], numberLimit: Double = .greatestFiniteMagnitude) -> Result<CSVColumns, CSV.ParseError>
    {
        if let mapped = MappedFile(path: path) {
            defer { mapped.unmap() }
            return read(bytes: mapped.bytes, columns: wanted, numberLimit: numberLimit)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(CSV.ParseError(line: 0, message: "cannot read \(path)"))
        }
        return data.withUnsafeBytes { raw in read(bytes: raw.bindMemory(to: UInt8.self), columns: wanted, numberLimit: numberLimit) }
    }

    public static func read(
        bytes: UnsafeBufferPointer<UInt8>, columns wanted: [String: Kind], numberLimit: Double = .greatestFiniteMagnitude
    ) -> Result<CSVColumns, CSV.ParseError> {
        var scanner = Scanner(bytes: bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { scanner.index = 3 }
        // The header, as strings.
        var header: [String] = []
        var headerInvalid = false
        do {
            while header.isEmpty {
                guard
                    let row = try scanner.row(fieldHandler: { _, field in
                        if let name = String(validating: field, as: UTF8.self) {
                            header.append(name)
                        } else {
                            header.append(String(decoding: field, as: UTF8.self))
                            headerInvalid = true
                        }
                    })
                else { break }
                if row.blank { header = [] }
            }
        } catch let error as CSV.ParseError {
            return .failure(error)
        } catch {
            return .failure(CSV.ParseError(line: scanner.line, message: "\(error)"))
        }
        var seen: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            if let first = seen[name] {
                return .failure(
                    CSV.ParseError(line: scanner.line - 1, message: "the header names column '\(name)' twice (columns \(first + 1) and \(position + 1))"))
            }
            seen[name] = position
        }
        if headerInvalid { return .failure(CSV.ParseError(line: scanner.line - 1, message: "the header is not UTF-8 text; save the file as CSV UTF-8")) }
        // Where each wanted column sits.
        var slots = [Slot?](repeating: nil, count: header.count)
        for (position, name) in header.enumerated() {
            guard let kind = wanted[name], !slots.contains(where: { $0?.name == name }) else { continue }
            slots[position] = Slot(name: name, kind: kind, limit: numberLimit)
        }
        // Without any quote in the data, a line end is always a row end: the data can be cut in two at a line
        // end and both halves read at once. With quotes, one pass.
        let dataStart = scanner.index, startLine = scanner.line
        let quote = bytes.count > dataStart ? memchr(bytes.baseAddress! + dataStart, Int32(UInt8(ascii: "\"")), bytes.count - dataStart) : nil
        var cut = bytes.count
        if quote == nil, bytes.count - dataStart > 1 << 20,
            let newline = memchr(bytes.baseAddress! + dataStart + (bytes.count - dataStart) / 2, Int32(UInt8(ascii: "\n")), (bytes.count - dataStart) / 2)
        {
            cut = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
        }
        let parts = cut < bytes.count ? [dataStart..<cut, cut..<bytes.count] : [dataStart..<bytes.count]
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int: Result<(slots: [Slot?], rows: Int, ragged: Bool), CSV.ParseError>] = [:]
        }
        let outcomes = Outcomes()
        // Each part fills its own slots; nothing is shared between the threads but the bytes they only read.
        nonisolated(unsafe) let template = slots
        nonisolated(unsafe) let source = bytes
        let quoted = quote != nil
        DispatchQueue.concurrentPerform(iterations: parts.count) { part in
            let outcome = readRows(source, parts[part], slots: template.map { $0?.fresh() }, line: part == 0 ? startLine : 0, quoted: quoted)
            outcomes.lock.lock()
            outcomes.values[part] = outcome
            outcomes.lock.unlock()
        }
        var rows = 0, ragged = false
        for part in parts.indices {
            switch outcomes.values[part]! {
            case .failure(let error): return .failure(error)
            case .success(let read):
                rows += read.rows
                ragged = ragged || read.ragged
                if part == 0 {
                    slots = read.slots
                } else {
                    // Each column takes in the later part on its own thread: the slots share nothing.
                    nonisolated(unsafe) let targets = slots.compactMap { $0 }, sources = read.slots.compactMap { $0 }
                    DispatchQueue.concurrentPerform(iterations: targets.count) { targets[$0].absorb(sources[$0]) }
                }
            }
        }
        // A problem found on the fast path is located by a second, slower pass that counts lines.
        if ragged || slots.contains(where: { $0?.invalid == true }) {
            return .failure(
                firstProblem(bytes, from: dataStart, line: startLine, header: header, slots: slots, limit: numberLimit)
                    ?? CSV.ParseError(line: startLine, message: "the file could not be read consistently"))
        }
        var texts: [String: (codes: [Int32], values: [String])] = [:]
        var numbers: [String: [Double]] = [:]
        for slot in slots.compactMap({ $0 }) {
            switch slot.kind {
            case .text: texts[slot.name] = (slot.codes, slot.interned.values)
            case .number: numbers[slot.name] = slot.numbers
            }
        }
        return .success(CSVColumns(header: header, rowCount: rows, texts: texts, numbers: numbers))
    }

    /// The rows in `range` of the data, into copies of `slots`.
    static func readRows(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, slots: [Slot?], line: Int, quoted: Bool)
        -> Result<(slots: [Slot?], rows: Int, ragged: Bool), CSV.ParseError>
    {
        // Room for every row up front (one per line end): growing arrays would touch their memory twice.
        var lines = 1
        var cursor = bytes.baseAddress! + range.lowerBound
        let end = bytes.baseAddress! + range.upperBound
        while cursor < end, let found = memchr(cursor, Int32(UInt8(ascii: "\n")), end - cursor) {
            lines += 1
            cursor = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        for slot in slots { slot?.reserve(lines) }
        if !quoted {
            let read = unquotedRows(bytes, range, slots: slots)
            return .success((slots, read.rows, read.ragged))
        }
        var scanner = Scanner(bytes: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]))
        scanner.index = range.lowerBound
        scanner.line = line
        var rows = 0, ragged = false
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        do {
            while true {
                var seen = 0
                // A line holding one empty field is blank, not a row: an empty first field waits until the
                // row turns out to have more.
                var firstEmpty = false
                guard
                    let row = try scanner.row(fieldHandler: { position, field in
                        seen = position + 1
                        if position == 0, field.isEmpty {
                            firstEmpty = true
                            return
                        }
                        if firstEmpty {
                            firstEmpty = false
                            if !slots.isEmpty { slots[0]?.append(empty) }
                        }
                        if position < slots.count { slots[position]?.append(field) }
                    })
                else { break }
                if row.fields == 1 && firstEmpty { continue }
                if row.fields != slots.count { ragged = true }
                // Short rows: the missing fields are empty (and the file is refused: `ragged`).
                for position in min(seen, slots.count)..<slots.count { slots[position]?.append(empty) }
                rows += 1
            }
        } catch let error as CSV.ParseError {
            return .failure(error)
        } catch {
            return .failure(CSV.ParseError(line: scanner.line, message: "\(error)"))
        }
        return .success((slots, rows, ragged))
    }

    /// The common case, data without any quote: fields end at commas and rows at line ends, found in one tight
    /// loop. The same rules otherwise (blank lines skipped, short rows padded with empty fields).
    static func unquotedRows(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, slots: [Slot?]) -> (rows: Int, ragged: Bool) {
        let base = bytes.baseAddress!
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var rows = 0, position = 0, start = range.lowerBound, index = range.lowerBound
        var ragged = false
        let end = range.upperBound
        func field(_ from: Int, _ to: Int) {
            if position < slots.count, let slot = slots[position] { slot.append(UnsafeBufferPointer(start: base + from, count: to - from)) }
        }
        func endRow(_ at: Int) {
            if position == 0 && at == start { return }  // a blank line
            field(start, at)
            position += 1
            if position != slots.count { ragged = true }
            while position < slots.count {
                slots[position]?.append(empty)
                position += 1
            }
            rows += 1
        }
        // A comma or line end at `at`; returns where scanning goes on.
        func separator(_ at: Int) -> Int {
            let byte = base[at]
            if byte == UInt8(ascii: ",") {
                field(start, at)
                position += 1
                start = at + 1
                return at + 1
            }
            endRow(at)
            var next = at + 1
            if byte == UInt8(ascii: "\r"), next < end, base[next] == UInt8(ascii: "\n") { next += 1 }
            position = 0
            start = next
            return next
        }
        // Eight bytes at a time: a word's commas and line ends found together (SWAR), visited in order.
        let raw = UnsafeRawPointer(base)
        while index + 8 <= end {
            var found = Self.separators(in: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            if found == 0 {
                index += 8
                continue
            }
            var resume = index + 8
            while found != 0 {
                let at = index + found.trailingZeroBitCount / 8
                found &= found - 1
                if at < start { continue }  // the LF of a CR LF pair, consumed with its CR
                resume = max(resume, separator(at))  // past the word when a CR LF pair straddles its end
            }
            index = resume
        }
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                index = separator(index)
            } else {
                index += 1
            }
        }
        if start < end || position > 0 { endRow(end) }
        return (rows, ragged)
    }

    /// The high bit of each byte of `word` that is a comma, a line feed or a carriage return (exact: no carries
    /// between bytes).
    @inline(__always)
    static func separators(in word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        func zeroBytes(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }
        return zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A) | zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
    }

    /// One wanted column being filled (a class: appended to in place from the scanning loop).
    final class Slot {
        let name: String
        let kind: Kind
        // Only the thread that owns a slot touches it, so the dynamic exclusivity checks are left out.
        @exclusivity(unchecked) var codes: [Int32] = []
        @exclusivity(unchecked) var numbers: [Double] = []
        @exclusivity(unchecked) var interned = Interner()
        /// Set when a non-empty field is not a finite number within the limit (the file is then scanned again).
        var invalidNumber = false

        let limit: Double

        init(name: String, kind: Kind, limit: Double) {
            self.name = name
            self.kind = kind
            self.limit = limit
        }

        /// An empty slot for the same column, for another part of the file.
        func fresh() -> Slot { Slot(name: name, kind: kind, limit: limit) }

        func reserve(_ rows: Int) {
            switch kind {
            case .text: codes.reserveCapacity(rows)
            case .number: numbers.reserveCapacity(rows)
            }
        }

        /// Appends what another part of the file read: its codes are translated into this slot's.
        func absorb(_ other: Slot) {
            switch kind {
            case .number: numbers.append(contentsOf: other.numbers)
            case .text:
                let translation = other.interned.values.indices.map { index -> Int32 in
                    let start = other.interned.starts[index], end = other.interned.starts[index + 1]
                    return other.interned.arena.withUnsafeBufferPointer { interned.code(UnsafeBufferPointer(rebasing: $0[start..<end])) }
                }
                codes.reserveCapacity(codes.count + other.codes.count)
                for code in other.codes { codes.append(translation[Int(code)]) }
            }
        }

        func append(_ field: UnsafeBufferPointer<UInt8>) {
            switch kind {
            case .text: codes.append(interned.code(field))
            case .number:
                let value = CSVColumns.parseNumber(field)
                if !CSVColumns.isAcceptable(field, value, limit: limit) { invalidNumber = true }
                numbers.append(abs(value) <= limit ? value : .nan)
            }
        }

        var invalid: Bool { invalidNumber || interned.invalidUTF8 }
    }

    /// Byte strings to dense codes, by open addressing over a multiply-and-fold hash of eight bytes at a time; keys live in one arena.
    struct Interner {
        var arena: [UInt8] = []
        var starts: [Int] = [0]
        var values: [String] = []
        var table = [Int32](repeating: -1, count: 1024)
        var hashes: [UInt64] = []
        /// Set when a value is not valid UTF-8 (the file is then scanned again for the line to report).
        var invalidUTF8 = false

        /// The code returned last: panels list a unit's rows together, so the same key often comes again.
        var last: Int32 = -1

        /// Codes of short keys (eight bytes or fewer) by their bytes as one word: columns with few distinct short
        /// values (periods, cohorts) are answered without hashing or comparing memory.
        var small = [(word: UInt64, length: Int, code: Int32)](repeating: (0, -1, -1), count: 64)

        mutating func code(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
            if bytes.count <= 8 {
                var word: UInt64 = 0
                if bytes.count > 0 { withUnsafeMutableBytes(of: &word) { _ = memcpy($0.baseAddress!, bytes.baseAddress!, bytes.count) } }
                let slot = Int(((word ^ UInt64(bytes.count)) &* 0x9E37_79B9_7F4A_7C15) >> 58)
                let entry = small[slot]
                if entry.length == bytes.count, entry.word == word { return entry.code }
                let found = lookup(bytes)
                small[slot] = (word, bytes.count, found)
                return found
            }
            if last >= 0 {
                let start = starts[Int(last)], count = starts[Int(last) + 1] - start
                if count == bytes.count,
                    count == 0 || arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + start, bytes.baseAddress!, count) == 0 })
                {
                    return last
                }
            }
            last = lookup(bytes)
            return last
        }

        private mutating func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
            // Eight bytes at a time, multiplied and folded (short codes such as unit ids fit one word).
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var offset = 0
            while offset < bytes.count {
                var word: UInt64 = 0
                let take = min(8, bytes.count - offset)
                withUnsafeMutableBytes(of: &word) { _ = memcpy($0.baseAddress!, bytes.baseAddress! + offset, take) }
                hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
                hash ^= hash >> 32
                offset += 8
            }
            let mask = table.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let existing = table[slot]
                if existing < 0 { break }
                let index = Int(existing)
                if hashes[index] == hash, starts[index + 1] - starts[index] == bytes.count,
                    arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + starts[index], bytes.baseAddress ?? $0.baseAddress!, bytes.count) == 0 })
                {
                    return existing
                }
                slot = (slot + 1) & mask
            }
            let code = Int32(values.count)
            table[slot] = code
            arena.append(contentsOf: bytes)
            starts.append(arena.count)
            hashes.append(hash)
            if let text = String(validating: bytes, as: UTF8.self) {
                values.append(text)
            } else {
                values.append(String(decoding: bytes, as: UTF8.self))
                invalidUTF8 = true
            }
            if values.count * 2 > table.count { grow() }
            return code
        }

        private mutating func grow() {
            table = [Int32](repeating: -1, count: table.count * 2)
            let mask = table.count - 1
            for (index, hash) in hashes.enumerated() {
                var slot = Int(truncatingIfNeeded: hash) & mask
                while table[slot] >= 0 { slot = (slot + 1) & mask }
                table[slot] = Int32(index)
            }
        }
    }

    /// A row-by-row reader that hands each field's bytes (unescaped) to a closure.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var line = 1
        var scratch: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// Nil at the end of input; `blank` for an empty line.
        mutating func row(fieldHandler: (Int, UnsafeBufferPointer<UInt8>) -> Void) throws -> (blank: Bool, fields: Int)? {
            guard index < bytes.count else { return nil }
            var position = 0
            var blank = true
            while true {
                // One field.
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    blank = false
                    let opened = line
                    index += 1
                    scratch.removeAll(keepingCapacity: true)
                    var closed = false
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "\"") {
                            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                                scratch.append(byte)
                                index += 2
                                continue
                            }
                            index += 1
                            closed = true
                            break
                        }
                        if byte == UInt8(ascii: "\n") { line += 1 }
                        scratch.append(byte)
                        index += 1
                    }
                    guard closed else { throw CSV.ParseError(line: opened, message: "a quoted field is never closed") }
                    if index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index]) {
                        throw CSV.ParseError(line: line, message: "text after a closing quote; a quoted field must end at a comma or line end")
                    }
                    scratch.withUnsafeBufferPointer { fieldHandler(position, $0) }
                } else {
                    let start = index
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
                        if byte == UInt8(ascii: "\"") {
                            throw CSV.ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")
                        }
                        index += 1
                    }
                    if index > start { blank = false }
                    fieldHandler(position, UnsafeBufferPointer(rebasing: bytes[start..<index]))
                }
                position += 1
                // What ends the field.
                if index >= bytes.count { return (blank && position == 1, position) }
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: ",") {
                    blank = false
                    continue
                }
                if byte == UInt8(ascii: "\r"), index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                line += 1
                return (blank && position == 1, position)
            }
        }
    }

}
