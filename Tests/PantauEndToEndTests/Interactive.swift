import Foundation

/// A `pantau` child process fed one line at a time, whose output is read as it arrives.
final class InteractiveRun {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private(set) var text = ""

    init(_ arguments: [String], directory: URL = repositoryRoot) throws {
        process.executableURL = pantauBinary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NO_COLOR")
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// Lines that ask for input (`? …`), in order.
    var prompts: [String] { text.split(separator: "\n").filter { $0.hasPrefix("? ") }.map { String($0.dropFirst(2)) } }

    /// Reads output until `count` prompts have appeared; false if the process ended first or time ran out.
    @discardableResult
    func waitForPrompts(_ count: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while prompts.count < count {
            guard Date() < deadline else { return false }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return prompts.count >= count }
            text += String(decoding: data, as: UTF8.self)
        }
        return true
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func sendRaw(_ data: Data) {
        input.fileHandleForWriting.write(data)
    }

    /// SIGKILL: no handler runs, as when power fails.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Closes standard input and waits; returns the exit status and standard error.
    func finish() -> (status: Int32, stderr: String) {
        try? input.fileHandleForWriting.close()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}
