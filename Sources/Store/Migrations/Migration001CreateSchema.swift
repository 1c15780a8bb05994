import GRDB

/// The first schema. Frozen: never edit a released migration; add a new one.
enum Migration001CreateSchema {
    static let identifier = "001-create-schema"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE questionnaire (
                    id INTEGER PRIMARY KEY,
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
                    parent_code TEXT REFERENCES unit(code),
                    attributes TEXT NOT NULL DEFAULT '{}',
                    position INTEGER NOT NULL
                );
                CREATE INDEX unit_level ON unit(level);
                CREATE INDEX unit_parent ON unit(parent_code);

                CREATE TABLE interview (
                    uuid TEXT PRIMARY KEY,
                    questionnaire_id INTEGER NOT NULL REFERENCES questionnaire(id),
                    form_id TEXT NOT NULL,
                    unit_code TEXT NOT NULL REFERENCES unit(code),
                    round_code TEXT NOT NULL REFERENCES round(code),
                    enumerator TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    updated_at TEXT NOT NULL,
                    utc_offset_minutes INTEGER NOT NULL,
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
                    number_value REAL,
                    origin TEXT NOT NULL,
                    relevant INTEGER NOT NULL,
                    confirmation TEXT,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (interview_uuid, address)
                ) WITHOUT ROWID;

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                    at TEXT NOT NULL,
                    utc_offset_minutes INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    address TEXT,
                    old_value TEXT,
                    new_value TEXT,
                    detail TEXT
                );
                CREATE INDEX audit_log_interview ON audit_log(interview_uuid, id);

                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
    }
}
