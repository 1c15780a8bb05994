import Foundation
import Logging
import NIOCore
import PostgresNIO
import Store

/// Where a central PostgreSQL store is: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    let password: String?
    public let database: String

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
            tls: .disable)
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw PostgresStoreError(description: "cannot connect to \(location): \(Self.message(error))")
        }
    }

    deinit { try? connection.close().wait() }

    /// PostgreSQL's own message for an error, without the statement's values.
    static func message(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// Runs a statement with `$1, $2, …` bound to the values; returns its rows.
    @discardableResult
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
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
        return try result.rows.map { row in
            var values: SQLRow = [:]
            for cell in row { values[cell.columnName] = try Self.value(cell) }
            return values
        }
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
