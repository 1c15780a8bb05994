import ArgumentParser
import Foundation
import Interview
import PostgresStore
import Store

/// `--db PATH`, shared by every command that reads or writes a store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file (interviews, show, approve, reject, indicators, did and export also read postgres://… central stores).", valueName: "path"))
    var db: String = "data/pantau.sqlite"

    /// Opens the store, creating it (and its folder) when missing: for the commands that write.
    func openCreating() throws -> ResponseStore { try ResponseStore(path: db) }

    /// Opens a store for the supervisor's and analyst's commands that read it (and approve or reject): an SQLite
    /// file that must exist, or a central PostgreSQL store named by a `postgres://` URL.
    func openReading() throws -> any StoreReading {
        if PostgresLocation.isPostgres(db) { return try PostgresStore(url: db) }
        return try openExisting()
    }

    /// Opens a store that must exist: a command that only reads, or changes what is already there, never creates one
    /// (a typo in --db would otherwise leave an empty store behind and report that it holds nothing).
    func openExisting() throws -> ResponseStore {
        guard FileManager.default.fileExists(atPath: db) else { throw CommandError.noSuchStore(db) }
        return try ResponseStore(path: db)
    }
}

/// Output formats for listings.
enum ListFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

/// Now, from the system clock and time zone.
@Sendable func systemClock() -> Timestamp { Timestamp.now() }

/// A plain text table: columns padded to their widest cell.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces) + "\n"
    }
    return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
}

func jsonText(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
}
