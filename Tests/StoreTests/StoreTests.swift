// Requirements covered here (issue: the store):
// S1 a new store is created by numbered migrations, in WAL mode with synchronous=FULL and foreign keys on
// S2 every value type round-trips through the answer table exactly
// S3 the audit log is append-only
// S4 damaged files, foreign databases and newer schemas are refused with a clear message and left untouched
// S5 one interview per questionnaire, unit and round: start, resume, refuse a completed one, reopen (logged)
// S6 a changed definition under a stored version is refused; definitions are kept verbatim with their hash
// S7 frame import: every bad row reported with its row number, nothing imported from a bad file
// S8 previous-round values for preload
import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire
import Randomness
import TestSupport
import Testing

@testable import Store

func temporaryStorePath() throws -> String {
    try temporaryPath("pantau.sqlite")
}

let now = Timestamp(seconds: 1_623_718_800, offsetMinutes: 420)

let villageForm = """
    settings: {form_id: desa, title: Desa, version: "2021-H1", unit_level: village}
    survey:
      - {type: identifier, name: village_code, label: Code}
      - {type: integer, name: meetings, label: Meetings}
      - {type: text, name: head, label: Head}

    """

func loadForm(_ yaml: String = villageForm) throws -> Questionnaire {
    try QuestionnaireLoader.load(yaml: yaml, file: "desa.yaml").get()
}

let frameCSV = """
    code,name,level,parent_code,kompak
    11,Aceh,province,,1
    1105,Aceh Barat,district,11,1
    1105010,Johan Pahlawan,subdistrict,1105,1
    1105010001,Desa Satu,village,1105010,1
    1105010002,"Desa Dua, Ujung",village,1105010,0

    """

func storeWithFrame() throws -> ResponseStore {
    let store = try ResponseStore(path: try temporaryStorePath())
    try store.importFrame(try FrameFile.parse(frameCSV).get())
    return store
}

@Suite(.temporaryFiles)
struct SchemaTests {
    @Test("S1: migrations, journal mode, synchronous, foreign keys")
    func newStore() throws {
        let store = try ResponseStore(path: try temporaryStorePath())
        #expect(
            try store.appliedMigrations() == [
                "001-create-schema", "002-import-log", "003-keyed-audit-log", "004-step-journal", "005-attachments", "006-server",
            ])
        let pragmas = try store.queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(pragmas.0 == "wal")
        #expect(pragmas.1 == 2)
        #expect(pragmas.2 == 1)
        #expect(try store.integrityCheck() == ["ok"])
        // Opening again applies nothing new.
        let again = try ResponseStore(path: store.path)
        #expect(
            try again.appliedMigrations() == [
                "001-create-schema", "002-import-log", "003-keyed-audit-log", "004-step-journal", "005-attachments", "006-server",
            ])
    }

    @Test("S1: a store of an earlier schema is upgraded on open, its data kept")
    func upgrade() throws {
        let path = try temporaryStorePath()
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        // A store as the first release wrote it: the first migration only, with a unit in it.
        let old = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Migration001CreateSchema.identifier, migrate: Migration001CreateSchema.migrate)
        try migrator.migrate(old)
        try old.write { try $0.execute(sql: "INSERT INTO unit (code, name, level, attributes, position) VALUES ('1', 'Desa', 'village', '{}', 1)") }
        try old.close()
        let store = try ResponseStore(path: path)
        #expect(
            try store.appliedMigrations() == [
                "001-create-schema", "002-import-log", "003-keyed-audit-log", "004-step-journal", "005-attachments", "006-server",
            ])
        #expect(try store.units().map(\.code) == ["1"])
        #expect(try store.importLog().isEmpty)
    }

    @Test("S1: step 003 numbers each interview's audit trail 1, 2, 3… in its old order, interviews interleaved")
    func keyedAuditLog() throws {
        let path = try schemaTwoStore()
        let store = try ResponseStore(path: path)
        #expect(try store.appliedMigrations().contains("003-keyed-audit-log"))
        let first = try store.interview("uuid-a").audit, second = try store.interview("uuid-b").audit
        #expect(first.map(\.sequence) == [1, 2, 3] && first.map(\.event) == ["started", "entered", "changed"])
        #expect(first.last?.newValue == "number:4")
        #expect(second.map(\.sequence) == [1, 2] && second.map(\.event) == ["started", "entered"])
        #expect(try store.integrityCheck() == ["ok"])
        // New entries continue each trail where it stopped; the log is still append-only.
        try store.save(
            Transition(records: [:], events: [AuditEvent(.left(Address("meetings")), at: now)], cursor: .end),
            interview: "uuid-b", language: nil, at: now)
        #expect(try store.interview("uuid-b").audit.map(\.sequence) == [1, 2, 3])
        #expect(throws: DatabaseError.self) { try store.queue.write { try $0.execute(sql: "DELETE FROM audit_log") } }
    }

    @Test("S1: the schema matches the documented one (Tests/StoreTests/schema.sql)")
    func schema() throws {
        let store = try ResponseStore(path: try temporaryStorePath())
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("schema.sql")
        let actual = try store.schemaSQL() + "\n"
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil { try actual.write(to: golden, atomically: true, encoding: .utf8) }
        #expect(actual == (try String(contentsOf: golden, encoding: .utf8)))
    }

    @Test("S3: the audit log refuses updates and deletes")
    func appendOnly() throws {
        let store = try storeWithFrame()
        let opened = try store.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "UPDATE audit_log SET event = 'x'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "DELETE FROM audit_log") }
        }
        #expect(try store.interview(opened.uuid).audit.map(\.event) == ["started"])
    }
}

