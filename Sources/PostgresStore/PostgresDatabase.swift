import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Store

/// Where a central PostgreSQL store is: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, with libpq's
/// `?sslmode=disable|prefer|require|verify-ca|verify-full` and `&sslrootcert=FILE` for TLS.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// TLS to the server, as libpq names the modes: `prefer` (the default) and `require` encrypt without checking the
    /// server's certificate; `verify-ca` checks it against the trusted roots, `verify-full` also its host name.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public let host: String
    public let port: Int
    public let user: String
    let password: String?
    public let database: String
    /// Nil when the URL names a mode libpq does not know (`tlsProblem` says so).
    public let tlsMode: TLSMode?
    /// A PEM file of certificates to trust (libpq's `sslrootcert`); the system's roots otherwise.
    public let rootCertificate: String?

    /// Parses a URL; nil when it is no `postgres://` or `postgresql://` URL.
    public init?(url text: String) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty,
            let user = url.user, !user.isEmpty
        else { return nil }
        self.host = host
        port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = url.password?.removingPercentEncoding
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? user : path
        let query = url.queryItems ?? []
        let mode = query.last { $0.name == "sslmode" }?.value ?? TLSMode.prefer.rawValue
        tlsMode = TLSMode(rawValue: mode)
        rootCertificate = query.last { $0.name == "sslrootcert" }?.value
    }

    /// Why the URL's TLS settings cannot be used, if they cannot.
    public var tlsProblem: String? {
        guard tlsMode == nil else { return nil }
        return "sslmode is one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
    }

    public static func isPostgres(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// Without the password: what messages and logs may show.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// Why a PostgreSQL store could not be used, in words: never the password, never a value bound to a statement.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
}

/// One connection to PostgreSQL, used synchronously from threads that are not the connection's event loop (the
/// commands' main thread, the server's store queue): each call waits for its result.
final class PostgresDatabase: @unchecked Sendable {
    // Unchecked: one connection, used by one thread at a time (the store's callers are serial).
    private let connection: PostgresConnection
    private let logger = Logger(label: "pantau.postgres")
    let location: PostgresLocation

    init(_ location: PostgresLocation) throws {
        self.location = location
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: try Self.tls(location))
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch let error as PSQLError where error.underlying is NIOSSLError {
            throw PostgresStoreError(
                description: "cannot connect to \(location): its TLS certificate was not accepted (\(error.underlying!)); "
                    + "name the certificates to trust with sslrootcert=FILE, or use sslmode=require to encrypt without checking")
        } catch {
            throw PostgresStoreError(description: "cannot connect to \(location): \(Self.message(error))")
        }
    }

    deinit { try? connection.close().wait() }

    /// The connection's TLS, as the URL asks for it.
    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        guard let mode = location.tlsMode else { throw PostgresStoreError(description: "\(location): \(location.tlsProblem ?? "")") }
        if mode == .disable { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull, .disable: configuration.certificateVerification = .fullVerification
        }
        if let path = location.rootCertificate {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw PostgresStoreError(description: "\(location): cannot read the certificates in sslrootcert \(path): \(error)")
            }
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return mode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw PostgresStoreError(description: "\(location): cannot set up TLS: \(error)")
        }
    }

    /// PostgreSQL's own message for an error, without the statement's values.
    static func message(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// Runs a statement with `$1, $2, …` bound to the values; returns its rows.
    @discardableResult
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
        try result(sql, values).rows.map { row in
            var values: SQLRow = [:]
            for cell in row { values[cell.columnName] = try Self.value(cell) }
            return values
        }
    }

    /// Runs a statement and hands each row's values to `body` by column position: for results of many rows, read
    /// without a dictionary per row.
    func eachRow(_ sql: String, _ values: [SQLValue] = [], _ body: ([SQLValue]) throws -> Void) throws {
        for row in try result(sql, values).rows { try body(try row.map(Self.value)) }
    }

    private func result(_ sql: String, _ values: [SQLValue]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings()
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
        let result: PostgresQueryResult
        do {
            result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        } catch {
            throw PostgresStoreError(description: "PostgreSQL: \(Self.message(error))")
        }
        return result
    }

    func execute(_ sql: String, _ values: [SQLValue] = []) throws { try rows(sql, values) }

    /// BEGIN … COMMIT around `body`; ROLLBACK when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Data(buffer: try cell.decode(ByteBuffer.self)))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}
