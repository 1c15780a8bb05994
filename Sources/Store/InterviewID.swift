import Foundation
import Interview

/// Interview identifiers: UUID version 7 (RFC 9562), whose first 48 bits are the start time in milliseconds.
///
/// The answer and audit tables are keyed by the interview's UUID. A random (version 4) UUID puts the interview
/// being answered in the middle of those B-trees, and every few answers a full page there is split with its
/// neighbours, which writes four pages to the log instead of one before the fsync. A time-ordered UUID puts a
/// device's newest interview at the end, where SQLite appends cheaply. Identity and uniqueness stay those of
/// any UUID: 74 random bits, and merged stores still match interviews by the whole string.
enum InterviewID {
    static func make(at time: Timestamp) -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, (time.seconds * 1000).rounded(.down)))
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        for index in 6..<16 { bytes[index] = UInt8(truncatingIfNeeded: (index < 11 ? random.0 : random.1) >> (8 * (index % 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // the RFC's variant
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return uuid.uuidString.lowercased()
    }
}
