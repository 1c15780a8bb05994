import Expressions
import Foundation
import Interview
import Questionnaire
import Store

/// A central store on PostgreSQL: the operations a central server needs, with the rules the SQLite store keeps
/// (merge's for batches, review's for approvals and rejections), on the same tables.
public final class PostgresStore: StoreReading, @unchecked Sendable {
    // Unchecked: used from one thread at a time (the server's store queue, or a command's main thread).
    let database: PostgresDatabase

    public var location: PostgresLocation { database.location }

    /// Connects and brings the schema up to this version's steps (one migrator at a time, under an advisory lock).
    public init(url: String) throws {
        guard let location = PostgresLocation(url: url) else {
            throw PostgresStoreError(description: "'\(url.prefix(12))…' is no postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
        }
        database = try PostgresDatabase(location)
        try migrate()
    }

    /// A second connection to a store already opened (and migrated) by this version.
    init(connectingAgainTo location: PostgresLocation) throws {
        database = try PostgresDatabase(location)
    }

    func migrate() throws {
        try database.transaction {
            try database.execute("SELECT pg_advisory_xact_lock(7150213)")
            try database.execute("CREATE TABLE IF NOT EXISTS pantau_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = Set(try database.rows("SELECT identifier FROM pantau_migrations").compactMap { $0["identifier"]?.text })
            let known = Set(PostgresMigrations.steps.map(\.identifier))
            if let unknown = applied.subtracting(known).sorted().first {
                throw PostgresStoreError(description: "\(location) was written by a newer pantau (schema step \(unknown)); update pantau")
            }
            for step in PostgresMigrations.steps where !applied.contains(step.identifier) {
                for statement in step.sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try database.execute(statement)
                }
                try database.execute(
                    "INSERT INTO pantau_migrations (identifier, applied_at) VALUES ($1, $2)", [.text(step.identifier), .text(Timestamp.now().iso8601)])
            }
        }
    }

    /// The schema steps applied, in order.
    public func appliedMigrations() throws -> [String] {
        try database.rows("SELECT identifier FROM pantau_migrations ORDER BY identifier").compactMap { $0["identifier"]?.text }
    }

    // MARK: People and assignments

    public func addUser(name: String, role: ServerRole, tokenSHA256: String, at now: Timestamp) throws {
        try database.transaction {
            if !(try database.rows("SELECT 1 FROM server_user WHERE name = $1", [.text(name)]).isEmpty) { throw ServerStoreError.userExists(name) }
            try database.execute(
                "INSERT INTO server_user (name, role, token_sha256, created_at) VALUES ($1, $2, $3, $4)",
                [.text(name), .text(role.rawValue), .text(tokenSHA256), .text(now.iso8601)])
        }
    }

    public func revokeUser(name: String, at now: Timestamp) throws {
        let changed = try database.rows(
            "UPDATE server_user SET revoked_at = COALESCE(revoked_at, $1) WHERE name = $2 RETURNING name", [.text(now.iso8601), .text(name)])
        if changed.isEmpty { throw ServerStoreError.unknownUser(name) }
    }

    public func user(tokenSHA256: String) throws -> ServerUser? {
        try database.rows("SELECT name, role, revoked_at FROM server_user WHERE token_sha256 = $1", [.text(tokenSHA256)]).first.map(Self.user)
    }

    public func users() throws -> [ServerUser] {
        try database.rows("SELECT name, role, revoked_at FROM server_user ORDER BY name").map(Self.user)
    }

    static func user(_ row: SQLRow) -> ServerUser {
        ServerUser(name: row["name"]?.text ?? "", role: ServerRole(rawValue: row["role"]?.text ?? "") ?? .analyst, revoked: row["revoked_at"] != .null)
    }

    @discardableResult
    public func assign(name: String, units codes: [String], within: Bool = false) throws -> Int {
        try database.transaction {
            guard let role = try database.rows("SELECT role FROM server_user WHERE name = $1", [.text(name)]).first?["role"]?.text else {
                throw ServerStoreError.unknownUser(name)
            }
            guard role == ServerRole.enumerator.rawValue else { throw ServerStoreError.notAnEnumerator(name, role: ServerRole(rawValue: role) ?? .analyst) }
            let known = Set(try database.rows("SELECT code FROM unit WHERE code = ANY($1::text[])", [.text(Self.array(codes))]).compactMap { $0["code"]?.text })
            let unknown = codes.filter { !known.contains($0) }
            if !unknown.isEmpty { throw ServerStoreError.unknownUnits(unknown) }
            for code in codes {
                if within {
                    try database.execute(
                        """
                        WITH RECURSIVE below(code) AS (SELECT $1::text UNION SELECT u.code FROM unit u JOIN below b ON u.parent_code = b.code)
                        INSERT INTO assignment (user_name, unit_code) SELECT $2, code FROM below ON CONFLICT DO NOTHING
                        """, [.text(code), .text(name)])
                } else {
                    try database.execute("INSERT INTO assignment (user_name, unit_code) VALUES ($1, $2) ON CONFLICT DO NOTHING", [.text(name), .text(code)])
                }
            }
            return Int(try database.rows("SELECT COUNT(*) AS n FROM assignment WHERE user_name = $1", [.text(name)]).first?["n"]?.integer ?? 0)
        }
    }

    public func assignedUnits(name: String) throws -> Set<String> {
        Set(try database.rows("SELECT unit_code FROM assignment WHERE user_name = $1", [.text(name)]).compactMap { $0["unit_code"]?.text })
    }

    /// A text array literal for `= ANY($1::text[])`.
    static func array(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",")
            + "}"
    }

