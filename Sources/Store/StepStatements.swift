import GRDB
import GRDBSQLite

extension SQLValue {
    static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
}

/// The per-answer write path, bound with SQLite's own calls.
///
/// An enumerator waits for every answer's commit. GRDB's argument arrays box each value and its `write` compiles
/// BEGIN and COMMIT anew every time; together that was as much time as the audit trail's own writes
/// (Scripts/bench.sh). Here the statements are GRDB's cached ones, so GRDB still owns their lifetime, and each
/// is reset after use, so GRDB finds it as it left it.
extension Statement {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func bind(_ values: [SQLValue], _ db: Database) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let code =
                switch value {
                case .text(let text): sqlite3_bind_text(statement, position, text, -1, Self.transient)
                case .integer(let number): sqlite3_bind_int64(statement, position, number)
                case .real(let number): sqlite3_bind_double(statement, position, number)
                case .null: sqlite3_bind_null(statement, position)
                case .blob(let data):
                    data.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), Self.transient) }
                }
            guard code == SQLITE_OK else { throw failure(code, db) }
        }
    }

    private func failure(_ code: Int32, _ db: Database) -> DatabaseError {
        let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [SQLValue], _ db: Database) throws {
        try bind(values, db)
        let code = sqlite3_step(sqliteStatement)
        sqlite3_reset(sqliteStatement)
        guard code == SQLITE_DONE else { throw failure(code, db) }
    }

    /// The first column of the first row, as an integer.
    func integer(_ values: [SQLValue], _ db: Database) throws -> Int64? {
        try bind(values, db)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        switch code {
        case SQLITE_ROW: return sqlite3_column_type(sqliteStatement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(sqliteStatement, 0)
        case SQLITE_DONE: return nil
        default: throw failure(code, db)
        }
    }
}

extension Database {
    /// One transaction (BEGIN IMMEDIATE, as GRDB's writes) through cached statements; rolled back on any error.
    func inStepTransaction(_ body: () throws -> Void) throws {
        try cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").run([], self)
        do {
            try body()
            try cachedStatement(sql: "COMMIT TRANSACTION").run([], self)
        } catch {
            try? rollback()
            throw error
        }
    }
}
