// Requirements covered here (issue: the runner in an enumerator's hands):
// U1 numbers are read in the session's convention: Indonesian 1.250.000,5, English 1,250,000.5; digits alone always
// U2 anything that mixes the conventions or groups wrongly is refused with how to type it, never guessed
// U3 numbers are shown grouped in the session's convention
import Runner
import Testing

struct NumberConventionTests {
    @Test(
        "U1: read in the session's convention",
        arguments: [
            (NumberConvention.indonesian, "1.250.000.000", "1250000000"), (.indonesian, "6,8", "6.8"), (.indonesian, "1250000", "1250000"),
            (.indonesian, "-1.250,75", "-1250.75"), (.indonesian, "1.250", "1250"), (.english, "1,250,000,000", "1250000000"),
            (.english, "6.8", "6.8"), (.english, "1250000", "1250000"), (.english, "-1,250.75", "-1250.75"), (.english, "1.250", "1.250"),
            (.english, " 42 ", "42"), (.indonesian, "abc", "abc"), (.english, "1e5", "1e5"),
        ])
    func reads(convention: NumberConvention, typed: String, canonical: String) throws {
        #expect(try convention.canonical(typed).get() == canonical)
    }

    @Test(
        "U2: mixed or wrongly grouped numbers are refused with the way to type them",
        arguments: [
            (NumberConvention.indonesian, "12.5"), (.indonesian, "1,250.5"), (.indonesian, "1.25.000"), (.indonesian, "6,8,1"), (.indonesian, "1.250,"),
            (.english, "6,8"), (.english, "1.250,5"), (.english, "12,50"), (.english, ",5"), (.english, "1,2345"),
        ])
    func refuses(convention: NumberConvention, typed: String) {
        guard case .failure(let refusal) = convention.canonical(typed) else {
            Issue.record("\(typed) was read")
            return
        }
        #expect(refusal.message.hasPrefix("'\(typed)' "))
        #expect(refusal.message.contains(convention == .indonesian ? "1.250.000 atau 6,8" : "1,250,000 or 6.8"))
    }

    @Test("U3: shown grouped")
    func shows() {
        #expect(NumberConvention.indonesian.format(12_500_000_000) == "12.500.000.000")
        #expect(NumberConvention.english.format(12_500_000_000) == "12,500,000,000")
        #expect(NumberConvention.indonesian.format(6.8) == "6,8" && NumberConvention.english.format(-1250.75) == "-1,250.75")
        #expect(NumberConvention.indonesian.format(999) == "999" && NumberConvention.indonesian.format(0) == "0")
    }
}
