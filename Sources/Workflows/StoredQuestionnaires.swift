import Expressions
import Questionnaire
import Store

/// What the analysis workflows read from a store beside the answers: the questionnaire versions it holds.
struct StoredQuestionnaires {
    /// Every valid version, by form and version.
    var versions: [String: [String: Questionnaire]] = [:]
    /// The latest version of each form (definitions come ordered by form and version).
    var latest: [String: Questionnaire] = [:]

    init(_ store: any StoreReading) throws {
        for definition in try store.questionnaireDefinitions() {
            guard case .success(let questionnaire) = QuestionnaireLoader.load(yaml: definition.text, file: "\(definition.formID) \(definition.version)")
            else { continue }
            versions[definition.formID, default: [:]][definition.version] = questionnaire
            latest[definition.formID] = questionnaire
        }
    }
}

extension Round {
    /// The round's last day (days since 1970): the store's date, else what a six-monthly code implies, else unknown.
    var lastDay: Int? {
        if let ends = endsOn.flatMap(CivilDate.parse) { return ends.days }
        return RoundCalendar.fieldwork(ofCode: code)?.ends.days
    }
}
