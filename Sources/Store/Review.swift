import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire

/// Why an interview deserves a look, and how urgently.
public struct ReviewReason: Hashable, Sendable {
    /// What to look at first: answers changed after completion, very short interviews and copied answers are
    /// likely errors or fabrication; numbers far from the last round and many non-responses are worth a question;
    /// confirmed soft checks and long interviews are usually fine.
    public enum Severity: Int, Comparable, Sendable, CaseIterable {
        case high = 1
        case medium, low
        public var name: String {
            switch self {
            case .high: "high"
            case .medium: "medium"
            case .low: "low"
            }
        }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A stable name for the rule: changed_after_completion, very_short, copied_answers, far_from_previous,
    /// non_responses, soft_checks_confirmed, very_long.
    public let rule: String
    public let severity: Severity
    public let text: String
}

/// A completed interview worth a supervisor's look, with the reasons (each rule once), most urgent first.
public struct ReviewItem: Hashable, Sendable {
    public let interview: InterviewSummary
    public let reasons: [ReviewReason]
    /// Minutes spent interviewing, from the audit log (gaps between events, each up to 30 minutes).
    public let minutes: Double?
    /// The most urgent of the reasons.
    public var severity: ReviewReason.Severity { reasons.map(\.severity).min() ?? .low }
}

/// Thresholds for the review list; each is a documented default a supervisor may change.
public struct ReviewRules: Sendable {
    /// At least this many dont_know or refused answers.
    public var nonResponses = 3
    /// Shorter than this share of the round's median duration for the questionnaire.
    public var shortShare = 0.4
    /// Longer than this multiple of it.
    public var longMultiple = 3.0
    /// A number this many times larger or smaller than the unit's previous round (both non-zero) …
    public var previousRatio = 5.0
    /// … and at least this far from it: 1 → 8 meetings is a change, not a slip.
    public var previousDifference = 10.0

    public init() {}
}

/// Fieldwork status for one group of units (a district, a sub-district or an enumerator).
public struct ProgressRow: Hashable, Sendable {
    public let group: String
    public let name: String
    public let units: Int
    public let notStarted: Int
    public let draft: Int
    public let completed: Int
    public let approved: Int
    public let rejected: Int

    /// Completed or approved, over the units in the frame.
    public var completionRate: Double { units == 0 ? 0 : Double(completed + approved) / Double(units) }
}

extension ResponseStore {
    /// Approves a completed interview; the decision and the supervisor go to the audit log.
    public func approve(_ uuid: String, by reviewer: String, comment: String?, at now: Timestamp) throws {
        try review(uuid, status: .approved, detail: "by \(reviewer)" + (comment.map { ": \($0)" } ?? ""), at: now)
    }

    /// Rejects a completed interview with a comment for the enumerator: after the store goes back to the
    /// device (`pantau merge` the other way), the interview reopens there with the comment shown.
    public func reject(_ uuid: String, by reviewer: String, comment: String, at now: Timestamp) throws {
        try review(uuid, status: .rejected, detail: comment + " (\(reviewer))", at: now)
    }

    private func review(_ uuid: String, status: InterviewStatus, detail: String, at now: Timestamp) throws {
        try wrap {
            try queue.write { db in
                guard let current = try String.fetchOne(db, sql: "SELECT status FROM interview WHERE uuid = ?", arguments: [uuid]) else {
                    throw StoreError.unknownInterview(uuid)
                }
                guard
                    current == InterviewStatus.completed.rawValue || current == InterviewStatus.approved.rawValue
                        || current == InterviewStatus.rejected.rawValue
                else {
                    throw StoreError.notReviewable(uuid: uuid, status: current)
                }
                // The review makes this version the newest, so that it wins when merged back to the device.
                try db.execute(sql: "UPDATE interview SET status = ?, updated_at = ? WHERE uuid = ?", arguments: [status.rawValue, now.iso8601, uuid])
                try Self.appendAudit(db, uuid: uuid, at: now, event: status.rawValue, detail: detail)
            }
        }
    }

    /// Time spent interviewing, in minutes, from the audit log's event times: the gaps between consecutive events,
    /// each counted up to 30 minutes, so that a draft left overnight does not count as a long interview. Nil with
    /// fewer than two events.
    public static func minutesInterviewing(_ times: [String]) -> Double? {
        let seconds = times.compactMap { CivilDate.parseDateTime($0)?.seconds }
        guard seconds.count > 1 else { return nil }
        return zip(seconds, seconds.dropFirst()).reduce(0) { $0 + min(max($1.1 - $1.0, 0), 1_800) } / 60
    }

    /// A duration in words precise enough to compare: seconds under a minute, tenths of a minute under ten (never
    /// "0 minutes against a median of 0").
    static func duration(_ minutes: Double) -> String {
        if minutes < 1 { return String(format: "%.0f seconds", minutes * 60) }
        if minutes < 10 { return String(format: "%.1f minutes", minutes) }
        return String(format: "%.0f minutes", minutes)
    }
}
