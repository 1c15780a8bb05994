import Crypto
import Foundation

/// ODK's digest(): a text's hash by one of five algorithms, through swift-crypto, encoded as base64 or hex.
enum Digest {
    static let algorithms = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"]

    /// The encoded hash, or nil for an algorithm or encoding ODK does not know (the expression's value is then empty).
    static func text(_ text: String, algorithm: String, encoding: String) -> String? {
        let data = Data(text.utf8)
        let bytes: [UInt8]
        switch algorithm {
        case "MD5": bytes = Array(Insecure.MD5.hash(data: data))
        case "SHA-1": bytes = Array(Insecure.SHA1.hash(data: data))
        case "SHA-256": bytes = Array(SHA256.hash(data: data))
        case "SHA-384": bytes = Array(SHA384.hash(data: data))
        case "SHA-512": bytes = Array(SHA512.hash(data: data))
        default: return nil
        }
        switch encoding {
        case "base64": return Data(bytes).base64EncodedString()
        case "hex": return bytes.map { String(format: "%02x", $0) }.joined()
        default: return nil
        }
    }
}
