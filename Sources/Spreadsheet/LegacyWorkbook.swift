import Foundation

/// Excel 97–2003 workbooks (.xls: BIFF8 records in a Compound File Binary container), read into the same text
/// cells as .xlsx. Survey teams still save XLSForms this way (27 of the 90 field forms in a public sample), and
/// no package in the mirror reads them, so the two formats are read here: the container's sector chains
/// (MS-CFB) and the workbook stream's records (MS-XLS) that carry cell values — shared strings, labels,
/// numbers, RK numbers, formulas' cached results and booleans — with each number's cell format, so that dates
/// read as dates.
enum LegacyWorkbook {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    static func read(_ data: Data) throws -> Workbook {
        let bytes = [UInt8](data)
        let stream = try CompoundFile(bytes).stream(named: ["Workbook", "Book"])
        return try BIFF8(stream).workbook()
    }

    static func damaged(_ reason: String) -> Workbook.ReadError {
        .notAWorkbook("a damaged Excel 97–2003 (.xls) file: \(reason); open and save it again in Excel")
    }
}

/// Little-endian reads that fail, rather than trap, past the end.
private func u16(_ b: [UInt8], _ at: Int) throws -> Int {
    guard at >= 0, at + 2 <= b.count else { throw LegacyWorkbook.damaged("a record ends early") }
    return Int(b[at]) | Int(b[at + 1]) << 8
}

private func u32(_ b: [UInt8], _ at: Int) throws -> Int {
    guard at >= 0, at + 4 <= b.count else { throw LegacyWorkbook.damaged("a record ends early") }
    return Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
}

/// The Compound File Binary container: a FAT of sector chains, a directory, and a mini stream for small streams.
private struct CompoundFile {
    let bytes: [UInt8]
    let sectorSize: Int
    let miniSectorSize: Int
    let miniCutoff: Int
    var fat: [Int] = []
    var miniFAT: [Int] = []
    var entries: [(name: String, type: UInt8, start: Int, size: Int)] = []

    static let endOfChain = 0xFFFF_FFFE, free = 0xFFFF_FFFF

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 512, Array(bytes[0..<8]) == LegacyWorkbook.signature else { throw LegacyWorkbook.damaged("no compound-file header") }
        let shift = try u16(bytes, 0x1E), miniShift = try u16(bytes, 0x20)
        guard shift == 9 || shift == 12, miniShift == 6 else { throw LegacyWorkbook.damaged("sector sizes 2^\(shift) and 2^\(miniShift)") }
        sectorSize = 1 << shift
        miniSectorSize = 1 << miniShift
        miniCutoff = try u32(bytes, 0x38)
        // The FAT's own sectors: 109 in the header, the rest in a chain of DIFAT sectors.
        var fatSectors: [Int] = []
        for i in 0..<109 {
            let sector = try u32(bytes, 0x4C + 4 * i)
            if sector != Self.free && sector != Self.endOfChain { fatSectors.append(sector) }
        }
        var difat = try u32(bytes, 0x44), guardCount = 0
        while difat != Self.endOfChain && difat != Self.free {
            guardCount += 1
            guard guardCount < 100_000 else { throw LegacyWorkbook.damaged("the DIFAT chain loops") }
            let base = try offset(difat)
            let perSector = sectorSize / 4 - 1
            for i in 0..<perSector {
                let sector = try u32(bytes, base + 4 * i)
                if sector != Self.free && sector != Self.endOfChain { fatSectors.append(sector) }
            }
            difat = try u32(bytes, base + 4 * perSector)
        }
        for sector in fatSectors {
            let base = try offset(sector)
            for i in 0..<(sectorSize / 4) { fat.append(try u32(bytes, base + 4 * i)) }
        }
        let directory = try chain(from: try u32(bytes, 0x30))
        for at in stride(from: 0, to: directory.count - 127, by: 128) {
            let nameLength = min(try u16(directory, at + 64), 64)
            var units: [UInt16] = []
            for i in stride(from: 0, to: max(nameLength - 2, 0), by: 2) { units.append(UInt16(try u16(directory, at + i))) }
            entries.append((String(decoding: units, as: UTF16.self), directory[at + 66], try u32(directory, at + 116), try u32(directory, at + 120)))
        }
        if let firstMini = Optional(try u32(bytes, 0x3C)), firstMini != Self.endOfChain, firstMini != Self.free {
            let table = try chain(from: firstMini)
            miniFAT = try stride(from: 0, to: table.count, by: 4).map { try u32(table, $0) }
        }
    }

    func offset(_ sector: Int) throws -> Int {
        let at = (sector + 1) * sectorSize
        guard at + sectorSize <= bytes.count else { throw LegacyWorkbook.damaged("a sector lies past the end of the file") }
        return at
    }

    /// The bytes of a chain of sectors in the FAT.
    func chain(from start: Int, size: Int? = nil) throws -> [UInt8] {
        var out: [UInt8] = [], sector = start, seen = 0
        while sector != Self.endOfChain && sector != Self.free {
            seen += 1
            guard sector < fat.count || fat.isEmpty, seen <= max(fat.count, 1) + 1 else {
                throw LegacyWorkbook.damaged("a sector chain loops or leaves the file")
            }
            let at = try offset(sector)
            out.append(contentsOf: bytes[at..<(at + sectorSize)])
            if let size, out.count >= size { break }
            guard sector < fat.count else { throw LegacyWorkbook.damaged("a sector chain leaves the allocation table") }
            sector = fat[sector]
        }
        if let size {
            guard out.count >= size else { throw LegacyWorkbook.damaged("a stream is shorter than its directory entry says") }
            return Array(out.prefix(size))
        }
        return out
    }

    /// A stream by name (the first found of `names`), from the FAT or, when small, from the mini stream.
    func stream(named names: [String]) throws -> [UInt8] {
        guard let entry = names.lazy.compactMap({ name in self.entries.first { $0.type == 2 && $0.name == name } }).first else {
            throw Workbook.ReadError.notAWorkbook(
                "an Office file without a workbook stream (a Word or other document, or an Excel file older than 97); save it as .xlsx")
        }
        if entry.size >= miniCutoff { return try chain(from: entry.start, size: entry.size) }
        guard let root = entries.first(where: { $0.type == 5 }) else { throw LegacyWorkbook.damaged("no root entry") }
        let miniStream = try chain(from: root.start, size: root.size)
        var out: [UInt8] = [], sector = entry.start, seen = 0
        while out.count < entry.size {
            seen += 1
            guard sector < miniFAT.count, seen <= miniFAT.count else { throw LegacyWorkbook.damaged("a mini-stream chain is broken") }
            let at = sector * miniSectorSize
            guard at + miniSectorSize <= miniStream.count else { throw LegacyWorkbook.damaged("a mini sector lies past the mini stream") }
            out.append(contentsOf: miniStream[at..<(at + miniSectorSize)])
            sector = miniFAT[sector]
        }
        return Array(out.prefix(entry.size))
    }
}

