// L7: the terminal mode, driven through tmux at 80×24 as an enumerator would use it, in Indonesian and English,
// with every screen compared with its snapshot (Snapshots/terminal-LANG-*.txt; RECORD_SNAPSHOTS=1 re-records):
// a choice question under a header with a long place name, :finish with blockers, a choice refused with the numbered
// labels, a number in the session's convention stopped by a soft check explained in words and then confirmed, a date
// question showing its format, :review paging, and the answers stored.
import Foundation
import Glibc
import TestSupport
import Testing

/// A tmux server of the tests' own, and one session in it.
struct TmuxSession {
    let name = "pantau-test-\(UUID().uuidString.prefix(8))"

    /// Runs a tmux client. Its output goes through a file, not a pipe: the tmux server that the first call
    /// starts would otherwise inherit the pipe and keep it open for ever.
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("tmux.out").path
        let stdout = try openFile(outPath, writing: true)
        let null = try openFile("/dev/null", writing: true)
        let stdin = try openFile("/dev/null", writing: false)
        defer {
            close(stdout)
            close(null)
            close(stdin)
        }
        let child = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["tmux", "-L", "pantau-tests"] + arguments,
            environment: childEnvironment(), directory: repositoryRoot.path,
            stdin: stdin, stdout: stdout, stderr: null)
        if child.wait(timeout: 30) == .timedOut { Issue.record("tmux \(arguments.joined(separator: " ")) did not finish in 30 s") }
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    func start(_ command: [String]) throws {
        let line = command.map { "'\($0)'" }.joined(separator: " ") + "; echo EXIT=$?; sleep 30"
        try Self.tmux(["new-session", "-d", "-s", name, "-x", "80", "-y", "24", line])
    }

    func send(_ keys: String) throws {
        try Self.tmux(["send-keys", "-t", name, "-l", keys])
        try Self.tmux(["send-keys", "-t", name, "Enter"])
    }

    func stop() { _ = try? Self.tmux(["kill-session", "-t", name]) }

    /// The screen once it shows `text` and has stopped changing, with trailing blanks removed.
    func screen(showing text: String, timeout: TimeInterval = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try Self.tmux(["capture-pane", "-p", "-t", name])
            if screen.contains(text) {
                usleep(150_000)
                let settled = try Self.tmux(["capture-pane", "-p", "-t", name])
                if settled == screen { return Self.normalized(screen) }
                continue
            }
            usleep(100_000)
        }
        Issue.record("the screen never showed '\(text)':\n\(screen)")
        return Self.normalized(screen)
    }

    static func normalized(_ screen: String) -> String {
        var lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}

@Suite(.temporaryFiles, .serialized)
struct TerminalTests {
    static let form = """
        settings: {form_id: layar, title: {id: Survei Layar, en: Screen Survey}, version: "1", languages: [id, en], unit_level: village}
        survey:
          - type: select_one sid
            name: sid_status
            label: {id: "Status SID desa (putaran lalu: ${previous(${sid_status})})", en: "The village's SID (last round: ${previous(${sid_status})})"}
            required: true
          - {type: integer, name: budget, label: {id: Total belanja (Rupiah), en: Total spending (Rupiah)}, required: true, warning: ". < 1000000000"}
          - {type: date, name: set_on, label: {id: Tanggal penetapan, en: Date set}}
        \((1...20).map { "  - {type: integer, name: q\($0), label: {id: Pertanyaan nomor \($0), en: Question number \($0)}}" }.joined(separator: "\n"))
        choices:
          sid:
            - {name: none, label: {id: Tidak ada, en: None}}
            - {name: paper, label: {id: Kertas, en: Paper}}
            - {name: online, label: {id: Elektronik daring, en: Online}}
        """

    static let frame = """
        code,name,level,parent_code
        11,Aceh,province,
        1105,Aceh Barat,district,11
        1105010,Johan Pahlawan,subdistrict,1105
        1105010001,Desa Sukamaju Makmur Sejahtera di Pesisir Barat,village,1105010

        """

    @Test("L7: screens at 80×24, in both languages", arguments: ["id", "en"])
    func screens(language: String) throws {
        let folder = try temporaryDirectory()
        let db = folder.appendingPathComponent("t.sqlite").path
        try Self.form.write(to: folder.appendingPathComponent("layar.yaml"), atomically: true, encoding: .utf8)
        try Self.frame.write(to: folder.appendingPathComponent("frame.csv"), atomically: true, encoding: .utf8)
        #expect(try pantau(["frame", "import", "frame.csv", "--db", db], directory: folder).status == 0)
        let indonesian = language == "id"
        func snapshot(_ screen: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
            assertSnapshot(screen, named: "terminal-\(language)-\(name).txt", sourceLocation: sourceLocation)
        }
        let session = TmuxSession()
        defer { session.stop() }
        try session.start([
            pantauBinary.path, "interview", folder.appendingPathComponent("layar.yaml").path, "--unit", "1105010001", "--round", "2021-H1",
            "--enumerator", "siti", "--lang", language, "--db", db,
        ])
        // The unit's code and the round stay whole; the place is shortened to the village.
        snapshot(try session.screen(showing: indonesian ? "Kertas" : "Paper"), "1-choice")
        try session.send(":finish")
        snapshot(try session.screen(showing: indonesian ? "Belum bisa selesai" : "Cannot finish yet"), "2-finish-blocked")
        try session.send("5")
        snapshot(try session.screen(showing: indonesian ? "'5' bukan salah satu" : "'5' is not one of"), "3-choice-refused")
        try session.send("3")
        // The other convention's number is refused with how to type it; the session's own is read and grouped.
        try session.send(indonesian ? "12.5" : "6,8")
        snapshot(try session.screen(showing: indonesian ? "tidak bisa dibaca" : "cannot be read"), "4-number-refused")
        try session.send(indonesian ? "1.250.000.000" : "1,250,000,000")
        snapshot(try session.screen(showing: ":confirm"), "5-soft-check")
        try session.send(indonesian ? ":confirm sudah dicek" : ":confirm checked")
        snapshot(try session.screen(showing: indonesian ? "TTTT-BB-HH" : "YYYY-MM-DD"), "6-date-format")
        try session.send("")
        for number in 1...20 {
            try session.send(String(number))
            _ = try session.screen(showing: number < 20 ? "q\(number + 1)" : (indonesian ? "Akhir wawancara" : "End of the interview"))
        }
        try session.send(":review")
        snapshot(try session.screen(showing: indonesian ? "Tinjauan 1/2" : "Review 1/2"), "7-review-page-1")
        try session.send("")
        snapshot(try session.screen(showing: indonesian ? "Tinjauan 2/2" : "Review 2/2"), "8-review-page-2")
        try session.send("")
        _ = try session.screen(showing: indonesian ? "Akhir wawancara" : "End of the interview")
        try session.send(":finish")
        _ = try session.screen(showing: "EXIT=0")
        let interviews = try pantau(["interviews", "--format", "json", "--db", db])
        let uuid = try #require((try JSONSerialization.jsonObject(with: Data(interviews.stdout.utf8)) as? [[String: Any]])?.first?["uuid"] as? String)
        let shown = try pantau(["show", uuid, "--format", "json", "--db", db])
        let answers = (try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["answers"] as? [[String: Any]] ?? []
        let budget = answers.first { $0["address"] as? String == "budget" }
        #expect(budget?["value"] as? String == "1250000000")
        #expect(budget?["confirmation"] as? String == (indonesian ? "sudah dicek" : "checked"))
    }
}
