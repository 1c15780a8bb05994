import Foundation
import Hummingbird
import HummingbirdTLS
import Interview
import Logging
import NIOCore
import NIOSSL
import Store

/// The central server: devices send and fetch batches, supervisors approve and reject, analysts read. Every
/// request but `/v1/health` carries `Authorization: Bearer TOKEN`; the store keeps only each token's SHA-256.
/// Nothing in a URL or in the log holds an answer or a token: URLs name interviews by UUID, and the log has the
/// method, path and status of each request. The store is an SQLite file or PostgreSQL (`postgres://…`).
public enum CentralServer {
    /// What to serve and where.
    public struct Options: Sendable {
        public var storePath: String
        public var host: String
        public var port: Int
        /// The largest batch a device may send, in bytes (a batch holds attachments).
        public var maxBatchBytes: Int
        /// HTTPS with this certificate chain and key (PEM files); plain HTTP when nil (behind a TLS reverse proxy).
        public var tls: (certificate: String, key: String)?

        public init(
            storePath: String, host: String = "127.0.0.1", port: Int = 8080, maxBatchBytes: Int = 512 << 20,
            tls: (certificate: String, key: String)? = nil
        ) {
            (self.storePath, self.host, self.port, self.maxBatchBytes, self.tls) = (storePath, host, port, maxBatchBytes, tls)
        }

