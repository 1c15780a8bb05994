import Foundation
import Randomness
import TestSupport
import Testing

@testable import Interview

struct TimestampTests {
    @Test("ISO 8601 in UTC with milliseconds, as Foundation's formatter writes it, from 1601 to 2400")
    func iso8601() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        var random = SplitMix64(seed: 3)
        for index in 0..<5_000 {
            let draw = random.next()
            // Whole milliseconds between 1601 and 2400 (the formatter truncates, pantau rounds: whole ones agree).
            let milliseconds = Int64(draw >> 20) % 25_200_000_000_000 - 11_600_000_000_000
            let seconds = index == 0 ? 0 : Double(milliseconds) / 1000
            let text = Timestamp(seconds: seconds, offsetMinutes: 420).iso8601
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: seconds)), "\(seconds)")
        }
        #expect(Timestamp(seconds: 1_623_718_800.0004, offsetMinutes: 0).iso8601 == "2021-06-15T01:00:00.000Z")
        #expect(Timestamp(seconds: 1_623_718_800.9996, offsetMinutes: 0).iso8601 == "2021-06-15T01:00:01.000Z")
        // Years outside 0…9999: as before, printf-padded.
        #expect(Timestamp(seconds: -62_167_219_200 - 86_400, offsetMinutes: 0).iso8601 == "-001-12-31T00:00:00.000Z")
    }
}
