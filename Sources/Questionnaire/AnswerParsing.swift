import Expressions

/// Why typed text is not a valid answer, in words an enumerator understands, in English or Indonesian.
public enum AnswerError: Error, Hashable, Sendable, CustomStringConvertible {
    case notWholeNumber(String, hasDecimals: Bool)
    case commaDecimal(String)
    case notANumber(String)
    case notAChoice(String, choices: [String])
    case notOffered(String)
    case notADate(String)
    case notATime(String)
    case notADateTime(String)
    case geopointFormat
    case geopointNumbers
    case latitudeRange
    case longitudeRange
    case negativeAccuracy
    /// A point of a geotrace or geoshape (1-based) is wrong.
    indirect case inPoint(Int, AnswerError)
    case tooFewPoints(shape: Bool)
    /// An attachment's answer is the name the store gave the file, never a path.
    case notAFileName(String)
    /// A ranking must put every choice in order once.
    case rankIncomplete(missing: [String])
    case rankRepeated(String)
    case acknowledge
    case takesNoAnswer(String)
    case noChoices
    case tooManyInstances(Int)

    /// The English message.
    public var description: String { message(indonesian: false) }

    // swiftlint:disable:next cyclomatic_complexity
    public func message(indonesian: Bool) -> String {
        func pick(_ id: String, _ en: String) -> String { indonesian ? id : en }
        switch self {
        case .notWholeNumber(let text, true):
            return pick("'\(text)' bukan bilangan bulat; tulis tanpa desimal", "'\(text)' is not a whole number; enter it without decimals")
        case .notWholeNumber(let text, false): return pick("'\(text)' bukan bilangan bulat", "'\(text)' is not a whole number")
        case .commaDecimal(let text):
            let fixed = text.replacingOccurrences(of: ",", with: ".")
            return pick(
                "'\(text)' memakai koma; tulis desimal dengan titik, mis. \(fixed)", "'\(text)' uses a comma; write decimals with a point, e.g. \(fixed)")
        case .notANumber(let text): return pick("'\(text)' bukan angka", "'\(text)' is not a number")
        case .notAChoice(let code, let choices):
            return pick(
                "'\(code)' bukan salah satu pilihan: \(choices.joined(separator: ", "))",
                "'\(code)' is not one of the choices: \(choices.joined(separator: ", "))")
        case .notOffered(let code): return pick("'\(code)' tidak termasuk pilihan yang ditawarkan di sini", "'\(code)' is not among the choices offered here")
        case .notADate(let text):
            return pick("'\(text)' bukan tanggal; tulis TTTT-BB-HH, mis. 2021-06-30", "'\(text)' is not a date; write it as YYYY-MM-DD, e.g. 2021-06-30")
        case .notATime(let text): return pick("'\(text)' bukan jam; tulis JJ:MM, mis. 09:30", "'\(text)' is not a time; write it as HH:MM, e.g. 09:30")
        case .notADateTime(let text):
            return pick(
                "'\(text)' bukan tanggal dan jam; tulis TTTT-BB-HHTJJ:MM dengan zona, mis. 2021-06-30T09:30+07:00",
                "'\(text)' is not a date and time; write it as YYYY-MM-DDTHH:MM with an offset, e.g. 2021-06-30T09:30+07:00")
        case .geopointFormat:
            return pick(
                "tulis lokasi sebagai 'lintang bujur [ketinggian [akurasi]]', mis. -8.65 115.22",
                "enter a location as 'latitude longitude [altitude [accuracy]]', e.g. -8.65 115.22")
        case .geopointNumbers:
            return pick("lokasi berupa angka dipisah spasi, mis. -8.65 115.22", "a location is numbers separated by spaces, e.g. -8.65 115.22")
        case .latitudeRange: return pick("lintang harus antara -90 dan 90", "latitude must be between -90 and 90")
        case .longitudeRange: return pick("bujur harus antara -180 dan 180", "longitude must be between -180 and 180")
        case .negativeAccuracy: return pick("akurasi tidak boleh negatif", "accuracy cannot be negative")
        case .inPoint(let index, let error): return pick("titik \(index): ", "point \(index): ") + error.message(indonesian: indonesian)
        case .tooFewPoints(let shape):
            return shape
                ? pick(
                    "area perlu paling sedikit 3 titik sudut, dipisah ';', mis. -8.65 115.22; -8.66 115.22; -8.66 115.23",
                    "an area needs at least 3 corners separated by ';', e.g. -8.65 115.22; -8.66 115.22; -8.66 115.23")
                : pick(
                    "garis perlu paling sedikit 2 titik, dipisah ';', mis. -8.65 115.22; -8.66 115.23",
                    "a line needs at least 2 points separated by ';', e.g. -8.65 115.22; -8.66 115.23")
        case .rankIncomplete(let missing):
            return pick(
                "urutkan semua pilihan; yang belum: \(missing.joined(separator: ", "))",
                "put every choice in order; still missing: \(missing.joined(separator: ", "))")
        case .rankRepeated(let code): return pick("'\(code)' disebut dua kali; setiap pilihan sekali saja", "'\(code)' is given twice; each choice once")
        case .notAFileName(let text):
            return pick("'\(text)' bukan nama berkas yang tersimpan", "'\(text)' is not the name of a stored file")
        case .acknowledge: return pick("ketik OK untuk menyetujui", "acknowledge with OK")
        case .takesNoAnswer(let type): return pick("butir \(type) tidak menerima jawaban", "\(type) items take no answer")
        case .noChoices: return pick("pertanyaan ini tidak punya pilihan", "this question has no choices")
        case .tooManyInstances(let limit): return pick("pengulangan paling banyak \(limit) isian", "a repeat holds at most \(limit) instances")
        }
    }
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
            return .failure(.geopointFormat)
        }
        let numbers = parts.map { Double($0) }
        guard numbers.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            return .failure(.geopointNumbers)
        }
        let latitude = numbers[0]!
        let longitude = numbers[1]!
        guard (-90...90).contains(latitude) else { return .failure(.latitudeRange) }
        guard (-180...180).contains(longitude) else { return .failure(.longitudeRange) }
        let accuracy = parts.count > 3 ? numbers[3] : nil
        if let accuracy, accuracy < 0 { return .failure(.negativeAccuracy) }
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
    /// `offered`, for a rank under a choice filter, is the codes on offer: those are the ones to put in order.
    public func parseAnswer(_ raw: String, choices: ChoiceList?, offered rankOffered: Set<String>? = nil) -> Result<Value, AnswerError> {
        let text = raw.trimmingSpaces
        switch self {
        case .text, .identifier:
            return .success(.string(raw))
        case .integer:
            guard let number = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                return .failure(.notWholeNumber(text, hasDecimals: Double(text) != nil))
            }
            return .success(.number(Double(number)))
        case .decimal:
            if text.contains(","), Double(text.replacingOccurrences(of: ",", with: ".")) != nil {
                return .failure(.commaDecimal(text))
            }
            guard let number = Double(text), number.isFinite, !text.lowercased().contains("e"), !text.lowercased().contains("n") else {
                return .failure(.notANumber(text))
            }
            return .success(.number(number))
        case .selectOne:
            guard let choices else { return .failure(.noChoices) }
            guard choices.choice(text) != nil else {
                return .failure(.notAChoice(text, choices: choices.codes))
            }
            return .success(.string(text))
        case .selectMultiple:
            guard let choices else { return .failure(.noChoices) }
            var codes: [String] = []
            for code in text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
                guard choices.choice(code) != nil else {
                    return .failure(.notAChoice(code, choices: choices.codes))
                }
                if !codes.contains(code) { codes.append(code) }
            }
            // Stored in the list's order, space-separated, as ODK does.
            let ordered = choices.codes.filter(codes.contains)
            return .success(.string(ordered.joined(separator: " ")))
        case .rank:
            guard let choices else { return .failure(.noChoices) }
            var codes: [String] = []
            for code in text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
                guard choices.choice(code) != nil else { return .failure(.notAChoice(code, choices: choices.codes)) }
                guard !codes.contains(code) else { return .failure(.rankRepeated(code)) }
                codes.append(code)
            }
            // Every choice offered once, in the order given (the engine checks a filtered list's offer).
            if let offered = rankOffered, Set(codes) != offered {
                return .failure(.rankIncomplete(missing: choices.codes.filter { offered.contains($0) && !codes.contains($0) }))
            }
            if rankOffered == nil, codes.count < choices.codes.count {
                return .failure(.rankIncomplete(missing: choices.codes.filter { !codes.contains($0) }))
            }
            return .success(.string(codes.joined(separator: " ")))
        case .date:
            guard let date = CivilDate.parse(text), !text.contains("T") else {
                return .failure(.notADate(text))
            }
            return .success(.date(date.days))
        case .time:
            guard let seconds = CivilDate.parseTime(text) else {
                return .failure(.notATime(text))
            }
            return .success(.time(seconds))
        case .dateTime:
            guard let parsed = CivilDate.parseDateTime(text) else {
                return .failure(.notADateTime(text))
            }
            return .success(.dateTime(parsed.seconds, offsetMinutes: parsed.offsetMinutes))
        case .geopoint:
            return Geopoint.parse(text).map { .string($0.description) }
        case .geotrace, .geoshape:
            // Points separated by ';' as ODK stores them; an area is closed (its first corner repeated at the end).
            var points: [Geopoint] = []
            for (index, part) in text.split(separator: ";").enumerated() {
                let piece = part.trimmingSpaces
                if piece.isEmpty { continue }
                switch Geopoint.parse(piece) {
                case .success(let point): points.append(point)
                case .failure(let error): return .failure(.inPoint(index + 1, error))
                }
            }
            let shape = self == .geoshape
            if shape, points.count > 1, let first = points.first, let last = points.last, first.latitude == last.latitude,
                first.longitude == last.longitude
            {
                points.removeLast()
            }
            guard points.count >= (shape ? 3 : 2) else { return .failure(.tooFewPoints(shape: shape)) }
            if shape { points.append(points[0]) }
            return .success(.string(points.map(\.description).joined(separator: "; ")))
        case .attachment:
            // The runner stores the file first and answers with the name it was stored under.
            guard !text.isEmpty, !text.contains("/"), !text.contains("\\") else { return .failure(.notAFileName(text)) }
            return .success(.string(text))
        case .acknowledge:
            guard text.uppercased() == "OK" else { return .failure(.acknowledge) }
            return .success(.string("OK"))
        case .note, .calculate, .group, .repeat:
            return .failure(.takesNoAnswer(description))
        }
    }
}
