import Foundation
import Glibc
import TestSupport
import Testing

/// A `pantau` child process fed one line at a time, whose output is read as it arrives.
/// Standard output is a pipe read with poll(2), so every wait ends at its deadline; standard error goes to a file.
final class InteractiveRun {
    private let child: ChildProcess
    private let inputWrite: Int32
    private let outputRead: Int32
    private let errorsPath: String
    private var inputOpen = true
    private(set) var text = ""

    init(_ arguments: [String], directory: URL = repositoryRoot) throws {
        let input = try makePipe()
        let output = try makePipe()
        errorsPath = try temporaryDirectory().appendingPathComponent("stderr").path
        let errors = try openFile(errorsPath, writing: true)
        defer {
            close(input.read)
            close(output.write)
            close(errors)
        }
        child = try ChildProcess(
            executable: pantauBinary.path, arguments: arguments, environment: childEnvironment(),
            directory: directory.path, stdin: input.read, stdout: output.write, stderr: errors)
        inputWrite = input.write
        outputRead = output.read
    }

    deinit {
        if child.isRunning { child.kill() }
        if inputOpen { close(inputWrite) }
        close(outputRead)
    }

    var termination: Termination? { child.isRunning ? nil : child.wait(timeout: 0) }

    /// Lines that ask for input (`? …`), in order.
    var prompts: [String] { text.split(separator: "\n").filter { $0.hasPrefix("? ") }.map { String($0.dropFirst(2)) } }

    /// Reads what has arrived on standard output, waiting at most until `deadline`; false at end of output.
    private func read(until deadline: Date) -> Bool {
        let milliseconds = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
        var descriptor = pollfd(fd: outputRead, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&descriptor, 1, milliseconds)
        guard ready > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = Glibc.read(outputRead, &buffer, buffer.count)
        guard count > 0 else { return false }
        text += String(decoding: buffer[0..<count], as: UTF8.self)
        return true
    }

    /// Reads output until `count` prompts have appeared; false if the process ended first or time ran out.
    @discardableResult
    func waitForPrompts(_ count: Int, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while prompts.count < count {
            guard Date() < deadline, read(until: deadline) else { return prompts.count >= count }
        }
        return true
    }

    func send(_ line: String) {
        sendRaw(Data((line + "\n").utf8))
    }

    func sendRaw(_ data: Data) {
        writeAll(inputWrite, data)
    }

    /// Sends a signal (SIGINT: Ctrl-C) and waits for the child to end; returns how it ended and its standard error.
    func interrupt(_ signal: Int32 = SIGINT, timeout: TimeInterval = 30) -> (Termination, stderr: String) {
        Glibc.kill(child.pid, signal)
        let termination = child.wait(timeout: timeout)
        return (termination, (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "")
    }

    /// SIGKILL: no handler runs, as when power fails.
    @discardableResult
    func kill() -> Termination {
        child.kill()
    }

    /// Closes standard input and waits (killing the child after `timeout` seconds); returns the exit status
    /// and standard error.
    func finish(timeout: TimeInterval = 120) -> (status: Int32, stderr: String) {
        if inputOpen {
            close(inputWrite)
            inputOpen = false
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, read(until: deadline) {}
        let termination = child.wait(timeout: max(0, deadline.timeIntervalSinceNow))
        let stderr = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        switch termination {
        case .exited(let code): return (code, stderr)
        case .signalled(let signal): return (128 + signal, stderr)
        case .timedOut:
            Issue.record("the interview was still running \(Int(timeout)) s after its input closed and was killed\n\(stderr)")
            return (-1, stderr)
        }
    }
}