@Suite(.temporaryFiles)
struct DamagedStoreTests {
    @Test("S4: a file that is not SQLite is refused and left as it was")
    func garbage() throws {
        let path = try temporaryStorePath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try ResponseStore(path: path) }
        do {
            _ = try ResponseStore(path: path)
        } catch let error as StoreError {
            #expect(error.description.hasPrefix("\(path) is not a pantau store, or it is damaged"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test("S4: a store cut short is refused")
    func truncated() throws {
        let store = try storeWithFrame()
        let path = store.path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(1500).write(to: URL(fileURLWithPath: path))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        #expect(throws: StoreError.self) {
            let reopened = try ResponseStore(path: path)
            _ = try reopened.units()
        }
    }

    @Test("S4: another program's database and a newer pantau's store are refused")
    func foreignAndNewer() throws {
        let foreign = try temporaryStorePath()
        try FileManager.default.createDirectory(atPath: (foreign as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE customers (id INTEGER)") }
        #expect(throws: StoreError.notAStore(path: foreign, reason: "it holds tables, but none of pantau's")) { try ResponseStore(path: foreign) }

        let store = try ResponseStore(path: try temporaryStorePath())
        try store.queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('999-from-the-future')") }
        #expect(throws: StoreError.newerSchema(path: store.path, unknown: ["999-from-the-future"])) { try ResponseStore(path: store.path) }
    }
}

@Suite(.temporaryFiles)
struct ValueRoundTripTests {
    static let values: [Value] = [
        .number(42), .number(-0.125), .number(1e12), .string("Siti Aminah, \"Ibu\"\n2"), .string(""), .boolean(true),
        .date(CivilDate(year: 2021, month: 6, day: 30)!.days), .dateTime(1_623_718_800.5, offsetMinutes: 420),
        .dateTime(1_623_718_800, offsetMinutes: -330), .time(34_200.25), .nonResponse(.dontKnow), .nonResponse(.refused),
        .nonResponse(.notApplicable), .empty,
    ]

    @Test("S2: every value type round-trips", arguments: values)
    func roundTrip(value: Value) throws {
        let store = try storeWithFrame()
        let opened = try store.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: "id", at: now)
        let address = Address("head")
        var transition = Transition(cursor: .item(address))
        transition.records[address] = AnswerRecord(value: value, origin: .entered, relevant: true, confirmation: "checked")
        transition.records[Address("x", [2, 3])] = AnswerRecord(value: value, origin: .calculated, relevant: false)
        transition.events.append(AuditEvent(.changed(address, old: nil, new: value), at: now))
        try store.save(transition, interview: opened.uuid, language: "id", at: now)
        let reopened = try ResponseStore(path: store.path)
        let resumed = try reopened.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        #expect(resumed.kind == .resumed)
        #expect(resumed.records[address] == AnswerRecord(value: value, origin: .entered, relevant: true, confirmation: "checked"))
        #expect(resumed.records[Address("x", [2, 3])] == AnswerRecord(value: value, origin: .calculated, relevant: false))
        #expect(resumed.cursor == .item(address))
        let audit = try reopened.interview(opened.uuid).audit
        #expect(audit.map(\.event) == ["started", "changed", "resumed"])
        #expect(audit[1].newValue.flatMap(StoredValue.untag)?.kind == StoredValue(value).kind)
    }
}

@Suite(.temporaryFiles)
struct InterviewLifecycleTests {
    @Test("S5: start, resume, refuse a completed interview, reopen with a log entry")
    func lifecycle() throws {
        let store = try storeWithFrame()
        let form = try loadForm()
        let first = try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        #expect(first.kind == .started)
        let second = try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e2", reopen: false, language: nil, at: now)
        #expect(second.kind == .resumed)
        #expect(second.uuid == first.uuid)
        try store.complete(Transition(cursor: .end), interview: first.uuid, language: nil, at: now)
        #expect(throws: StoreError.completed(uuid: first.uuid)) {
            try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        }
        let reopened = try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e3", reopen: true, language: nil, at: now)
        #expect(reopened.kind == .reopened)
        let detail = try store.interview(first.uuid)
        #expect(detail.summary.status == "draft")
        #expect(detail.audit.map(\.event) == ["started", "resumed", "reopened"])
        #expect(detail.audit.last?.detail == "by e3")
        // Another round is another interview.
        let next = try store.openInterview(form, unit: "1105010001", round: "2021-H2", enumerator: "e1", reopen: false, language: nil, at: now)
        #expect(next.uuid != first.uuid)
        #expect(try store.interviews().count == 2)
        #expect(try store.interviews(round: "2021-H2").map(\.uuid) == [next.uuid])
        #expect(try store.interviews(status: "completed").isEmpty)
    }

