import Foundation
import Hummingbird
import Interview
import Store

/// The central store, used from the server's tasks one operation at a time on a queue of its own: the store's
/// calls block (SQLite, or one PostgreSQL connection waited on), and must not hold the tasks that serve other
/// devices; batches are taken in one at a time in any case.
final class CentralStoreAccess: @unchecked Sendable {
    // Unchecked: `store` is touched only on `queue`, a serial queue.
    private let store: any CentralDatabase
    private let queue = DispatchQueue(label: "pantau.central-store")
    private let scratch: URL

    init(path: String) throws {
        store = try openCentralDatabase(path)
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// Runs a store operation on the store's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable (any CentralDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.store) }) }
        }
    }

    /// A device's batch taken in with merge's rules, in one transaction; an enumerator's interviews of units not
    /// assigned to them are refused, each with the reason. A file that is no batch is a bad request.
    func takeIn(batch: Data, from user: ServerUser) async throws -> Response {
        let file = scratch.appendingPathComponent("upload-\(UUID().uuidString).sqlite")
        try batch.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let summary: MergeSummary
        do {
            summary = try await run { store in
                let assigned = user.role == .enumerator ? try store.assignedUnits(name: user.name) : nil
                return try store.takeIn(batch: file.path, at: Timestamp.now(), origin: "sync from \(user.name)") { unit in
                    guard let assigned, !assigned.contains(unit) else { return nil }
                    return "unit \(unit) is not assigned to \(user.name)"
                }
            }
        } catch let error as StoreError {
            switch error {
            case .notAStore, .newerSchema, .missingDefinition, .contentRefused, .roundRefused, .cannotOpen:
                throw HTTPError(.badRequest, message: "the batch was refused: \(error)")
            default: throw error
            }
        }
        return try CentralServer.jsonValue(
            BatchReceipt(decisions: summary.decisions.map { .init(uuid: $0.uuid, outcome: $0.outcome.rawValue, reason: $0.reason) }))
    }

    /// What a device fetches: every questionnaire and round, its units (all for a supervisor) with their
    /// interviews of every round (last round's answers for previous(), and what a supervisor sent back).
    func batch(for user: ServerUser) async throws -> Data {
        let file = scratch.appendingPathComponent("download-\(UUID().uuidString).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
        }
        return try await run { store in
            let units = user.role == .enumerator ? try store.assignedUnits(name: user.name) : nil
            try store.writeDownload(forUnits: units, to: file.path)
            return try Data(contentsOf: file)
        }
    }
}
