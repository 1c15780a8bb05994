import Foundation
import GRDB
import Interview
import Questionnaire

/// What merging one field store did, interview by interview.
public struct MergeSummary: Hashable, Sendable, CustomStringConvertible {
    public enum Outcome: String, Sendable {
        case new, updated, unchanged, duplicate, rejected
    }

    public struct Decision: Hashable, Sendable {
        public let uuid: String
        public let outcome: Outcome
        /// Why: the unit and round, what it replaced or duplicated, or why it was rejected.
        public let reason: String

        public init(uuid: String, outcome: Outcome, reason: String) {
            (self.uuid, self.outcome, self.reason) = (uuid, outcome, reason)
        }

        /// The decisions as every store words them (SQLite's merge and PostgreSQL's), by the interview's place:
        /// `form · unit U · round R`.
        public static func place(formID: String, unit: String, round: String) -> String { "\(formID) · unit \(unit) · round \(round)" }

        public static func refused(_ uuid: String, _ place: String, _ reason: String) -> Decision {
            Decision(uuid: uuid, outcome: .rejected, reason: "\(place): \(reason)")
        }

        public static func definitionDiffers(_ uuid: String, _ place: String, questionnaire name: String) -> Decision {
            refused(uuid, place, "\(name) differs from the definition stored here under the same version; give one of them a new version")
        }

        public static func unchanged(_ uuid: String, _ place: String) -> Decision {
            Decision(uuid: uuid, outcome: .unchanged, reason: "\(place): the version here is as new or newer")
        }

        public static func replaced(
            _ uuid: String, _ place: String, old: (updatedAt: String, status: String), new: (updatedAt: String, status: String)
        ) -> Decision {
            Decision(
                uuid: uuid, outcome: .updated,
                reason: "\(place): replaced the version of \(old.updatedAt) (\(old.status)) with that of \(new.updatedAt) (\(new.status))")
        }

        /// A new interview: new, or a duplicate when others of its questionnaire, unit and round are here.
        public static func taken(_ uuid: String, _ place: String, duplicating others: [String]) -> Decision {
            if others.isEmpty { return Decision(uuid: uuid, outcome: .new, reason: place) }
            return Decision(
                uuid: uuid, outcome: .duplicate,
                reason: "\(place): also interviewed as \(others.joined(separator: ", ")); both kept, settle with pantau resolve")
        }
    }

    public let source: String
    public let decisions: [Decision]

    public init(source: String, decisions: [Decision]) {
        (self.source, self.decisions) = (source, decisions)
    }

    public func count(_ outcome: Outcome) -> Int { decisions.filter { $0.outcome == outcome }.count }

    public var description: String {
        var text =
            "\(source): \(count(.new)) new, \(count(.updated)) updated, \(count(.unchanged)) unchanged, "
            + "\(count(.duplicate)) duplicates, \(count(.rejected)) rejected"
        for decision in decisions where decision.outcome != .unchanged && decision.outcome != .new {
            text += "\n  \(decision.outcome.rawValue) \(decision.uuid): \(decision.reason)"
        }
        return text
    }
}

/// Two or more interviews of the same questionnaire, unit and round.
public struct DuplicateGroup: Hashable, Sendable {
    public let formID: String
    public let unitCode: String
    public let roundCode: String
    public let interviews: [InterviewSummary]
}

