import Foundation
import GRDB

/// A value of one column, as both SQLite and PostgreSQL hold it.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(data)
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let data): data.databaseValue
        }
    }

    public var text: String? {
        switch self {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .null, .blob: nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let number): number
        case .real(let number): Int64(exactly: number)
        case .text(let text): Int64(text)
        case .null, .blob: nil
        }
    }
}

/// One row: column name → value.
public typealias SQLRow = [String: SQLValue]

/// What a batch holds, read into memory and checked as `merge` checks a field store: for a central store that is
/// not SQLite (PostgreSQL), which takes it in row by row. Columns are the store's own, by name.
public struct BatchContents: Sendable {
    public var questionnaires: [SQLRow] = []
    public var rounds: [SQLRow] = []
    /// In the frame's order.
    public var units: [SQLRow] = []
    /// Oldest first.
    public var interviews: [SQLRow] = []
    public var answers: [String: [SQLRow]] = [:]
    /// Each interview's trail in order.
    public var audit: [String: [SQLRow]] = [:]
    public var attachments: [String: [SQLRow]] = [:]
    /// The SHA-256 of the file it was read from.
    public var sha256 = ""

    public init() {}

    /// Reads a batch (any pantau store), with every check `merge` makes: a pantau store of this schema or an earlier
    /// one, SQLite's integrity check, definitions that hash to their stored hash and parse, statuses pantau writes,
    /// references that resolve.
    public static func read(path: String) throws -> BatchContents {
        let source = try FieldStore(path: path)
        defer { source.discard() }
        return try source.contents()
    }

    /// Writes the contents as a new batch file at `path` (which must not exist), a pantau store like any other.
    public func write(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "a batch is written to a new file, and this one exists")
        }
        let batch = try ResponseStore(path: path)
        try batch.wrap {
            try batch.queue.write { db in
                func insert(_ table: String, _ rows: [SQLRow]) throws {
                    for row in rows {
                        let columns = row.keys.sorted()
                        try db.execute(
                            sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                            arguments: StatementArguments(columns.map { row[$0]!.databaseValue }))
                    }
                }
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                try insert("questionnaire", questionnaires)
                try insert("round", rounds)
                try insert("unit", units)
                try insert("interview", interviews)
                for interview in interviews {
                    guard let uuid = interview["uuid"]?.text else { continue }
                    try insert("answer", answers[uuid] ?? [])
                    try insert("audit_log", audit[uuid] ?? [])
                    try insert("attachment", attachments[uuid] ?? [])
                }
            }
            _ = try batch.queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
    }
}

extension FieldStore {
    /// Every row of the checked copy, as plain values.
    func contents() throws -> BatchContents {
        var contents = BatchContents()
        contents.sha256 = sha256
        func plain(_ row: Row) -> SQLRow {
            Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, SQLValue(row[$0] as DatabaseValue)) })
        }
        contents.questionnaires = questionnaires.map(plain)
        contents.rounds = rounds.map(plain)
        contents.units = units.map(plain)
        contents.interviews = interviews.map(plain)
        try read { db in
            func grouped(_ sql: String) throws -> [String: [SQLRow]] {
                Dictionary(grouping: try Row.fetchAll(db, sql: sql).map(plain)) { $0["interview_uuid"]?.text ?? "" }
            }
            contents.answers = try grouped("SELECT * FROM answer ORDER BY interview_uuid, address")
            contents.audit = try grouped("SELECT * FROM audit_log ORDER BY interview_uuid, seq")
            contents.attachments = try grouped("SELECT * FROM attachment ORDER BY interview_uuid, address")
        }
        return contents
    }
}
