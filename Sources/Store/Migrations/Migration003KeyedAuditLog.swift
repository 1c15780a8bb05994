import GRDB

/// The audit log keyed by interview and position, in one B-tree without a rowid.
///
/// An answer's commit then writes one audit page instead of three (the table, its interview index and
/// AUTOINCREMENT's counter in sqlite_sequence): each page is a frame in the write-ahead log written before the
/// fsync, and the per-answer commit is what an enumerator waits for. The order within an interview is its `seq`
/// (1, 2, 3, …); the old global id kept that order and nothing else, so it is carried over as a position.
enum Migration003KeyedAuditLog {
    static let identifier = "003-keyed-audit-log"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE audit_log_keyed (
                    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                    seq INTEGER NOT NULL,
                    at TEXT NOT NULL,
                    utc_offset_minutes INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    address TEXT,
                    old_value TEXT,
                    new_value TEXT,
                    detail TEXT,
                    PRIMARY KEY (interview_uuid, seq)
                ) WITHOUT ROWID;

                INSERT INTO audit_log_keyed (interview_uuid, seq, at, utc_offset_minutes, event, address, old_value, new_value, detail)
                SELECT interview_uuid, ROW_NUMBER() OVER (PARTITION BY interview_uuid ORDER BY id),
                       at, utc_offset_minutes, event, address, old_value, new_value, detail
                FROM audit_log;

                DROP TABLE audit_log;
                DELETE FROM sqlite_sequence WHERE name = 'audit_log';
                ALTER TABLE audit_log_keyed RENAME TO audit_log;

                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
    }
}
