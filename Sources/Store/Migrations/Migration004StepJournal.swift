import GRDB

/// The step journal: each interview step durable as one row until it is written into the tables
/// (see `StepJournal`).
enum Migration004StepJournal {
    static let identifier = "004-step-journal"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE step_journal (
                    id INTEGER PRIMARY KEY,
                    interview_uuid TEXT NOT NULL REFERENCES interview(uuid),
                    step TEXT NOT NULL
                );
                """)
    }
}
