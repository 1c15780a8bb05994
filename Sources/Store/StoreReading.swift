import Interview

/// What the supervisor's and analyst's commands need of a store, whichever it is: an SQLite file (`ResponseStore`)
/// or a central PostgreSQL store (`PostgresStore`), with the same results for the same interviews.
public protocol StoreReading: AnyObject {
    /// Interviews as listed (entered, relevant answers counted), optionally of one round and status.
    func interviews(round: String?, status: String?) throws -> [InterviewSummary]
    /// One interview with its answers and its audit trail in order.
    func interview(_ uuid: String) throws -> (summary: InterviewSummary, answers: [StoredAnswer], audit: [AuditEntry])
    /// The stored text of a questionnaire version.
    func definition(formID: String, version: String) throws -> String?
    func approve(_ uuid: String, by reviewer: String, comment: String?, at now: Timestamp) throws
    func reject(_ uuid: String, by reviewer: String, comment: String, at now: Timestamp) throws
}

extension ResponseStore: StoreReading {}
