import Foundation
import GRDB
import Interview
import Questionnaire

/// A pantau store: one SQLite file per device (WAL journal, synchronous=FULL, foreign keys on).
///
/// It migrates on open and offers only writes that keep its invariants: one interview per questionnaire,
/// unit and round; an append-only audit log; every interview step written in one transaction.
public final class ResponseStore {
    public let path: String
    let queue: DatabaseQueue

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Migration001CreateSchema.identifier, migrate: Migration001CreateSchema.migrate)
        migrator.registerMigration(Migration002ImportLog.identifier, migrate: Migration002ImportLog.migrate)
        migrator.registerMigration(Migration003KeyedAuditLog.identifier, migrate: Migration003KeyedAuditLog.migrate)
        migrator.registerMigration(Migration004StepJournal.identifier, migrate: Migration004StepJournal.migrate)
        migrator.registerMigration(Migration005Attachments.identifier, migrate: Migration005Attachments.migrate)
        migrator.registerMigration(Migration006Server.identifier, migrate: Migration006Server.migrate)
        return migrator
    }

    /// Opens (and creates, with its folder) a store, refusing damaged files and newer schemas.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create its folder")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // WAL is set here rather than by GRDB's `.wal`, whose set-up creates and drops a table whenever the log is
        // empty: that bumped the schema cookie on every open, so a store's bytes changed even when only read.
        // The journal mode is stored in the file, so it is written once, when a store is created.
        configuration.journalMode = .default
        configuration.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            // Every commit reaches the disk before the next prompt: power may fail at any moment. A queue keeps
            // this one connection.
            try queue.writeWithoutTransaction { db in
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                        throw StoreError.cannotOpen(path: path, reason: "SQLite could not use its write-ahead log here")
                    }
                }
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // The WAL keeps SQLite's checkpoint every 1,000 pages (4 MB): after a checkpoint the log is
                // rewritten in place, and a commit to a log that does not grow costs about half as much as one
                // that does, since fsync must then also write the file's new size (Scripts/bench.sh measures
                // it). The runner also checkpoints when a session ends; a killed process leaves the WAL, which
                // SQLite replays on the next open.
            }
            try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        } catch let error as DatabaseError {
            throw StoreError.notAStore(path: path, reason: error.message ?? "SQLite error \(error.resultCode.rawValue)")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        try migrate()
        // Steps a killed session left in the journal are written into the tables before anything is read.
        _ = try wrap { try queue.write { try StepJournal.apply($0) } }
    }

    /// Whether this store has journalled steps not yet written into the tables (see `StepJournal`).
    var journalPending = false

    private func migrate() throws {
        let migrator = Self.migrator
        do {
            let applied = try queue.read { db -> Set<String> in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if !tables.isEmpty, !tables.contains("grdb_migrations") {
                    throw StoreError.notAStore(path: path, reason: "it holds tables, but none of pantau's")
                }
                return try tables.isEmpty ? [] : migrator.appliedIdentifiers(db)
            }
            let known = Set(migrator.migrations)
            let unknown = applied.subtracting(known)
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown.sorted()) }
            try migrator.migrate(queue)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.notAStore(path: path, reason: error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// The names of the applied schema steps, in order.
    public func appliedMigrations() throws -> [String] {
        try wrap { try queue.read { try Self.migrator.appliedMigrations($0) } }
    }

    /// The schema as SQL, for documentation and the schema test.
    public func schemaSQL() throws -> String {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT sql || ';' FROM sqlite_master
                        WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                        ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name
                        """
                ).joined(separator: "\n")
            }
        }
    }

    /// Moves the write-ahead log into the database file (at the end of a session).
    public func checkpoint() throws {
        try wrap { _ = try queue.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
    }

    /// SQLite's own integrity check; "ok" when the file is sound.
    public func integrityCheck() throws -> [String] {
        try wrap { try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } }
    }

    /// Runs a store operation, turning SQLite's errors into store errors. Every operation first writes the steps
    /// this store has journalled into the tables, so that what it reads is whole; saving a step does not.
    func wrap<T>(applyingJournal: Bool = true, _ body: () throws -> T) throws -> T {
        do {
            if applyingJournal, journalPending {
                _ = try queue.write { try StepJournal.apply($0) }
                journalPending = false
            }
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            // The message names the statement's problem, never the values bound to it.
            throw StoreError.database(error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }
}

extension ResponseStore {
    /// SHA-256 of the store's content: every table's schema and rows (in rowid or primary-key order, each value
    /// tagged with its type), so that it is the same however often the store is opened and whatever the file's free
    /// pages or write-ahead log hold. Two stores with the same hash hold the same data.
    public func contentHash() throws -> String {
        try wrap {
            try queue.read { db in
                var hasher = ContentDigest.Hasher()
                let tables = try Row.fetchAll(
                    db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                for table in tables {
                    let name: String = table["name"], sql: String = table["sql"]
                    hasher.update("table \(name)\n\(sql)\n")
                    let order = sql.uppercased().contains("WITHOUT ROWID") ? "" : " ORDER BY rowid"
                    let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"\(order)")
                    while let row = try cursor.next() {
                        var bytes: [UInt8] = []
                        for value in row.databaseValues {
                            switch value.storage {
                            case .null: bytes += Array("N;".utf8)
                            case .int64(let number): bytes += Array("I\(number);".utf8)
                            case .double(let number): bytes += Array("D\(number.bitPattern);".utf8)
                            case .string(let text): bytes += Array("S\(text.utf8.count):".utf8) + Array(text.utf8) + [59]
                            case .blob(let data): bytes += Array("B\(data.count):".utf8) + [UInt8](data) + [59]
                            }
                        }
                        bytes.append(10)
                        hasher.update(bytes)
                    }
                }
                return ContentDigest.hexDigits(hasher.finish())
            }
        }
    }
}
