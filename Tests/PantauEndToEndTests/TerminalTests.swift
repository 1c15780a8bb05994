// L7: the terminal mode, driven through tmux as an enumerator would use it.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct TerminalTests {
    /// Runs a tmux client. Its output goes through a file, not a pipe: the tmux server that the first call
    /// starts would otherwise inherit the pipe and keep it open for ever.
    func tmux(_ arguments: [String]) throws -> String {
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

    func waitForScreen(_ session: String, containing text: String, timeout: TimeInterval = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try tmux(["capture-pane", "-p", "-t", session])
            if screen.contains(text) { return screen }
            usleep(100_000)
        }
        Issue.record("the screen never showed '\(text)':\n\(screen)")
        return screen
    }

    @Test("L7: one screen per question on an 80×24 terminal; answers, :back and :save work")
    func terminalMode() throws {
        let workspace = try Workspace()
        let session = "pantau-test-\(UUID().uuidString.prefix(8))"
        let command = ([pantauBinary.path] + workspace.interview()).map { "'\($0)'" }.joined(separator: " ") + "; echo EXIT=$?; sleep 30"
        _ = try tmux(["new-session", "-d", "-s", session, "-x", "80", "-y", "24", command])
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        var screen = try waitForScreen(session, containing: "One")
        #expect(screen.contains("Short · Aceh › Aceh Barat › Johan Pahlawan › Desa Satu [1105010001]"))
        #expect(screen.contains("0/"))
        #expect(screen.contains("(required)"))
        _ = try tmux(["send-keys", "-t", session, "abc", "Enter"])
        screen = try waitForScreen(session, containing: "'abc' is not a whole number")
        _ = try tmux(["send-keys", "-t", session, "7", "Enter"])
        screen = try waitForScreen(session, containing: "Two")
        // One question per screen: the previous one is gone.
        #expect(!screen.contains("One"))
        #expect(screen.contains("1/"))
        _ = try tmux(["send-keys", "-t", session, ":back", "Enter"])
        screen = try waitForScreen(session, containing: "Current value: 7")
        _ = try tmux(["send-keys", "-t", session, ":save", "Enter"])
        screen = try waitForScreen(session, containing: "EXIT=0")
        let uuid = try workspace.onlyInterview()
        #expect(try workspace.answers(uuid) == ["q1": "7"])
    }
}
