import Foundation
import Yams

/// A survey plan: the frame file and, for each round, its dates and the questionnaire versions it fields.
/// Written as `NAME.plan.yaml`; paths are relative to the plan file.
public struct SurveyPlan: Sendable {
    public struct Round: Sendable {
        public let code: String
        public let starts: String?
        public let ends: String?
        public let questionnaires: [Questionnaire]
    }

    public let path: String
    public let framePath: String?
    public let rounds: [Round]

    /// Whether a file is a plan rather than a questionnaire (by its name).
    public static func isPlan(_ path: String) -> Bool { path.hasSuffix(".plan.yaml") }

    /// Reads a plan and loads every questionnaire it names; all problems are reported together.
    public static func load(path: String) -> Result<SurveyPlan, DiagnosticReport> {
        var diagnostics: [Diagnostic] = []
        func problem(_ code: DiagnosticCode, _ mark: Mark?, _ message: String) {
            diagnostics.append(Diagnostic(code, at: SourceLocation(file: path, line: mark?.line ?? 1, column: mark?.column ?? 1), message))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            problem(.malformedYAML, nil, "cannot read the plan")
            return .failure(DiagnosticReport(file: path, source: nil, diagnostics: diagnostics))
        }
        let folder = (path as NSString).deletingLastPathComponent
        func resolve(_ relative: String) -> String { relative.hasPrefix("/") ? relative : (folder as NSString).appendingPathComponent(relative) }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            problem(.malformedYAML, nil, "the plan is not valid YAML: \(error)")
            return .failure(DiagnosticReport(file: path, source: text, diagnostics: diagnostics))
        }
        guard case .mapping(let mapping)? = root else {
            problem(.badStructure, root?.mark, "a plan is a mapping with frame and rounds")
            return .failure(DiagnosticReport(file: path, source: text, diagnostics: diagnostics))
        }
        var framePath: String?
        var rounds: [Round] = []
        var loaded: [String: Questionnaire] = [:]
        for (key, value) in mapping {
            switch key.string {
            case "frame":
                guard let relative = value.string else {
                    problem(.wrongValueKind, value.mark, "frame is a file name")
                    continue
                }
                framePath = resolve(relative)
                if !FileManager.default.fileExists(atPath: framePath!) { problem(.badStructure, value.mark, "the frame file \(relative) does not exist") }
            case "rounds":
                guard case .sequence(let entries) = value else {
                    problem(.badStructure, value.mark, "rounds is a list")
                    continue
                }
                var seen = Set<String>()
                for entry in entries {
                    guard case .mapping(let fields) = entry, let code = fields["code"]?.string else {
                        problem(.badStructure, entry.mark, "each round has a code, optional starts and ends dates, and questionnaires")
                        continue
                    }
                    if !seen.insert(code).inserted { problem(.duplicateName, entry.mark, "round \(code) is listed twice") }
                    for (fieldKey, _) in fields where !["code", "starts", "ends", "questionnaires"].contains(fieldKey.string ?? "") {
                        problem(
                            .unknownKey, fieldKey.mark, "unknown key '\(fieldKey.string ?? "")' in a round; the keys are code, starts, ends, questionnaires")
                    }
                    var questionnaires: [Questionnaire] = []
                    if case .sequence(let files)? = fields["questionnaires"] {
                        for file in files {
                            guard let relative = file.string else { continue }
                            let full = resolve(relative)
                            if let cached = loaded[full] {
                                questionnaires.append(cached)
                                continue
                            }
                            switch QuestionnaireLoader.load(path: full) {
                            case .success(let questionnaire):
                                loaded[full] = questionnaire
                                questionnaires.append(questionnaire)
                            case .failure(let report):
                                problem(
                                    .badStructure, file.mark,
                                    "\(relative) is not a valid questionnaire (\(report.errors.count) errors; run pantau validate \(relative))")
                            }
                        }
                    } else {
                        problem(.badStructure, entry.mark, "round \(code) names no questionnaires")
                    }
                    if Set(questionnaires.map(\.settings.formID)).count != questionnaires.count {
                        problem(.duplicateName, entry.mark, "round \(code) fields two versions of one questionnaire")
                    }
                    rounds.append(Round(code: code, starts: fields["starts"]?.string, ends: fields["ends"]?.string, questionnaires: questionnaires))
                }
                if rounds.map(\.code) != rounds.map(\.code).sorted() {
                    problem(.badStructure, value.mark, "round codes must sort in time order (e.g. 2020-H2, 2021-H1)")
                }
            default:
                problem(.unknownKey, key.mark, "unknown key '\(key.string ?? "")' in a plan; the keys are frame and rounds")
            }
        }
        if rounds.isEmpty { problem(.badStructure, root?.mark, "the plan has no rounds") }
        let report = DiagnosticReport(file: path, source: text, diagnostics: diagnostics)
        if report.hasErrors { return .failure(report) }
        return .success(SurveyPlan(path: path, framePath: framePath, rounds: rounds))
    }
}
