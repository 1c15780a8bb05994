import Foundation

/// How numbers are typed and shown in a session's language: Indonesian writes 1.250.000,5 (dots group thousands, a
/// comma marks decimals), English 1,250,000.5. Plain digits always work; anything that mixes the two is refused
/// with the way to type it, never guessed.
public enum NumberConvention: Sendable, Equatable {
    case indonesian, english

    init(_ words: Words) { self = words == .indonesian ? .indonesian : .english }

    var thousands: Character { self == .indonesian ? "." : "," }
    var decimal: Character { self == .indonesian ? "," : "." }

    /// Why a typed number cannot be read, in the session's language.
    public struct Refusal: Error, Equatable, Sendable {
        public let text: String
        public let convention: NumberConvention

        public var message: String {
            switch convention {
            case .indonesian:
                "'\(text)' tidak bisa dibaca sebagai angka: ribuan dipisah titik dan desimal dengan koma, mis. 1.250.000 atau 6,8 (atau angka saja: 1250000)"
            case .english:
                "'\(text)' cannot be read as a number: commas group thousands and a point marks decimals, e.g. 1,250,000 or 6.8 (or digits alone: 1250000)"
            }
        }
    }

    /// The number in the engine's form ("1250000.5"); text that is no number at all (letters, say) is passed on
    /// unchanged for the engine to name the problem.
    public func canonical(_ text: String) -> Result<String, Refusal> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var body = Substring(trimmed)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        let allowed = Set("0123456789.,")
        guard !body.isEmpty, body.allSatisfy({ allowed.contains($0) }), body.contains(where: \.isNumber) else { return .success(text) }
        let refusal = Refusal(text: trimmed, convention: self)
        let parts = body.split(separator: decimal, omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return .failure(refusal) }
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : nil
        if let fraction, fraction.isEmpty || !fraction.allSatisfy(\.isNumber) { return .failure(refusal) }
        guard !whole.isEmpty else { return .failure(refusal) }
        let groups = whole.split(separator: thousands, omittingEmptySubsequences: false)
        if groups.count > 1 {
            // 1.250.000: a first group of one to three digits, then groups of exactly three.
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return .failure(refusal) }
        }
        guard groups.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return .failure(refusal) }
        return .success(sign + groups.joined() + (fraction.map { "." + $0 } ?? ""))
    }

    /// A number as the session shows it: thousands grouped, decimals after the session's mark.
    public func format(_ number: Double) -> String {
        guard number.isFinite else { return "\(number)" }
        let plain: String
        if number == number.rounded(), abs(number) < 1e15 {
            plain = String(Int64(number))
        } else {
            plain = "\(number)"
        }
        guard !plain.contains("e") else { return plain }
        let negative = plain.hasPrefix("-")
        let digits = negative ? plain.dropFirst() : Substring(plain)
        let parts = digits.split(separator: ".", maxSplits: 1)
        var grouped = ""
        for (index, character) in parts[0].reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(thousands) }
            grouped.append(character)
        }
        var out = (negative ? "-" : "") + String(grouped.reversed())
        if parts.count == 2 { out += String(decimal) + parts[1] }
        return out
    }
}
