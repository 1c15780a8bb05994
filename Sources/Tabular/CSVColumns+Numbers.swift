import Foundation

extension CSVColumns {
    static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A decimal number, correctly rounded: Clinger's fast path for up to 15 significant digits and exponents
    /// within ±22, a checked quotient for 16 to 19 digits with a decimal point, and the C library's strtod for
    /// longer or unusual forms. NaN for an empty field, text, or a non-finite value.
    static func parseNumber(_ field: UnsafeBufferPointer<UInt8>) -> Double {
        var i = 0
        let n = field.count
        guard n > 0 else { return .nan }
        var negative = false
        if field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+") {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0, sawDigit = false, dropped = false
        while i < n, field[i] >= 48, field[i] <= 57 {
            sawDigit = true
            if digits < 19 {
                mantissa = mantissa * 10 + UInt64(field[i] - 48)
                if mantissa > 0 { digits += 1 }
            } else {
                exponent += 1
                dropped = true
            }
            i += 1
        }
        if i < n, field[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, field[i] >= 48, field[i] <= 57 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(field[i] - 48)
                    exponent -= 1
                    if mantissa > 0 { digits += 1 }
                } else {
                    dropped = true
                }
                i += 1
            }
        }
        if i < n, field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < n, field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") {
                exponentNegative = field[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0, exponentDigits = 0
            while i < n, field[i] >= 48, field[i] <= 57 {
                value = min(value * 10 + Int(field[i] - 48), 100_000)
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return .nan }
            exponent += exponentNegative ? -value : value
        }
        // More than nineteen significant digits do not fit the mantissa: strtod rounds the whole number.
        guard sawDigit, i == n, !dropped else { return strtodFallback(field) }
        guard mantissa != 0 else { return negative ? -0.0 : 0 }
        guard exponent >= -22, exponent <= 22 else { return strtodFallback(field) }
        let result: Double
        if mantissa < 1 << 53 {
            // Clinger's fast path: the mantissa and the power of ten are exact doubles, so one rounding.
            result = exponent >= 0 ? Double(mantissa) * powers[exponent] : Double(mantissa) / powers[-exponent]
        } else if exponent <= 0, let quotient = correctlyRounded(mantissa, dividedByTenToThe: -exponent) {
            // Seventeen to nineteen digits, as software writes doubles: the same quotient, checked and corrected.
            result = quotient
        } else {
            return strtodFallback(field)
        }
        guard result.isFinite else { return .nan }
        return negative ? -result : result
    }

    private static let integerPowers: [UInt64] = (0...19).map { (0..<$0).reduce(UInt64(1)) { value, _ in value * 10 } }

    /// m / 10^k rounded to the nearest double (ties to even), for a mantissa too long for Clinger's fast path.
    /// Dividing Double(m) rounds twice, and was one unit in the last place off for about one value in nine
    /// written with seventeen digits; the candidate is compared exactly, in 128-bit integers, with the midpoints
    /// to its neighbours and moved where it is off. Nil where the check does not apply (strtod then decides).
    static func correctlyRounded(_ m: UInt64, dividedByTenToThe k: Int) -> Double? {
        guard k < integerPowers.count else { return nil }
        let power = integerPowers[k]
        var candidate = Double(m) / powers[k]
        for _ in 0..<3 {
            guard candidate.isNormal, candidate > 0 else { return nil }
            // candidate = significand · 2^binaryExponent with a 53-bit integer significand.
            let significand = candidate.significandBitPattern | (1 << 52)
            let binaryExponent = Int(candidate.exponent) - 52
            // x = m / 10^k against the midpoint above, (2s + 1)·2^(e−1): compare m·2^(1−e) with (2s + 1)·10^k.
            let shift = 1 - binaryExponent
            guard shift >= 0, shift < 63 else { return nil }
            let scaled = widened(m, shiftedBy: shift)
            let above = compare(scaled, (2 * significand + 1).multipliedFullWidth(by: power))
            if above > 0 {
                candidate = candidate.nextUp
                continue
            }
            if above == 0 { return significand & 1 == 0 ? candidate : candidate.nextUp }
            // The midpoint below is half as far when the candidate is a power of two.
            let below =
                significand == 1 << 52
                ? compare(widened(m, shiftedBy: shift + 1), (4 * significand - 1).multipliedFullWidth(by: power))
                : compare(scaled, (2 * significand - 1).multipliedFullWidth(by: power))
            if below < 0 {
                candidate = candidate.nextDown
                continue
            }
            if below == 0 { return significand & 1 == 0 ? candidate : candidate.nextDown }
            return candidate
        }
        return nil
    }

    private static func widened(_ value: UInt64, shiftedBy shift: Int) -> (high: UInt64, low: UInt64) {
        shift == 0 ? (0, value) : (value >> (64 - shift), value << shift)
    }

    private static func compare(_ a: (high: UInt64, low: UInt64), _ b: (high: UInt64, low: UInt64)) -> Int {
        a.high != b.high ? (a.high < b.high ? -1 : 1) : (a.low != b.low ? (a.low < b.low ? -1 : 1) : 0)
    }

    private static func strtodFallback(_ field: UnsafeBufferPointer<UInt8>) -> Double {
        guard let text = String(validating: field, as: UTF8.self), let value = Double(text), value.isFinite else { return .nan }
        return value
    }
}