/// The BIFF8 records of a workbook stream.
private struct BIFF8 {
    let stream: [UInt8]

    init(_ stream: [UInt8]) { self.stream = stream }

    /// Records from an offset until EOF: (type, payload, payloads of the CONTINUE records that follow).
    func records(from start: Int) throws -> [(type: Int, data: [UInt8], continued: [[UInt8]])] {
        var out: [(type: Int, data: [UInt8], continued: [[UInt8]])] = []
        var at = start
        while at + 4 <= stream.count {
            let type = try u16(stream, at), length = try u16(stream, at + 2)
            guard at + 4 + length <= stream.count else { throw LegacyWorkbook.damaged("record \(String(type, radix: 16)) runs past the end") }
            let data = Array(stream[(at + 4)..<(at + 4 + length)])
            at += 4 + length
            if type == 0x003C, !out.isEmpty {
                out[out.count - 1].continued.append(data)
                continue
            }
            out.append((type, data, []))
            if type == 0x000A { break }
        }
        return out
    }

    func workbook() throws -> Workbook {
        let globals = try records(from: 0)
        guard let bof = globals.first, bof.type == 0x0809, try u16(bof.data, 0) == 0x0600 else {
            throw Workbook.ReadError.notAWorkbook("an Excel file older than Excel 97 (BIFF5 or earlier); save it as .xlsx")
        }
        var sheets: [(name: String, offset: Int)] = [], strings: [String] = [], formats: [Int: String] = [:], xfFormats: [Int] = []
        var date1904 = false
        for record in globals {
            switch record.type {
            case 0x002F: throw Workbook.ReadError.notAWorkbook("the .xls file is password-protected; save an unprotected copy")
            case 0x0085:
                guard record.data.count >= 8, record.data[5] == 0 else { continue }  // worksheets only, not charts or macros
                var reader = TextReader(segments: [record.data], at: 6)
                let count = try reader.byte()
                sheets.append((try reader.characters(count), try u32(record.data, 0)))
            case 0x00FC: strings = try sharedStrings(record.data, record.continued)
            case 0x041E:
                var reader = TextReader(segments: [record.data] + record.continued, at: 2)
                formats[try u16(record.data, 0)] = try reader.string16()
            case 0x00E0: xfFormats.append(try u16(record.data, 2))
            case 0x0022: date1904 = try u16(record.data, 0) == 1
            default: break
            }
        }
        func text(_ number: Double, xf: Int) -> String {
            let format = xf < xfFormats.count ? xfFormats[xf] : 0
            return CellFormat.text(number, formatID: format, code: formats[format], date1904: date1904)
        }
        var result: [Workbook.Sheet] = []
        for sheet in sheets {
            var rows: [Int: [Int: String]] = [:]
            func put(_ row: Int, _ column: Int, _ value: String) { if !value.isEmpty { rows[row + 1, default: [:]][column] = value } }
            let records = try records(from: sheet.offset)
            var pendingFormula: (row: Int, column: Int)?
            for record in records {
                let d = record.data
                switch record.type {
                case 0x00FD:  // LABELSST
                    let index = try u32(d, 6)
                    guard index < strings.count else { throw LegacyWorkbook.damaged("a cell names shared string \(index) of \(strings.count)") }
                    put(try u16(d, 0), try u16(d, 2), strings[index])
                case 0x0204, 0x00D6:  // LABEL, RSTRING
                    var reader = TextReader(segments: [d] + record.continued, at: 6)
                    put(try u16(d, 0), try u16(d, 2), try reader.string16())
                case 0x0203:  // NUMBER
                    put(try u16(d, 0), try u16(d, 2), text(try double(d, 6), xf: try u16(d, 4)))
                case 0x027E:  // RK
                    put(try u16(d, 0), try u16(d, 2), text(Self.rk(UInt32(try u32(d, 6))), xf: try u16(d, 4)))
                case 0x00BD:  // MULRK
                    let row = try u16(d, 0), first = try u16(d, 2)
                    for i in 0..<max((d.count - 6) / 6, 0) {
                        put(row, first + i, text(Self.rk(UInt32(try u32(d, 4 + 6 * i + 2))), xf: try u16(d, 4 + 6 * i)))
                    }
                case 0x0205:  // BOOLERR
                    if d.count >= 8, d[7] == 0 { put(try u16(d, 0), try u16(d, 2), d[6] == 1 ? "TRUE" : "FALSE") }
                case 0x0006:  // FORMULA: its cached result
                    let row = try u16(d, 0), column = try u16(d, 2)
                    guard d.count >= 14 else { continue }
                    if d[12] == 0xFF && d[13] == 0xFF {
                        switch d[6] {
                        case 0: pendingFormula = (row, column)  // the text follows in a STRING record
                        case 1: put(row, column, d[8] == 1 ? "TRUE" : "FALSE")
                        default: break
                        }
                    } else {
                        put(row, column, text(try double(d, 6), xf: try u16(d, 4)))
                    }
                case 0x0207:  // STRING, a formula's text result
                    if let cell = pendingFormula {
                        var reader = TextReader(segments: [d] + record.continued, at: 0)
                        put(cell.row, cell.column, try reader.string16())
                        pendingFormula = nil
                    }
                default: break
                }
            }
            result.append(Workbook.Sheet(name: sheet.name, rows: rows.keys.sorted().map { ($0, rows[$0]!) }))
        }
        return Workbook(sheets: result)
    }

