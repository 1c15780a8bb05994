import Expressions

/// Why typed text is not a valid answer, in words an enumerator understands.
public struct AnswerError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A point on the earth as entered: "lat lon [alt [accuracy]]".
public struct Geopoint: Hashable, Sendable, CustomStringConvertible {
    public let latitude: Double
    public let longitude: Double
    public let altitude: Double?
    public let accuracy: Double?

    public static func parse(_ text: String) -> Result<Geopoint, AnswerError> {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard (2...4).contains(parts.count) else {
            return .failure(AnswerError(message: "enter a location as 'latitude longitude [altitude [accuracy]]', e.g. -8.65 115.22"))
        }
        let numbers = parts.map { Double($0) }
        guard numbers.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            return .failure(AnswerError(message: "a location is numbers separated by spaces, e.g. -8.65 115.22"))
        }
        let latitude = numbers[0]!
        let longitude = numbers[1]!
        guard (-90...90).contains(latitude) else { return .failure(AnswerError(message: "latitude must be between -90 and 90")) }
        guard (-180...180).contains(longitude) else { return .failure(AnswerError(message: "longitude must be between -180 and 180")) }
        let accuracy = parts.count > 3 ? numbers[3] : nil
        if let accuracy, accuracy < 0 { return .failure(AnswerError(message: "accuracy cannot be negative")) }
        return .success(
            Geopoint(latitude: latitude, longitude: longitude, altitude: parts.count > 2 ? numbers[2] : nil, accuracy: accuracy))
    }

    public var description: String {
        ([latitude, longitude] + [altitude, accuracy].compactMap { $0 }).map { Value.format(number: $0) }.joined(separator: " ")
    }
}

extension ItemType {
    /// Turns typed text into a value of this type, or says why it cannot be one. `choices` is the item's list
    /// for selects. Used for literal defaults at load time and for typed answers in interviews.
    public func parseAnswer(_ raw: String, choices: ChoiceList?) -> Result<Value, AnswerError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch self {
        case .text, .identifier:
            return .success(.string(raw))
        case .integer:
            guard let number = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                if Double(text) != nil {
                    return .failure(AnswerError(message: "'\(text)' is not a whole number; enter it without decimals"))
                }
                return .failure(AnswerError(message: "'\(text)' is not a whole number"))
            }
            return .success(.number(Double(number)))
        case .decimal:
            if text.contains(","), Double(text.replacingOccurrences(of: ",", with: ".")) != nil {
                return .failure(
                    AnswerError(
                        message:
                            "'\(text)' uses a comma; write decimals with a point, e.g. \(text.replacingOccurrences(of: ",", with: "."))"))
            }
            guard let number = Double(text), number.isFinite, !text.lowercased().contains("e"), !text.lowercased().contains("n") else {
                return .failure(AnswerError(message: "'\(text)' is not a number"))
            }
            return .success(.number(number))
        case .selectOne:
            guard let choices else { return .failure(AnswerError(message: "this question has no choices")) }
            guard choices.choice(text) != nil else {
                return .failure(AnswerError(message: "'\(text)' is not one of the choices: \(choices.codes.joined(separator: ", "))"))
            }
            return .success(.string(text))
        case .selectMultiple:
            guard let choices else { return .failure(AnswerError(message: "this question has no choices")) }
            var codes: [String] = []
            for code in text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
                guard choices.choice(code) != nil else {
                    return .failure(AnswerError(message: "'\(code)' is not one of the choices: \(choices.codes.joined(separator: ", "))"))
                }
                if !codes.contains(code) { codes.append(code) }
            }
            // Stored in the list's order, space-separated, as ODK does.
            let ordered = choices.codes.filter(codes.contains)
            return .success(.string(ordered.joined(separator: " ")))
        case .date:
            guard let date = CivilDate.parse(text), !text.contains("T") else {
                return .failure(AnswerError(message: "'\(text)' is not a date; write it as YYYY-MM-DD, e.g. 2021-06-30"))
            }
            return .success(.date(date.days))
        case .time:
            guard let seconds = CivilDate.parseTime(text) else {
                return .failure(AnswerError(message: "'\(text)' is not a time; write it as HH:MM, e.g. 09:30"))
            }
            return .success(.time(seconds))
        case .dateTime:
            guard let parsed = CivilDate.parseDateTime(text) else {
                return .failure(
                    AnswerError(
                        message:
                            "'\(text)' is not a date and time; write it as YYYY-MM-DDTHH:MM with an offset, e.g. 2021-06-30T09:30+07:00"))
            }
            return .success(.dateTime(parsed.seconds, offsetMinutes: parsed.offsetMinutes))
        case .geopoint:
            return Geopoint.parse(text).map { .string($0.description) }
        case .acknowledge:
            guard text.uppercased() == "OK" else { return .failure(AnswerError(message: "acknowledge with OK")) }
            return .success(.string("OK"))
        case .note, .calculate, .group, .repeat:
            return .failure(AnswerError(message: "\(self) items take no answer"))
        }
    }
}
