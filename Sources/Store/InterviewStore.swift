import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire

/// Every status an interview row can have: how it was last saved, or where review or housekeeping left it.
public enum InterviewStatusFilter {
    public static let all = ["draft", "completed", "approved", "rejected", "discarded"]
}

public enum InterviewStatus: String, Sendable, CaseIterable {
    case draft, completed
    /// Reviewed by a supervisor: accepted as it is.
    case approved
    /// Reviewed and sent back with a comment: it reopens on the enumerator's device after the next merge.
    case rejected
    /// One of a duplicate pair, set aside by `pantau resolve`: kept, but left out of analysis and exports.
    case discarded

    /// The statuses whose answers are data: analysis, exports and previous-round values read these.
    public static let final: [InterviewStatus] = [.completed, .approved]

    /// `final` as an SQL list, for `status IN …`.
    static let finalSQL = "(" + final.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
}

/// What `openInterview` found or made.
public struct OpenedInterview: Sendable {
    public enum Kind: String, Sendable { case started, resumed, reopened }
    public let uuid: String
    public let kind: Kind
    public let records: [Address: AnswerRecord]
    public let cursor: Interview.Cursor
    public let language: String?
    /// The supervisor's comment when the interview came back rejected.
    public var reviewComment: String? = nil
}

extension ResponseStore {
    /// Stores the questionnaire definition (once per form and version) and returns its row id. A different
    /// text under a stored form and version is refused: data must never lose its meaning.
    public func register(_ questionnaire: Questionnaire, at now: Timestamp) throws -> Int64 {
        try wrap { try queue.write { db in try Self.register(questionnaire, at: now, db) } }
    }

