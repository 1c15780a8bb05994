import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `pantau` binary: beside the test bundle, where SwiftPM puts every product.
let pantauBinary: URL = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pantau")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return repositoryRoot.appendingPathComponent(".build/debug/pantau")
}()

struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs pantau as a child process with no terminal attached; standard input is the given bytes, or empty.
func pantau(_ arguments: [String], environment: [String: String] = [:], directory: URL = repositoryRoot, input: Data? = nil) throws -> Run {
    let process = Process()
    process.executableURL = pantauBinary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NO_COLOR")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let input {
        // A file, not a pipe: the child may stop reading early, and a pipe's writer would then block.
        let file = try temporaryDirectory().appendingPathComponent("input")
        try input.write(to: file)
        process.standardInput = try FileHandle(forReadingFrom: file)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    // Read both pipes before waiting, so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
