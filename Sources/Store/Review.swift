import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire

/// A completed interview worth a supervisor's look, with the reasons.
public struct ReviewItem: Hashable, Sendable {
    public let interview: InterviewSummary
    public let reasons: [String]
    /// Minutes spent interviewing, from the audit log (gaps between events, each up to 30 minutes).
    public let minutes: Double?
}

/// Thresholds for the review list; each is a documented default a supervisor may change.
public struct ReviewRules: Sendable {
    /// At least this many dont_know or refused answers.
    public var nonResponses = 3
    /// Shorter than this share of the round's median duration for the questionnaire.
    public var shortShare = 0.4
    /// Longer than this multiple of it.
    public var longMultiple = 3.0
    /// A number this many times larger or smaller than the unit's previous round (both non-zero).
    public var previousRatio = 5.0

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

    /// Completed interviews awaiting review that show a reason for a look: soft checks confirmed, many
    /// non-responses, a duration far from the round's median, answers changed after completion, or numbers far
    /// from the unit's previous round.
    public func reviewList(round: String? = nil, rules: ReviewRules = ReviewRules()) throws -> [ReviewItem] {
        let candidates = try interviews(round: round, status: InterviewStatus.completed.rawValue)
        return try wrap {
            try queue.read { db in
                var durations: [String: Double] = [:]
                var facts: [String: [String]] = [:]
                for interview in candidates {
                    var reasons: [String] = []
                    let events = try Row.fetchAll(
                        db, sql: "SELECT at, event, address, detail FROM audit_log WHERE interview_uuid = ? ORDER BY seq",
                        arguments: [interview.uuid])
                    let confirmed = events.filter { $0["event"] as String == "soft_check_confirmed" }
                    if !confirmed.isEmpty {
                        let items = confirmed.map { "\($0["address"] as String? ?? "?") (\($0["detail"] as String? ?? ""))" }
                        reasons.append("\(confirmed.count) soft check\(confirmed.count == 1 ? "" : "s") confirmed: \(items.joined(separator: ", "))")
                    }
                    let nonResponses = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT text_value, COUNT(*) AS n FROM answer WHERE interview_uuid = ? AND relevant AND kind = 'non_response' GROUP BY text_value
                            """, arguments: [interview.uuid])
                    let total = nonResponses.reduce(0) { $0 + ($1["n"] as Int) }
                    if total >= rules.nonResponses {
                        reasons.append(
                            "\(total) non-responses (" + nonResponses.map { "\($0["n"] as Int) \($0["text_value"] as String)" }.joined(separator: ", ") + ")")
                    }
                    // Answers changed after an earlier completion (the interview was reopened and changed).
                    if let firstCompleted = events.firstIndex(where: { $0["event"] as String == "completed" }) {
                        let later = events[firstCompleted...].filter { $0["event"] as String == "changed" }
                        if !later.isEmpty {
                            let names = Set(later.compactMap { $0["address"] as String? }).sorted()
                            reasons.append("\(later.count) answer\(later.count == 1 ? "" : "s") changed after completion: \(names.joined(separator: ", "))")
                        }
                    }
                    durations[interview.uuid] = Self.minutesInterviewing(events.map { $0["at"] as String })
                    facts[interview.uuid] = reasons
                }
                // Duration against the median of the same questionnaire and round.
                let groups = Dictionary(grouping: candidates) { "\($0.formID) \($0.roundCode)" }
                for (_, members) in groups {
                    let values = members.compactMap { durations[$0.uuid] }.sorted()
                    guard values.count >= 3 else { continue }
                    let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
                    guard median > 0 else { continue }
                    for interview in members {
                        guard let minutes = durations[interview.uuid] else { continue }
                        if minutes < rules.shortShare * median {
                            facts[interview.uuid, default: []].append(String(format: "very short: %.0f minutes against a median of %.0f", minutes, median))
                        } else if minutes > rules.longMultiple * median {
                            facts[interview.uuid, default: []].append(String(format: "very long: %.0f minutes against a median of %.0f", minutes, median))
                        }
                    }
                }
                // Numbers far from the same unit's previous round of the same questionnaire.
                for interview in candidates {
                    guard
                        let previous = try String.fetchOne(
                            db,
                            sql: """
                                SELECT i.uuid FROM interview i JOIN round r ON r.code = i.round_code
                                WHERE i.form_id = ? AND i.unit_code = ? AND i.status IN \(InterviewStatus.finalSQL) AND i.round_code < ?
                                ORDER BY i.round_code DESC LIMIT 1
                                """, arguments: [interview.formID, interview.unitCode, interview.roundCode])
                    else { continue }
                    let far = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT now.address, now.number_value AS current, before.number_value AS earlier
                            FROM answer now JOIN answer before ON before.address = now.address AND before.interview_uuid = ?
                            WHERE now.interview_uuid = ? AND now.kind = 'number' AND before.kind = 'number' AND now.relevant AND before.relevant
                              AND now.number_value != 0 AND before.number_value != 0
                              AND (now.number_value / before.number_value > ? OR before.number_value / now.number_value > ?)
                              AND now.number_value * before.number_value > 0
                            ORDER BY now.address
                            """, arguments: [previous, interview.uuid, rules.previousRatio, rules.previousRatio])
                    if !far.isEmpty {
                        let items = far.prefix(5).map { row -> String in
                            "\(row["address"] as String) \(Value.format(number: row["earlier"])) → \(Value.format(number: row["current"]))"
                        }
                        facts[interview.uuid, default: []].append(
                            "far from the previous round: " + items.joined(separator: ", ")
                                + (far.count > 5 ? " and \(far.count - 5) more" : ""))
                    }
                }
                return candidates.compactMap { interview in
                    guard let reasons = facts[interview.uuid], !reasons.isEmpty else { return nil }
                    return ReviewItem(interview: interview, reasons: reasons, minutes: durations[interview.uuid])
                }
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

    /// For a round: per group (the frame level `by`, or each enumerator), the units the questionnaire covers and
    /// how far their interviews are. Units are those of the questionnaire's unit level under the group.
    public func progress(formID: String, unitLevel: String, round: String, by grouping: String) throws -> [ProgressRow] {
        let units = try units()
        let hierarchy = FrameHierarchy(units)
        let covered = units.filter { $0.level == unitLevel }
        let statuses = try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT unit_code, status, enumerator FROM interview WHERE form_id = ? AND round_code = ? AND status != 'discarded'
                        """, arguments: [formID, round])
            }
        }
        var interviewOf: [String: (status: String, enumerator: String)] = [:]
        for row in statuses {
            let code: String = row["unit_code"], status: String = row["status"]
            // With duplicates, the furthest along counts.
            let order = ["draft": 0, "rejected": 1, "completed": 2, "approved": 3]
            if let known = interviewOf[code], order[known.status] ?? 0 >= order[status] ?? 0 { continue }
            interviewOf[code] = (status, row["enumerator"])
        }
        var rows: [String: (name: String, counts: [String: Int], units: Int)] = [:]
        var order: [String] = []
        for unit in covered {
            let key: String, name: String
            if grouping == "enumerator" {
                key = interviewOf[unit.code]?.enumerator ?? "(not started)"
                name = ""
            } else {
                let group = hierarchy.ancestor(of: unit.code, level: grouping)
                key = group?.code ?? "(none)"
                name = group?.name ?? ""
            }
            if rows[key] == nil {
                rows[key] = (name, [:], 0)
                order.append(key)
            }
            rows[key]!.units += 1
            rows[key]!.counts[interviewOf[unit.code]?.status ?? "not_started", default: 0] += 1
        }
        return order.map { key in
            let entry = rows[key]!
            return ProgressRow(
                group: key, name: entry.name, units: entry.units, notStarted: entry.counts["not_started"] ?? 0,
                draft: entry.counts["draft"] ?? 0, completed: entry.counts["completed"] ?? 0,
                approved: entry.counts["approved"] ?? 0, rejected: entry.counts["rejected"] ?? 0)
        }
    }
}