    // MARK: Interviews

    /// Interviews as listed (entered, relevant answers counted), optionally of one round and status: as the SQLite
    /// store lists them.
    public func interviews(round: String? = nil, status: String? = nil) throws -> [InterviewSummary] {
        if let status, !InterviewStatusFilter.all.contains(status) { throw StoreError.unknownStatus(status) }
        return try database.rows(
            Self.summarySQL + " WHERE ($1::text IS NULL OR i.round_code = $1) AND ($2::text IS NULL OR i.status = $2)"
                + " ORDER BY i.round_code COLLATE \"C\", i.form_id COLLATE \"C\", i.unit_code COLLATE \"C\", i.started_at COLLATE \"C\"",
            [round.map(SQLValue.text) ?? .null, status.map(SQLValue.text) ?? .null]
        ).map(Self.summary)
    }

    public func interviewKeys(formID: String? = nil, round: String? = nil) throws -> [InterviewKey] {
        try database.rows(
            """
            SELECT uuid, form_id, unit_code, round_code, status, enumerator FROM interview
            WHERE ($1::text IS NULL OR form_id = $1) AND ($2::text IS NULL OR round_code = $2)
            ORDER BY round_code COLLATE "C", form_id COLLATE "C", unit_code COLLATE "C", started_at COLLATE "C"
            """, [formID.map(SQLValue.text) ?? .null, round.map(SQLValue.text) ?? .null]
        ).map {
            InterviewKey(
                uuid: $0["uuid"]?.text ?? "", formID: $0["form_id"]?.text ?? "", unitCode: $0["unit_code"]?.text ?? "",
                roundCode: $0["round_code"]?.text ?? "", status: $0["status"]?.text ?? "", enumerator: $0["enumerator"]?.text ?? "")
        }
    }

    static let summarySQL = """
        SELECT i.*, q.version, u.name AS unit_name,
               (SELECT COUNT(*) FROM answer a WHERE a.interview_uuid = i.uuid AND a.relevant <> 0 AND a.origin = 'entered') AS answers
        FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id JOIN unit u ON u.code = i.unit_code
        """

    static func summary(_ row: SQLRow) -> InterviewSummary {
        InterviewSummary(
            uuid: row["uuid"]?.text ?? "", formID: row["form_id"]?.text ?? "", version: row["version"]?.text ?? "",
            unitCode: row["unit_code"]?.text ?? "", unitName: row["unit_name"]?.text ?? "", roundCode: row["round_code"]?.text ?? "",
            enumerator: row["enumerator"]?.text ?? "", status: row["status"]?.text ?? "", startedAt: row["started_at"]?.text ?? "",
            endedAt: row["ended_at"]?.text, updatedAt: row["updated_at"]?.text ?? "", utcOffsetMinutes: Int(row["utc_offset_minutes"]?.integer ?? 0),
            cursor: row["cursor"]?.text ?? "", language: row["language"]?.text, answers: Int(row["answers"]?.integer ?? 0))
    }

