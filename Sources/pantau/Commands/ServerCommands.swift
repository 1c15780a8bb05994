import ArgumentParser
import Foundation
import PostgresStore
import Questionnaire
import Server
import Store

/// `pantau serve`: the central server over HTTP.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the central server: devices sync, supervisors review, analysts read (docs/server.md).",
        discussion: """
            Listens on HOST:PORT: HTTPS with --tls-certificate and --tls-key (PEM files), else plain HTTP for loopback or \
            behind a TLS reverse proxy such as nginx or caddy. Every request needs a token made with pantau server user add. One line per \
            request on stderr: method, path, status and time, never a token or an answer.
            """
    )

    @Option(
        help: ArgumentHelp("The central store: postgres://USER:PASSWORD@HOST:PORT/DATABASE, or an SQLite file (created when missing).", valueName: "url|path"))
    var database: String

    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0: any free port, printed on start).", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("The largest batch a device may send, in megabytes.", valueName: "MB"))
    var maxBatchMegabytes: Int = 512

    @Option(help: ArgumentHelp("Serve HTTPS with this certificate chain (a PEM file; with --tls-key).", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("The certificate's private key (a PEM file).", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        guard listenAddress != nil else { throw ValidationError("--listen is HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8443") }
        if maxBatchMegabytes < 1 { throw ValidationError("--max-batch-megabytes is at least 1") }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-certificate and --tls-key go together") }
    }

    var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        let host = String(listen[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    func run() throws {
        let (host, port) = listenAddress!
        let options = CentralServer.Options(
            storePath: database, host: host, port: port, maxBatchBytes: maxBatchMegabytes << 20, tls: tlsCertificate.map { ($0, tlsKey ?? "") })
        // Opened and read once here, so that a wrong address, password or TLS file is reported before anything listens.
        _ = try options.tlsConfiguration()
        _ = try openCentralDatabase(database)
        let scheme = tlsCertificate == nil ? "http" : "https"
        let shown = PostgresLocation(url: database)?.description ?? database
        let outcome = BlockingRun {
            try await CentralServer.run(options) { port in
                // Unbuffered, so that a script waiting for this line sees it at once.
                FileHandle.standardOutput.write(Data("pantau server: listening on \(scheme)://\(host):\(port) (store \(shown))\n".utf8))
            }
        }
        try outcome.wait()
    }
}

/// An async job run to its end from synchronous code (ArgumentParser's `run()`), its error handed back.
final class BlockingRun: @unchecked Sendable {
    // Unchecked: `failure` is written once by the task before `done` is signalled, and read after.
    private let done = DispatchSemaphore(value: 0)
    private var failure: (any Error)?

    init(_ body: @escaping @Sendable () async throws -> Void) {
        Task {
            do { try await body() } catch { self.failure = error }
            self.done.signal()
        }
    }

    func wait() throws {
        done.wait()
        if let failure { throw failure }
    }
}

/// `pantau server …`: the central store's people and assignments, on the server's machine.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Set up the central store: init, users and their tokens, assignments.",
        subcommands: [ServerInit.self, ServerUserCommand.self, ServerAssign.self])
}

struct ServerDatabase: ParsableArguments {
    @Option(help: ArgumentHelp("The central store: postgres://USER:PASSWORD@HOST:PORT/DATABASE, or an SQLite file.", valueName: "url|path"))
    var database: String

    func open() throws -> any CentralDatabase { try openCentralDatabase(database) }

    /// The store as messages may name it (never a password).
    var shown: String { PostgresLocation(url: database)?.description ?? database }
}

struct ServerInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the central store (or bring an existing one up to this version's schema).")

    @OptionGroup var store: ServerDatabase

    @Option(help: ArgumentHelp("A sample frame to load (code,name,level,parent_code, then attributes), as pantau frame import reads it.", valueName: "csv"))
    var frame: String?

    func run() throws {
        let central = try store.open()
        if let frame {
            guard let text = try? String(contentsOfFile: frame, encoding: .utf8) else { throw CommandError.unreadable(path: frame) }
            let units = try FrameFile.parse(text).get()
            print("\(frame): \(try central.importUnits(units)) units loaded")
        }
        print("\(store.shown): ready (schema \(try central.appliedMigrations().last ?? "?"))")
    }
}

struct ServerUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, revoke or list the people who may connect.", subcommands: [Add.self, Revoke.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person; their token is printed once and only its hash is kept.")

        @Argument(help: "Their name (an enumerator's name as it goes in interviews).")
        var name: String

        @Option(help: "enumerator (sends and receives the units assigned to them), supervisor (approves and rejects) or analyst (reads).")
        var role: ServerRole

        @OptionGroup var store: ServerDatabase

        func run() throws {
            let central = try store.open()
            let token = CentralServer.newToken()
            try central.addUser(name: name, role: role, tokenSHA256: CentralServer.tokenHash(token), at: systemClock())
            Terminal.printError("\(name) (\(role.rawValue)) added; their token, shown this once:")
            print(token)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a person's token: every later request with it is refused.")

        @Argument(help: "Their name.")
        var name: String

        @OptionGroup var store: ServerDatabase

        func run() throws {
            try store.open().revokeUser(name: name, at: systemClock())
            print("\(name): token revoked")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the people who may connect, with their roles.")

        @OptionGroup var store: ServerDatabase

        func run() throws {
            let central = try store.open()
            let rows = try central.users().map {
                [$0.name, $0.role.rawValue, $0.revoked ? "revoked" : "active", "\(try central.assignedUnits(name: $0.name).count)"]
            }
            print(renderTable(["name", "role", "token", "units"], rows), terminator: "")
        }
    }
}

