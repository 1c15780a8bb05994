import Crypto
import Foundation

/// SHA-256 content hashes (questionnaire definitions, attachments, a whole store), as lowercase hexadecimal,
/// through swift-crypto, a maintained implementation, rather than one of pantau's own.
public enum ContentDigest {
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    public static func hex(_ bytes: [UInt8]) -> String { hexDigits(digest(bytes)) }

    /// A digest as lowercase hexadecimal.
    static func hexDigits(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    static func digest(_ message: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: message)) }

    /// A hash fed in pieces (a store's tables row by row, never all in memory).
    struct Hasher {
        private var state = SHA256()

        mutating func update(_ bytes: [UInt8]) { state.update(data: bytes) }
        mutating func update(_ text: String) { update(Array(text.utf8)) }
        mutating func finish() -> [UInt8] { Array(state.finalize()) }
    }
}
