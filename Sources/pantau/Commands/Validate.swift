import Analysis
import ArgumentParser
import Foundation
import Questionnaire
import Store

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check questionnaire files and report every problem with its file, line and column.",
        discussion: """
            Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an error.
            Diagnostic codes (Q…, W…, X…) are listed in the README.
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
                    for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, source: report.source, withSource: !brief)) }
                }
                continue
            }
            if SurveyPlan.isPlan(file) {
                switch SurveyPlan.load(path: file) {
                case .success(let plan):
                    print("\(file): ok: survey plan with \(plan.rounds.count) rounds (\(plan.rounds.map(\.code).joined(separator: ", ")))")
                case .failure(let report):
                    failed = true
                    for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, source: report.source, withSource: !brief)) }
                }
                continue
            }
            switch QuestionnaireLoader.load(path: file) {
            case .success(let questionnaire):
                for warning in questionnaire.warnings {
                    print(Terminal.render(warning, source: questionnaire.sourceText, withSource: !brief))
                }
                if strict && !questionnaire.warnings.isEmpty { failed = true }
                let settings = questionnaire.settings
                print(
                    "\(file): ok: \(settings.formID) version \(settings.version): \(questionnaire.summary)\(questionnaire.warnings.isEmpty ? "" : "; \(questionnaire.warnings.count) warning\(questionnaire.warnings.count == 1 ? "" : "s")")"
                )
            case .failure(let report):
                failed = true
                for diagnostic in report.diagnostics {
                    print(Terminal.render(diagnostic, source: report.source, withSource: !brief))
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
           case .success(let units) = FrameFile.parse(text) {
            levels = Set(units.map(\.level))
            attributes = Set(units.flatMap { $0.attributes.map(\.key) })
        }
        switch IndicatorSet.load(path: file, questionnaires: Array(latest.values), frameLevels: levels, frameAttributes: attributes) {
        case .success(let set):
            print("\(file): ok: \(set.indicators.count) indicators over \(Set(set.indicators.map(\.instrument)).sorted().joined(separator: ", "))")
            return true
        case .failure(let report):
            for diagnostic in report.diagnostics { print(Terminal.render(diagnostic, source: report.source, withSource: !brief)) }
            print("\(file): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s")")
            return false
        }
    }
}

/// Loads a questionnaire for a command that needs a valid one; prints the diagnostics otherwise.
func loadValid(_ path: String, failureCode: Int32 = 1) throws -> Questionnaire {
    switch QuestionnaireLoader.load(path: path) {
    case .success(let questionnaire):
        return questionnaire
    case .failure(let report):
        for diagnostic in report.diagnostics {
            Terminal.printError(Terminal.render(diagnostic, source: report.source, withSource: true))
        }
        Terminal.printError("\(path) is not a valid questionnaire; run pantau validate \(path)")
        throw ExitCode(failureCode)
    }
}
