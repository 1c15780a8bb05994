import Expressions
import Interview
import Questionnaire

/// An interview row, as listed.
public struct InterviewSummary: Hashable, Sendable {
    public let uuid: String
    public let formID: String
    public let version: String
    public let unitCode: String
    public let unitName: String
    public let roundCode: String
    public let enumerator: String
    public let status: String
    public let startedAt: String
    public let endedAt: String?
    public let updatedAt: String
    public let utcOffsetMinutes: Int
    public let cursor: String
    public let language: String?
    public let answers: Int

    public init(
        uuid: String, formID: String, version: String, unitCode: String, unitName: String, roundCode: String, enumerator: String, status: String,
        startedAt: String, endedAt: String?, updatedAt: String, utcOffsetMinutes: Int, cursor: String, language: String?, answers: Int
    ) {
        (self.uuid, self.formID, self.version, self.unitCode, self.unitName, self.roundCode) = (uuid, formID, version, unitCode, unitName, roundCode)
        (self.enumerator, self.status, self.startedAt, self.endedAt, self.updatedAt) = (enumerator, status, startedAt, endedAt, updatedAt)
        (self.utcOffsetMinutes, self.cursor, self.language, self.answers) = (utcOffsetMinutes, cursor, language, answers)
    }
}

/// One stored answer row.
public struct StoredAnswer: Hashable, Sendable {
    public let address: Address
    public let stored: StoredValue
    public let origin: String
    public let relevant: Bool
    public let confirmation: String?
    public let updatedAt: String

    public init(address: Address, stored: StoredValue, origin: String, relevant: Bool, confirmation: String?, updatedAt: String) {
        (self.address, self.stored, self.origin, self.relevant, self.confirmation, self.updatedAt) = (
            address, stored, origin, relevant, confirmation, updatedAt
        )
    }
}

/// One audit log row.
public struct AuditEntry: Hashable, Sendable {
    /// The position in its interview's trail: 1, 2, 3, …
    public let sequence: Int64
    public let at: String
    public let utcOffsetMinutes: Int
    public let event: String
    public let address: String?
    public let oldValue: String?
    public let newValue: String?
    public let detail: String?

    public init(
        sequence: Int64, at: String, utcOffsetMinutes: Int, event: String, address: String?, oldValue: String?, newValue: String?, detail: String?
    ) {
        (self.sequence, self.at, self.utcOffsetMinutes, self.event) = (sequence, at, utcOffsetMinutes, event)
        (self.address, self.oldValue, self.newValue, self.detail) = (address, oldValue, newValue, detail)
    }
}
