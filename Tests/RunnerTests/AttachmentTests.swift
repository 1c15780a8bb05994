// Requirements covered here (issue: XLSForms as the field writes them):
// T1 an attachment question takes a file's path (typed, or dropped and quoted by the terminal); the file is copied
//    into the store with its SHA-256 before the answer is saved; a wrong path is a message, in both languages
// (T2 and T3, merging and damaged bytes, are in StoreTests/AttachmentStoreTests.swift.)
import Foundation
import Questionnaire
import Runner
import Store
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct AttachmentTests {
    static let form = """
        settings: {form_id: photos, title: {en: Photos, id: Foto}, version: "1", unit_level: village, languages: [en, id]}
        survey:
          - {type: image, name: office, label: {en: The village office, id: Kantor desa}, required: true}
          - {type: audio, name: greeting, label: {en: A greeting, id: Salam}}
        """

    func store(_ name: String) throws -> ResponseStore {
        let store = try ResponseStore(path: try temporaryPath(name))
        _ = try store.importFrame([FrameUnit(code: "1101", name: "Desa Satu", level: "village", parentCode: nil, attributes: [])])
        return store
    }

    func session(_ store: ResponseStore, language: String = "en") throws -> InterviewSession {
        try InterviewSession(
            store: store, questionnaire: try QuestionnaireLoader.load(yaml: Self.form, file: "p.yaml").get(), unit: "1101", round: "2021-H1",
            enumerator: "ani", language: language, reopen: false, mode: .lines, resumeCommand: "resume", clock: { Scenario.fixedNow })
    }

    @Test("T1: a photo's path (quoted as a terminal drops it) stores the file; a wrong path is a message")
    func answersWithAFile() throws {
        let photo = try temporaryPath("IMG 0001.jpg")
        let bytes = Data((0..<5000).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: photo))
        let store = try store("a.sqlite")
        let folder = (photo as NSString).deletingLastPathComponent
        var lines = [folder + "/nothing-here.jpg", folder, "'\(photo)'", "", ":finish"][...]
        var screens: [String] = []
        let end = try session(store).run(readLine: { lines.popFirst() }, write: { screens.append($0) })
        #expect(end == .completed)
        let all = screens.joined()
        #expect(all.contains("there is no file at \(folder)/nothing-here.jpg"))
        #expect(all.contains("\(folder) is a folder; give the path of one file"))
        let answers = try #require(try store.completedAnswers(formID: "photos", round: "2021-H1").first)
        #expect(answers.values[Address("office")] == .string("IMG 0001.jpg"))
        let stored = try #require(try store.attachments().first)
        #expect(stored.fileName == "IMG 0001.jpg" && stored.size == 5000 && stored.address == "office")
        #expect(try store.content(of: stored) == bytes)
        // The original may go: the store has its own copy.
        try FileManager.default.removeItem(atPath: photo)
        #expect(try store.content(of: stored) == bytes)
    }

    @Test("T1: the messages in Indonesian")
    func indonesian() throws {
        let store = try store("id.sqlite")
        var lines = ["/tidak/ada.jpg"][...]
        var screens: [String] = []
        _ = try session(store, language: "id").run(readLine: { lines.popFirst() }, write: { screens.append($0) })
        #expect(screens.joined().contains("tidak ada berkas di /tidak/ada.jpg"))
        #expect(screens.joined().contains("Ketik atau seret jalur berkas foto"))
    }
}
