// Requirements covered here (issue: field data):
// M1 merging is idempotent by UUID: the same file twice changes nothing
// M2 a newer version of an interview replaces the older, with the audit trail appended once and the replacement logged
// M3 two interviews of the same questionnaire, unit and round are both kept, reported, and settled by resolve
// M4 refused whole, nothing written: not a store, a damaged file, a newer schema, an interview without its definition
// M5 a conflicting definition under the same version rejects that interview only
// M6 review: approve and reject; a rejection merged back reopens the interview on the device with the comment
// M7 the review list's reasons, and fieldwork progress
// M8 a field store whose round codes are no codes, or of another scheme than the central store's, is refused whole
import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire
import TestSupport
import Testing

@testable import Store

/// A field store with one completed (or draft) interview per unit listed.
func fieldStore(_ units: [String: Int], round: String = "2021-H1", complete: Bool = true, at time: Timestamp = now) throws -> ResponseStore {
    let store = try storeWithFrame()
    let form = try loadForm()
    for (unit, meetings) in units.sorted(by: { $0.key < $1.key }) {
        let opened = try store.openInterview(form, unit: unit, round: round, enumerator: "e-\(unit)", reopen: false, language: nil, at: time)
        let transition = Transition(
            records: [Address("meetings"): AnswerRecord(value: .number(Double(meetings)), origin: .entered, relevant: true)],
            events: [AuditEvent(.changed(Address("meetings"), old: nil, new: .number(Double(meetings))), at: time)],
            cursor: .end)
        if complete {
            try store.complete(transition, interview: opened.uuid, language: nil, at: time)
        } else {
            try store.save(transition, interview: opened.uuid, language: nil, at: time)
        }
    }
    try store.checkpoint()
    return store
}

func counts(_ store: ResponseStore) throws -> [Int] {
    try store.queue.read { db in
        try ["interview", "answer", "audit_log", "questionnaire", "unit", "round"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? 0 }
    }
}

@Suite(.temporaryFiles)
struct MergeTests {
    @Test("M1: the same file twice changes nothing the second time")
    func idempotent() throws {
        let device = try fieldStore(["1105010001": 3, "1105010002": 5])
        let central = try ResponseStore(path: try temporaryStorePath())
        let first = try central.merge(from: device.path, at: now)
        #expect(first.count(.new) == 2 && first.count(.unchanged) == 0)
        let after = try counts(central)
        #expect(after[0] == 2 && after[1] == 2 && after[4] == 5)  // interviews, answers; the frame travelled with them
        let second = try central.merge(from: device.path, at: now)
        #expect(second.count(.unchanged) == 2 && second.count(.new) == 0)
        #expect(try counts(central) == after)
        #expect(try central.importLog().count == 2)
        // The source is never written to: its content hash is the same as before.
        #expect(try device.integrityCheck() == ["ok"])
        #expect(try central.completedAnswers(formID: "desa", round: "2021-H1").count == 2)
    }

    @Test("M1: a device still on an earlier schema merges; its file is left at that schema")
    func earlierSchema() throws {
        let device = try schemaTwoStore()
        let central = try ResponseStore(path: try temporaryStorePath())
        let summary = try central.merge(from: device, at: now)
        #expect(summary.count(.new) == 2, "\(summary)")
        let merged = try central.interview("uuid-a").audit
        #expect(merged.map(\.sequence) == [1, 2, 3] && merged.map(\.event) == ["started", "entered", "changed"])
        let untouched = try DatabaseQueue(path: device)
        #expect(try untouched.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == ["001-create-schema", "002-import-log"])
        try untouched.close()
    }

    @Test("M1: a device store left by a killed session merges with its journalled steps; the file keeps them")
    func journalledSteps() throws {
        let device = try storeWithFrame()
        let opened = try device.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        try device.save(
            Transition(
                records: [Address("meetings"): AnswerRecord(value: .number(6), origin: .entered, relevant: true)],
                events: [AuditEvent(.changed(Address("meetings"), old: nil, new: .number(6)), at: now)], cursor: .end),
            interview: opened.uuid, language: nil, at: now)
        // As if killed here: the step is in the journal only.
        let central = try ResponseStore(path: try temporaryStorePath())
        #expect(try central.merge(from: device.path, at: now).count(.new) == 1)
        let merged = try central.interview(opened.uuid)
        #expect(merged.answers.map(\.stored.text) == ["6"] && merged.audit.map(\.event) == ["started", "changed"])
        #expect(try device.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM step_journal") } == 1)
    }