extension ResponseStore {
    /// Merges a field store into this one, in one transaction: a failure or a kill part-way leaves this store as
    /// it was. Interviews are matched by UUID: a newer version (later update, or as late with a longer audit
    /// trail) replaces the older and says so in the audit log; the same version changes nothing; a different
    /// interview of the same questionnaire, unit and round is kept and reported as a duplicate. Questionnaire
    /// definitions, rounds and units travel with the data. The source file is never written to.
    /// `refusing` may refuse an interview before it is considered (a server's enumerator sending a unit not assigned
    /// to them): given its unit's code, the reason, or nil. `origin` names the source in the audit and import logs
    /// when its path says nothing (a server's upload: `sync from ani`).
    public func merge(
        from sourcePath: String, at now: Timestamp, origin: String? = nil, refusing: (_ unitCode: String) -> String? = { _ in nil }
    ) throws -> MergeSummary {
        // The same file under another name (a link, a relative path): merging a store into itself is refused.
        if let source = Self.fileIdentity(sourcePath), source == Self.fileIdentity(path) {
            throw StoreError.contentRefused(path: sourcePath, reason: "it is this store itself (the same file under another name)")
        }
        let source = try FieldStore(path: sourcePath)
        defer { source.discard() }
        // Round codes decide what previous() reads: a code of no scheme, or of another scheme than this store's, would
        // sort into the wrong place in the panel.
        if let problem = RoundCode.problem(adding: source.rounds.map { $0["code"] as String }, to: try self.rounds().map(\.code)) {
            throw StoreError.roundRefused(path: sourcePath, reason: problem)
        }
        var decisions: [MergeSummary.Decision] = []
        try wrap {
            try queue.writeWithoutTransaction { db in
                // The checked copy is attached, so that interviews are copied table to table by SQL.
                try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [source.copyPath])
                defer { try? db.execute(sql: "DETACH DATABASE source") }
                try db.inTransaction {
                    decisions = try Self.merge(source, sourcePath: origin ?? sourcePath, at: now, refusing: refusing, db)
                    return .commit
                }
            }
        }
        return MergeSummary(source: origin ?? sourcePath, decisions: decisions)
    }

    /// The device and inode of the file a path leads to (links followed), the file's identity whatever its name.
    static func fileIdentity(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    private static func merge(
        _ source: FieldStore, sourcePath: String, at now: Timestamp, refusing: (String) -> String?, _ db: Database
    ) throws -> [MergeSummary.Decision] {
        // Units may arrive children before parents; the references are checked at commit.
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        try db.execute(sql: "INSERT OR IGNORE INTO round (code, starts_on, ends_on) SELECT code, starts_on, ends_on FROM source.round")
        try db.execute(
            sql: """
                INSERT INTO unit (code, name, level, parent_code, attributes, position)
                SELECT s.code, s.name, s.level, s.parent_code, s.attributes,
                       (SELECT COALESCE(MAX(position), 0) FROM main.unit) + ROW_NUMBER() OVER (ORDER BY s.position)
                FROM source.unit s WHERE s.code NOT IN (SELECT code FROM main.unit)
                """)
        // Questionnaires: the same form and version must be the same text here and there.
        var questionnaireIDs: [Int64: Int64] = [:]
        for questionnaire in source.questionnaires {
            let sourceID: Int64 = questionnaire["id"]
            if let local = try Row.fetchOne(
                db, sql: "SELECT id, content_hash FROM questionnaire WHERE form_id = ? AND version = ?",
                arguments: [questionnaire["form_id"], questionnaire["version"]])
            {
                if local["content_hash"] as String == questionnaire["content_hash"] as String { questionnaireIDs[sourceID] = local["id"] }
            } else {
                try db.execute(
                    sql: "INSERT INTO questionnaire (form_id, version, content_hash, definition, added_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        questionnaire["form_id"], questionnaire["version"], questionnaire["content_hash"],
                        questionnaire["definition"], questionnaire["added_at"],
                    ])
                questionnaireIDs[sourceID] = db.lastInsertedRowID
            }
        }
        try db.execute(sql: "CREATE TEMP TABLE merge_new (uuid TEXT PRIMARY KEY, questionnaire_id INTEGER NOT NULL)")
        defer { try? db.execute(sql: "DROP TABLE temp.merge_new") }
        let existing = try db.cachedStatement(sql: "SELECT updated_at, status FROM main.interview WHERE uuid = ?")
        let auditCount = try db.cachedStatement(sql: "SELECT COUNT(*) FROM main.audit_log WHERE interview_uuid = ?")
        let sourceAuditCount = try db.cachedStatement(sql: "SELECT COUNT(*) FROM source.audit_log WHERE interview_uuid = ?")
        let others = try db.cachedStatement(
            sql: """
                SELECT uuid FROM main.interview WHERE form_id = ? AND unit_code = ? AND round_code = ? AND uuid != ? AND status != 'discarded'
                ORDER BY started_at
                """)
        let markNew = try db.cachedStatement(sql: "INSERT INTO temp.merge_new (uuid, questionnaire_id) VALUES (?, ?)")
        var newPlaces: [String: [String]] = [:]
        var decisions: [MergeSummary.Decision] = []
        for interview in source.interviews {
            let uuid: String = interview["uuid"]
            let formID: String = interview["form_id"], unit: String = interview["unit_code"], round: String = interview["round_code"]
            let place = MergeSummary.Decision.place(formID: formID, unit: unit, round: round)
            if let refusal = refusing(unit) {
                decisions.append(.refused(uuid, place, refusal))
                continue
            }
            let sourceQuestionnaire: Int64 = interview["questionnaire_id"]
            guard let questionnaireID = questionnaireIDs[sourceQuestionnaire] else {
                let row = source.questionnaires.first { $0["id"] as Int64 == sourceQuestionnaire }
                let name = row.map { "\($0["form_id"] as String) version \($0["version"] as String)" } ?? "its questionnaire"
                decisions.append(.definitionDiffers(uuid, place, questionnaire: name))
                continue
            }
            if let current = try Row.fetchOne(existing, arguments: [uuid]) {
                let incoming = (interview["updated_at"] as String, try Int.fetchOne(sourceAuditCount, arguments: [uuid]) ?? 0)
                let local = (current["updated_at"] as String, try Int.fetchOne(auditCount, arguments: [uuid]) ?? 0)
                guard incoming > local else {
                    decisions.append(.unchanged(uuid, place))
                    continue
                }
                try replace(uuid, questionnaireID: questionnaireID, db)
                let decision = MergeSummary.Decision.replaced(
                    uuid, place, old: (current["updated_at"], current["status"]), new: (interview["updated_at"], interview["status"]))
                try appendAudit(db, uuid: uuid, at: now, event: "replaced_by_merge", detail: "\(decision.reason), from \(sourcePath)")
                decisions.append(decision)
                continue
            }
            try markNew.execute(arguments: [uuid, questionnaireID])
            let key = "\(formID)\u{1F}\(unit)\u{1F}\(round)"
            let duplicates = try String.fetchAll(others, arguments: [formID, unit, round, uuid]) + (newPlaces[key] ?? [])
            newPlaces[key, default: []].append(uuid)
            decisions.append(.taken(uuid, place, duplicating: duplicates))
        }
        // New interviews, table to table: the interview rows, their answers, their audit trails in order.
        try db.execute(
            sql: """
                INSERT INTO main.interview (uuid, questionnaire_id, form_id, unit_code, round_code, enumerator, status, started_at, ended_at,
                                            updated_at, utc_offset_minutes, cursor, language)
                SELECT s.uuid, n.questionnaire_id, s.form_id, s.unit_code, s.round_code, s.enumerator, s.status, s.started_at, s.ended_at,
                       s.updated_at, s.utc_offset_minutes, s.cursor, s.language
                FROM source.interview s JOIN temp.merge_new n ON n.uuid = s.uuid
                """)
        try db.execute(
            sql: """
                INSERT INTO main.answer (interview_uuid, address, name, indices, kind, text_value, number_value, origin, relevant, confirmation, updated_at)
                SELECT a.interview_uuid, a.address, a.name, a.indices, a.kind, a.text_value, a.number_value, a.origin, a.relevant, a.confirmation, a.updated_at
                FROM source.answer a WHERE a.interview_uuid IN (SELECT uuid FROM temp.merge_new)
                """)
        try db.execute(
            sql: """
                INSERT INTO main.audit_log (interview_uuid, seq, at, utc_offset_minutes, event, address, old_value, new_value, detail)
                SELECT l.interview_uuid, l.seq, l.at, l.utc_offset_minutes, l.event, l.address, l.old_value, l.new_value, l.detail
                FROM source.audit_log l WHERE l.interview_uuid IN (SELECT uuid FROM temp.merge_new)
                """)
        if try hasAttachments(db) {
            try db.execute(
                sql: """
                    INSERT INTO main.attachment (interview_uuid, address, file_name, sha256, size, content, added_at)
                    SELECT interview_uuid, address, file_name, sha256, size, content, added_at
                    FROM source.attachment WHERE interview_uuid IN (SELECT uuid FROM temp.merge_new)
                    """)
        }
        let counts = Dictionary(grouping: decisions, by: \.outcome).mapValues(\.count)
        let details = decisions.filter { $0.outcome != .unchanged }.map { "\($0.outcome.rawValue) \($0.uuid): \($0.reason)" }
        try db.execute(
            sql: """
                INSERT INTO import_log (source, source_sha256, imported_at, new_interviews, updated_interviews, unchanged_interviews,
                                        duplicate_interviews, rejected_interviews, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sourcePath, source.sha256, now.iso8601, counts[.new] ?? 0, counts[.updated] ?? 0, counts[.unchanged] ?? 0,
                counts[.duplicate] ?? 0, counts[.rejected] ?? 0, details.joined(separator: "\n"),
            ])
        return decisions
    }

    /// Whether the source store has attachments (a device on a schema before 005 has none, and merges as it is).
    private static func hasAttachments(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM source.sqlite_master WHERE type = 'table' AND name = 'attachment')") ?? false
    }

    /// A newer version in place of the one here: the interview row and answers as they are there, and the audit
    /// entries not yet here (counted: an entry that occurs twice there and once here is added once), in order.
    private static func replace(_ uuid: String, questionnaireID: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE main.interview SET (questionnaire_id, enumerator, status, started_at, ended_at, updated_at, utc_offset_minutes, cursor, language) =
                    (SELECT ?, enumerator, status, started_at, ended_at, updated_at, utc_offset_minutes, cursor, language FROM source.interview WHERE uuid = ?)
                WHERE uuid = ?
                """, arguments: [questionnaireID, uuid, uuid])
        try db.execute(sql: "DELETE FROM main.answer WHERE interview_uuid = ?", arguments: [uuid])
        try db.execute(sql: "DELETE FROM main.attachment WHERE interview_uuid = ?", arguments: [uuid])
        if try hasAttachments(db) {
            try db.execute(
                sql: """
                    INSERT INTO main.attachment (interview_uuid, address, file_name, sha256, size, content, added_at)
                    SELECT interview_uuid, address, file_name, sha256, size, content, added_at FROM source.attachment WHERE interview_uuid = ?
                    """, arguments: [uuid])
        }
        try db.execute(
            sql: """
                INSERT INTO main.answer (interview_uuid, address, name, indices, kind, text_value, number_value, origin, relevant, confirmation, updated_at)
                SELECT interview_uuid, address, name, indices, kind, text_value, number_value, origin, relevant, confirmation, updated_at
                FROM source.answer WHERE interview_uuid = ?
                """, arguments: [uuid])
        try db.execute(
            sql: """
                INSERT INTO main.audit_log (interview_uuid, seq, at, utc_offset_minutes, event, address, old_value, new_value, detail)
                SELECT interview_uuid,
                       (SELECT COALESCE(MAX(seq), 0) FROM main.audit_log WHERE interview_uuid = ?1) + ROW_NUMBER() OVER (ORDER BY seq),
                       at, utc_offset_minutes, event, address, old_value, new_value, detail
                FROM (
                    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.at, s.event, s.address, s.old_value, s.new_value, s.detail ORDER BY s.seq) AS copy
                    FROM source.audit_log s WHERE s.interview_uuid = ?1
                ) s
                WHERE s.copy > (SELECT COUNT(*) FROM main.audit_log l WHERE l.interview_uuid = ?1 AND l.at = s.at AND l.event = s.event
                                AND l.address IS s.address AND l.old_value IS s.old_value AND l.new_value IS s.new_value AND l.detail IS s.detail)
                """, arguments: [uuid])
    }

    /// Keeps one interview of a duplicate group: the others are marked discarded (left out of analysis and
    /// exports, kept in the store), each with the reason in its audit log.
    @discardableResult
    public func resolve(keeping uuid: String, reason: String, at now: Timestamp) throws -> [String] {
        try wrap {
            try queue.write { db in
                guard let kept = try Row.fetchOne(db, sql: "SELECT form_id, unit_code, round_code FROM interview WHERE uuid = ?", arguments: [uuid]) else {
                    throw StoreError.unknownInterview(uuid)
                }
                let others = try String.fetchAll(
                    db,
                    sql: """
                        SELECT uuid FROM interview WHERE form_id = ? AND unit_code = ? AND round_code = ? AND uuid != ? AND status != 'discarded'
                        ORDER BY uuid
                        """, arguments: [kept["form_id"], kept["unit_code"], kept["round_code"], uuid])
                guard !others.isEmpty else { throw StoreError.notADuplicate(uuid) }
                for other in others {
                    try db.execute(sql: "UPDATE interview SET status = 'discarded', updated_at = ? WHERE uuid = ?", arguments: [now.iso8601, other])
                    try Self.appendAudit(db, uuid: other, at: now, event: "discarded", detail: "duplicate of \(uuid): \(reason)")
                }
                try Self.appendAudit(db, uuid: uuid, at: now, event: "kept", detail: "over \(others.joined(separator: ", ")): \(reason)")
                return others
            }
        }
    }

    /// The import log, newest first.
    public func importLog() throws -> [(source: String, importedAt: String, summary: String)] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM import_log ORDER BY id DESC").map { row in
                    (
                        row["source"], row["imported_at"],
                        "\(row["new_interviews"] as Int) new, \(row["updated_interviews"] as Int) updated, \(row["unchanged_interviews"] as Int) unchanged, "
                            + "\(row["duplicate_interviews"] as Int) duplicates, \(row["rejected_interviews"] as Int) rejected"
                    )
                }
            }
        }
    }
}

