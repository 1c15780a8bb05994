import Foundation
import Interview
import PostgresStore
import Questionnaire
import Store

/// A central store as the server and `pantau server` use it: an SQLite file (`ResponseStore`) or PostgreSQL
/// (`PostgresStore`), with the same operations and the same rules.
public protocol CentralDatabase: AnyObject {
    func addUser(name: String, role: ServerRole, tokenSHA256: String, at now: Timestamp) throws
    func revokeUser(name: String, at now: Timestamp) throws
    func user(tokenSHA256: String) throws -> ServerUser?
    func users() throws -> [ServerUser]
    @discardableResult func assign(name: String, units codes: [String], within: Bool) throws -> Int
    func assignedUnits(name: String) throws -> Set<String>
    func interviews(round: String?, status: String?) throws -> [InterviewSummary]
    func approve(_ uuid: String, by reviewer: String, comment: String?, at now: Timestamp) throws
    func reject(_ uuid: String, by reviewer: String, comment: String, at now: Timestamp) throws
    func appliedMigrations() throws -> [String]
    /// A batch file taken in with merge's rules, in one transaction.
    func takeIn(batch path: String, at now: Timestamp, origin: String, refusing: (String) -> String?) throws -> MergeSummary
    /// A batch file written at `path` with the units given (all when nil) and their finished interviews.
    func writeDownload(forUnits codes: Set<String>?, to path: String) throws
    /// Sample-frame units added or updated, all or nothing.
    func importUnits(_ units: [FrameUnit]) throws -> Int
}

/// Opens the central store a `--database` names: a `postgres://` URL or an SQLite file (created when missing).
public func openCentralDatabase(_ location: String) throws -> any CentralDatabase {
    if PostgresLocation.isPostgres(location) { return try PostgresStore(url: location) }
    return try ResponseStore(path: location)
}

extension ResponseStore: CentralDatabase {
    public func takeIn(batch path: String, at now: Timestamp, origin: String, refusing: (String) -> String?) throws -> MergeSummary {
        try merge(from: path, at: now, origin: origin, refusing: refusing)
    }

    public func writeDownload(forUnits codes: Set<String>?, to path: String) throws {
        try writeBatch(to: path, interviews: try interviews(ofUnits: codes), units: codes ?? [])
    }

    public func importUnits(_ units: [FrameUnit]) throws -> Int {
        let (added, updated) = try importFrame(units)
        return added + updated
    }
}

extension PostgresStore: CentralDatabase {
    public func takeIn(batch path: String, at now: Timestamp, origin: String, refusing: (String) -> String?) throws -> MergeSummary {
        try merge(try BatchContents.read(path: path), at: now, origin: origin, refusing: refusing)
    }

    public func writeDownload(forUnits codes: Set<String>?, to path: String) throws {
        try batch(forUnits: codes).write(to: path)
    }

    /// The frame's checks are the SQLite store's (parents present, no loops, one level per depth): the units are
    /// imported there first, into a scratch store holding this store's frame, and what passes comes across as a
    /// batch of units.
    public func importUnits(_ units: [FrameUnit]) throws -> Int {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-frame-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scratch = try ResponseStore(path: folder.appendingPathComponent("frame.sqlite").path)
        let here = folder.appendingPathComponent("here.sqlite").path
        try batch(forUnits: nil).write(to: here)
        _ = try scratch.merge(from: here, at: Timestamp.now())
        _ = try scratch.importFrame(units)
        let out = folder.appendingPathComponent("units.sqlite").path
        try scratch.writeBatch(to: out, interviews: [], units: Set(units.map(\.code)))
        try importUnits(try BatchContents.read(path: out).units)
        return units.count
    }
}
