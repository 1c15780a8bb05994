import GRDB

/// Merging field stores: the import log, one row per merged file with its summary and every decision.
enum Migration002ImportLog {
    static let identifier = "002-import-log"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE import_log (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    source_sha256 TEXT NOT NULL,
                    imported_at TEXT NOT NULL,
                    new_interviews INTEGER NOT NULL,
                    updated_interviews INTEGER NOT NULL,
                    unchanged_interviews INTEGER NOT NULL,
                    duplicate_interviews INTEGER NOT NULL,
                    rejected_interviews INTEGER NOT NULL,
                    details TEXT NOT NULL
                );
                """)
    }
}
