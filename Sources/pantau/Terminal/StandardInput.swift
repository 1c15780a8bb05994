import Foundation

/// Lines of standard input as bytes, without their line end (\n or \r\n).
enum StandardInput {
    /// One buffered C stream over descriptor 0, read by nothing else.
    nonisolated(unsafe) private static let stream = fdopen(STDIN_FILENO, "r")

    static func lineBytes() -> [UInt8]? {
        guard let stream else { return nil }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        let count = getline(&buffer, &capacity, stream)
        guard count >= 0, let buffer else { return nil }
        var bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: count).map { $0 }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes
    }
}