    @Test("S3: a step is journalled whole; writing it into the tables fails whole, keeps it, and succeeds later")
    func stepIsAtomic() throws {
        let store = try storeWithFrame()
        let opened = try store.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        let step = Transition(
            records: [Address("meetings"): AnswerRecord(value: .number(3), origin: .entered, relevant: true)],
            events: [AuditEvent(.changed(Address("meetings"), old: nil, new: .number(3)), at: now)], cursor: .end)
        func counts() throws -> [Int] {
            try store.queue.read { db in try ["answer", "audit_log", "step_journal"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)")! } }
        }
        // The last statement of a step's rows (the cursor) fails after the answer and the audit entry were written.
        try store.queue.write {
            try $0.execute(sql: "CREATE TRIGGER refuse_cursor BEFORE UPDATE OF cursor ON interview BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
        }
        try store.save(step, interview: opened.uuid, language: nil, at: now)
        #expect(try counts() == [0, 1, 1])  // durable as one journal row
        #expect(throws: StoreError.database("disk trouble")) { try store.interview(opened.uuid) }
        #expect(throws: StoreError.database("disk trouble")) { try store.complete(step, interview: opened.uuid, language: nil, at: now) }
        #expect(try counts() == [0, 1, 1])  // nothing of either written, the step still journalled
        try store.queue.write { try $0.execute(sql: "DROP TRIGGER refuse_cursor") }
        // An interview that does not exist: refused by its foreign key, nothing written.
        #expect(throws: StoreError.self) { try store.save(step, interview: "no-such-interview", language: nil, at: now) }
        try store.complete(step, interview: opened.uuid, language: nil, at: now)
        let detail = try store.interview(opened.uuid)
        #expect(detail.answers.map(\.stored.text) == ["3"] && detail.audit.map(\.event) == ["started", "changed", "changed"])
        #expect(detail.audit.map(\.sequence) == [1, 2, 3] && detail.summary.status == "completed")
        #expect(try counts() == [1, 3, 0])
    }

    @Test("S3: steps journalled by one process are written by the next to open the store, in order, whatever interleaves")
    func journalAcrossProcesses() throws {
        let device = try storeWithFrame()
        let form = try loadForm()
        let opened = try device.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        func step(_ value: Double) -> Transition {
            Transition(
                records: [Address("meetings"): AnswerRecord(value: .number(value), origin: .entered, relevant: true)],
                events: [AuditEvent(.changed(Address("meetings"), old: nil, new: .number(value)), at: now)], cursor: .item(Address("meetings")))
        }
        try device.save(step(1), interview: opened.uuid, language: "id", at: now)
        try device.save(step(2), interview: opened.uuid, language: "id", at: now)
        // Another process (a second store on the same file) opens it: the two steps are written on opening.
        let other = try ResponseStore(path: device.path)
        #expect(try other.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM step_journal") } == 0)
        // It writes an entry of its own (resuming the draft), then the first process goes on.
        #expect(try other.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e2", reopen: false, language: nil, at: now).kind == .resumed)
        try device.save(step(3), interview: opened.uuid, language: "id", at: now)
        let detail = try device.interview(opened.uuid)
        #expect(detail.answers.first?.stored.text == "3" && detail.summary.language == "id")
        #expect(detail.audit.map(\.event) == ["started", "changed", "changed", "resumed", "changed"])
        #expect(detail.audit.map(\.newValue) == [nil, "number:1", "number:2", nil, "number:3"] && detail.audit.map(\.sequence) == [1, 2, 3, 4, 5])
    }

    @Test("S5: unknown units and units of the wrong level are refused")
    func units() throws {
        let store = try storeWithFrame()
        #expect(throws: StoreError.unknownUnit("999")) {
            try store.openInterview(try loadForm(), unit: "999", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: now)
        }
        #expect(throws: StoreError.unitLevelMismatch(unit: "1105", level: "district", expected: "village")) {
            try store.openInterview(try loadForm(), unit: "1105", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: now)
        }
    }

