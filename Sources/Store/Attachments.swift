import Foundation
import GRDB
import Interview
import Questionnaire

/// A file stored as an answer, without its bytes.
public struct StoredAttachment: Hashable, Sendable {
    public let interview: String
    public let address: String
    public let fileName: String
    public let sha256: String
    public let size: Int

    public init(interview: String, address: String, fileName: String, sha256: String, size: Int) {
        (self.interview, self.address, self.fileName, self.sha256, self.size) = (interview, address, fileName, sha256, size)
    }
}

extension ResponseStore {
    /// The largest attachment a store takes: a few minutes of video; larger files belong in a media server.
    public static let maximumAttachmentBytes = 512 * 1024 * 1024

    /// Copies a file into the store as the answer at `address`, replacing an earlier one there; returns the name the
    /// answer records (the file's own name). The bytes are in the store, with their SHA-256, before the answer is
    /// saved, so a power cut between the two leaves the file kept and the question unanswered, never the reverse.
    public func attach(fileAt path: String, interview uuid: String, address: Address, at now: Timestamp) throws -> String {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw StoreError.attachment(path: path, reason: .missing) }
        guard !isDirectory.boolValue else { throw StoreError.attachment(path: path, reason: .folder) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= Self.maximumAttachmentBytes else { throw StoreError.attachment(path: path, reason: .tooLarge(size)) }
        guard let data = try? Data(contentsOf: url) else { throw StoreError.attachment(path: path, reason: .unreadable) }
        let name = url.lastPathComponent
        try store(name: name, content: data, interview: uuid, address: address, at: now)
        return name
    }

    /// Stores bytes as the attachment at `address` (what `attach` does after reading the file).
    public func store(name: String, content: Data, interview uuid: String, address: Address, at now: Timestamp) throws {
        let digest = ContentDigest.hex([UInt8](content))
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO attachment (interview_uuid, address, file_name, sha256, size, content, added_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [uuid, address.description, name, digest, content.count, content, now.iso8601])
            }
        }
    }

    /// The attachments of some interviews (all when `interviews` is nil), without their bytes.
    public func attachments(of interviews: Set<String>? = nil) throws -> [StoredAttachment] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT interview_uuid, address, file_name, sha256, size FROM attachment ORDER BY interview_uuid, address")
                    .map { StoredAttachment(interview: $0[0], address: $0[1], fileName: $0[2], sha256: $0[3], size: $0[4]) }
                    .filter { interviews?.contains($0.interview) ?? true }
            }
        }
    }

    /// One attachment's bytes, checked against the SHA-256 taken when it was stored.
    public func content(of attachment: StoredAttachment) throws -> Data? {
        let content = try wrap {
            try queue.read { db in
                try Data.fetchOne(
                    db, sql: "SELECT content FROM attachment WHERE interview_uuid = ? AND address = ?",
                    arguments: [attachment.interview, attachment.address])
            }
        }
        if let content, ContentDigest.hex([UInt8](content)) != attachment.sha256 {
            throw StoreError.contentRefused(
                path: "\(path): the file \(attachment.fileName) of interview \(attachment.interview)",
                reason: "its bytes no longer match the SHA-256 taken when it was stored")
        }
        return content
    }
}
