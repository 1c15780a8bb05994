import Foundation
import GRDB
import Interview

/// Batches: small stores that carry interviews between a device and a central server. A batch is a pantau store
/// like any other (same migrations, same checks when it is read), so the server takes one in with `merge` and a
/// device takes the server's back the same way: one set of rules for what is new, newer, a duplicate or refused.
extension ResponseStore {
    /// Writes a batch at `path` (which must not exist): the chosen interviews with their answers, audit trails and
    /// attachments; every questionnaire definition and round; the chosen units and the units above them (so that the
    /// frame's references hold), and the units of the interviews.
    public func writeBatch(to path: String, interviews uuids: [String], units codes: Set<String> = []) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "a batch is written to a new file, and this one exists")
        }
        _ = try wrap { try queue.writeWithoutTransaction { try $0.checkpoint(.full) } }
        let batch = try ResponseStore(path: path)
        try batch.wrap {
            try batch.queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS origin", arguments: [self.path])
                defer { try? db.execute(sql: "DETACH DATABASE origin") }
                try db.inTransaction {
                    try db.execute(sql: "CREATE TEMP TABLE chosen (uuid TEXT PRIMARY KEY)")
                    try db.execute(sql: "CREATE TEMP TABLE chosen_unit (code TEXT PRIMARY KEY)")
                    for uuid in uuids { try db.execute(sql: "INSERT OR IGNORE INTO temp.chosen VALUES (?)", arguments: [uuid]) }
                    for code in codes { try db.execute(sql: "INSERT OR IGNORE INTO temp.chosen_unit VALUES (?)", arguments: [code]) }
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO temp.chosen_unit SELECT unit_code FROM origin.interview WHERE uuid IN (SELECT uuid FROM temp.chosen);
                            INSERT INTO main.questionnaire SELECT * FROM origin.questionnaire;
                            INSERT INTO main.round SELECT * FROM origin.round;
                            WITH RECURSIVE up(code) AS (
                                SELECT code FROM temp.chosen_unit
                                UNION SELECT u.parent_code FROM origin.unit u JOIN up ON u.code = up.code WHERE u.parent_code IS NOT NULL
                            )
                            INSERT INTO main.unit SELECT * FROM origin.unit WHERE code IN (SELECT code FROM up);
                            INSERT INTO main.interview SELECT * FROM origin.interview WHERE uuid IN (SELECT uuid FROM temp.chosen);
                            INSERT INTO main.answer SELECT * FROM origin.answer WHERE interview_uuid IN (SELECT uuid FROM temp.chosen);
                            INSERT INTO main.audit_log SELECT * FROM origin.audit_log WHERE interview_uuid IN (SELECT uuid FROM temp.chosen);
                            INSERT INTO main.attachment SELECT * FROM origin.attachment WHERE interview_uuid IN (SELECT uuid FROM temp.chosen);
                            DROP TABLE temp.chosen;
                            DROP TABLE temp.chosen_unit;
                            """)
                    return .commit
                }
            }
            _ = try batch.queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
    }

    /// The interviews a server has not acknowledged in their present version (a newer save, or a longer audit trail,
    /// is a new version), oldest first. Drafts stay on the device until they are finished.
    public func unacknowledged(server: String) throws -> [String] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT i.uuid FROM interview i
                        LEFT JOIN sync_ack a ON a.server = ? AND a.interview_uuid = i.uuid
                        WHERE i.status != 'draft'
                          AND (a.interview_uuid IS NULL OR a.updated_at != i.updated_at
                               OR a.audit_entries != (SELECT COUNT(*) FROM audit_log l WHERE l.interview_uuid = i.uuid))
                        ORDER BY i.updated_at, i.uuid
                        """, arguments: [server])
            }
        }
    }

    /// Records that a server holds these interviews in the versions this store has now.
    public func acknowledge(server: String, interviews uuids: [String], at now: Timestamp) throws {
        try wrap {
            try queue.write { db in
                for uuid in uuids {
                    try db.execute(
                        sql: """
                            INSERT INTO sync_ack (server, interview_uuid, updated_at, audit_entries, acknowledged_at)
                            SELECT ?, uuid, updated_at, (SELECT COUNT(*) FROM audit_log WHERE interview_uuid = ?2), ? FROM interview WHERE uuid = ?2
                            ON CONFLICT (server, interview_uuid) DO UPDATE SET
                                updated_at = excluded.updated_at, audit_entries = excluded.audit_entries, acknowledged_at = excluded.acknowledged_at
                            """, arguments: [server, uuid, now.iso8601])
                }
            }
        }
    }

    /// The interviews of some units (every round; all units when nil), for a device's download: last round's answers
    /// for previous(), and interviews a supervisor sent back. Drafts and discarded interviews stay where they are.
    public func interviews(ofUnits codes: Set<String>?) throws -> [String] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT uuid, unit_code FROM interview WHERE status NOT IN ('draft', 'discarded') ORDER BY uuid")
                    .filter { codes?.contains($0["unit_code"]) ?? true }.map { $0["uuid"] }
            }
        }
    }
}
