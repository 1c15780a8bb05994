import Foundation
import Interview
import Questionnaire

/// What the supervisor's and analyst's commands need of a store, whichever it is: an SQLite file (`ResponseStore`)
/// or a central PostgreSQL store (`PostgresStore`), with the same results for the same interviews.
public protocol StoreReading: AnyObject {
    /// Interviews as listed (entered, relevant answers counted), optionally of one round and status.
    func interviews(round: String?, status: String?) throws -> [InterviewSummary]
    /// Every interview's identity and status, cheaply (no answers counted), optionally of one questionnaire and round.
    func interviewKeys(formID: String?, round: String?) throws -> [InterviewKey]
    /// One interview with its answers and its audit trail in order.
    func interview(_ uuid: String) throws -> (summary: InterviewSummary, answers: [StoredAnswer], audit: [AuditEntry])
    /// The stored text of a questionnaire version.
    func definition(formID: String, version: String) throws -> String?
    func approve(_ uuid: String, by reviewer: String, comment: String?, at now: Timestamp) throws
    func reject(_ uuid: String, by reviewer: String, comment: String, at now: Timestamp) throws
    /// Keeps one interview of a duplicate group; the others are set aside (status discarded), each with the reason in
    /// its audit trail. The interviews set aside.
    @discardableResult func resolve(keeping uuid: String, reason: String, at now: Timestamp) throws -> [String]
    /// Every stored questionnaire definition, by form and version.
    func questionnaireDefinitions() throws -> [(formID: String, version: String, text: String)]
    /// The frame's units in import order, optionally of one level.
    func units(level: String?) throws -> [FrameUnit]
    /// The rounds, by code.
    func rounds() throws -> [Round]
    /// The relevant answers of every completed or approved interview of a questionnaire in a round, one per unit
    /// (the latest ended when a unit has more than one), optionally only of some variables.
    func completedAnswers(formID: String, round: String, names: Set<String>?) throws -> [InterviewAnswers]
    /// Attachments' descriptions, optionally of some interviews.
    func attachments(of interviews: Set<String>?) throws -> [StoredAttachment]
    /// One attachment's bytes, checked against its SHA-256.
    func content(of attachment: StoredAttachment) throws -> Data?
}

/// Who and where an interview is, and how far: what progress and review need of every interview.
public struct InterviewKey: Hashable, Sendable {
    public let uuid: String
    public let formID: String
    public let unitCode: String
    public let roundCode: String
    public let status: String
    public let enumerator: String

    public init(uuid: String, formID: String, unitCode: String, roundCode: String, status: String, enumerator: String) {
        (self.uuid, self.formID, self.unitCode, self.roundCode, self.status, self.enumerator) = (uuid, formID, unitCode, roundCode, status, enumerator)
    }
}

extension StoreReading {
    public func interviews(round: String?) throws -> [InterviewSummary] { try interviews(round: round, status: nil) }
    public func interviews() throws -> [InterviewSummary] { try interviews(round: nil, status: nil) }
    public func units() throws -> [FrameUnit] { try units(level: nil) }
    public func completedAnswers(formID: String, round: String) throws -> [InterviewAnswers] {
        try completedAnswers(formID: formID, round: round, names: nil)
    }
    public func attachments() throws -> [StoredAttachment] { try attachments(of: nil) }

    /// Groups of interviews of the same questionnaire, unit and round (discarded ones left out).
    public func duplicates() throws -> [DuplicateGroup] {
        let all = try interviews().filter { $0.status != InterviewStatus.discarded.rawValue }
        let groups = Dictionary(grouping: all) { [$0.formID, $0.unitCode, $0.roundCode] }
        return groups.filter { $0.value.count > 1 }
            .map {
                DuplicateGroup(
                    formID: $0.key[0], unitCode: $0.key[1], roundCode: $0.key[2],
                    interviews: $0.value.sorted { ($0.startedAt, $0.uuid) < ($1.startedAt, $1.uuid) })
            }
            .sorted { ($0.formID, $0.roundCode, $0.unitCode) < ($1.formID, $1.roundCode, $1.unitCode) }
    }
}

extension ResponseStore: StoreReading {}
