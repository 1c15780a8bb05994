import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server for tests of the central store: `PANTAU_TEST_POSTGRES` when CI (or the developer) set it, else
/// the repository's private cluster, started by `Scripts/postgres.sh` (which installs PostgreSQL when it is missing).
/// Each test makes a database of its own in it. Output goes through files, never pipes: a pipe inherited by a
/// long-lived child (the PostgreSQL daemon, another test's server) would never reach its end.
public enum TestPostgres {
    /// Runs a program to its end (posix_spawn and waitpid: Foundation's Process can miss a child's end on Linux and
    /// wait for ever); its exit status and standard output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-psql-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresUnavailable(reason: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exit, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The server's URL (its `postgres` database), or the reason there is none.
    public static let url: Result<String, PostgresUnavailable> = {
        if let given = ProcessInfo.processInfo.environment["PANTAU_TEST_POSTGRES"], !given.isEmpty { return .success(given) }
        do {
            let (status, text) = try run("/bin/bash", [repositoryRoot.appendingPathComponent("Scripts/postgres.sh").path, "start"])
            guard status == 0, text.hasPrefix("postgres://") else {
                return .failure(PostgresUnavailable(reason: "Scripts/postgres.sh start exited \(status)"))
            }
            return .success(text)
        } catch {
            return .failure(PostgresUnavailable(reason: "\(error)"))
        }
    }()

    /// A new, empty database on the test server: its URL.
    public static func database() throws -> String {
        let server = try url.get()
        let name = "pantau_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        guard try run("/usr/bin/env", ["psql", server, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"]).status == 0 else {
            throw PostgresUnavailable(reason: "psql could not create a database")
        }
        return server.replacingOccurrences(of: #"/[^/]*$"#, with: "/\(name)", options: .regularExpression)
    }

    /// The test server's self-signed TLS certificate (a PEM file), for `sslrootcert`: `PANTAU_TEST_POSTGRES_CERTIFICATE`
    /// when set, else the private cluster's.
    public static func certificate() throws -> String {
        if let given = ProcessInfo.processInfo.environment["PANTAU_TEST_POSTGRES_CERTIFICATE"], !given.isEmpty { return given }
        let (status, path) = try run("/bin/bash", [repositoryRoot.appendingPathComponent("Scripts/postgres.sh").path, "certificate"])
        guard status == 0, FileManager.default.fileExists(atPath: path) else { throw PostgresUnavailable(reason: "no TLS certificate for the test server") }
        return path
    }

    /// One value from a query on a test database (psql's unaligned output).
    public static func value(_ database: String, _ sql: String) throws -> String {
        try run("/usr/bin/env", ["psql", database, "-qtA", "-c", sql]).output
    }
}

public struct PostgresUnavailable: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "no PostgreSQL for the tests: \(reason)" }
}
