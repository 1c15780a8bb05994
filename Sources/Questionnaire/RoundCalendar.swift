import Expressions

/// A survey round's code, checked: `YYYY-Hn` (six-monthly, H1 or H2), `YYYY-Qn` (quarterly, Q1 to Q4) or `YYYY-MM`
/// (monthly). Codes of one scheme sort in time order, which is what `previous()` relies on; a store keeps to one scheme.
public struct RoundCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case halfYear = "six-monthly (YYYY-H1, YYYY-H2)"
        case quarter = "quarterly (YYYY-Q1 … YYYY-Q4)"
        case month = "monthly (YYYY-MM)"
    }

    public let year: Int
    /// The half-year, quarter or month within the year, from 1.
    public let period: Int
    public let scheme: Scheme

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII), let year = Int(parts[0]), year >= 1900 else { return nil }
        let tail = parts[1]
        if tail.count == 2, let first = tail.first, first == "H" || first == "Q", let period = Int(tail.dropFirst()) {
            let scheme: Scheme = first == "H" ? .halfYear : .quarter
            guard (1...(scheme == .halfYear ? 2 : 4)).contains(period) else { return nil }
            (self.year, self.period, self.scheme) = (year, period, scheme)
        } else if tail.count == 2, tail.allSatisfy(\.isASCII), let month = Int(tail), (1...12).contains(month) {
            (self.year, self.period, self.scheme) = (year, month, .month)
        } else {
            return nil
        }
    }

    public var description: String {
        switch scheme {
        case .halfYear: "\(year)-H\(period)"
        case .quarter: "\(year)-Q\(period)"
        case .month: "\(year)-\(period < 10 ? "0" : "")\(period)"
        }
    }

    public static func < (lhs: RoundCode, rhs: RoundCode) -> Bool { (lhs.year, lhs.period) < (rhs.year, rhs.period) }

    /// The period's last month: where pantau places fieldwork when a round has no dates of its own.
    public var fieldwork: (starts: CivilDate, ends: CivilDate) {
        let month =
            switch scheme {
            case .halfYear: period * 6
            case .quarter: period * 3
            case .month: period
            }
        let next = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1)! : CivilDate(year: year, month: month + 1, day: 1)!
        return (CivilDate(year: year, month: month, day: 1)!, CivilDate(days: next.days - 1))
    }

    /// Why a text is not a round code, for messages (in Indonesian for an Indonesian session).
    public static func explain(_ text: String, indonesian: Bool = false) -> String {
        indonesian
            ? "'\(text)' bukan kode putaran: tulis TTTT-H1 atau TTTT-H2 (enam bulanan), TTTT-Q1 sampai TTTT-Q4 (triwulanan) atau TTTT-BB (bulanan), mis. 2021-H1"
            : "'\(text)' is not a round code: write YYYY-H1 or YYYY-H2 (six-monthly), YYYY-Q1 to YYYY-Q4 (quarterly) or YYYY-MM (monthly), e.g. 2021-H1"
    }

    /// The problem with adding `codes` to a store whose rounds are `existing`: a code that does not parse, or one of
    /// another scheme than the rest. Nil when all is well.
    public static func problem(adding codes: [String], to existing: [String], indonesian: Bool = false) -> String? {
        if let bad = codes.first(where: { RoundCode($0) == nil }) { return explain(bad, indonesian: indonesian) }
        let known = existing.compactMap(RoundCode.init)
        let all = known + codes.compactMap(RoundCode.init)
        guard let first = all.first, let other = all.first(where: { $0.scheme != first.scheme }) else { return nil }
        let scheme = known.first?.scheme ?? first.scheme
        let examples = (known.isEmpty ? all : known).filter { $0.scheme == scheme }.prefix(3).map(\.description).joined(separator: ", ")
        if indonesian {
            return "putaran '\(other)' memakai skema lain (\(other.scheme.rawValue)) daripada putaran di penyimpanan ini (\(scheme.rawValue)): "
                + "\(examples); satu penyimpanan memakai satu skema"
        }
        return "round '\(other)' is \(other.scheme.rawValue), but the store's rounds are \(scheme.rawValue): \(examples); one store keeps to one scheme"
    }
}

/// What a round's code says about its dates, for rounds the store or plan gives no dates for.
public enum RoundCalendar {
    /// A round code's period, fielded in its last month (June or December for six-monthly codes); a text that is no
    /// round code says nothing (nil), and no date is made up for it.
    public static func fieldwork(ofCode code: String) -> (starts: CivilDate, ends: CivilDate)? {
        RoundCode(code)?.fieldwork
    }
}