    static func register(_ questionnaire: Questionnaire, at now: Timestamp, _ db: Database) throws -> Int64 {
        let hash = ContentDigest.hex(questionnaire.sourceText)
        let settings = questionnaire.settings
        if let row = try Row.fetchOne(
            db, sql: "SELECT id, content_hash FROM questionnaire WHERE form_id = ? AND version = ?",
            arguments: [settings.formID, settings.version])
        {
            guard row["content_hash"] as String == hash else {
                throw StoreError.questionnaireChanged(formID: settings.formID, version: settings.version)
            }
            return row["id"]
        }
        try db.execute(
            sql: "INSERT INTO questionnaire (form_id, version, content_hash, definition, added_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [settings.formID, settings.version, hash, questionnaire.sourceText, now.iso8601])
        return db.lastInsertedRowID
    }

    /// The stored definition text of a form version.
    public func definition(formID: String, version: String) throws -> String? {
        try wrap {
            try queue.read { db in
                try String.fetchOne(db, sql: "SELECT definition FROM questionnaire WHERE form_id = ? AND version = ?", arguments: [formID, version])
            }
        }
    }

    /// Starts the interview of a unit in a round, resumes its draft, or reopens a completed one when allowed.
    public func openInterview(
        _ questionnaire: Questionnaire, unit code: String, round: String, enumerator: String,
        reopen: Bool, language: String?, at now: Timestamp
    ) throws -> OpenedInterview {
        try wrap {
            try queue.write { db in
                let questionnaireID = try Self.register(questionnaire, at: now, db)
                guard let unit = try Row.fetchOne(db, sql: "SELECT code, level FROM unit WHERE code = ?", arguments: [code]) else {
                    throw StoreError.unknownUnit(code)
                }
                if let expected = questionnaire.settings.unitLevel, unit["level"] as String != expected {
                    throw StoreError.unitLevelMismatch(unit: code, level: unit["level"], expected: expected)
                }
                try db.execute(sql: "INSERT OR IGNORE INTO round (code) VALUES (?)", arguments: [round])
                let formID = questionnaire.settings.formID
                let existing = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT i.uuid, i.status, i.cursor, i.language, q.version, i.questionnaire_id FROM interview i
                        JOIN questionnaire q ON q.id = i.questionnaire_id
                        WHERE i.form_id = ? AND i.unit_code = ? AND i.round_code = ? AND i.status != 'discarded'
                        ORDER BY i.started_at LIMIT 1
                        """, arguments: [formID, code, round])
                guard let existing else {
                    let uuid = InterviewID.make(at: now)
                    try db.execute(
                        sql: """
                            INSERT INTO interview (uuid, questionnaire_id, form_id, unit_code, round_code, enumerator, status,
                                                   started_at, updated_at, utc_offset_minutes, cursor, language)
                            VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, '', ?)
                            """, arguments: [uuid, questionnaireID, formID, code, round, enumerator, now.iso8601, now.iso8601, now.offsetMinutes, language])
                    try Self.appendAudit(db, uuid: uuid, at: now, event: "started", detail: "enumerator \(enumerator)")
                    return OpenedInterview(uuid: uuid, kind: .started, records: [:], cursor: .end, language: language)
                }
                let uuid: String = existing["uuid"]
                if existing["questionnaire_id"] as Int64 != questionnaireID {
                    throw StoreError.draftUsesOtherVersion(uuid: uuid, version: existing["version"])
                }
                var kind = OpenedInterview.Kind.resumed
                var reviewComment: String?
                let status = existing["status"] as String
                if status == InterviewStatus.discarded.rawValue { throw StoreError.discarded(uuid: uuid) }
                if status == InterviewStatus.completed.rawValue || status == InterviewStatus.approved.rawValue
                    || status == InterviewStatus.rejected.rawValue
                {
                    // A rejected interview comes back to be corrected: it reopens without asking, with the comment.
                    if status == InterviewStatus.rejected.rawValue {
                        reviewComment =
                            try String.fetchOne(
                                db,
                                sql: """
                                    SELECT detail FROM audit_log WHERE interview_uuid = ? AND event = 'rejected' ORDER BY seq DESC LIMIT 1
                                    """, arguments: [uuid]) ?? ""
                    } else if !reopen {
                        throw StoreError.completed(uuid: uuid)
                    }
                    kind = .reopened
                    try db.execute(
                        sql: "UPDATE interview SET status = 'draft', ended_at = NULL, updated_at = ? WHERE uuid = ?",
                        arguments: [now.iso8601, uuid])
                    try Self.appendAudit(
                        db, uuid: uuid, at: now, event: "reopened",
                        detail: "by \(enumerator)" + (reviewComment.map { " after rejection: \($0)" } ?? ""))
                } else {
                    try Self.appendAudit(db, uuid: uuid, at: now, event: "resumed", detail: "by \(enumerator)")
                }
                let records = try Self.records(db, uuid: uuid)
                let cursor = Interview.Cursor.parse(existing["cursor"] as String) ?? .end
                return OpenedInterview(
                    uuid: uuid, kind: kind, records: records, cursor: cursor, language: existing["language"],
                    reviewComment: reviewComment)
            }
        }
    }

    static func records(_ db: Database, uuid: String) throws -> [Address: AnswerRecord] {
        var records: [Address: AnswerRecord] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM answer WHERE interview_uuid = ?", arguments: [uuid]) {
            guard let address = Address.parse(row["address"]),
                let value = StoredValue(kind: row["kind"], text: row["text_value"], number: row["number_value"]).value,
                let origin = AnswerOrigin(rawValue: row["origin"])
            else { continue }
            records[address] = AnswerRecord(value: value, origin: origin, relevant: row["relevant"], confirmation: row["confirmation"])
        }
        return records
    }

    /// The same unit's answers in the latest earlier round (completed interviews first), for previous().
    public func previousRoundValues(formID: String, unit: String, before round: String) throws -> (round: String, values: [Address: Value])? {
        try wrap {
            try queue.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT uuid, round_code FROM interview
                            WHERE form_id = ? AND unit_code = ? AND round_code < ? AND status != 'discarded'
                            ORDER BY round_code DESC, status IN \(InterviewStatus.finalSQL) DESC, updated_at DESC LIMIT 1
                            """, arguments: [formID, unit, round])
                else { return nil }
                let records = try Self.records(db, uuid: row["uuid"])
                var values: [Address: Value] = [:]
                for (address, record) in records where record.relevant && record.origin != .instances {
                    values[address] = record.value
                }
                return (row["round_code"], values)
            }
        }
    }

    /// Makes one interview step durable in one transaction: the changed answers, the audit events and the
    /// cursor, journalled as one row (see `StepJournal`) and written into their tables before anything reads them.
    public func save(_ transition: Transition, interview uuid: String, language: String?, at now: Timestamp) throws {
        let step = StepRows(transition, language: language, at: now)
        try wrap(applyingJournal: false) {
            try queue.writeWithoutTransaction { db in
                try db.inStepTransaction { try StepJournal.append(step, db, uuid: uuid) }
            }
            journalPending = true
        }
    }

    /// Marks an interview completed, with its last step and every journalled one, in the same transaction.
    public func complete(_ transition: Transition, interview uuid: String, language: String?, at now: Timestamp) throws {
        let step = StepRows(transition, language: language, at: now)
        try wrap(applyingJournal: false) {
            try queue.writeWithoutTransaction { db in
                try db.inStepTransaction {
                    try StepJournal.apply(db)
                    try step.write(db, uuid: uuid)
                    try db.execute(
                        sql: "UPDATE interview SET status = 'completed', ended_at = ?, updated_at = ? WHERE uuid = ?",
                        arguments: [now.iso8601, now.iso8601, uuid])
                }
            }
            journalPending = false
        }
    }

    static func appendAudit(
        _ db: Database, uuid: String, at: Timestamp, event: String, address: String? = nil,
        old: String? = nil, new: String? = nil, detail: String? = nil
    ) throws {
        try StepRows.append(
            [
                StepRows.Event(
                    name: event, address: address, old: old, new: new, detail: detail, at: at.iso8601,
                    offsetMinutes: at.offsetMinutes)
            ], db, uuid: uuid)
    }

    /// An event as the audit log's columns: event, address, old value, new value, detail.
    static func columns(_ event: AuditEvent) -> (String, String?, String?, String?, String?) {
        switch event.kind {
        case .entered(let address): ("entered", address.description, nil, nil, nil)
        case .left(let address): ("left", address.description, nil, nil, nil)
        case .changed(let address, let old, let new):
            ("changed", address.description, old.map { StoredValue($0).tagged }, new.map { StoredValue($0).tagged }, nil)
        case .softCheckConfirmed(let address, let reason): ("soft_check_confirmed", address.description, nil, nil, reason)
        case .languageChanged(let from, let to): ("language_changed", nil, from, to, nil)
        case .instanceAdded(let address): ("instance_added", address.description, nil, nil, nil)
        case .instanceDeleted(let address): ("instance_deleted", address.description, nil, nil, nil)
        case .reopened: ("reopened", nil, nil, nil, nil)
        case .completed: ("completed", nil, nil, nil, nil)
        }
    }

    /// Interviews, newest first, optionally of one round and status.
    public func interviews(round: String? = nil, status: String? = nil) throws -> [InterviewSummary] {
        if let status, !InterviewStatusFilter.all.contains(status) { throw StoreError.unknownStatus(status) }
        return try wrap {
            try queue.read { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let round {
                    conditions.append("i.round_code = ?")
                    arguments += [round]
                }
                if let status {
                    conditions.append("i.status = ?")
                    arguments += [status]
                }
                let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.*, q.version, u.name AS unit_name,
                               (SELECT count(*) FROM answer a WHERE a.interview_uuid = i.uuid AND a.relevant AND a.origin = 'entered') AS answers
                        FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id JOIN unit u ON u.code = i.unit_code
                        \(filter) ORDER BY i.round_code, i.form_id, i.unit_code, i.started_at
                        """, arguments: arguments
                ).map(Self.summary)
            }
        }
    }

    public func interviewKeys(formID: String? = nil, round: String? = nil) throws -> [InterviewKey] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT uuid, form_id, unit_code, round_code, status, enumerator FROM interview
                        WHERE (?1 IS NULL OR form_id = ?1) AND (?2 IS NULL OR round_code = ?2) ORDER BY round_code, form_id, unit_code, started_at
                        """, arguments: [formID, round]
                ).map {
                    InterviewKey(
                        uuid: $0["uuid"], formID: $0["form_id"], unitCode: $0["unit_code"], roundCode: $0["round_code"], status: $0["status"],
                        enumerator: $0["enumerator"])
                }
            }
        }
    }

    static func summary(_ row: Row) -> InterviewSummary {
        InterviewSummary(
            uuid: row["uuid"], formID: row["form_id"], version: row["version"], unitCode: row["unit_code"],
            unitName: row["unit_name"], roundCode: row["round_code"], enumerator: row["enumerator"], status: row["status"],
            startedAt: row["started_at"], endedAt: row["ended_at"], updatedAt: row["updated_at"],
            utcOffsetMinutes: row["utc_offset_minutes"], cursor: row["cursor"], language: row["language"], answers: row["answers"])
    }

    /// One interview with its answers (in address order) and its audit trail (in order).
    public func interview(_ uuid: String) throws -> (summary: InterviewSummary, answers: [StoredAnswer], audit: [AuditEntry]) {
        try wrap {
            try queue.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT i.*, q.version, u.name AS unit_name,
                                   (SELECT count(*) FROM answer a WHERE a.interview_uuid = i.uuid AND a.relevant AND a.origin = 'entered') AS answers
                            FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id JOIN unit u ON u.code = i.unit_code
                            WHERE i.uuid = ?
                            """, arguments: [uuid])
                else { throw StoreError.unknownInterview(uuid) }
                let answers = try Row.fetchAll(db, sql: "SELECT * FROM answer WHERE interview_uuid = ?", arguments: [uuid]).compactMap { row -> StoredAnswer? in
                    guard let address = Address.parse(row["address"]) else { return nil }
                    return StoredAnswer(
                        address: address, stored: StoredValue(kind: row["kind"], text: row["text_value"], number: row["number_value"]),
                        origin: row["origin"], relevant: row["relevant"], confirmation: row["confirmation"], updatedAt: row["updated_at"])
                }
                let audit = try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE interview_uuid = ? ORDER BY seq", arguments: [uuid]).map { row in
                    AuditEntry(
                        sequence: row["seq"], at: row["at"], utcOffsetMinutes: row["utc_offset_minutes"], event: row["event"], address: row["address"],
                        oldValue: row["old_value"], newValue: row["new_value"], detail: row["detail"])
                }
                return (Self.summary(row), answers, audit)
            }
        }
    }
}

/// A survey round.
public struct Round: Hashable, Sendable {
    public let code: String
    public let startsOn: String?
    public let endsOn: String?

    public init(code: String, startsOn: String?, endsOn: String?) {
        self.code = code
        self.startsOn = startsOn
        self.endsOn = endsOn
    }
}

extension ResponseStore {
    /// Adds a round or sets its dates (YYYY-MM-DD).
    public func defineRound(_ round: Round) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO round (code, starts_on, ends_on) VALUES (?, ?, ?)
                        ON CONFLICT (code) DO UPDATE SET starts_on = excluded.starts_on, ends_on = excluded.ends_on
                        """, arguments: [round.code, round.startsOn, round.endsOn])
            }
        }
    }

    /// Rounds in time order (their codes sort that way).
    public func rounds() throws -> [Round] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM round ORDER BY code").map {
                    Round(code: $0["code"], startsOn: $0["starts_on"], endsOn: $0["ends_on"])
                }
            }
        }
    }
}

