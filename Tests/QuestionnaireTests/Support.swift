import Foundation

@testable import Questionnaire

/// Five header lines, so the first survey item starts on line 6.
func form(_ survey: String, choices: String = "", languages: String? = nil) -> String {
    var text = "settings:\n  form_id: t\n  title: T\n  version: \"1\"\nsurvey:\n" + survey
    if !choices.isEmpty { text += "choices:\n" + choices }
    if let languages {
        text = text.replacingOccurrences(of: "  title: T\n", with: "  title: {id: T, en: T}\n")
            .replacingOccurrences(of: "  version: \"1\"\n", with: "  version: \"1\"\n  languages: \(languages)\n")
    }
    return text
}

/// "LINE:COLUMN CODE" for each diagnostic, in source order.
func diagnostics(_ yaml: String) -> [String] {
    switch QuestionnaireLoader.load(yaml: yaml, file: "t.yaml") {
    case .success(let questionnaire): questionnaire.warnings.map { "\($0.location.line):\($0.location.column) \($0.code)" }
    case .failure(let report): report.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.code)" }
    }
}

func load(_ yaml: String) throws -> Questionnaire {
    try QuestionnaireLoader.load(yaml: yaml, file: "t.yaml").get()
}