    /// One interview with its answers (in address order) and its audit trail (in order).
    public func interview(_ uuid: String) throws -> (summary: InterviewSummary, answers: [StoredAnswer], audit: [AuditEntry]) {
        guard let row = try database.rows(Self.summarySQL + " WHERE i.uuid = $1", [.text(uuid)]).first else { throw StoreError.unknownInterview(uuid) }
        let answers = try database.rows("SELECT * FROM answer WHERE interview_uuid = $1", [.text(uuid)]).compactMap { row -> StoredAnswer? in
            guard let address = Address.parse(row["address"]?.text ?? "") else { return nil }
            let number: Double? =
                switch row["number_value"] {
                case .real(let value): value
                case .integer(let value): Double(value)
                default: nil
                }
            return StoredAnswer(
                address: address, stored: StoredValue(kind: row["kind"]?.text ?? "", text: row["text_value"]?.text ?? "", number: number),
                origin: row["origin"]?.text ?? "", relevant: (row["relevant"]?.integer ?? 0) != 0, confirmation: row["confirmation"]?.text,
                updatedAt: row["updated_at"]?.text ?? "")
        }
        let audit = try database.rows("SELECT * FROM audit_log WHERE interview_uuid = $1 ORDER BY seq", [.text(uuid)]).map { row in
            AuditEntry(
                sequence: row["seq"]?.integer ?? 0, at: row["at"]?.text ?? "", utcOffsetMinutes: Int(row["utc_offset_minutes"]?.integer ?? 0),
                event: row["event"]?.text ?? "", address: row["address"]?.text, oldValue: row["old_value"]?.text, newValue: row["new_value"]?.text,
                detail: row["detail"]?.text)
        }
        return (Self.summary(row), answers, audit)
    }

    /// The stored text of a questionnaire version.
    public func definition(formID: String, version: String) throws -> String? {
        try database.rows("SELECT definition FROM questionnaire WHERE form_id = $1 AND version = $2", [.text(formID), .text(version)]).first?["definition"]?
            .text
    }

    public func approve(_ uuid: String, by reviewer: String, comment: String?, at now: Timestamp) throws {
        try review(uuid, status: "approved", detail: "by \(reviewer)" + (comment.map { ": \($0)" } ?? ""), at: now)
    }

    public func reject(_ uuid: String, by reviewer: String, comment: String, at now: Timestamp) throws {
        try review(uuid, status: "rejected", detail: comment + " (\(reviewer))", at: now)
    }

    /// As the SQLite store reviews: only a completed, approved or rejected interview; the review makes this
    /// version the newest, so that it wins when it reaches the device.
    private func review(_ uuid: String, status: String, detail: String, at now: Timestamp) throws {
        try database.transaction {
            guard let current = try database.rows("SELECT status FROM interview WHERE uuid = $1 FOR UPDATE", [.text(uuid)]).first?["status"]?.text else {
                throw StoreError.unknownInterview(uuid)
            }
            guard ["completed", "approved", "rejected"].contains(current) else { throw StoreError.notReviewable(uuid: uuid, status: current) }
            try database.execute("UPDATE interview SET status = $1, updated_at = $2 WHERE uuid = $3", [.text(status), .text(now.iso8601), .text(uuid)])
            try appendAudit(uuid, at: now, event: status, detail: detail)
        }
    }

    /// As the SQLite store resolves a duplicate: the others of the same questionnaire, unit and round set aside.
    @discardableResult
    public func resolve(keeping uuid: String, reason: String, at now: Timestamp) throws -> [String] {
        try database.transaction {
            guard let kept = try database.rows("SELECT form_id, unit_code, round_code FROM interview WHERE uuid = $1", [.text(uuid)]).first else {
                throw StoreError.unknownInterview(uuid)
            }
            let others = try database.rows(
                """
                SELECT uuid FROM interview WHERE form_id = $1 AND unit_code = $2 AND round_code = $3 AND uuid <> $4 AND status <> 'discarded'
                ORDER BY uuid COLLATE "C" FOR UPDATE
                """, [kept["form_id"] ?? .null, kept["unit_code"] ?? .null, kept["round_code"] ?? .null, .text(uuid)]
            ).compactMap { $0["uuid"]?.text }
            guard !others.isEmpty else { throw StoreError.notADuplicate(uuid) }
            for other in others {
                try database.execute("UPDATE interview SET status = 'discarded', updated_at = $1 WHERE uuid = $2", [.text(now.iso8601), .text(other)])
                try appendAudit(other, at: now, event: "discarded", detail: "duplicate of \(uuid): \(reason)")
            }
            try appendAudit(uuid, at: now, event: "kept", detail: "over \(others.joined(separator: ", ")): \(reason)")
            return others
        }
    }

    /// An event at the end of an interview's trail.
    func appendAudit(_ uuid: String, at now: Timestamp, event: String, detail: String?) throws {
        try database.execute(
            """
            INSERT INTO audit_log (interview_uuid, seq, at, utc_offset_minutes, event, detail)
            SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM audit_log WHERE interview_uuid = $1
            """, [.text(uuid), .text(now.iso8601), .integer(Int64(now.offsetMinutes)), .text(event), detail.map(SQLValue.text) ?? .null])
    }
}
