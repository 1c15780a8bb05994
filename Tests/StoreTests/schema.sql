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
CREATE TABLE assignment (
    user_name TEXT NOT NULL REFERENCES server_user(name),
    unit_code TEXT NOT NULL REFERENCES unit(code),
    PRIMARY KEY (user_name, unit_code)
) WITHOUT ROWID;
CREATE TABLE attachment (
    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
    address TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (interview_uuid, address)
);
CREATE TABLE "audit_log" (
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
CREATE TABLE server_user (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('enumerator', 'supervisor', 'analyst')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE step_journal (
    id INTEGER PRIMARY KEY,
    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
    step TEXT NOT NULL
);
CREATE TABLE sync_ack (
    server TEXT NOT NULL,
    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
    updated_at TEXT NOT NULL,
    audit_entries INTEGER NOT NULL,
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (server, interview_uuid)
) WITHOUT ROWID;
CREATE TABLE unit (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT REFERENCES unit(code),
    attributes TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL
);
CREATE INDEX interview_unit_round ON interview(form_id, unit_code, round_code);
CREATE INDEX unit_level ON unit(level);
CREATE INDEX unit_parent ON unit(parent_code);
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