        /// The server's TLS configuration from the PEM files, checked before anything listens.
        public func tlsConfiguration() throws -> TLSConfiguration? {
            guard let tls else { return nil }
            let chain: [NIOSSLCertificate], key: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(tls.certificate)
            } catch {
                throw TLSFilesError(description: "cannot read the TLS certificate \(tls.certificate): \(error)")
            }
            guard !chain.isEmpty else { throw TLSFilesError(description: "\(tls.certificate) holds no PEM certificate") }
            do {
                key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            } catch {
                throw TLSFilesError(description: "cannot read the TLS private key \(tls.key): \(error)")
            }
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            // Made once here, so that a key that does not match the certificate is reported now.
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw TLSFilesError(description: "the TLS key \(tls.key) and certificate \(tls.certificate) cannot be used together: \(error)")
            }
            return configuration
        }
    }

    /// Why the TLS files cannot serve.
    public struct TLSFilesError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every route, as `METHOD path` (the OpenAPI file in docs/ describes the same list; a test compares them).
    public static let routes = [
        "GET /v1/health", "GET /v1/me", "POST /v1/batches", "GET /v1/batches/download", "GET /v1/interviews",
        "POST /v1/interviews/{uuid}/approve", "POST /v1/interviews/{uuid}/reject",
    ]

    /// The SHA-256 of a token, as the store keeps it.
    public static func tokenHash(_ token: String) -> String {
        ContentDigest.hex(token)
    }

    /// A new token: 32 random bytes in hexadecimal (never starting with '-', which a command line would take for an
    /// option, as base64 tokens sometimes did).
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Runs until the process is stopped; `onListening` gets the port (useful with port 0).
    public static func run(_ options: Options, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let central = try CentralStoreAccess(path: options.storePath)
        let router = Router(context: PantauRequestContext.self)
        router.add(middleware: RequestLog())
        router.get("/v1/health") { _, _ in try json(["status": "ok"]) }
        let authenticated = router.group("/v1").add(middleware: Authentication(central: central))
        authenticated.get("me") { _, context in
            let user = try context.requireUser()
            let units = try await central.run { try $0.assignedUnits(name: user.name).count }
            return try json(["name": user.name, "role": user.role.rawValue, "assigned_units": "\(units)"])
        }
        authenticated.post("batches") { request, context in
            let user = try context.requireUser(.enumerator, .supervisor)
            var request = request
            let body = try await request.collectBody(upTo: options.maxBatchBytes)
            return try await central.takeIn(batch: Data(buffer: body), from: user)
        }
        authenticated.get("batches/download") { _, context in
            let user = try context.requireUser(.enumerator, .supervisor)
            let data = try await central.batch(for: user)
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.pantau.batch+sqlite"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        authenticated.get("interviews") { request, context in
            _ = try context.requireUser(.supervisor, .analyst)
            let round = request.uri.queryParameters["round"].map(String.init)
            let status = request.uri.queryParameters["status"].map(String.init)
            let list = try await central.run { try $0.interviews(round: round, status: status) }
            return try jsonValue(
                list.map {
                    InterviewListing(
                        uuid: $0.uuid, formID: $0.formID, version: $0.version, unit: $0.unitCode, round: $0.roundCode, enumerator: $0.enumerator,
                        status: $0.status, updatedAt: $0.updatedAt)
                })
        }
        for verb in ["approve", "reject"] {
            authenticated.post("interviews/:uuid/\(verb)") { request, context in
                let user = try context.requireUser(.supervisor)
                let uuid = try context.parameters.require("uuid")
                var request = request
                let body = try await request.collectBody(upTo: 64 << 10)
                let comment = (try? JSONDecoder().decode(ReviewComment.self, from: Data(buffer: body)))?.comment
                if verb == "reject", (comment ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    throw HTTPError(.badRequest, message: "a rejection needs a comment: {\"comment\": \"what to check\"}")
                }
                let now = Timestamp.now()
                do {
                    try await central.run { store in
                        if verb == "approve" {
                            try store.approve(uuid, by: user.name, comment: comment, at: now)
                        } else {
                            try store.reject(uuid, by: user.name, comment: comment ?? "", at: now)
                        }
                    }
                } catch StoreError.unknownInterview {
                    throw HTTPError(.notFound, message: "there is no interview \(uuid) here")
                } catch StoreError.notReviewable(_, let status) {
                    throw HTTPError(.conflict, message: "interview \(uuid) is \(status); only completed, approved or rejected interviews are reviewed")
                }
                return try json(["uuid": uuid, "status": verb == "approve" ? "approved" : "rejected"])
            }
        }
        let configuration = ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "pantau")
        let running: @Sendable (any Channel) async -> Void = { channel in onListening(channel.localAddress?.port ?? options.port) }
        let logger = Logger(label: "pantau.server")
        if let tls = try options.tlsConfiguration() {
            try await Application(
                router: router, server: .tls(.http1(), tlsConfiguration: tls), configuration: configuration, onServerRunning: running, logger: logger
            ).runService()
        } else {
            try await Application(router: router, configuration: configuration, onServerRunning: running, logger: logger).runService()
        }
    }

    static func json(_ object: [String: String]) throws -> Response { try jsonValue(object) }

    static func jsonValue(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"comment": "…"}` with an approval or rejection.
struct ReviewComment: Decodable {
    let comment: String?
}

/// An interview as the list shows it: who, where, when and how far, never its answers.
struct InterviewListing: Encodable {
    let uuid, formID, version, unit, round, enumerator, status, updatedAt: String

    enum CodingKeys: String, CodingKey {
        case uuid, version, unit, round, enumerator, status
        case formID = "form_id"
        case updatedAt = "updated_at"
    }
}

/// What a batch did, interview by interview: the device acknowledges those taken in and reports the rest.
public struct BatchReceipt: Codable, Sendable {
    public struct Decision: Codable, Sendable {
        public let uuid: String
        public let outcome: String
        public let reason: String
    }

    public let decisions: [Decision]
}

/// The request's context: who sent it, once the token is checked.
struct PantauRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var user: ServerUser?

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The user, who must have one of the roles given (any role when none is given).
    func requireUser(_ roles: ServerRole...) throws -> ServerUser {
        guard let user else { throw HTTPError(.unauthorized, message: "no token") }
        if !roles.isEmpty, !roles.contains(user.role) {
            throw HTTPError(.forbidden, message: "\(user.name) is a \(user.role.rawValue); this needs a \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return user
    }
}

/// Checks `Authorization: Bearer TOKEN` against the stored hashes: an unknown or revoked token is refused before
/// anything is read or written.
struct Authentication: RouterMiddleware {
    let central: CentralStoreAccess

    func handle(_ request: Request, context: PantauRequestContext, next: (Request, PantauRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw HTTPError(.unauthorized, message: "send the token as 'Authorization: Bearer TOKEN'")
        }
        let hash = CentralServer.tokenHash(String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
        guard let user = try await central.run({ try $0.user(tokenSHA256: hash) }) else {
            throw HTTPError(.unauthorized, message: "this token is not known here")
        }
        guard !user.revoked else { throw HTTPError(.unauthorized, message: "this token was revoked") }
        var context = context
        context.user = user
        return try await next(request, context)
    }
}

/// One line per request: method, path (without its query), status and time. Never a header or a body.
struct RequestLog: RouterMiddleware {
    typealias Context = PantauRequestContext

    func handle(_ request: Request, context: PantauRequestContext, next: (Request, PantauRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(ContinuousClock.now - start)")
            return response
        } catch let error as HTTPError {
            context.logger.info("\(request.method) \(request.uri.path) \(error.status.code) \(ContinuousClock.now - start)")
            throw error
        }
    }
}