    @Test("S6: the definition is stored verbatim; a changed text under the same version is refused")
    func definitions() throws {
        let store = try storeWithFrame()
        let form = try loadForm()
        _ = try store.register(form, at: now)
        #expect(try store.definition(formID: "desa", version: "2021-H1") == villageForm)
        let changed = try loadForm(villageForm.replacingOccurrences(of: "label: Head", with: "label: Village head"))
        #expect(throws: StoreError.questionnaireChanged(formID: "desa", version: "2021-H1")) { try store.register(changed, at: now) }
        let bumped = try loadForm(villageForm.replacingOccurrences(of: "2021-H1", with: "2021-H2"))
        #expect(try store.register(bumped, at: now) != store.register(form, at: now))
    }

    @Test("S8: previous-round values come from the same unit's latest earlier round")
    func previousRound() throws {
        let store = try storeWithFrame()
        let form = try loadForm()
        let h1 = try store.openInterview(form, unit: "1105010001", round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: now)
        var transition = Transition(cursor: .end)
        transition.records[Address("meetings")] = AnswerRecord(value: .number(4), origin: .entered)
        transition.records[Address("head")] = AnswerRecord(value: .string("old"), origin: .entered, relevant: false)
        try store.complete(transition, interview: h1.uuid, language: nil, at: now)
        let previous = try store.previousRoundValues(formID: "desa", unit: "1105010001", before: "2021-H2")
        #expect(previous?.round == "2021-H1")
        #expect(previous?.values == [Address("meetings"): .number(4)])
        #expect(try store.previousRoundValues(formID: "desa", unit: "1105010001", before: "2021-H1") == nil)
        #expect(try store.previousRoundValues(formID: "desa", unit: "1105010002", before: "2021-H2") == nil)
    }
}

@Suite(.temporaryFiles)
struct FrameTests {
    @Test("S7: a good frame imports in file order with attributes and lineage")
    func goodFrame() throws {
        let store = try storeWithFrame()
        #expect(try store.units().map(\.code) == ["11", "1105", "1105010", "1105010001", "1105010002"])
        #expect(try store.units(level: "village").map(\.name) == ["Desa Satu", "Desa Dua, Ujung"])
        #expect(try store.unit("1105010002")?.attribute("kompak") == "0")
        #expect(try store.lineage(of: "1105010001").map(\.level) == ["province", "district", "subdistrict", "village"])
        // Importing again updates, adding nothing.
        let again = try store.importFrame(try FrameFile.parse(frameCSV.replacingOccurrences(of: "Desa Satu", with: "Desa Kesatu")).get())
        #expect(again.added == 0 && again.updated == 5)
        #expect(try store.unit("1105010001")?.name == "Desa Kesatu")
    }

