import Foundation

/// Reports and exports written whole or not at all.
public enum OutputFile {
    /// Writes beside the target and renames, so a crash never leaves half a report; creates missing folders.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