    func double(_ d: [UInt8], _ at: Int) throws -> Double {
        guard at + 8 <= d.count else { throw LegacyWorkbook.damaged("a number cell ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(d[at + i]) << (8 * UInt64(i)) }
        return Double(bitPattern: bits)
    }

    /// An RK number: a 30-bit integer or the top 30 bits of a double, optionally divided by 100.
    static func rk(_ value: UInt32) -> Double {
        let number = value & 2 != 0 ? Double(Int32(bitPattern: value) >> 2) : Double(bitPattern: UInt64(value & 0xFFFF_FFFC) << 32)
        return value & 1 != 0 ? number / 100 : number
    }

    /// The shared string table: strings may run on into CONTINUE records, each continuation of characters
    /// starting with its own flags byte (compressed or UTF-16).
    func sharedStrings(_ data: [UInt8], _ continued: [[UInt8]]) throws -> [String] {
        let unique = try u32(data, 4)
        var reader = TextReader(segments: [data] + continued, at: 8)
        var strings: [String] = []
        strings.reserveCapacity(min(unique, 1_000_000))
        for _ in 0..<unique { strings.append(try reader.richString()) }
        return strings
    }
}

/// Reads BIFF8 strings across record boundaries.
private struct TextReader {
    let segments: [[UInt8]]
    var segment = 0
    var at: Int

    init(segments: [[UInt8]], at: Int) {
        self.segments = segments
        self.at = at
    }

    mutating func advanceIfAtEnd() throws {
        while segment < segments.count, at >= segments[segment].count {
            segment += 1
            at = 0
        }
        guard segment < segments.count else { throw LegacyWorkbook.damaged("a string runs past its record") }
    }

    mutating func byte() throws -> Int {
        try advanceIfAtEnd()
        defer { at += 1 }
        return Int(segments[segment][at])
    }

    mutating func word() throws -> Int {
        let low = try byte()
        return low | (try byte()) << 8
    }

    mutating func dword() throws -> Int {
        let low = try word()
        return low | (try word()) << 16
    }

    mutating func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            try advanceIfAtEnd()
            let step = min(left, segments[segment].count - at)
            at += step
            left -= step
        }
    }

