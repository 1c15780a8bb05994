import Expressions
import Questionnaire

/// How a value came to be.
public enum AnswerOrigin: String, Hashable, Sendable, CaseIterable {
    /// Typed or chosen by the enumerator.
    case entered
    /// Filled from the item's `default` and not touched since; re-evaluated while its inputs change.
    case defaulted
    /// Computed by a `calculate`.
    case calculated
    /// Filled from the sample frame (identifiers).
    case prefilled
    /// The number of instances of a repeat.
    case instances
}

/// One stored value with its flags.
public struct AnswerRecord: Hashable, Sendable {
    public var value: Value
    public var origin: AnswerOrigin
    /// False when the item is no longer asked: the value is kept but left out of the data, as ODK does.
    public var relevant: Bool
    /// The reason given when the enumerator kept a value that fails a soft check.
    public var confirmation: String?

    public init(value: Value, origin: AnswerOrigin, relevant: Bool = true, confirmation: String? = nil) {
        self.value = value
        self.origin = origin
        self.relevant = relevant
        self.confirmation = confirmation
    }
}

/// Where the interview stands.
public enum Cursor: Hashable, Sendable, CustomStringConvertible {
    case item(Address)
    /// "Add another instance?" for a repeat without repeat_count; the address is the repeat's, without an
    /// instance number.
    case repeatPrompt(Address)
    case end

    public var description: String {
        switch self {
        case .item(let address): address.description
        case .repeatPrompt(let address): "+\(address)"
        case .end: "end"
        }
    }

    /// Reads the form written by `description`.
    public static func parse(_ text: String) -> Cursor? {
        if text == "end" { return .end }
        if text.hasPrefix("+") { return Address.parse(String(text.dropFirst())).map(Cursor.repeatPrompt) }
        return Address.parse(text).map(Cursor.item)
    }
}

/// A moment: UTC seconds since 1970 and the device's offset from UTC in minutes.
public struct Timestamp: Hashable, Sendable, CustomStringConvertible {
    public let seconds: Double
    public let offsetMinutes: Int

    public init(seconds: Double, offsetMinutes: Int) {
        self.seconds = seconds
        self.offsetMinutes = offsetMinutes
    }

    /// ISO 8601 in UTC with milliseconds, e.g. 2021-06-15T01:00:00.000Z.
    public var iso8601: String {
        let milliseconds = Int64((seconds * 1000).rounded())
        let days = Int((Double(milliseconds) / 86_400_000).rounded(.down))
        let rest = milliseconds - Int64(days) * 86_400_000
        let date = CivilDate(days: days)
        let h = rest / 3_600_000, m = (rest / 60_000) % 60, s = (rest / 1000) % 60, ms = rest % 1000
        guard (0...9999).contains(date.year) else {
            func pad(_ value: Int64, _ width: Int) -> String { CivilDate.zeroPadded(Int(value), width) }
            return "\(date)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
        }
        // Written digit by digit into 24 bytes: every answer's step carries a few of these.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func digits(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            digits(date.year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            digits(date.month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            digits(date.day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            digits(Int(h), 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            digits(Int(m), 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            digits(Int(s), 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            digits(Int(ms), 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    public var description: String { iso8601 }

    /// The local calendar day.
    public var localDay: Int { Int(((seconds + Double(offsetMinutes * 60)) / 86_400).rounded(.down)) }
}

/// Paradata, in the order it happened; the store appends each to the audit log.
public struct AuditEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case entered(Address)
        case left(Address)
        case changed(Address, old: Value?, new: Value?)
        case softCheckConfirmed(Address, reason: String)
        case languageChanged(from: String?, to: String)
        case instanceAdded(Address)
        case instanceDeleted(Address)
        case reopened
        case completed
    }

    public let kind: Kind
    public let at: Timestamp

    public init(_ kind: Kind, at: Timestamp) {
        self.kind = kind
        self.at = at
    }
}

/// Everything one step changed: the records to write, the audit events to append, and the new cursor.
/// The runner persists a transition in one transaction before it shows the next prompt.
public struct Transition: Sendable {
    /// Addresses whose record changed, with the new record (nil: the record was removed).
    public var records: [Address: AnswerRecord?] = [:]
    public var events: [AuditEvent] = []
    public var cursor: Cursor

    public init(records: [Address: AnswerRecord?] = [:], events: [AuditEvent] = [], cursor: Cursor) {
        self.records = records
        self.events = events
        self.cursor = cursor
    }

    public var isEmpty: Bool { records.isEmpty && events.isEmpty }
}