    @Test("S7: every bad row is reported with its number and nothing is imported")
    func badRows() throws {
        let csv = """
            code,name,level,parent_code
            11,Aceh,province,
            ,No code,village,11
            12,,province,
            11,Twice,province,
            13,Too,many,fields,here
            14,Self,village,14

            """
        guard case .failure(.frameRejected(let problems)) = FrameFile.parse(csv) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(
            problems.map(\.description) == [
                "row 3: code is empty", "row 4: name is empty", "row 5: code 11 is already used on row 2",
                "row 6: 5 fields where the header has 4", "row 7: a unit cannot be its own parent",
            ])
    }

    @Test("S7: unknown parents and parent loops reject the whole file in one transaction")
    func parents() throws {
        let store = try ResponseStore(path: try temporaryStorePath())
        let orphan = "code,name,level,parent_code\n11,Aceh,province,\n1105,Aceh Barat,district,99\n"
        #expect(throws: StoreError.frameRejected([FrameProblem(row: 3, message: "parent_code 99 is neither in this file nor in the store")])) {
            try store.importFrame(try FrameFile.parse(orphan).get())
        }
        #expect(try store.units().isEmpty)
        let loop = "code,name,level,parent_code\nA,A,x,B\nB,B,x,A\n"
        #expect(throws: StoreError.self) { try store.importFrame(try FrameFile.parse(loop).get()) }
        #expect(try store.units().isEmpty)
    }

    @Test("S7: a file without the required columns")
    func header() {
        guard case .failure(.frameRejected(let problems)) = FrameFile.parse("kode,nama\n1,A\n") else {
            Issue.record("expected a rejection")
            return
        }
        #expect(problems.count == 4)
        #expect(problems.first?.description == "row 1: the header has no column 'code'; the first columns are code,name,level,parent_code")
    }
}

@Suite(.temporaryFiles)
struct StepJournalTests {
    @Test("a step's journal text reads back as the same rows, whatever characters its answers hold")
    func roundTrip() throws {
        var random = SplitMix64(seed: 17)
        func next() -> UInt64 { random.next() >> 11 }
        let pieces = ["", "~", ":", ";", "12:", "v1;", "u", "d", "é", "👍🏽", "\n", "\u{0}", "a b", "9"]
        func text() -> String { (0..<Int(next() % 5)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }
        func optional() -> String? { next() % 3 == 0 ? nil : text() }
        for _ in 0..<500 {
            let changes: [StepRows.Change] = (0..<Int(next() % 4)).map { _ in
                next() % 4 == 0
                    ? .delete(address: text())
                    : .upsert(
                        .init(
                            address: text(), name: text(), indices: text(), kind: text(), text: text(),
                            number: next() % 3 == 0 ? nil : [0, -0.0, Double.leastNormalMagnitude / 4, 3.25, -1e300, Double(next())][Int(next() % 6)],
                            origin: text(), relevant: next() & 1 == 0, confirmation: optional()))
            }
            let events = (0..<Int(next() % 4)).map { _ in
                StepRows.Event(
                    name: text(), address: optional(), old: optional(), new: optional(), detail: optional(), at: text(),
                    offsetMinutes: Int(next() % 1_000) - 500)
            }
            let step = StepRows(changes: changes, events: events, cursor: text(), language: optional(), now: text(), offsetMinutes: Int(next() % 900) - 450)
            let decoded = try StepRows(decoding: step.encoded)
            #expect(decoded == step)
            // -0.0 == 0 for Equatable: the bit patterns too.
            #expect(
                zip(decoded.changes, step.changes).allSatisfy { pair in
                    if case .upsert(let a) = pair.0, case .upsert(let b) = pair.1 { return a.number?.bitPattern == b.number?.bitPattern }
                    return true
                })
        }
        for garbage in ["", "v2;", "v1;3:end", "v1;3:end~5:later0;", "v1;3:end~5:later0;0;0;extra", "v1;99:short"] {
            #expect(throws: StepRows.Unreadable.self) { try StepRows(decoding: garbage) }
        }
    }

