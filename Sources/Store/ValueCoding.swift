import Expressions

/// How a value is written to the store: a kind, a canonical text, and a number for sorting and exact
/// round trips (numbers; dates as days since 1970; datetimes as UTC seconds; times as seconds since midnight).
public struct StoredValue: Hashable, Sendable {
    public let kind: String
    public let text: String
    public let number: Double?

    public init(kind: String, text: String, number: Double?) {
        self.kind = kind
        self.text = text
        self.number = number
    }

    public init(_ value: Value) {
        switch value {
        case .empty: self.init(kind: "empty", text: "", number: nil)
        case .number(let number): self.init(kind: "number", text: Value.format(number: number), number: number)
        case .string(let text): self.init(kind: "string", text: text, number: nil)
        case .boolean(let flag): self.init(kind: "boolean", text: flag ? "true" : "false", number: flag ? 1 : 0)
        case .date(let days): self.init(kind: "date", text: value.stringValue, number: Double(days))
        case .dateTime(let seconds, _): self.init(kind: "datetime", text: value.stringValue, number: seconds)
        case .time(let seconds): self.init(kind: "time", text: value.stringValue, number: seconds)
        case .nonResponse(let code): self.init(kind: "non_response", text: code.rawValue, number: nil)
        case .nodeset(let values): self.init(values.first ?? .empty)
        }
    }

    /// The value back; nil for a kind this version does not know (a newer store).
    public var value: Value? {
        switch kind {
        case "empty": return .empty
        case "number": return number.map(Value.number) ?? Double(text).map(Value.number)
        case "string": return .string(text)
        case "boolean": return .boolean(text == "true")
        case "date": return (number.map { Int($0) } ?? CivilDate.parse(text)?.days).map(Value.date)
        case "datetime":
            guard let parsed = CivilDate.parseDateTime(text) else { return nil }
            return .dateTime(number ?? parsed.seconds, offsetMinutes: parsed.offsetMinutes)
        case "time": return (number ?? CivilDate.parseTime(text)).map(Value.time)
        case "non_response": return NonResponse(rawValue: text).map(Value.nonResponse)
        default: return nil
        }
    }

    /// `kind:text`, the form used in the audit log.
    public var tagged: String { "\(kind):\(text)" }

    public static func untag(_ tagged: String) -> StoredValue? {
        guard let colon = tagged.firstIndex(of: ":") else { return nil }
        return StoredValue(kind: String(tagged[..<colon]), text: String(tagged[tagged.index(after: colon)...]), number: nil)
    }
}
