import Analysis
import ArgumentParser
import Foundation
import Questionnaire
import Store
import XLSForm

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check questionnaire files and report every problem with its file, line and column.",
        discussion: """
            Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an error.
            Diagnostic codes (Q…, W…, X…) are listed in docs/diagnostics.md.
            """
    )

    @Argument(help: "Questionnaire files (.yaml).")
    var files: [String]

    @Flag(name: .long, help: "Print only the one-line diagnostics, without the source line and caret.")
    var brief = false

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one questionnaire file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            if IndicatorSet.isIndicatorFile(file) {
                if !validateIndicators(file) { failed = true }
                continue
            }
            if DiDSpec.isSpec(file) {
                switch DiDSpec.load(path: file, questionnaires: Array(knownQuestionnaires().values)) {
                case .success(let spec):
                    print("\(file): ok: DiD specification over \(spec.instrument) (\(spec.estimators.map(\.rawValue).joined(separator: ", ")))")
                case .failure(let report):
                    failed = true
                    let lines = brief ? nil : report.source.map(Diagnostic.lines)
                    for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, lines: lines, withSource: !brief)) }
                }
                continue
            }
            if SurveyPlan.isPlan(file) {
                switch SurveyPlan.load(path: file) {
                case .success(let plan):
                    print("\(file): ok: survey plan with \(plan.rounds.count) rounds (\(plan.rounds.map(\.code).joined(separator: ", ")))")
                case .failure(let report):
                    failed = true
                    let lines = brief ? nil : report.source.map(Diagnostic.lines)
                    for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, lines: lines, withSource: !brief)) }
                }
                continue
            }
            switch loadForm(file) {
            case .success(let (questionnaire, conversionWarnings)):
                // A converted XLSForm's warnings point at its cells; the YAML it became is not shown.
                let isXLSForm = XLSFormPath.matches(file)
                for warning in conversionWarnings { print(Terminal.render(warning, source: nil, withSource: false)) }
                let warningLines = brief || isXLSForm ? nil : Diagnostic.lines(questionnaire.sourceText)
                for warning in questionnaire.warnings {
                    print(Terminal.render(warning, lines: warningLines, withSource: !brief && !isXLSForm))
                }
                let warnings = questionnaire.warnings.count + conversionWarnings.count
                if strict && warnings > 0 { failed = true }
                let settings = questionnaire.settings
                print(
                    "\(file): ok: \(settings.formID) version \(settings.version): \(questionnaire.summary)\(warnings == 0 ? "" : "; \(warnings) warning\(warnings == 1 ? "" : "s")")"
                )
            case .failure(let report):
                failed = true
                let sourceLines = brief ? nil : report.source.map(Diagnostic.lines)
                for diagnostic in report.diagnostics {
                    print(Terminal.render(diagnostic, lines: sourceLines, withSource: !brief))
                }
                print(
                    "\(file): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s"), \(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s")"
                )
            }
        }
        if failed { throw ExitCode(1) }
    }
}

extension Validate {
    /// Indicator files are checked against the questionnaires named on the command line and those under
    /// Questionnaires/ (the latest version of each form).
    /// The latest version of each questionnaire named on the command line or under Questionnaires/.
    func knownQuestionnaires() -> [String: Questionnaire] {
        var paths = files.filter { !IndicatorSet.isIndicatorFile($0) && !SurveyPlan.isPlan($0) && !DiDSpec.isSpec($0) }
        if let found = FileManager.default.enumerator(atPath: "Questionnaires") {
            for case let path as String in found where path.hasSuffix(".yaml") && !SurveyPlan.isPlan(path) { paths.append("Questionnaires/" + path) }
        }
        var latest: [String: Questionnaire] = [:]
        for path in paths {
            if case .success(let questionnaire) = QuestionnaireLoader.load(path: path) {
                if let known = latest[questionnaire.settings.formID], known.settings.version >= questionnaire.settings.version { continue }
                latest[questionnaire.settings.formID] = questionnaire
            }
        }
        return latest
    }

    func validateIndicators(_ file: String) -> Bool {
        let latest = knownQuestionnaires()
        // The frame beside the programme's questionnaires (Questionnaires/NAME/frame.csv for Analysis/NAME/…).
        var levels = Set<String>(), attributes = Set<String>()
        let programme = ((file as NSString).deletingLastPathComponent as NSString).lastPathComponent
        if let text = try? String(contentsOfFile: "Questionnaires/\(programme)/frame.csv", encoding: .utf8),
            case .success(let units) = FrameFile.parse(text)
        {
            levels = Set(units.map(\.level))
            attributes = Set(units.flatMap { $0.attributes.map(\.key) })
        }
        switch IndicatorSet.load(path: file, questionnaires: Array(latest.values), frameLevels: levels, frameAttributes: attributes) {
        case .success(let set):
            print("\(file): ok: \(set.indicators.count) indicators over \(Set(set.indicators.map(\.instrument)).sorted().joined(separator: ", "))")
            return true
        case .failure(let report):
            let lines = brief ? nil : report.source.map(Diagnostic.lines)
            for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, lines: lines, withSource: !brief)) }
            print("\(file): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s")")
            return false
        }
    }
}

/// Loads a questionnaire for a command that needs a valid one; prints the diagnostics otherwise.
/// XLSForms: an .xlsx or .xls workbook, or a folder holding survey.csv.
enum XLSFormPath {
    static func matches(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return path.lowercased().hasSuffix(".xlsx") || path.lowercased().hasSuffix(".xls")
            || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                && FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("survey.csv")))
    }
}

/// A questionnaire from pantau's YAML or from an XLSForm, with the conversion's warnings.
func loadForm(_ path: String) -> Result<(Questionnaire, [Diagnostic]), DiagnosticReport> {
    if XLSFormPath.matches(path) { return XLSForm.load(path: path).map { ($0.questionnaire, $0.warnings) } }
    return QuestionnaireLoader.load(path: path).map { ($0, []) }
}

/// A questionnaire for a command that needs a valid one; otherwise its diagnostics, reported with `status`.
func loadValid(_ path: String, failureCode status: Int32 = 1) throws -> Questionnaire {
    switch loadForm(path) {
    case .success(let (questionnaire, _)): return questionnaire
    case .failure(let report): throw CommandError.invalidQuestionnaire(path: path, report, status: status)
    }
}
