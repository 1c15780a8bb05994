import ArgumentParser
import Foundation
import Questionnaire

/// Failures that belong to the command line itself rather than to a library.
enum CommandError: Error, CustomStringConvertible {
    /// A command that needs a valid questionnaire was given one with errors; `status` is the documented exit status.
    case invalidQuestionnaire(path: String, DiagnosticReport, status: Int32)
    /// SQLite's integrity check found problems.
    case damagedStore(path: String, problems: [String])
    case unreadable(path: String)
    case notUTF8(path: String)
    case noRounds
    /// A command that does not create stores was pointed at a path with none.
    case noSuchStore(String)
    /// An error already put into the words of the session's language (`pantau interview --lang id`).
    case translated(lines: [String], status: Int32)
    case noQuestionnaireWithUnitLevel(String)

    var description: String {
        switch self {
        case .invalidQuestionnaire(let path, _, _): "\(path) is not a valid questionnaire; run pantau validate \(path)"
        case .damagedStore(let path, _): "\(path) is damaged; keep a copy of the file and do not write to it"
        case .unreadable(let path): "cannot read \(path)"
        case .notUTF8(let path): "\(path) is not UTF-8 text; save it as CSV UTF-8"
        case .noRounds: "the store has no rounds"
        case .noSuchStore(let path):
            "there is no store at \(path); check --db (a store is created only by the commands that write: frame import, interview, rounds add, simulate, merge)"
        case .noQuestionnaireWithUnitLevel(let formID): "no questionnaire \(formID) with a unit level in the store"
        case .translated(let lines, _): lines.joined(separator: "\n")
        }
    }
}

/// The one place where an error a command throws becomes what the user reads on standard error and the exit status.
/// ArgumentParser's own errors (usage, help, `ExitCode`) are left to it; every other error is the library's value
/// with its own description: diagnostics with their source line and caret, anything else as `error: …`, status 1.
enum FailureReport {
    static func lines(for error: Error) -> (lines: [String], status: Int32)? {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError:
            return nil
        // ArgumentParser's internal errors, such as the help request its built-in help command throws from run().
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
            return nil
        case let report as DiagnosticReport:
            return (diagnostics(report), 1)
        case CommandError.invalidQuestionnaire(_, let report, let status):
            return (diagnostics(report) + ["\(error)"], status)
        case CommandError.translated(let lines, let status):
            return (lines, status)
        case CommandError.damagedStore(_, let problems):
            return (problems.map { "integrity: \($0)" } + ["error: \(error)"], 1)
        case let error as CocoaError:
            // Foundation's file errors read best in their localized form ("The file … couldn't be saved …").
            return (["error: \(error.localizedDescription)"], 1)
        default:
            return (["error: \(error)"], 1)
        }
    }

    static func diagnostics(_ report: DiagnosticReport) -> [String] {
        let lines = report.source.map(Diagnostic.lines)
        return report.diagnostics.map { Terminal.render($0, lines: lines, withSource: true) }
    }
}
