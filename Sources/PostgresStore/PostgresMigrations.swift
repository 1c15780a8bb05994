/// The store's numbered migrations in PostgreSQL's dialect: the same identifiers and the same tables and columns
/// as SQLite's (Sources/Store/Migrations), so that the same operations read both. No PostgreSQL store predates
/// version 0.12, so each step creates its tables in their present shape; 003 (which re-keyed SQLite's audit log)
/// finds it keyed from 001 and has nothing to do. Frozen like SQLite's: a change is a new step in both.
enum PostgresMigrations {
    static let steps: [(identifier: String, sql: String)] = [
        (
            "001-create-schema",
            """
            CREATE TABLE questionnaire (
                id BIGSERIAL PRIMARY KEY,
                form_id TEXT NOT NULL,
                version TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                definition TEXT NOT NULL,
                added_at TEXT NOT NULL,
                UNIQUE (form_id, version)
            );
            CREATE TABLE round (
                code TEXT PRIMARY KEY,
                starts_on TEXT,
                ends_on TEXT
            );
            CREATE TABLE unit (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                level TEXT NOT NULL,
                parent_code TEXT REFERENCES unit(code) DEFERRABLE INITIALLY DEFERRED,
                attributes TEXT NOT NULL DEFAULT '{}',
                position BIGINT NOT NULL
            );
            CREATE INDEX unit_level ON unit(level);
            CREATE INDEX unit_parent ON unit(parent_code);
            CREATE TABLE interview (
                uuid TEXT PRIMARY KEY,
                questionnaire_id BIGINT NOT NULL REFERENCES questionnaire(id),
                form_id TEXT NOT NULL,
                unit_code TEXT NOT NULL REFERENCES unit(code) DEFERRABLE INITIALLY DEFERRED,
                round_code TEXT NOT NULL REFERENCES round(code),
                enumerator TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                updated_at TEXT NOT NULL,
                utc_offset_minutes BIGINT NOT NULL,
                cursor TEXT NOT NULL DEFAULT '',
                language TEXT
            );
            CREATE INDEX interview_unit_round ON interview(form_id, unit_code, round_code);
            CREATE TABLE answer (
                interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                address TEXT NOT NULL,
                name TEXT NOT NULL,
                indices TEXT NOT NULL,
                kind TEXT NOT NULL,
                text_value TEXT NOT NULL,
                number_value DOUBLE PRECISION,
                origin TEXT NOT NULL,
                relevant BIGINT NOT NULL,
                confirmation TEXT,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (interview_uuid, address)
            );
            CREATE TABLE audit_log (
                interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                seq BIGINT NOT NULL,
                at TEXT NOT NULL,
                utc_offset_minutes BIGINT NOT NULL,
                event TEXT NOT NULL,
                address TEXT,
                old_value TEXT,
                new_value TEXT,
                detail TEXT,
                PRIMARY KEY (interview_uuid, seq)
            );
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            """
        ),
        (
            "002-import-log",
            """
            CREATE TABLE import_log (
                id BIGSERIAL PRIMARY KEY,
                source TEXT NOT NULL,
                source_sha256 TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                new_interviews BIGINT NOT NULL,
                updated_interviews BIGINT NOT NULL,
                unchanged_interviews BIGINT NOT NULL,
                duplicate_interviews BIGINT NOT NULL,
                rejected_interviews BIGINT NOT NULL,
                details TEXT NOT NULL
            );
            """
        ),
        ("003-keyed-audit-log", ""),
        (
            "004-step-journal",
            """
            CREATE TABLE step_journal (
                id BIGSERIAL PRIMARY KEY,
                interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                step TEXT NOT NULL
            );
            """
        ),
        (
            "005-attachments",
            """
            CREATE TABLE attachment (
                interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                address TEXT NOT NULL,
                file_name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                content BYTEA NOT NULL,
                added_at TEXT NOT NULL,
                PRIMARY KEY (interview_uuid, address)
            );
            """
        ),
        (
            "006-server",
            """
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
            );
            CREATE TABLE sync_ack (
                server TEXT NOT NULL,
                interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                updated_at TEXT NOT NULL,
                audit_entries BIGINT NOT NULL,
                acknowledged_at TEXT NOT NULL,
                PRIMARY KEY (server, interview_uuid)
            );
            """
        ),
    ]
}
