import Foundation
import Interview

extension Timestamp {
    /// Now, from the system clock and time zone: what a store records when a command or the server writes. The
    /// interview engine never reads a clock of its own; this lives beside the store, which does I/O.
    public static func now() -> Timestamp {
        let date = Date()
        return Timestamp(seconds: date.timeIntervalSince1970, offsetMinutes: TimeZone.current.secondsFromGMT(for: date) / 60)
    }
}
