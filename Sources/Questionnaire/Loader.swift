import Foundation
import Yams

/// Reads, checks and builds questionnaires. The only way to obtain a `Questionnaire`.
public enum QuestionnaireLoader {
    /// Names no item may take: XPath words and the fixed columns every export carries.
    public static var reservedNames: Set<String> { Reader.reservedNames }

    /// Loads a file; on any error returns every diagnostic found, in source order.
    public static func load(path: String) -> Result<Questionnaire, DiagnosticReport> {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(
                            .malformedYAML, at: SourceLocation(file: path, line: 1, column: 1), "cannot open the questionnaire: \(reason)")
                    ]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(
                            .malformedYAML, at: SourceLocation(file: path, line: 1, column: 1),
                            "the file is not UTF-8 text; save it as UTF-8")
                    ]))
        }
        return load(yaml: text, file: path)
    }

    /// Loads questionnaire text; `file` is the name used in diagnostics.
    public static func load(yaml text: String, file: String) -> Result<Questionnaire, DiagnosticReport> {
        if text.unicodeScalars.contains("\0") {
            return .failure(
                DiagnosticReport(
                    file: file, source: nil,
                    diagnostics: [
                        Diagnostic(
                            .malformedYAML, at: SourceLocation(file: file, line: 1, column: 1),
                            "the file contains NUL bytes; it is not a text file")
                    ]))
        }
        let reader = Reader(file: file, source: text)
        guard let draft = reader.read() else {
            return .failure(DiagnosticReport(file: file, source: text, diagnostics: reader.diagnostics))
        }
        var validator = SemanticValidator(
            items: draft.items.flatMap(\.flattened), choiceLists: draft.choiceLists,
            brokenNames: reader.brokenNames, file: file)
        validator.lookups = Dictionary(uniqueKeysWithValues: draft.lookups.map { ($0.name, $0.columns) })
        validator.locate = { compiled, offset in
            // Re-find the scalar the expression came from to place the offset exactly.
            reader.locateInside(compiled, offset: offset)
        }
        let graph = validator.validate()
        let diagnostics = reader.diagnostics + validator.diagnostics
        let report = DiagnosticReport(file: file, source: text, diagnostics: diagnostics)
        guard !report.hasErrors, let settings = draft.settings else {
            if draft.settings == nil, report.diagnostics.isEmpty {
                return .failure(
                    DiagnosticReport(
                        file: file, source: text,
                        diagnostics: [
                            Diagnostic(.missingSetting, at: draft.settingsLocation, "settings are incomplete")
                        ]))
            }
            return .failure(report)
        }
        var questionnaire = Questionnaire(
            settings: settings, items: draft.items, choiceLists: draft.choiceLists,
            dependencies: graph, sourceText: text, sourcePath: file, warnings: report.warnings)
        questionnaire.lookups = Dictionary(uniqueKeysWithValues: draft.lookups.map { ($0.name, $0) })
        return .success(questionnaire)
    }
}

extension Reader {
    /// The location of an offset inside an expression, given the expression's scalar location.
    func locateInside(_ compiled: CompiledExpression, offset: Int) -> SourceLocation {
        guard let node = scalarNodes[compiled.location] else { return compiled.location }
        return location(of: node, offset: offset)
    }
}
