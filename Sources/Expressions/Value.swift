import Foundation

/// A special non-response: an answer that records why there is no value.
///
/// Stored as its own kind of value, never as a sentinel number such as -99.
public enum NonResponse: String, Hashable, Sendable, CaseIterable {
    case dontKnow = "dont_know"
    case refused = "refused"
    case notApplicable = "not_applicable"
}

/// A runtime value of the expression language.
///
/// Semantics follow XPath 1.0 as ODK applies it: an unanswered or irrelevant field is `.empty`, which reads as
/// the empty string, as NaN in arithmetic and as false in a boolean context. A special non-response reads
/// exactly like `.empty` everywhere except in `non-response()`, which returns its code.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case empty
    case number(Double)
    case string(String)
    case boolean(Bool)
    /// Days since 1970-01-01 (proleptic Gregorian).
    case date(Int)
    /// Seconds since 1970-01-01T00:00:00Z, and the local offset in minutes it was recorded with.
    case dateTime(Double, offsetMinutes: Int)
    /// Seconds since midnight.
    case time(Double)
    case nonResponse(NonResponse)
    /// The values of one field across the instances of a repeat.
    case nodeset([Value])

    public var description: String { stringValue }

    /// A special non-response (don't know, refused, not applicable): empty to expressions, but an answer.
    public var isNonResponse: Bool { if case .nonResponse = self { true } else { false } }

    public var isEmpty: Bool {
        switch self {
        case .empty, .nonResponse: true
        case .string(let text): text.isEmpty
        case .nodeset(let values): values.isEmpty
        default: false
        }
    }

    /// XPath `number()`.
    public var numberValue: Double {
        switch self {
        case .empty, .nonResponse, .time: .nan
        case .number(let value): value
        case .boolean(let flag): flag ? 1 : 0
        case .date(let days): Double(days)
        case .dateTime(let seconds, _): seconds / 86_400
        case .string(let text):
            Value.parseNumber(text) ?? .nan
        case .nodeset(let values): values.first?.numberValue ?? .nan
        }
    }

    /// XPath `string()`.
    public var stringValue: String {
        switch self {
        case .empty, .nonResponse: ""
        case .number(let value): Value.format(number: value)
        case .string(let text): text
        case .boolean(let flag): flag ? "true" : "false"
        case .date(let days): CivilDate(days: days).description
        case .dateTime(let seconds, let offset): CivilDate.formatDateTime(seconds: seconds, offsetMinutes: offset)
        case .time(let seconds): CivilDate.formatTime(seconds: seconds)
        case .nodeset(let values): values.first?.stringValue ?? ""
        }
    }

    /// XPath `boolean()`.
    public var booleanValue: Bool {
        switch self {
        case .empty, .nonResponse: false
        case .number(let value): value != 0 && !value.isNaN
        case .string(let text): !text.isEmpty
        case .boolean(let flag): flag
        case .date, .dateTime, .time: true
        case .nodeset(let values): !values.isEmpty
        }
    }

    public static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        // XPath numbers: digits with an optional point and sign; no exponents, no "inf"/"nan" spellings.
        var sawDigit = false
        for (index, scalar) in trimmed.unicodeScalars.enumerated() {
            if ("0"..."9").contains(scalar) {
                sawDigit = true
                continue
            }
            if scalar == "." { continue }
            if scalar == "-" && index == 0 { continue }
            return nil
        }
        return sawDigit ? Double(trimmed) : nil
    }

    /// Integers print without a decimal point, as XPath's `string()` does; others as the shortest exact form.
    public static func format(number value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let text = "\(value)"
        guard text.contains("e") else { return text }
        // XPath writes numbers without exponents.
        if abs(value) >= 1 { return String(format: "%.0f", value) }
        var fixed = String(format: "%.20f", value)
        while fixed.hasSuffix("0") { fixed.removeLast() }
        return fixed
    }
}

/// A calendar date in the proleptic Gregorian calendar, converted without Foundation's calendars so that
/// results do not depend on the machine's time zone or locale.
public struct CivilDate: Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// From days since 1970-01-01 (Howard Hinnant's civil_from_days).
    public init(days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01.
    public var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday.
    public var weekday: Int { ((days % 7) + 11) % 7 }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        "\(Self.zeroPadded(year, 4))-\(Self.zeroPadded(month, 2))-\(Self.zeroPadded(day, 2))"
    }

    /// An integer with leading zeros to `width` characters, as printf's `%0*d` (which Foundation's
    /// String(format:) does tens of times more slowly: dates are formatted at every answer's commit).
    public static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }

    /// Parses `YYYY-MM-DD`, optionally followed by a time part (which is ignored).
    public static func parse(_ text: String) -> CivilDate? {
        let datePart = text.split(separator: "T", maxSplits: 1).first.map(String.init) ?? text
        let pieces = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].count == 4, pieces[1].count == 2, pieces[2].count == 2,
            let year = Int(pieces[0]), let month = Int(pieces[1]), let day = Int(pieces[2])
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// Parses `HH:MM[:SS[.fff]]` into seconds since midnight.
    public static func parseTime(_ text: String) -> Double? {
        var body = Substring(text)
        // Drop a trailing offset (Z, +07:00): a time of day is kept as written.
        if let index = body.firstIndex(where: { $0 == "Z" || $0 == "+" }) { body = body[..<index] }
        let pieces = body.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(pieces.count), pieces[0].count == 2, pieces[1].count == 2,
            let hours = Int(pieces[0]), let minutes = Int(pieces[1]), (0...23).contains(hours), (0...59).contains(minutes)
        else { return nil }
        var seconds = 0.0
        if pieces.count == 3 {
            guard let value = Double(pieces[2]), value >= 0, value < 61 else { return nil }
            seconds = value
        }
        return Double(hours * 3600 + minutes * 60) + seconds
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` into UTC seconds and the written offset.
    public static func parseDateTime(_ text: String) -> (seconds: Double, offsetMinutes: Int)? {
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = parse(parts[0]) else { return nil }
        var timeText = parts[1]
        var offset = 0
        if timeText.hasSuffix("Z") {
            timeText.removeLast()
        } else if let signIndex = timeText.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offsetText = timeText[timeText.index(after: signIndex)...]
            let sign = timeText[signIndex] == "-" ? -1 : 1
            let hm = offsetText.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return nil }
            offset = sign * (h * 60 + m)
            timeText = String(timeText[..<signIndex])
        }
        guard let seconds = parseTime(timeText) else { return nil }
        return (Double(date.days) * 86_400 + seconds - Double(offset * 60), offset)
    }

    static func formatTime(seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        return "\(zeroPadded(total / 3600, 2)):\(zeroPadded((total / 60) % 60, 2)):\(zeroPadded(total % 60, 2))"
    }

    static func formatDateTime(seconds: Double, offsetMinutes: Int) -> String {
        let local = seconds + Double(offsetMinutes * 60)
        let days = Int((local / 86_400).rounded(.down))
        let date = CivilDate(days: days)
        let time = formatTime(seconds: local - Double(days) * 86_400)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let magnitude = abs(offsetMinutes)
        return "\(date)T\(time)\(sign)\(zeroPadded(magnitude / 60, 2)):\(zeroPadded(magnitude % 60, 2))"
    }
}