    @Test("M2: a newer version replaces the older; the audit trail is appended once; the replacement is logged")
    func newerVersion() throws {
        let device = try fieldStore(["1105010001": 3], complete: false)
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: device.path, at: now)
        let uuid = try #require(device.interviews().first?.uuid)
        // The enumerator goes on and completes the interview later.
        let later = Timestamp(seconds: now.seconds + 3_600, offsetMinutes: 420)
        let opened = try device.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: later)
        #expect(opened.uuid == uuid)
        try device.complete(
            Transition(
                records: [Address("meetings"): AnswerRecord(value: .number(4), origin: .entered, relevant: true)],
                // The enumerator went back to the question twice in the same second: two identical entries.
                events: [
                    AuditEvent(.entered(Address("meetings")), at: later), AuditEvent(.entered(Address("meetings")), at: later),
                    AuditEvent(.changed(Address("meetings"), old: .number(3), new: .number(4)), at: later),
                ],
                cursor: .end), interview: uuid, language: nil, at: later)
        let summary = try central.merge(from: device.path, at: later)
        #expect(summary.count(.updated) == 1, "\(summary)")
        let merged = try central.interview(uuid)
        #expect(merged.summary.status == "completed")
        #expect(merged.answers.first { $0.address == Address("meetings") }?.stored.text == "4")
        let deviceEvents = try device.interview(uuid).audit.map { [$0.at, $0.event, $0.address ?? "", $0.newValue ?? ""] }
        #expect(Array(merged.audit.map { [$0.at, $0.event, $0.address ?? "", $0.newValue ?? ""] }.prefix(deviceEvents.count)) == deviceEvents)
        #expect(merged.audit.count == deviceEvents.count + 1)
        #expect(merged.audit.last?.event == "replaced_by_merge")
        // Merging the older state again would change nothing: the central version is newer.
        #expect(try central.merge(from: device.path, at: later).count(.unchanged) == 1)
    }

    @Test("M3: two interviews of one unit and round are both kept, listed, and settled by resolve")
    func duplicates() throws {
        let one = try fieldStore(["1105010001": 3])
        let two = try fieldStore(["1105010001": 7], at: Timestamp(seconds: now.seconds + 60, offsetMinutes: 420))
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: one.path, at: now)
        let summary = try central.merge(from: two.path, at: now)
        #expect(summary.count(.duplicate) == 1)
        let groups = try central.duplicates()
        #expect(groups.count == 1 && groups[0].interviews.count == 2)
        let keep = groups[0].interviews[1].uuid, drop = groups[0].interviews[0].uuid
        #expect(try central.resolve(keeping: keep, reason: "the second visit met the village head", at: now) == [drop])
        #expect(try central.duplicates().isEmpty)
        #expect(try central.interview(drop).summary.status == "discarded")
        #expect(try central.interview(drop).audit.last?.detail == "duplicate of \(keep): the second visit met the village head")
        let answers = try central.completedAnswers(formID: "desa", round: "2021-H1")
        #expect(answers.map(\.uuid) == [keep])
        #expect(throws: StoreError.notADuplicate(keep)) { try central.resolve(keeping: keep, reason: "again", at: now) }
        // Merging the discarded one's file again changes nothing.
        #expect(try central.merge(from: one.path, at: now).count(.unchanged) == 1)
        #expect(try central.interview(drop).summary.status == "discarded")
    }

    @Test("M4: not a store, damaged, newer schema, missing definition: refused whole, nothing written")
    func refused() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: try fieldStore(["1105010001": 3]).path, at: now)
        let before = try counts(central)
        let folder = try temporaryDirectory()
        // Not SQLite at all.
        let text = folder.appendingPathComponent("notes.sqlite")
        try Data("village notes, not a database".utf8).write(to: text)
        #expect(throws: StoreError.self) { try central.merge(from: text.path, at: now) }
        // A store cut short.
        let good = try fieldStore(["1105010002": 2])
        let cut = folder.appendingPathComponent("cut.sqlite")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good.path))
        try bytes.prefix(bytes.count / 2).write(to: cut)
        #expect(throws: StoreError.self) { try central.merge(from: cut.path, at: now) }
        // Another program's database.
        let other = folder.appendingPathComponent("other.sqlite")
        try DatabaseQueue(path: other.path).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: StoreError.notAStore(path: other.path, reason: "it holds no pantau tables")) { try central.merge(from: other.path, at: now) }
        // A newer pantau's store.
        let newer = try fieldStore(["1105010002": 2])
        try newer.queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('099-from-the-future')") }
        #expect(throws: StoreError.newerSchema(path: newer.path, unknown: ["099-from-the-future"])) { try central.merge(from: newer.path, at: now) }
        // An interview whose questionnaire definition is missing.
        let orphan = try fieldStore(["1105010002": 2])
        let uuid = try #require(orphan.interviews().first?.uuid)
        try orphan.queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM questionnaire")
        }
        #expect(throws: StoreError.missingDefinition(path: orphan.path, uuid: uuid)) { try central.merge(from: orphan.path, at: now) }
        #expect(try counts(central) == before)
        #expect(try central.importLog().count == 1)
    }

    @Test("M5: a different definition under the same version rejects that interview only")
    func conflictingDefinition() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: try fieldStore(["1105010001": 3]).path, at: now)
        // A device whose desa 2021-H1 says something else.
        let device = try storeWithFrame()
        let changed = try loadForm(villageForm.replacingOccurrences(of: "label: Meetings", with: "label: Meetings held"))
        let opened = try device.openInterview(changed, unit: "1105010002", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: now)
        try device.complete(Transition(cursor: .end), interview: opened.uuid, language: nil, at: now)
        let summary = try central.merge(from: device.path, at: now)
        #expect(summary.count(.rejected) == 1)
        #expect(summary.decisions.first?.reason.contains("differs from the definition stored here") == true)
        #expect(try central.interviews().count == 1)
    }

    @Test("M6: approve and reject; a rejection merged back reopens the interview on the device with the comment")
    func review() throws {
        let device = try fieldStore(["1105010001": 3, "1105010002": 4])
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: device.path, at: now)
        let uuids = try device.interviews().sorted { $0.unitCode < $1.unitCode }.map(\.uuid)
        let later = Timestamp(seconds: now.seconds + 86_400, offsetMinutes: 420)
        try central.approve(uuids[0], by: "sup", comment: nil, at: later)
        try central.reject(uuids[1], by: "sup", comment: "meetings look low; ask the secretary", at: later)
        #expect(try central.interview(uuids[0]).summary.status == "approved")
        let draft = try fieldStore(["1105010001": 1], complete: false)
        let draftUUID = try #require(draft.interviews().first?.uuid)
        #expect(throws: StoreError.notReviewable(uuid: draftUUID, status: "draft")) { try draft.approve(draftUUID, by: "sup", comment: nil, at: later) }
        // Approved interviews are data; rejected ones are not, until corrected.
        #expect(try central.completedAnswers(formID: "desa", round: "2021-H1").map(\.uuid) == [uuids[0]])
        // The central store goes back to the device.
        let back = try device.merge(from: central.path, at: later)
        #expect(back.count(.updated) == 2, "\(back)")
        #expect(try device.interview(uuids[1]).summary.status == "rejected")
        let reopened = try device.openInterview(try loadForm(), unit: "1105010002", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: later)
        #expect(reopened.kind == .reopened)
        #expect(reopened.reviewComment == "meetings look low; ask the secretary (sup)")
        #expect(try device.interview(uuids[1]).audit.last?.detail == "by e after rejection: meetings look low; ask the secretary (sup)")
    }

    @Test("M7: the review list's reasons, and progress by district and enumerator")
    func reviewListAndProgress() throws {
        let store = try storeWithFrame()
        let form = try loadForm()
        // Village 1: a soft check confirmed, three non-responses; village 2: a reopened and changed interview.
        let first = try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        try store.complete(
            Transition(
                records: [
                    Address("meetings"): AnswerRecord(value: .nonResponse(.dontKnow), origin: .entered, relevant: true),
                    Address("head"): AnswerRecord(value: .nonResponse(.refused), origin: .entered, relevant: true),
                    Address("village_code"): AnswerRecord(value: .nonResponse(.dontKnow), origin: .entered, relevant: true),
                ], events: [AuditEvent(.softCheckConfirmed(Address("meetings"), reason: "new village"), at: now)], cursor: .end),
            interview: first.uuid, language: nil, at: now)
        let second = try store.openInterview(form, unit: "1105010002", round: "2021-H1", enumerator: "e2", reopen: false, language: nil, at: now)
        // As the engine does, finishing logs a 'completed' event.
        try store.complete(Transition(events: [AuditEvent(.completed, at: now)], cursor: .end), interview: second.uuid, language: nil, at: now)
        _ = try store.openInterview(form, unit: "1105010002", round: "2021-H1", enumerator: "e2", reopen: true, language: nil, at: now)
        try store.complete(
            Transition(
                records: [Address("meetings"): AnswerRecord(value: .number(9), origin: .entered, relevant: true)],
                events: [AuditEvent(.changed(Address("meetings"), old: nil, new: .number(9)), at: now)], cursor: .end),
            interview: second.uuid, language: nil, at: now)
        let items = try store.reviewList(round: "2021-H1")
        let reasons = Dictionary(uniqueKeysWithValues: items.map { ($0.interview.unitCode, $0.reasons.map(\.text)) })
        #expect(reasons["1105010001"]?.contains("1 soft check confirmed: meetings (new village)") == true, "\(reasons)")
        #expect(reasons["1105010001"]?.contains("3 non-responses (2 dont_know, 1 refused)") == true, "\(reasons)")
        #expect(reasons["1105010002"] == ["1 answer changed after completion: meetings"], "\(reasons)")
        // The most urgent first: a change after completion is high, non-responses medium, a confirmed soft check low.
        #expect(items.map(\.interview.unitCode) == ["1105010002", "1105010001"])
        #expect(items[1].reasons.map(\.severity) == [.medium, .low] && items[0].severity == .high)
        // Next round: a value far from the previous one, in ratio and in size; a small count's jump is not flagged.
        let next = try store.openInterview(form, unit: "1105010002", round: "2021-H2", enumerator: "e2", reopen: false, language: nil, at: now)
        try store.complete(
            Transition(records: [Address("meetings"): AnswerRecord(value: .number(90), origin: .entered, relevant: true)], cursor: .end),
            interview: next.uuid, language: nil, at: now)
        #expect(try store.reviewList(round: "2021-H2").first?.reasons.map(\.text) == ["far from the previous round: meetings 9 → 90"])
        let small = try store.openInterview(form, unit: "1105010001", round: "2021-H2", enumerator: "e1", reopen: false, language: nil, at: now)
        try store.complete(
            Transition(records: [Address("meetings"): AnswerRecord(value: .number(8), origin: .entered, relevant: true)], cursor: .end),
            interview: small.uuid, language: nil, at: now)
        #expect(!(try store.reviewList(round: "2021-H2").contains { $0.interview.unitCode == "1105010001" }), "1 → 8 is no slip")
        // Progress: the frame's two villages in one district; one approved, one completed.
        try store.approve(first.uuid, by: "sup", comment: nil, at: now)
        let byDistrict = try store.progress(formID: "desa", unitLevel: "village", round: "2021-H1", by: "district")
        #expect(byDistrict == [ProgressRow(group: "1105", name: "Aceh Barat", units: 2, notStarted: 0, draft: 0, completed: 1, approved: 1, rejected: 0)])
        let nextRound = try store.progress(formID: "desa", unitLevel: "village", round: "2021-H2", by: "enumerator")
        #expect(nextRound.map(\.group) == ["e1", "e2"])
        #expect(nextRound.map(\.completionRate) == [1, 1])
        let thirdRound = try store.progress(formID: "desa", unitLevel: "village", round: "2022-H1", by: "enumerator")
        #expect(thirdRound.map(\.group) == ["(not started)"] && thirdRound.map(\.completionRate) == [0])
    }

    @Test("approved interviews are data for previous() and the versions in use; a discarded duplicate is not")
    func approvedAndDiscarded() throws {
        let one = try fieldStore(["1105010001": 3])
        let two = try fieldStore(["1105010001": 8], at: Timestamp(seconds: now.seconds + 60, offsetMinutes: 420))
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: one.path, at: now)
        _ = try central.merge(from: two.path, at: now)
        let group = try #require(try central.duplicates().first)
        let kept = group.interviews[0].uuid, dropped = group.interviews[1].uuid
        try central.resolve(keeping: kept, reason: "complete", at: now)
        try central.approve(kept, by: "sup", comment: nil, at: now)
        #expect(try central.interview(dropped).summary.status == "discarded")
        let previous = try #require(try central.previousRoundValues(formID: "desa", unit: "1105010001", before: "2021-H2"))
        #expect(previous.values[Address("meetings")] == .number(3))
        #expect(try central.versions(formID: "desa", round: "2021-H1") == ["2021-H1"])
    }

    @Test("M8: round codes of no scheme, or of another scheme than the central store's, refuse the file whole")
    func roundCodes() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: try fieldStore(["1105010001": 3]).path, at: now)
        let before = try counts(central)
        for (round, reason) in [
            ("zzzz", "'zzzz' is not a round code"), ("2021-06", "round '2021-06' is monthly (YYYY-MM), but the store's rounds are six-monthly"),
        ] {
            let field = try fieldStore(["1105010002": 1], round: round)
            #expect {
                _ = try central.merge(from: field.path, at: now)
            } throws: { error in
                guard case StoreError.roundRefused(let path, let message) = error else { return false }
                return path == field.path && message.contains(reason)
            }
            #expect(try counts(central) == before)
        }
        _ = try central.merge(from: try fieldStore(["1105010002": 1], round: "2021-H2").path, at: now)
        #expect(try counts(central) != before)
    }

    @Test("M9: a hard check that fails on the stored answers is a high-severity reason")
    func hardCheckAndCopies() throws {
        let store = try storeWithFrame()
        let form = try loadForm(
            """
            settings: {form_id: chk, title: Checked, version: "1", unit_level: village}
            survey:
              - {type: integer, name: a, label: A, constraint: ". <= 10"}
              - {type: integer, name: b, label: B}
              - {type: integer, name: c, label: C}
              - {type: integer, name: d, label: D}
              - {type: integer, name: e, label: E}
            """)
        for (unit, a) in [("1105010001", 50.0), ("1105010002", 5)] {
            let opened = try store.openInterview(form, unit: unit, round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: now)
            var records: [Address: AnswerRecord] = [:]
            for (name, value) in [("a", a), ("b", 1), ("c", 2), ("d", 3), ("e", 4)] {
                records[Address(name)] = AnswerRecord(value: .number(value), origin: .entered, relevant: true)
            }
            try store.complete(Transition(records: records, cursor: .end), interview: opened.uuid, language: nil, at: now)
        }
        let items = try store.reviewList(round: "2021-H1")
        let first = try #require(items.first { $0.interview.unitCode == "1105010001" })
        #expect(first.reasons.map(\.rule) == ["hard_check_fails"] && first.severity == .high)
        #expect(first.reasons.first?.text == "a hard check fails on the stored answers: a")
        #expect(!items.contains { $0.interview.unitCode == "1105010002" }, "5 passes, and the answers differ from the other interview's")
    }
}

