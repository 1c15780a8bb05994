import Foundation
import Testing

/// Compares text with a golden file in Snapshots/. With RECORD_SNAPSHOTS=1 in the environment the golden file
/// is written instead; a missing golden file is written and the test fails, so a new snapshot is always reviewed.
func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
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
        Issue.record(
            "\(name) differs from its snapshot; see \(actual.path) (RECORD_SNAPSHOTS=1 accepts it)", sourceLocation: sourceLocation)
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
