// Requirements covered here (issue: the runner in an enumerator's hands — numbers in reports under --lang):
// N1 indicator reports write numbers in the report language's convention; CSV and JSON stay plain
import Testing

@testable import Reports

struct NumbersTests {
    @Test("N1: Indonesian 1.250.000 and 6,8; English 1,250,000 and 6.8; machine formats plain")
    func conventions() {
        let indonesian = Numbers(language: "id"), english = Numbers(language: "en")
        #expect(indonesian.format(1_250_000, "total") == "1.250.000" && english.format(1_250_000, "total") == "1,250,000")
        #expect(indonesian.format(6.84, "share") == "6,8" && english.format(6.84, "share") == "6.8")
        #expect(indonesian.signed(-17_413_500, "median") == "-17.413.500" && english.signed(3.9, "share") == "+3.9")
        #expect(Numbers(language: nil).format(1_250_000, "count") == "1,250,000")
        #expect(Numbers.plain(1_250_000) == "1250000" && Numbers.plain(6.8) == "6.8")
    }
}