/// A whole interview written at once (simulated panels; merges later).
public struct CompletedInterview: Sendable {
    public let uuid: String
    public let questionnaireID: Int64
    public let formID: String
    public let unit: String
    public let round: String
    public let enumerator: String
    public let started: Timestamp
    public let ended: Timestamp
    public let language: String?
    public let records: [Address: AnswerRecord]
    public let events: [AuditEvent]
    /// Files answering attachment questions: the name the answer records and the bytes.
    public var attachments: [Address: (name: String, content: Data)] = [:]

    public init(
        uuid: String, questionnaireID: Int64, formID: String, unit: String, round: String, enumerator: String,
        started: Timestamp, ended: Timestamp, language: String?, records: [Address: AnswerRecord], events: [AuditEvent]
    ) {
        self.uuid = uuid
        self.questionnaireID = questionnaireID
        self.formID = formID
        self.unit = unit
        self.round = round
        self.enumerator = enumerator
        self.started = started
        self.ended = ended
        self.language = language
        self.records = records
        self.events = events
    }
}

extension ResponseStore {
    /// Writes completed interviews in one transaction.
    public func insertCompleted(_ interviews: [CompletedInterview]) throws {
        try wrap {
            try queue.write { db in
                let insertInterview = try db.cachedStatement(
                    sql: """
                        INSERT INTO interview (uuid, questionnaire_id, form_id, unit_code, round_code, enumerator, status,
                                               started_at, ended_at, updated_at, utc_offset_minutes, cursor, language)
                        VALUES (?, ?, ?, ?, ?, ?, 'completed', ?, ?, ?, ?, 'end', ?)
                        """)
                let insertAnswer = try db.cachedStatement(
                    sql: """
                        INSERT INTO answer (interview_uuid, address, name, indices, kind, text_value, number_value, origin, relevant, confirmation, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for interview in interviews {
                    try db.execute(sql: "INSERT OR IGNORE INTO round (code) VALUES (?)", arguments: [interview.round])
                    try insertInterview.execute(arguments: [
                        interview.uuid, interview.questionnaireID, interview.formID, interview.unit, interview.round, interview.enumerator,
                        interview.started.iso8601, interview.ended.iso8601, interview.ended.iso8601, interview.started.offsetMinutes,
                        interview.language,
                    ])
                    try Self.appendAudit(db, uuid: interview.uuid, at: interview.started, event: "started", detail: "enumerator \(interview.enumerator)")
                    for (address, record) in interview.records {
                        let stored = StoredValue(record.value)
                        try insertAnswer.execute(arguments: [
                            interview.uuid, address.description, address.name, address.indices.map(String.init).joined(separator: ","),
                            stored.kind, stored.text, stored.number, record.origin.rawValue, record.relevant, record.confirmation,
                            interview.ended.iso8601,
                        ])
                    }
                    try StepRows.append(StepRows.rows(interview.events), db, uuid: interview.uuid)
                    for (address, file) in interview.attachments {
                        try db.execute(
                            sql: """
                                INSERT INTO attachment (interview_uuid, address, file_name, sha256, size, content, added_at)
                                VALUES (?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                interview.uuid, address.description, file.name, ContentDigest.hex([UInt8](file.content)), file.content.count, file.content,
                                interview.ended.iso8601,
                            ])
                    }
                }
            }
        }
    }

    /// Registers a questionnaire definition without starting an interview; returns its row id.
    public func questionnaireID(_ questionnaire: Questionnaire, at now: Timestamp) throws -> Int64 {
        try register(questionnaire, at: now)
    }
}

