import Foundation
import Glibc
import TestSupport
import Testing

/// The built `pantau` binary: beside the test bundle, where SwiftPM puts every product.
let pantauBinary: URL = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pantau")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return repositoryRoot.appendingPathComponent(".build/debug/pantau")
}()

/// A fixture that could not be set up: the test fails with the reason instead of stopping the whole run.
struct SetupFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs pantau as a child process with no terminal attached; standard input is the given bytes, or empty.
/// Output goes through files (a pipe that nobody drains can block the child); a child still running after
/// `timeout` seconds is killed and the test fails with what it printed so far.
func pantau(
    _ arguments: [String], environment: [String: String] = [:], directory: URL = repositoryRoot, input: Data? = nil,
    timeout: TimeInterval = 600, executable: String = pantauBinary.path
) throws -> Run {
    let folder = try temporaryDirectory()
    let inputPath = folder.appendingPathComponent("stdin").path
    try (input ?? Data()).write(to: URL(fileURLWithPath: inputPath))
    let outPath = folder.appendingPathComponent("stdout").path
    let errPath = folder.appendingPathComponent("stderr").path
    let stdin = try openFile(inputPath, writing: false)
    let stdout = try openFile(outPath, writing: true)
    let stderr = try openFile(errPath, writing: true)
    let child: ChildProcess
    do {
        child = try ChildProcess(
            executable: executable, arguments: arguments, environment: childEnvironment(environment),
            directory: directory.path, stdin: stdin, stdout: stdout, stderr: stderr)
    } catch {
        close(stdin)
        close(stdout)
        close(stderr)
        throw error
    }
    close(stdin)
    close(stdout)
    close(stderr)
    let termination = child.wait(timeout: timeout)
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(at: folder)
    let status: Int32
    switch termination {
    case .exited(let code): status = code
    case .signalled(let signal): status = 128 + signal
    case .timedOut:
        Issue.record("pantau \(arguments.joined(separator: " ")) was still running after \(Int(timeout)) s and was killed\n\(err)")
        status = -1
    }
    return Run(status: status, stdout: out, stderr: err)
}
