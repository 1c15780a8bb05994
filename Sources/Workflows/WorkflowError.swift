import Analysis

/// Why a workflow stopped, in words an analyst acts on. Diagnostics of a specification are thrown as the
/// `DiagnosticReport` itself, so they keep their file, line and source text.
public enum WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The demo's output folder exists, holds files, and was not made by the demo: it is never emptied.
    case outputFolderNotOurs(String)
    case unreadable(path: String)
    case notUTF8(path: String)
    case emptyFile(path: String)
    case noDataRows(path: String)
    case malformedCSV(path: String, line: Int, message: String)
    case missingColumn(path: String, column: String, columns: [String])
    case nonPositiveWeights(column: String)
    case noCompletedInterviews(instruments: [String])
    case roundWithoutData(round: String, roundsWithData: [String])
    /// An estimator could not run on these data; `source` names the file or specification.
    case estimation(source: String?, EstimationError)

    public var description: String {
        switch self {
        case .outputFolderNotOurs(let path): "\(path) exists and was not made by pantau demo; choose another --out"
        case .unreadable(let path): "cannot read \(path)"
        case .notUTF8(let path): "\(path) is not UTF-8 text; save it as CSV UTF-8"
        case .emptyFile(let path): "\(path) is empty"
        case .noDataRows(let path): "\(path) has a header but no data rows"
        case .malformedCSV(let path, let line, let message): "\(path):\(line): \(message)"
        case .missingColumn(let path, let column, let columns):
            "\(path) has no column '\(column)'; its columns are \(columns.joined(separator: ", "))"
        case .nonPositiveWeights(let column): "the weights in \(column) must be positive numbers in every row used"
        case .noCompletedInterviews(let instruments): "the store has no completed interviews of \(instruments.joined(separator: ", "))"
        case .roundWithoutData(let round, let rounds): "no completed interviews in round \(round); rounds with data: \(rounds.joined(separator: ", "))"
        case .estimation(let source, let error): source.map { "\($0): \(error)" } ?? "\(error)"
        }
    }
}
