import Foundation
import Testing

/// The repository root, found from this file's path (Sources/TestSupport/Files.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A public reference data set kept in Tests/ReferenceData (its README names each file's source and licence).
public func referenceData(_ name: String) -> URL {
    repositoryRoot.appendingPathComponent("Tests/ReferenceData").appendingPathComponent(name)
}

/// A trait that gives each test a scratch folder and removes it, with everything in it, when the test ends (passed,
/// failed or thrown): `@Suite(.temporaryFiles)`. Inside, `temporaryDirectory()` and `temporaryPath(_:)` make
/// folders and paths below it, so no test leaves files behind.
public struct TemporaryFilesTrait: TestTrait, SuiteTrait, TestScoping {
    @TaskLocal static var scratch: URL?

    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The suite's own scope adds nothing: each test (and each case of a parameterised one) gets its own folder.
        guard testCase != nil else { return try await function() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.$scratch.withValue(folder) { try await function() }
    }
}

extension Trait where Self == TemporaryFilesTrait {
    /// Each test gets a scratch folder that is removed when it ends.
    public static var temporaryFiles: Self { TemporaryFilesTrait() }
}

/// A fresh empty directory inside the running test's scratch folder (see `TemporaryFilesTrait`). Called from a test
/// without the trait, it records an issue: that folder would never be removed.
public func temporaryDirectory(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
    let parent: URL
    if let scratch = TemporaryFilesTrait.scratch {
        parent = scratch
    } else {
        Issue.record(
            "temporaryDirectory() outside a test with the .temporaryFiles trait: nothing would remove it",
            sourceLocation: sourceLocation)
        parent = FileManager.default.temporaryDirectory
    }
    let url = parent.appendingPathComponent("pantau-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A path named `name` in a fresh temporary directory (the file itself is not created).
public func temporaryPath(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try temporaryDirectory(sourceLocation: sourceLocation).appendingPathComponent(name).path
}

/// Compares text with a golden file in the Snapshots folder beside the calling test file. With RECORD_SNAPSHOTS=1 in
/// the environment the golden file is written instead; a missing golden file is written and the test fails, so a new
/// snapshot is always reviewed.
public func assertSnapshot(
    _ text: String, named name: String, filePath: String = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? text.write(to: file, atomically: true, encoding: .utf8)
        if !record { Issue.record("recorded a new snapshot \(name); check it and run again", sourceLocation: sourceLocation) }
        return
    }
    if text != expected {
        let actual = folder.appendingPathComponent(name + ".actual")
        try? text.write(to: actual, atomically: true, encoding: .utf8)
        Issue.record("\(name) differs from its snapshot; see \(actual.path) (RECORD_SNAPSHOTS=1 accepts it)", sourceLocation: sourceLocation)
    }
}