    /// `count` characters after a flags byte; where they cross into the next record, a fresh flags byte says
    /// whether the rest is compressed.
    mutating func characters(_ count: Int, flags initial: Int? = nil) throws -> String {
        var flags: Int
        if let initial { flags = initial } else { flags = try byte() }
        var units: [UInt16] = []
        units.reserveCapacity(count)
        while units.count < count {
            if at >= segments[segment].count {
                segment += 1
                at = 0
                guard segment < segments.count else { throw LegacyWorkbook.damaged("a string runs past its record") }
                flags = Int(segments[segment][at])
                at += 1
            }
            let bytes = segments[segment]
            if flags & 1 == 0 {
                units.append(UInt16(bytes[at]))
                at += 1
            } else {
                guard at + 1 < bytes.count else { throw LegacyWorkbook.damaged("a character is split between records") }
                units.append(UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
                at += 2
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// XLUnicodeString: a 16-bit count, flags, characters.
    mutating func string16() throws -> String {
        let count = try word()
        return try characters(count)
    }

    /// XLUnicodeRichExtendedString: count, flags, optional run and phonetic sizes, characters, then the runs and
    /// phonetic data, skipped.
    mutating func richString() throws -> String {
        let count = try word()
        let flags = try byte()
        let runs = flags & 0x08 != 0 ? try word() : 0
        let extended = flags & 0x04 != 0 ? try dword() : 0
        let text = try characters(count, flags: flags)
        try skip(4 * runs + extended)
        return text
    }
}

/// Numbers as the text a spreadsheet shows for them: whole numbers without ".0", dates and times (by their
/// cell's number format) as ISO 8601, for .xlsx and .xls alike.
enum CellFormat {
    /// Excel's built-in date and time formats (ids 14–22 and 45–47).
    static let builtInDates: Set<Int> = [14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]

    /// Whether a format shows a date or time: a built-in date id, or a code with d, m, y, h or s outside quoted
    /// text, escapes and [colour] brackets (m alone is months or minutes, both dates and times).
    static func isDate(formatID: Int, code: String?) -> Bool {
        if builtInDates.contains(formatID) { return true }
        guard let code else { return false }
        var quoted = false, bracket = false, escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "[": bracket = true
            case "]": bracket = false
            case "d", "m", "y", "h", "s": if !quoted && !bracket { return true }
            default: break
            }
        }
        return false
    }

    /// Whether the format shows a time of day (h or s, or built-in ids 18–21, 45–47).
    static func hasTime(formatID: Int, code: String?) -> Bool {
        if [18, 19, 20, 21, 22, 45, 46, 47].contains(formatID) { return true }
        let lower = (code ?? "").lowercased()
        return lower.contains("h") || lower.contains("s")
    }

    static func hasDate(formatID: Int, code: String?) -> Bool {
        if [14, 15, 16, 17, 22].contains(formatID) { return true }
        if [18, 19, 20, 21, 45, 46, 47].contains(formatID) { return false }
        let lower = (code ?? "").lowercased()
        return lower.contains("d") || lower.contains("y") || (lower.contains("m") && !lower.contains("h"))
    }

    static func text(_ number: Double, formatID: Int, code: String?, date1904: Bool) -> String {
        if isDate(formatID: formatID, code: code), number.isFinite, number >= 0, number < 2_958_466 {
            return dateText(number, date1904: date1904, date: hasDate(formatID: formatID, code: code), time: hasTime(formatID: formatID, code: code))
        }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    /// An Excel serial date as ISO 8601: 1900 system (day 60 is Excel's phantom 29 February 1900, so days from
    /// 1899-12-30 are right from 1 March 1900) or the 1904 system.
    static func dateText(_ serial: Double, date1904: Bool, date: Bool, time: Bool) -> String {
        var days = serial.rounded(.down)
        var seconds = ((serial - days) * 86_400).rounded()
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
        if !date1904 && days < 60 { days += 1 }
        let epoch = date1904 ? 24_107.0 : 25_569.0  // days from the system's day 0 to 1970-01-01
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = Date(timeIntervalSince1970: (days - epoch) * 86_400)
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        let dateText = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        let s = Int(seconds)
        let timeText = String(format: "%02d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
        switch (date, time) {
        case (true, true): return "\(dateText)T\(timeText)"
        case (false, true): return timeText
        default: return dateText
        }
    }
}