/// A merge checks a field store's content as pantau would have written it, not only its form.
@Suite(.temporaryFiles)
struct MergeContentTests {
    /// A field store edited by SQL after pantau wrote it (foreign keys off, as a hand-edit would be).
    func tampered(_ sql: String, _ arguments: StatementArguments = []) throws -> ResponseStore {
        let field = try fieldStore(["1105010002": 1])
        try field.queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: sql, arguments: arguments)
        }
        try field.checkpoint()
        return field
    }

    @Test("M9: edited definitions, unknown statuses and broken references refuse the file whole; the central store is unchanged")
    func refused() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: try fieldStore(["1105010001": 3]).path, at: now)
        let before = try counts(central)
        let broken = "settings: {form_id: desa, version: [\n"
        let cases: [(ResponseStore, String)] = [
            (try tampered("UPDATE questionnaire SET definition = definition || '# edited'"), "does not match the hash stored with it"),
            (try tampered("UPDATE questionnaire SET definition = ?, content_hash = ?", [broken, ContentDigest.hex(broken)]), "is not a valid questionnaire"),
            (try tampered("UPDATE interview SET status = 'hacked'"), "has the status 'hacked', which pantau never writes"),
            (try tampered("UPDATE interview SET unit_code = '9999999999'"), "of interview refer to unit rows that are not there"),
        ]
        for (field, reason) in cases {
            #expect {
                _ = try central.merge(from: field.path, at: now)
            } throws: { error in
                guard case StoreError.contentRefused(let path, let message) = error else { return false }
                return path == field.path && message.contains(reason)
            }
            #expect(try counts(central) == before, "\(reason)")
        }
    }

    @Test("M9: a store merged into itself through a link is refused")
    func selfMerge() throws {
        let central = try ResponseStore(path: try temporaryStorePath())
        _ = try central.merge(from: try fieldStore(["1105010001": 3]).path, at: now)
        let link = URL(fileURLWithPath: central.path).deletingLastPathComponent().appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: central.path)
        #expect(throws: StoreError.contentRefused(path: link, reason: "it is this store itself (the same file under another name)")) {
            _ = try central.merge(from: link, at: now)
        }
    }
}