    @Test("a journal row that cannot be read stops the store from opening, says which, and is kept")
    func unreadableRow() throws {
        let store = try storeWithFrame()
        let opened = try store.openInterview(try loadForm(), unit: "1105010001", round: "2021-H1", enumerator: "e1", reopen: false, language: nil, at: now)
        try store.queue.write {
            try $0.execute(sql: "INSERT INTO step_journal (id, interview_uuid, step) VALUES (7, ?, 'v1;garbage')", arguments: [opened.uuid])
        }
        #expect(throws: StoreError.self) { try ResponseStore(path: store.path) }
        do {
            _ = try ResponseStore(path: store.path)
        } catch let error as StoreError {
            guard case .unreadableStep(let id, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(id == 7 && error.description.contains("row 7") && error.description.contains("kept"))
        }
        #expect(try store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM step_journal") } == 1)
    }
}

@Suite(.temporaryFiles)
struct InterviewIDTests {
    @Test("interview UUIDs are version 7: valid, unique, and ordered by start time as text")
    func timeOrdered() throws {
        let times = (0..<50).map { Timestamp(seconds: 1_623_718_800 + Double($0) * 0.37, offsetMinutes: 420) }
        let ids = times.map(InterviewID.make(at:))
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(Set((0..<1_000).map { _ in InterviewID.make(at: now) }).count == 1_000)
        for id in ids {
            let parsed = try #require(UUID(uuidString: id))
            #expect(parsed.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "7" && "89ab".contains(characters[19]))
        }
        // The first 48 bits are the start time in milliseconds.
        #expect(ids[0].replacingOccurrences(of: "-", with: "").prefix(12) == String(1_623_718_800_000, radix: 16).leftPadded(to: 12))
    }
}

@Suite(.temporaryFiles)
struct HashTests {
    @Test("SHA-256 known answers (FIPS 180-4 examples)")
    func vectors() {
        #expect(ContentDigest.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentDigest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            ContentDigest.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(ContentDigest.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("SHA-256 fed in pieces of every size equals the hash of the whole")
    func pieces() {
        let message = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let whole = ContentDigest.digest(message)
        for size in [1, 3, 55, 56, 63, 64, 65, 127, 500] {
            var hasher = ContentDigest.Hasher()
            for start in stride(from: 0, to: message.count, by: size) { hasher.update(Array(message[start..<min(message.count, start + size)])) }
            #expect(hasher.finish() == whole, "pieces of \(size)")
        }
    }
}

/// A store as pantau wrote it with schema steps 001 and 002: two interviews whose audit entries interleave
/// (global ids), written with SQL since the code of that time is gone.
func schemaTwoStore() throws -> String {
    let path = try temporaryStorePath()
    try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
    let old = try DatabaseQueue(path: path)
    try ResponseStore.migrator.migrate(old, upTo: "002-import-log")
    try old.write { db in
        try db.execute(
            sql: """
                INSERT INTO questionnaire (id, form_id, version, content_hash, definition, added_at) VALUES (1, 'desa', '1', ?, ?, '2021-06-15T00:00:00.000Z');
                INSERT INTO round (code) VALUES ('2021-H1');
                INSERT INTO unit (code, name, level, attributes, position) VALUES ('1', 'Desa Satu', 'village', '{}', 1), ('2', 'Desa Dua', 'village', '{}', 2);
                INSERT INTO interview (uuid, questionnaire_id, form_id, unit_code, round_code, enumerator, status, started_at, updated_at, utc_offset_minutes)
                VALUES ('uuid-a', 1, 'desa', '1', '2021-H1', 'e1', 'draft', '2021-06-15T00:00:00.000Z', '2021-06-15T00:05:00.000Z', 420),
                       ('uuid-b', 1, 'desa', '2', '2021-H1', 'e1', 'draft', '2021-06-15T00:01:00.000Z', '2021-06-15T00:04:00.000Z', 420);
                INSERT INTO audit_log (interview_uuid, at, utc_offset_minutes, event, address, new_value) VALUES
                    ('uuid-a', '2021-06-15T00:00:00.000Z', 420, 'started', NULL, NULL),
                    ('uuid-b', '2021-06-15T00:01:00.000Z', 420, 'started', NULL, NULL),
                    ('uuid-a', '2021-06-15T00:02:00.000Z', 420, 'entered', 'meetings', NULL),
                    ('uuid-b', '2021-06-15T00:04:00.000Z', 420, 'entered', 'meetings', NULL),
                    ('uuid-a', '2021-06-15T00:05:00.000Z', 420, 'changed', 'meetings', 'number:4');
                """, arguments: [ContentDigest.hex(villageForm), villageForm])
    }
    try old.close()
    return path
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