extension ResponseStore {
    /// Interviews per round, questionnaire and status.
    public func responseCounts() throws -> [(round: String, formID: String, status: String, count: Int)] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT round_code, form_id, status, count(*) AS n FROM interview GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                        """
                ).map { ($0["round_code"], $0["form_id"], $0["status"], $0["n"]) }
            }
        }
    }

    /// Units per level in the frame.
    public func unitCounts() throws -> [String: Int] {
        try wrap {
            try queue.read { db in
                Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT level, count(*) AS n FROM unit GROUP BY level").map {
                        ($0["level"] as String, $0["n"] as Int)
                    })
            }
        }
    }
}

/// One completed interview's relevant answers, for analysis.
public struct InterviewAnswers: Sendable {
    public let uuid: String
    public let unit: String
    public let version: String
    public let values: [Address: Value]

    public init(uuid: String, unit: String, version: String, values: [Address: Value]) {
        (self.uuid, self.unit, self.version, self.values) = (uuid, unit, version, values)
    }
}

extension ResponseStore {
    /// The relevant answers of every completed interview of a questionnaire in a round, one per unit (the
    /// latest when a unit has more than one).
    public func completedAnswers(formID: String, round: String, names: Set<String>? = nil) throws -> [InterviewAnswers] {
        try wrap {
            try queue.read { db in
                let interviews = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.uuid, i.unit_code, q.version FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id
                        WHERE i.form_id = ? AND i.round_code = ? AND i.status IN \(InterviewStatus.finalSQL) ORDER BY i.unit_code, i.ended_at DESC
                        """, arguments: [formID, round])
                var result: [InterviewAnswers] = []
                var seen = Set<String>()
                // Only the variables asked for, chosen by SQLite: national-scale stores hold hundreds of millions of answers.
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT address, kind, text_value, number_value FROM answer
                        WHERE interview_uuid = ?1 AND ((relevant AND origin != 'instances') OR origin = 'instances')
                          AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))
                        """)
                let wanted = try names.map { String(decoding: try JSONEncoder().encode($0.sorted()), as: UTF8.self) }
                for row in interviews {
                    let unit: String = row["unit_code"]
                    guard seen.insert(unit).inserted else { continue }
                    let uuid: String = row["uuid"]
                    var values: [Address: Value] = [:]
                    let cursor = try Row.fetchCursor(statement, arguments: [uuid, wanted])
                    while let answer = try cursor.next() {
                        guard let address = Address.parse(answer["address"]),
                            let value = StoredValue(kind: answer["kind"], text: answer["text_value"], number: answer["number_value"]).value
                        else { continue }
                        values[address] = value
                    }
                    result.append(InterviewAnswers(uuid: uuid, unit: unit, version: row["version"], values: values))
                }
                return result
            }
        }
    }

    /// The questionnaire versions used by completed (or approved) interviews of a form in a round.
    public func versions(formID: String, round: String) throws -> [String] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT q.version FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id
                        WHERE i.form_id = ? AND i.round_code = ? AND i.status IN \(InterviewStatus.finalSQL) ORDER BY 1
                        """, arguments: [formID, round])
            }
        }
    }
}

extension ResponseStore {
    /// Every stored questionnaire definition: form id, version and text.
    public func questionnaireDefinitions() throws -> [(formID: String, version: String, text: String)] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT form_id, version, definition FROM questionnaire ORDER BY form_id, version").map {
                    ($0["form_id"], $0["version"], $0["definition"])
                }
            }
        }
    }
}

extension StoredAnswer {
    /// The same row with its value replaced by `note` (personal data not shown).
    public func withholding(_ note: String) -> StoredAnswer {
        StoredAnswer(
            address: address, stored: StoredValue(kind: "withheld", text: note, number: nil), origin: origin, relevant: relevant,
            confirmation: confirmation, updatedAt: updatedAt)
    }
}

extension AuditEntry {
    /// The same entry with its old and new values replaced by `note`.
    public func withholding(_ note: String) -> AuditEntry {
        AuditEntry(
            sequence: sequence, at: at, utcOffsetMinutes: utcOffsetMinutes, event: event, address: address, oldValue: oldValue.map { _ in note },
            newValue: newValue.map { _ in note }, detail: detail)
    }
}
