import AsyncHTTPClient
import Foundation
import Interview
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import Store

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
    let trusted: [NIOSSLCertificate]?

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
        case badCertificates(String, reason: String)

        public var description: String {
            switch self {
            case .unreachable(let url, let reason): "cannot reach the server at \(url): \(reason)"
            case .refused(let status, let message): "the server refused (HTTP \(status)): \(message)"
            case .badReply(let what): "the server's reply could not be read: \(what)"
            case .badCertificates(let path, let reason): "cannot read the certificates in \(path): \(reason)"
            }
        }
    }

    public init(server: URL, token: String, store: ResponseStore, batchSize: Int = 50, trusting certificates: [NIOSSLCertificate]? = nil) {
        (self.server, self.token, self.store, self.batchSize, self.trusted) = (server, token, store, max(1, batchSize), certificates)
    }

    /// Certificates to trust for an https server (a PEM file's), beside or instead of the system's roots.
    public static func certificates(inPEMFile path: String) throws -> [NIOSSLCertificate] {
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(path)
            guard !certificates.isEmpty else { throw Failure.badCertificates(path, reason: "it holds no PEM certificate") }
            return certificates
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.badCertificates(path, reason: "\(error)")
        }
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
            try store.acknowledge(server: serverKey, interviews: taken, at: Timestamp.now())
            report.sent += chunk.count
            report.acknowledged += taken.count
            report.refused += receipt.decisions.filter { $0.outcome == "rejected" }.map { ($0.uuid, $0.reason) }
            report.duplicates += receipt.decisions.filter { $0.outcome == "duplicate" }.map { ($0.uuid, $0.reason) }
            progress(report.sent, pending.count)
        }
        let (_, download) = try send("GET", "/v1/batches/download")
        let file = scratch.appendingPathComponent("download.sqlite")
        try download.write(to: file)
        report.received = try store.merge(from: file.path, at: Timestamp.now(), origin: "sync from \(serverKey)")
        // What came down and was taken is what the server holds: acknowledged as such. An interview left unchanged
        // may be newer here than there, and goes up next time.
        if let received = report.received {
            let taken = received.decisions.filter { [.new, .updated, .duplicate].contains($0.outcome) }.map(\.uuid)
            try store.acknowledge(server: serverKey, interviews: taken, at: Timestamp.now())
        }
        return report
    }

    /// One request; a reply other than 2xx is a refusal with the server's message. Through AsyncHTTPClient (http and
    /// https): Foundation's URLSession on Linux polled in a busy loop while it waited for a reply, and fifty devices
    /// syncing at once on one machine starved the server of processor time (Scripts/bench_sync.sh showed it).
    func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) throws -> (Int, Data) {
        // A server that cannot be reached is reported at once rather than retried until the deadline: the enumerator
        // sees it and syncs again later; nothing is lost meanwhile.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(15), read: .seconds(300)))
        configuration.connectionPool.retryConnectionEstablishment = false
        if let trusted {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(trusted)
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { try? client.syncShutdown() }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(token)")
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(
                url: server.appendingPathComponent(path).absoluteString, method: HTTPMethod(rawValue: method), headers: headers,
                body: body.map { .bytes($0) })
            response = try client.execute(request: request, deadline: .now() + .seconds(600)).wait()
        } catch let error as NIOSSLError {
            throw Failure.unreachable(
                server.absoluteString, reason: "its TLS certificate was not accepted (\(error)); name the certificate to trust with --ca-certificate FILE")
        } catch {
            throw Failure.unreachable(server.absoluteString, reason: "\(error)")
        }
        let status = Int(response.status.code)
        let data = response.body.map { Data(buffer: $0) } ?? Data()
        guard (200..<300).contains(status) else {
            throw Failure.refused(status: status, message: Self.message(in: data) ?? response.status.reasonPhrase)
        }
        return (status, data)
    }

    /// The message of the server's JSON error (`{"error": {"message": "…"}}`).
    static func message(in data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object["error"] as? [String: Any])?["message"] as? String
    }
}
