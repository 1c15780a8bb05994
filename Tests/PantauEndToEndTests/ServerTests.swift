// The central server and sync through the binary, on loopback: tokens, assignments, a rejection's round trip,
// the server killed with SIGKILL at random points of uploads, and the HTTP API against its OpenAPI description.
import Foundation
import Glibc
import Server
import TestSupport
import Testing

/// `pantau serve` as a child process on a free loopback port.
final class ServerProcess {
    let child: ChildProcess
    let url: String

    init(database: String, folder: URL, options: [String] = []) throws {
        let name = UUID().uuidString
        let out = folder.appendingPathComponent("serve-\(name).out").path
        let err = folder.appendingPathComponent("serve-\(name).err").path
        let stdin = try openFile("/dev/null", writing: false)
        let stdout = try openFile(out, writing: true)
        let stderr = try openFile(err, writing: true)
        defer {
            close(stdin)
            close(stdout)
            close(stderr)
        }
        child = try ChildProcess(
            executable: pantauBinary.path, arguments: ["serve", "--database", database, "--listen", "127.0.0.1:0"] + options, environment: childEnvironment(),
            directory: folder.path, stdin: stdin, stdout: stdout, stderr: stderr)
        let deadline = Date().addingTimeInterval(60)
        while true {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            // The whole line, not a prefix of it being written.
            if let match = text.firstMatch(of: /listening on (https?:\/\/[0-9.]+:[0-9]+) \(store/) {
                url = String(match.1)
                return
            }
            guard Date() < deadline, child.isRunning else {
                child.kill()
                throw SetupFailure(message: "pantau serve did not start: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
            }
            usleep(20_000)
        }
    }

    deinit { child.kill() }
}

/// Where the central store lives.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A central store with the workspace's frame, an enumerator assigned some villages, and a supervisor.
struct CentralWorkspace {
    let field: FieldWorkspace
    let backend: Backend
    /// An SQLite file, or a PostgreSQL database of this test's own.
    let central: String
    let enumerator: String
    let supervisor: String

    init(villages: Int, assigned: [String]? = nil, backend: Backend = .sqlite, rounds: String = "2021-H1") throws {
        field = try FieldWorkspace(villages: villages, rounds: rounds)
        self.backend = backend
        central = backend == .sqlite ? field.central : try TestPostgres.database()
        let frame = field.folder.appendingPathComponent("frame.csv").path
        let initialised = try pantau(["server", "init", "--database", central, "--frame", frame])
        guard initialised.status == 0 else { throw SetupFailure(message: "server init: \(initialised.stderr)") }
        let add = try pantau(["server", "user", "add", "ani", "--role", "enumerator", "--database", central])
        guard add.status == 0 else { throw SetupFailure(message: "user add: \(add.stderr)") }
        enumerator = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        supervisor = try pantau(["server", "user", "add", "sita", "--role", "supervisor", "--database", central]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let units = assigned.map { ["--units", $0.joined(separator: ",")] } ?? ["--units", "111", "--within"]
        let assign = try pantau(["server", "assign", "ani"] + units + ["--database", central])
        guard assign.status == 0 else { throw SetupFailure(message: "assign: \(assign.stderr)") }
    }

    /// A store's interviews: UUID → status (the device's through pantau, the central one through the server).
    func interviews(_ store: String) throws -> [String: String] {
        let run = try pantau(["interviews", "--format", "json", "--db", store])
        let list = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["uuid"] as? String ?? "", $0["status"] as? String ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// The central store's interviews, as the server lists them to a supervisor: UUID → (status, unit).
    func central(_ server: ServerProcess) throws -> [String: (status: String, unit: String)] {
        let (status, body) = try request("GET", "\(server.url)/v1/interviews", token: supervisor)
        guard status == 200 else { throw SetupFailure(message: "GET /v1/interviews: \(status) \(body)") }
        let list = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
        return Dictionary(
            list.map { ($0["uuid"] as? String ?? "", (status: $0["status"] as? String ?? "", unit: $0["unit"] as? String ?? "")) },
            uniquingKeysWith: { first, _ in first })
    }

    /// How many audit entries the central store holds for an interview.
    func auditEntries(_ uuid: String) throws -> Int {
        switch backend {
        case .postgres: return Int(try TestPostgres.value(central, "SELECT COUNT(*) FROM audit_log WHERE interview_uuid = '\(uuid)'")) ?? -1
        case .sqlite: return try Self.auditEntries(uuid, store: central)
        }
    }

    static func auditEntries(_ uuid: String, store: String) throws -> Int {
        let run = try pantau(["show", uuid, "--format", "json", "--db", store])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (object?["audit"] as? [Any])?.count ?? -1
    }
}

/// One HTTP request with curl's help-free URLSession stand-in: status and body.
func request(_ method: String, _ url: String, token: String? = nil, body: String? = nil) throws -> (Int, String) {
    var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url]
    if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
    if let body { arguments += ["-d", body] }
    let run = try pantau(arguments, executable: "/usr/bin/curl")
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}

@Suite(.temporaryFiles)
struct ServerTests {
    @Test(
        "sync: interviews reach the central store once; a wrong or revoked token writes nothing; an unassigned unit is refused alone; a rejection comes back",
        arguments: Backend.allCases)
    func syncRoundTrip(backend: Backend) throws {
        let workspace = try CentralWorkspace(villages: 6, assigned: ["1110000", "1110001", "1110002", "1110003", "1110004"], backend: backend)
        let server = try ServerProcess(database: workspace.central, folder: workspace.field.folder)
        let device = workspace.field.source
        let onDevice = try workspace.interviews(device)
        #expect(onDevice.count == 6)
        // Tokens are 64 hexadecimal digits: never taken for an option, as a token starting with '-' once was.
        #expect(workspace.enumerator.count == 64 && workspace.enumerator.allSatisfy(\.isHexDigit))

        // A wrong token: refused before anything is read or written.
        let wrong = try pantau(["sync", "--server", server.url, "--token", "not-a-token", "--db", device])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("the server refused (HTTP 401): this token is not known here"), "\(wrong.stderr)")
        #expect(try workspace.central(server).isEmpty)

        let first = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--batch-size", "2", "--db", device])
        #expect(first.status == 1, "one unit is not assigned: \(first.stderr)")
        #expect(first.stdout.contains("sent 6, acknowledged 5, refused 1"), "\(first.stdout)")
        #expect(first.stdout.contains("unit 1110005 is not assigned to ani"), "\(first.stdout)")
        #expect(first.stderr.contains("6/6 interviews"))
        let central = try workspace.central(server)
        #expect(central.count == 5)
        #expect(Set(central.keys).isSubset(of: Set(onDevice.keys)))

        // Again: only the refused one goes up again, and the server keeps one copy of each.
        let again = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--db", device])
        #expect(again.stdout.contains("sent 1, acknowledged 0, refused 1"), "\(again.stdout)")
        #expect(try workspace.central(server).count == 5)

        // A supervisor rejects one on the server; the next sync brings it back to the device as rejected.
        let rejected = try #require(central.keys.sorted().first)
        let (status, body) = try request(
            "POST", "\(server.url)/v1/interviews/\(rejected)/reject", token: workspace.supervisor, body: #"{"comment": "check b"}"#)
        #expect(status == 200, "\(body)")
        let (forbidden, _) = try request("POST", "\(server.url)/v1/interviews/\(rejected)/approve", token: workspace.enumerator, body: "{}")
        #expect(forbidden == 403)
        let back = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--db", device])
        #expect(back.stdout.contains("1 updated"), "\(back.stdout)")
        #expect(try workspace.interviews(device)[rejected] == "rejected")

        // Bad requests: a body that is no batch, one over the size limit, a rejection without a comment.
        let (garbage, garbageBody) = try request("POST", "\(server.url)/v1/batches", token: workspace.enumerator, body: "not a store")
        #expect(garbage == 400, "\(garbageBody)")
        #expect(garbageBody.contains("the batch was refused"), "\(garbageBody)")
        let (uncommented, _) = try request("POST", "\(server.url)/v1/interviews/\(rejected)/reject", token: workspace.supervisor, body: "{}")
        #expect(uncommented == 400)
        let (unknown, _) = try request("POST", "\(server.url)/v1/interviews/no-such-uuid/approve", token: workspace.supervisor, body: "{}")
        #expect(unknown == 404)
        #expect(try workspace.central(server).count == 5)

        // A revoked token is refused like an unknown one.
        _ = try pantau(["server", "user", "revoke", "ani", "--database", workspace.central])
        let revoked = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--db", device])
        #expect(revoked.status == 1)
        #expect(revoked.stderr.contains("this token was revoked"), "\(revoked.stderr)")
    }

    @Test(
        "the server killed with SIGKILL at random points of uploads, then restarted: every interview exactly once",
        arguments: Backend.allCases, [1, 2, 3] as [UInt64])
    func killedMidUpload(backend: Backend, seed: UInt64) throws {
        let workspace = try CentralWorkspace(villages: 60, backend: backend)
        let device = workspace.field.source
        var interrupted = 0
        var random = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var attempts = 0
        var finished = false
        while !finished, attempts < 12 {
            attempts += 1
            let server = try ServerProcess(database: workspace.central, folder: workspace.field.folder)
            let out = workspace.field.folder.appendingPathComponent("sync-\(attempts).out").path
            let stdin = try openFile("/dev/null", writing: false)
            let stdout = try openFile(out, writing: true)
            let stderr = try openFile(out + ".err", writing: true)
            let sync = try ChildProcess(
                executable: pantauBinary.path,
                arguments: ["sync", "--server", server.url, "--token", workspace.enumerator, "--batch-size", "1", "--db", device],
                environment: childEnvironment(), directory: workspace.field.folder.path, stdin: stdin, stdout: stdout, stderr: stderr)
            close(stdin)
            close(stdout)
            close(stderr)
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            usleep(UInt32(50_000 + (random >> 33) % 350_000))  // 0.05 to 0.4 s into the upload (a whole one takes about 2 s)
            server.child.kill()
            let ended = sync.wait(timeout: 120)
            finished = ended == .exited(0)
            if ended == .exited(1) { interrupted += 1 }
        }
        #expect(interrupted >= 1, "no upload was cut off by the kill: the test proves nothing")
        // A last sync on a server left running completes whatever is left.
        let server = try ServerProcess(database: workspace.central, folder: workspace.field.folder)
        let last = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--db", device])
        #expect(last.status == 0, "\(last.stdout)\(last.stderr)")
        let central = try workspace.central(server)
        let onDevice = try workspace.interviews(device)
        #expect(central.count == 60)
        #expect(Set(central.keys) == Set(onDevice.keys))
        // One interview per village: nothing arrived twice under another name.
        #expect(Set(central.values.map(\.unit)).count == 60)
        // Each interview's audit trail arrived once: as many entries as on the device.
        for uuid in central.keys.sorted().prefix(6) {
            let onTheDevice = try CentralWorkspace.auditEntries(uuid, store: device)
            #expect(onTheDevice > 0)
            #expect(try workspace.auditEntries(uuid) == onTheDevice, "\(uuid)")
        }
    }

    @Test("interviews, show, progress, review, approve and reject read and write a PostgreSQL central store as they do an SQLite one, with the same results")
    func commandsOnPostgres() throws {
        let sqlite = try CentralWorkspace(villages: 8, backend: .sqlite)
        let postgres = try CentralWorkspace(villages: 8, backend: .postgres)
        // The same device synced to both.
        for workspace in [sqlite, postgres] {
            let server = try ServerProcess(database: workspace.central, folder: workspace.field.folder)
            let sync = try pantau(["sync", "--server", server.url, "--token", workspace.enumerator, "--db", sqlite.field.source])
            #expect(sync.status == 0, "\(sync.stderr)")
        }
        func both(_ arguments: [String]) throws -> (String, String) {
            let one = try pantau(arguments + ["--db", sqlite.central])
            let other = try pantau(arguments + ["--db", postgres.central])
            #expect(one.status == 0 && other.status == 0, "\(arguments): \(one.stderr) \(other.stderr)")
            return (one.stdout, other.stdout)
        }
        let (listed, listedThere) = try both(["interviews", "--format", "json"])
        #expect(listed == listedThere)
        let uuids = try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]] ?? []
        #expect(uuids.count == 8)
        let first = try #require(uuids.first?["uuid"] as? String), second = try #require(uuids.last?["uuid"] as? String)
        let (shown, shownThere) = try both(["show", first, "--format", "json"])
        #expect(shown == shownThere)
        #expect(shown.contains("\"audit\""))
        // The supervisor's views: progress by each grouping, and the review list with its reasons.
        for grouping in ["district", "enumerator"] {
            let (progress, progressThere) = try both(["progress", "--by", grouping, "--format", "csv"])
            #expect(progress == progressThere)
            #expect(progress.contains("f,all,,8,"), "\(progress)")
        }
        let (review, reviewThere) = try both(["review", "--format", "json"])
        #expect(review == reviewThere)
        _ = try both(["approve", first, "--comment", "fine"])
        _ = try both(["reject", second, "--comment", "check b"])
        let (statuses, statusesThere) = try both(["interviews", "--status", "rejected", "--format", "csv"])
        // The same but for updated_at, the moment of each review.
        func withoutLastColumn(_ csv: String) -> [String] { csv.split(separator: "\n").map { String($0[..<($0.lastIndex(of: ",") ?? $0.endIndex)]) } }
        #expect(withoutLastColumn(statuses) == withoutLastColumn(statusesThere))
        #expect(statuses.contains(second))
        // The review's own entry differs only in its time.
        let (after, afterThere) = try both(["show", second, "--format", "json"])
        func withoutTimes(_ text: String) -> String { text.replacing(/"(at|updated_at)" : "[^"]*"/, with: "") }
        #expect(withoutTimes(after) == withoutTimes(afterThere))
        #expect(after.contains("check b"))
        // The analyst's outputs: indicators and exports read from both give the same bytes.
        let spec = sqlite.field.folder.appendingPathComponent("f.indicators.yaml").path
        try """
        indicators:
          - {id: mean_a, label: Mean a, instrument: f, mean: "${a}"}
          - {id: mean_b, label: Mean b, instrument: f, mean: "${b}"}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let (indicators, indicatorsThere) = try both(["indicators", spec, "--format", "csv"])
        #expect(indicators == indicatorsThere)
        #expect(indicators.contains("mean_a"))
        for (index, database) in [sqlite.central, postgres.central].enumerated() {
            let out = sqlite.field.folder.appendingPathComponent("export-\(index)").path
            let run = try pantau(["export", "--questionnaire", "f", "--format", "csv", "--out", out, "--db", database])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let exported = try String(contentsOfFile: sqlite.field.folder.appendingPathComponent("export-0/f.csv").path, encoding: .utf8)
        let exportedThere = try String(contentsOfFile: sqlite.field.folder.appendingPathComponent("export-1/f.csv").path, encoding: .utf8)
        #expect(exported == exportedThere)
        #expect(exported.split(separator: "\n").count == 8)  // a header, six completed and one approved (the rejected one is not data)
        let refused = try pantau(["reject", "no-such-uuid", "--comment", "x", "--db", postgres.central])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no-such-uuid"), "\(refused.stderr)")
    }

    @Test("serve --tls-certificate: a device syncs over HTTPS trusting the certificate; untrusted or over plain HTTP nothing is sent")
    func directTLS() throws {
        let workspace = try CentralWorkspace(villages: 4)
        let fixtures = repositoryRoot.appendingPathComponent("Tests/PantauEndToEndTests/Fixtures")
        let certificate = fixtures.appendingPathComponent("test-server.crt").path, key = fixtures.appendingPathComponent("test-server.key").path
        let server = try ServerProcess(
            database: workspace.central, folder: workspace.field.folder, options: ["--tls-certificate", certificate, "--tls-key", key])
        #expect(server.url.hasPrefix("https://127.0.0.1:"), "\(server.url)")
        let sync = ["sync", "--token", workspace.enumerator, "--db", workspace.field.source]
        let untrusted = try pantau(sync + ["--server", server.url])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("TLS certificate was not accepted") && untrusted.stderr.contains("--ca-certificate"), "\(untrusted.stderr)")
        let plain = try pantau(sync + ["--server", server.url.replacingOccurrences(of: "https://", with: "http://")])
        #expect(plain.status == 1, "\(plain.stdout)")
        #expect(try workspace.interviews(workspace.central).isEmpty)
        let synced = try pantau(sync + ["--server", server.url, "--ca-certificate", certificate])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.hasPrefix("sent 4, acknowledged 4, refused 0"), "\(synced.stdout)")
        #expect(try workspace.interviews(workspace.central).count == 4)
        // Files that cannot serve are refused before anything listens; half a pair is a usage error.
        let missing = try pantau(["serve", "--database", workspace.central, "--listen", "127.0.0.1:0", "--tls-certificate", "/no/such.pem", "--tls-key", key])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read the TLS certificate /no/such.pem"), "\(missing.stderr)")
        let swapped = try pantau(["serve", "--database", workspace.central, "--listen", "127.0.0.1:0", "--tls-certificate", key, "--tls-key", certificate])
        #expect(swapped.status == 1, "\(swapped.stderr)")
        let half = try pantau(["serve", "--database", workspace.central, "--listen", "127.0.0.1:0", "--tls-certificate", certificate])
        #expect(half.status == 64 && half.stderr.contains("--tls-certificate and --tls-key go together"), "\(half.stderr)")
        let badCA = try pantau(sync + ["--server", server.url, "--ca-certificate", "/no/such.pem"])
        #expect(badCA.status == 1 && badCA.stderr.contains("cannot read the certificates in /no/such.pem"), "\(badCA.stderr)")
    }

    @Test("the OpenAPI description names every route the server has, and each answers there (401 without a token, not 404)")
    func openAPI() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var documented: [String] = []
        var path: String?
        for line in text.split(separator: "\n") {
            if let match = line.wholeMatch(of: #/\ \ (\/v1\/[^:]*):\s*/#) { path = String(match.1) }
            if let match = line.wholeMatch(of: #/\ \ \ \ (get|post|put|delete|patch):\s*/#), let path {
                documented.append("\(match.1.uppercased()) \(path)")
            }
        }
        #expect(documented.sorted() == CentralServer.routes.sorted())

        let workspace = try CentralWorkspace(villages: 2)
        let server = try ServerProcess(database: workspace.central, folder: workspace.field.folder)
        for route in documented {
            let parts = route.split(separator: " ")
            let url = server.url + parts[1].replacingOccurrences(of: "{uuid}", with: UUID().uuidString)
            let (status, _) = try request(String(parts[0]), url)
            #expect(status == (route == "GET /v1/health" ? 200 : 401), "\(route)")
        }
    }
}
