import Foundation
import GRDB
import Interview

/// Who may connect to a central server, and what they may do.
public enum ServerRole: String, Sendable, CaseIterable, Codable {
    /// Sends and receives only the units assigned to them.
    case enumerator
    /// Approves and rejects interviews; sends and receives every unit.
    case supervisor
    /// Reads.
    case analyst
}

/// A person the central server knows.
public struct ServerUser: Hashable, Sendable {
    public let name: String
    public let role: ServerRole
    public let revoked: Bool

    public init(name: String, role: ServerRole, revoked: Bool) {
        (self.name, self.role, self.revoked) = (name, role, revoked)
    }
}

/// Problems with the server's people and assignments, in words for the command line.
public enum ServerStoreError: Error, Equatable, CustomStringConvertible {
    case userExists(String)
    case unknownUser(String)
    case notAnEnumerator(String, role: ServerRole)
    case unknownUnits([String])

    public var description: String {
        switch self {
        case .userExists(let name): "there is already a user named \(name); revoke them and choose another name"
        case .unknownUser(let name): "there is no user named \(name)"
        case .notAnEnumerator(let name, let role): "\(name) is a \(role.rawValue); units are assigned to enumerators"
        case .unknownUnits(let codes):
            "no unit of the frame has the code\(codes.count == 1 ? "" : "s") \(codes.prefix(5).joined(separator: ", "))\(codes.count > 5 ? ", …" : ""); import the frame into the central store first"
        }
    }
}

extension ResponseStore {
    /// Adds a person with the SHA-256 of their token (the token itself is never stored).
    public func addUser(name: String, role: ServerRole, tokenSHA256: String, at now: Timestamp) throws {
        try wrap {
            try queue.write { db in
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM server_user WHERE name = ?)", arguments: [name]) == true {
                    throw ServerStoreError.userExists(name)
                }
                try db.execute(
                    sql: "INSERT INTO server_user (name, role, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [name, role.rawValue, tokenSHA256, now.iso8601])
            }
        }
    }

    /// Revokes a person's token: every later request with it is refused. The name stays taken.
    public func revokeUser(name: String, at now: Timestamp) throws {
        try wrap {
            try queue.write { db in
                try db.execute(sql: "UPDATE server_user SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?", arguments: [now.iso8601, name])
                if db.changesCount == 0 { throw ServerStoreError.unknownUser(name) }
            }
        }
    }

    /// The person a token's SHA-256 belongs to, with whether the token is revoked.
    public func user(tokenSHA256: String) throws -> ServerUser? {
        try wrap {
            try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT name, role, revoked_at FROM server_user WHERE token_sha256 = ?", arguments: [tokenSHA256]).map {
                    ServerUser(name: $0["name"], role: ServerRole(rawValue: $0["role"]) ?? .analyst, revoked: ($0["revoked_at"] as String?) != nil)
                }
            }
        }
    }

    /// Everyone, in name order.
    public func users() throws -> [ServerUser] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT name, role, revoked_at FROM server_user ORDER BY name").map {
                    ServerUser(name: $0["name"], role: ServerRole(rawValue: $0["role"]) ?? .analyst, revoked: ($0["revoked_at"] as String?) != nil)
                }
            }
        }
    }

    /// Assigns units to an enumerator: the codes given, and with `within` every unit below those units in the
    /// frame's hierarchy as well. Returns how many units are now assigned to them.
    @discardableResult
    public func assign(name: String, units codes: [String], within: Bool = false) throws -> Int {
        try wrap {
            try queue.write { db in
                guard let role = try String.fetchOne(db, sql: "SELECT role FROM server_user WHERE name = ?", arguments: [name]) else {
                    throw ServerStoreError.unknownUser(name)
                }
                guard role == ServerRole.enumerator.rawValue else {
                    throw ServerStoreError.notAnEnumerator(name, role: ServerRole(rawValue: role) ?? .analyst)
                }
                let known = Set(try String.fetchAll(db, sql: "SELECT code FROM unit"))
                let unknown = codes.filter { !known.contains($0) }
                if !unknown.isEmpty { throw ServerStoreError.unknownUnits(unknown) }
                for code in codes {
                    let sql =
                        within
                        ? """
                        WITH RECURSIVE below(code) AS (SELECT ? UNION SELECT u.code FROM unit u JOIN below b ON u.parent_code = b.code)
                        INSERT OR IGNORE INTO assignment (user_name, unit_code) SELECT ?, code FROM below
                        """
                        : "INSERT OR IGNORE INTO assignment (user_name, unit_code) SELECT ?2, ?1"
                    try db.execute(sql: sql, arguments: [code, name])
                }
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment WHERE user_name = ?", arguments: [name]) ?? 0
            }
        }
    }

    /// The codes of the units assigned to a person.
    public func assignedUnits(name: String) throws -> Set<String> {
        try wrap { try queue.read { Set(try String.fetchAll($0, sql: "SELECT unit_code FROM assignment WHERE user_name = ?", arguments: [name])) } }
    }
}
