import GRDB

/// The central server's tables, in every store (a device's stay empty but for its sync acknowledgements): the
/// people who may connect, by the SHA-256 of their token (the token itself is shown once and never stored); the
/// units each enumerator is assigned; and on a device, which version of each interview a server has acknowledged.
enum Migration006Server {
    static let identifier = "006-server"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE server_user (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('enumerator', 'supervisor', 'analyst')),
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                );

                CREATE TABLE assignment (
                    user_name TEXT NOT NULL REFERENCES server_user(name),
                    unit_code TEXT NOT NULL REFERENCES unit(code),
                    PRIMARY KEY (user_name, unit_code)
                ) WITHOUT ROWID;

                CREATE TABLE sync_ack (
                    server TEXT NOT NULL,
                    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                    updated_at TEXT NOT NULL,
                    audit_entries INTEGER NOT NULL,
                    acknowledged_at TEXT NOT NULL,
                    PRIMARY KEY (server, interview_uuid)
                ) WITHOUT ROWID;
                """)
    }
}
