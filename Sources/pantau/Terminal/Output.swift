import Foundation
import Questionnaire
import Workflows

/// Terminal output that respects NO_COLOR and plain pipes.
enum Terminal {
    static func isTTY(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Decided once per process: reading the environment for every coloured word made long diagnostic lists slow.
    static let useColor: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTTY(STDOUT_FILENO)
    }()

    /// The terminal's width in columns (80 when unknown).
    static var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The terminal's height in lines (24 when unknown).
    static var height: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return 24
    }

    static func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A diagnostic, its source line and a caret; colour only on a terminal.
    static func render(_ diagnostic: Diagnostic, source: String?, withSource: Bool) -> String {
        render(diagnostic, lines: withSource ? source.map(Diagnostic.lines) : nil, withSource: withSource)
    }

    /// The same with the source already split into lines (once for a whole list of diagnostics).
    static func render(_ diagnostic: Diagnostic, lines: [Substring]?, withSource: Bool) -> String {
        var text = withSource ? diagnostic.rendered(lines: lines) : diagnostic.description
        if useColor {
            let word = diagnostic.severity == .error ? "error:" : "warning:"
            text = text.replacingOccurrences(of: " \(word) ", with: " \(paint(word, diagnostic.severity == .error ? "1;31" : "1;33")) ")
        }
        return text
    }
}

/// Writes text to a file, or to standard output when no path is given.
func emit(_ text: String, to path: String?) throws {
    guard let path else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    try OutputFile.write(text, to: path)
}