/// A field store opened for reading only: a copy in a temporary folder (with its write-ahead log, so that a
/// store left by a killed process is read as SQLite would recover it), checked before anything is read.
final class FieldStore {
    let questionnaires: [Row]
    let rounds: [Row]
    let units: [Row]
    let interviews: [Row]
    let sha256: String
    /// The checked copy, attached to the target's connection during the merge.
    let copyPath: String
    private let queue: DatabaseQueue
    private let folder: URL

    init(path: String) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: path) else { throw StoreError.cannotOpen(path: path, reason: "no such file") }
        guard let contents = manager.contents(atPath: path) else { throw StoreError.cannotOpen(path: path, reason: "it cannot be read") }
        sha256 = ContentDigest.hex([UInt8](contents))
        folder = manager.temporaryDirectory.appendingPathComponent("pantau-merge-\(UUID().uuidString)")
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("source.sqlite")
        copyPath = copy.path
        try contents.write(to: copy)
        if let wal = manager.contents(atPath: path + "-wal") { try wal.write(to: URL(fileURLWithPath: copy.path + "-wal")) }
        do {
            var configuration = Configuration()
            configuration.readonly = false  // the copy may need its log replayed
            queue = try DatabaseQueue(path: copy.path, configuration: configuration)
            let tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
            guard tables.contains("grdb_migrations"), ["interview", "answer", "audit_log", "questionnaire", "unit", "round"].allSatisfy(tables.contains) else {
                throw StoreError.notAStore(path: path, reason: "it holds no pantau tables")
            }
            let applied = try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
            let unknown = Set(applied).subtracting(ResponseStore.migrator.migrations)
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown.sorted()) }
            let check = try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            guard check == ["ok"] else {
                throw StoreError.notAStore(path: path, reason: "the integrity check failed: \(check.prefix(3).joined(separator: "; "))")
            }
            // A device still on an earlier schema: its copy is brought up to this one, so the tables match; steps a
            // killed session left in its journal are written into its tables.
            try ResponseStore.migrator.migrate(queue)
            _ = try queue.write { try StepJournal.apply($0) }
            (questionnaires, rounds, units, interviews) = try queue.read { db in
                (
                    try Row.fetchAll(db, sql: "SELECT * FROM questionnaire"), try Row.fetchAll(db, sql: "SELECT * FROM round"),
                    try Row.fetchAll(db, sql: "SELECT * FROM unit ORDER BY position"),
                    try Row.fetchAll(db, sql: "SELECT * FROM interview ORDER BY started_at, uuid")
                )
            }
            // Every interview's questionnaire must travel with it.
            let known = Set(questionnaires.map { $0["id"] as Int64 })
            if let orphan = interviews.first(where: { !known.contains($0["questionnaire_id"] as Int64) }) {
                throw StoreError.missingDefinition(path: path, uuid: orphan["uuid"])
            }
            try Self.checkContent(path: path, questionnaires: questionnaires, interviews: interviews, queue)
        } catch let error as StoreError {
            try? manager.removeItem(at: folder)
            throw error
        } catch let error as DatabaseError {
            try? manager.removeItem(at: folder)
            throw StoreError.notAStore(path: path, reason: error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// Removes the temporary copy.
    func discard() { try? FileManager.default.removeItem(at: folder) }

    /// Reads the checked copy.
    func read<T>(_ body: (Database) throws -> T) throws -> T { try queue.read(body) }

    /// What pantau itself would have written, checked again rather than trusted: each definition parses as a
    /// questionnaire and hashes to the hash stored beside it (a definition edited under its version is refused), each
    /// status is one pantau writes, and every reference resolves (an interview's round, unit and questionnaire; the round
    /// codes themselves are checked by the merge).
    static func checkContent(path: String, questionnaires: [Row], interviews: [Row], _ queue: DatabaseQueue) throws {
        for questionnaire in questionnaires {
            let formID: String = questionnaire["form_id"], version: String = questionnaire["version"], text: String = questionnaire["definition"]
            let place = "the definition of \(formID) version \(version)"
            guard ContentDigest.hex(text) == questionnaire["content_hash"] as String else {
                throw StoreError.contentRefused(path: path, reason: "\(place) does not match the hash stored with it: it was changed after it was stored")
            }
            if case .failure(let report) = QuestionnaireLoader.load(yaml: text, file: "\(formID)-\(version)") {
                let first = report.errors.first.map { ": \($0.message)" } ?? ""
                throw StoreError.contentRefused(path: path, reason: "\(place) is not a valid questionnaire\(first)")
            }
        }
        for interview in interviews {
            let status: String = interview["status"], uuid: String = interview["uuid"]
            guard InterviewStatusFilter.all.contains(status) else {
                throw StoreError.contentRefused(path: path, reason: "interview \(uuid) has the status '\(status)', which pantau never writes")
            }
        }
        let broken = try queue.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        if let first = broken.first {
            let table: String = first["table"], parent: String = first["parent"]
            throw StoreError.contentRefused(
                path: path, reason: "\(broken.count) row\(broken.count == 1 ? "" : "s") of \(table) refer to \(parent) rows that are not there")
        }
    }
}
