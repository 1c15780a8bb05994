import Foundation
import Interview
import Store

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A device's side of a sync: every interview the server has not acknowledged in its present version goes up in
/// batches (each taken in by the server in one transaction and acknowledged interview by interview), then the
/// device's units come down with their interviews and are merged as `pantau merge` would. A dropped connection or
/// a killed server loses nothing: what was not acknowledged is sent again, and the server takes an interview it
/// already holds as unchanged.
public struct SyncClient {
    public let server: URL
    let token: String
    let store: ResponseStore
    let batchSize: Int

    /// What a sync did.
    public struct Report: Sendable {
        public var sent = 0
        public var acknowledged = 0
        /// Interviews the server refused, with its reason (a unit not assigned, a questionnaire changed under its
        /// version): they stay on the device and are sent again next time.
        public var refused: [(uuid: String, reason: String)] = []
        public var duplicates: [(uuid: String, reason: String)] = []
        /// What the download brought: new and updated interviews (a rejection sent back is an update).
        public var received: MergeSummary?
    }

    /// Why a sync stopped.
    public enum Failure: Error, CustomStringConvertible {
        case unreachable(String, reason: String)
        case refused(status: Int, message: String)
        case badReply(String)

        public var description: String {
            switch self {
            case .unreachable(let url, let reason): "cannot reach the server at \(url): \(reason)"
            case .refused(let status, let message): "the server refused (HTTP \(status)): \(message)"
            case .badReply(let what): "the server's reply could not be read: \(what)"
            }
        }
    }

    public init(server: URL, token: String, store: ResponseStore, batchSize: Int = 50) {
        (self.server, self.token, self.store, self.batchSize) = (server, token, store, max(1, batchSize))
    }

    /// The server as acknowledgements name it: scheme, host and port.
    var serverKey: String {
        var components = URLComponents(url: server, resolvingAgainstBaseURL: false) ?? URLComponents()
        components.path = ""
        components.query = nil
        return components.string ?? server.absoluteString
    }

    /// Uploads, then downloads; `progress` hears (interviews sent, interviews to send) after each batch.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        var report = Report()
        _ = try send("GET", "/v1/me")
        let pending = try store.unacknowledged(server: serverKey)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        progress(0, pending.count)
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            let chunk = Array(pending[start..<min(pending.count, start + batchSize)])
            let file = scratch.appendingPathComponent("batch-\(start).sqlite")
            try store.writeBatch(to: file.path, interviews: chunk)
            let (_, body) = try send("POST", "/v1/batches", body: try Data(contentsOf: file), contentType: "application/vnd.pantau.batch+sqlite")
            guard let receipt = try? JSONDecoder().decode(BatchReceipt.self, from: body) else { throw Failure.badReply("no receipt for the batch") }
            let taken = receipt.decisions.filter { $0.outcome != "rejected" }.map(\.uuid)
            try store.acknowledge(server: serverKey, interviews: taken, at: Self.now())
            report.sent += chunk.count
            report.acknowledged += taken.count
            report.refused += receipt.decisions.filter { $0.outcome == "rejected" }.map { ($0.uuid, $0.reason) }
            report.duplicates += receipt.decisions.filter { $0.outcome == "duplicate" }.map { ($0.uuid, $0.reason) }
            progress(report.sent, pending.count)
        }
        let (_, download) = try send("GET", "/v1/batches/download")
        let file = scratch.appendingPathComponent("download.sqlite")
        try download.write(to: file)
        report.received = try store.merge(from: file.path, at: Self.now(), origin: "sync from \(serverKey)")
        // What came down and was taken is what the server holds: acknowledged as such. An interview left unchanged
        // may be newer here than there, and goes up next time.
        if let received = report.received {
            let taken = received.decisions.filter { [.new, .updated, .duplicate].contains($0.outcome) }.map(\.uuid)
            try store.acknowledge(server: serverKey, interviews: taken, at: Self.now())
        }
        return report
    }

    static func now() -> Timestamp { Timestamp(seconds: Date().timeIntervalSince1970, offsetMinutes: TimeZone.current.secondsFromGMT() / 60) }

    /// One request; a reply other than 2xx is a refusal with the server's message.
    func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) throws -> (Int, Data) {
        var request = URLRequest(url: server.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = body
        request.timeoutInterval = 600
        let box = ReplyBox()
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
        }.resume()
        let reply = box.wait()
        if let error = reply.error { throw Failure.unreachable(server.absoluteString, reason: error.localizedDescription) }
        guard let status = reply.status else { throw Failure.badReply("no HTTP status") }
        let data = reply.data ?? Data()
        guard (200..<300).contains(status) else {
            throw Failure.refused(status: status, message: Self.message(in: data) ?? HTTPURLResponse.localizedString(forStatusCode: status))
        }
        return (status, data)
    }

    /// The message of the server's JSON error (`{"error": {"message": "…"}}`).
    static func message(in data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object["error"] as? [String: Any])?["message"] as? String
    }
}

/// A reply handed from URLSession's queue to the waiting caller.
private final class ReplyBox: @unchecked Sendable {
    // Unchecked: every field is written once under `lock`, before `done` is signalled, and read after.
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var reply: (data: Data?, status: Int?, error: (any Error)?) = (nil, nil, nil)

    func set(data: Data?, status: Int?, error: (any Error)?) {
        lock.withLock { reply = (data, status, error) }
        done.signal()
    }

    func wait() -> (data: Data?, status: Int?, error: (any Error)?) {
        done.wait()
        return lock.withLock { reply }
    }
}