extension ServerRole: ExpressibleByArgument {}

struct ServerAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Assign units of the frame to an enumerator: they send and receive only these.")

    @Argument(help: "The enumerator's name.")
    var name: String

    @Option(help: ArgumentHelp("Unit codes, separated by commas.", valueName: "code,…"))
    var units: String

    @Flag(help: "Every unit below the units given as well (a district's villages).")
    var within = false

    @OptionGroup var store: ServerDatabase

    func run() throws {
        let codes = units.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !codes.isEmpty else { throw ValidationError("--units names at least one unit code") }
        let total = try store.open().assign(name: name, units: codes, within: within)
        print("\(name): \(total) unit\(total == 1 ? "" : "s") assigned")
    }
}

/// `pantau sync`: a device's interviews up to the server, its units and rejections down.
struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send this device's finished interviews to the central server and fetch its units, last round's answers and rejections.",
        discussion: """
            Interviews go up in batches; each batch is one transaction on the server, and each interview is acknowledged \
            on its own, so a dropped connection or a stopped server loses nothing and duplicates nothing: run sync again. \
            Exit 0 when everything was taken; 1 when the server refused the token, a batch, or some interviews (listed).
            """
    )

    @Option(help: ArgumentHelp("The server, e.g. https://pantau.example.org or http://127.0.0.1:8080.", valueName: "url"))
    var server: String

    @Option(help: ArgumentHelp("Your token (from pantau server user add).", valueName: "token"))
    var token: String

    @Option(help: ArgumentHelp("Interviews per batch.", valueName: "n"))
    var batchSize: Int = 50

    @Option(help: ArgumentHelp("Trust the https server's certificate from this PEM file (a self-signed or private one).", valueName: "file"))
    var caCertificate: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--server is an http:// or https:// address")
        }
        if batchSize < 1 { throw ValidationError("--batch-size is at least 1") }
    }

    func run() throws {
        let device = try store.openExisting()
        let trusted = try caCertificate.map(SyncClient.certificates(inPEMFile:))
        let client = SyncClient(server: URL(string: server)!, token: token, store: device, batchSize: batchSize, trusting: trusted)
        let bar = ProgressBar(noun: "interviews")
        let report = try client.run { done, total in bar.show(done, of: total) }
        bar.finish()
        print("sent \(report.sent), acknowledged \(report.acknowledged), refused \(report.refused.count)")
        for duplicate in report.duplicates { print("  duplicate \(duplicate.uuid): \(duplicate.reason)") }
        for refusal in report.refused { print("  refused \(refusal.uuid): \(refusal.reason)") }
        if let received = report.received {
            print("received: \(received.count(.new)) new, \(received.count(.updated)) updated (rejections reopen on this device)")
        }
        if !report.refused.isEmpty { throw ExitCode(1) }
    }
}

/// Progress on stderr: a bar redrawn in place on a terminal, a line per step otherwise.
final class ProgressBar {
    let noun: String
    private let terminal = Terminal.isTTY(STDERR_FILENO)
    private var drawn = false

    init(noun: String) { self.noun = noun }

    func show(_ done: Int, of total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let text = "[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total) \(noun)"
        if terminal {
            FileHandle.standardError.write(Data("\r\(text)".utf8))
            drawn = true
        } else {
            Terminal.printError(text)
        }
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
