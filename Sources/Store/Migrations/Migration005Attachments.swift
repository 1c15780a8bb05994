import GRDB

/// Attachments: the photos, recordings and files answering attachment questions, kept in the store beside the
/// answers (one file per interview and address), so that they travel with the interview and survive as it does.
enum Migration005Attachments {
    static let identifier = "005-attachments"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
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
                """)
    }
}
