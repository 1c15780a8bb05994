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

    /// Completed interviews awaiting review that show a reason for a look: soft checks confirmed, many
    /// non-responses, a duration far from the round's median, answers changed after completion, or numbers far
    /// from the unit's previous round.
    public func reviewList(round: String? = nil, rules: ReviewRules = ReviewRules()) throws -> [ReviewItem] {
        let candidates = try interviews(round: round, status: InterviewStatus.completed.rawValue)
        return try wrap {
            try queue.read { db in
                var durations: [String: Double] = [:]
                var facts: [String: [ReviewReason]] = [:]
                for interview in candidates {
                    var reasons: [ReviewReason] = []
                    let events = try Row.fetchAll(
                        db, sql: "SELECT at, event, address, detail FROM audit_log WHERE interview_uuid = ? ORDER BY seq",
                        arguments: [interview.uuid])
                    // Each question once, with its last reason: a check confirmed again is still one check.
                    var confirmed: [String: String] = [:]
                    for event in events where event["event"] as String == "soft_check_confirmed" {
                        confirmed[event["address"] as String? ?? "?"] = event["detail"] as String? ?? ""
                    }
                    if !confirmed.isEmpty {
                        let items = confirmed.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                        reasons.append(
                            ReviewReason(
                                rule: "soft_checks_confirmed", severity: .low,
                                text: "\(confirmed.count) soft check\(confirmed.count == 1 ? "" : "s") confirmed: \(items.joined(separator: ", "))"))
                    }
                    let nonResponses = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT text_value, COUNT(*) AS n FROM answer WHERE interview_uuid = ? AND relevant AND kind = 'non_response' GROUP BY text_value
                            """, arguments: [interview.uuid])
                    let total = nonResponses.reduce(0) { $0 + ($1["n"] as Int) }
                    if total >= rules.nonResponses {
                        let counts = nonResponses.map { "\($0["n"] as Int) \($0["text_value"] as String)" }.joined(separator: ", ")
                        reasons.append(ReviewReason(rule: "non_responses", severity: .medium, text: "\(total) non-responses (\(counts))"))
                    }
                    // Answers changed after an earlier completion (the interview was reopened and changed).
                    if let firstCompleted = events.firstIndex(where: { $0["event"] as String == "completed" }) {
                        let later = events[firstCompleted...].filter { $0["event"] as String == "changed" }
                        if !later.isEmpty {
                            let names = Set(later.compactMap { $0["address"] as String? }).sorted()
                            reasons.append(
                                ReviewReason(
                                    rule: "changed_after_completion", severity: .high,
                                    text: "\(later.count) answer\(later.count == 1 ? "" : "s") changed after completion: \(names.joined(separator: ", "))"))
                        }
                    }
                    durations[interview.uuid] = Self.minutesInterviewing(events.map { $0["at"] as String })
                    facts[interview.uuid] = reasons
                }
                // A hard check that fails on the stored answers (after a merge, a definition change or a hand edit):
                // the interview re-run through the engine from its records. Checks that read last round's values
                // are left out: those values are not part of this interview.
                var definitions: [Int64: Questionnaire] = [:]
                for interview in candidates {
                    guard
                        let questionnaireID = try Int64.fetchOne(db, sql: "SELECT questionnaire_id FROM interview WHERE uuid = ?", arguments: [interview.uuid])
                    else { continue }
                    if definitions[questionnaireID] == nil,
                        let text = try String.fetchOne(db, sql: "SELECT definition FROM questionnaire WHERE id = ?", arguments: [questionnaireID]),
                        case .success(let loaded) = QuestionnaireLoader.load(yaml: text, file: interview.formID)
                    {
                        definitions[questionnaireID] = loaded
                    }
                    guard let questionnaire = definitions[questionnaireID] else { continue }
                    // today() is the day the interview was done.
                    let started =
                        CivilDate.parseDateTime(interview.startedAt).map { Timestamp(seconds: $0.seconds, offsetMinutes: $0.offsetMinutes) }
                        ?? Timestamp(seconds: 0, offsetMinutes: 0)
                    var environment = InterviewEnvironment(clock: { started }, previousRound: [:], prefill: [:])
                    environment.randomKey = "\(interview.formID)\u{1}\(interview.unitCode)\u{1}\(interview.roundCode)"
                    let engine = InterviewEngine(
                        questionnaire: questionnaire, environment: environment, restoring: (try Self.records(db, uuid: interview.uuid), .end))
                    let failing = engine.finishBlockers().filter { blocker in
                        guard case .constraint = blocker.reason, let item = questionnaire.item(named: blocker.address.name) else { return false }
                        return item.constraint?.expression.previousReferences.isEmpty ?? true
                    }
                    if !failing.isEmpty {
                        facts[interview.uuid, default: []].append(
                            ReviewReason(
                                rule: "hard_check_fails", severity: .high,
                                text: "a hard check fails on the stored answers: \(failing.map { $0.address.description }.joined(separator: ", "))"))
                    }
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
                            facts[interview.uuid, default: []].append(
                                ReviewReason(
                                    rule: "very_short", severity: .high,
                                    text: "very short: \(Self.duration(minutes)) against a median of \(Self.duration(median))"))
                        } else if minutes > rules.longMultiple * median {
                            facts[interview.uuid, default: []].append(
                                ReviewReason(
                                    rule: "very_long", severity: .low, text: "very long: \(Self.duration(minutes)) against a median of \(Self.duration(median))"
                                ))
                        }
                    }
                }
                // Numbers far from the same unit's previous round of the same questionnaire, and outside what the
                // round's other units answered (beyond its 0.5th to 99.5th percentiles): many variables swing from
                // round to round; a slip of the keyboard lands outside everyone's range.
                var extremes: [String: (low: Double, high: Double)] = [:]
                for (_, members) in Dictionary(grouping: candidates, by: { "\($0.formID)\u{1}\($0.roundCode)" }) {
                    var values: [String: [Double]] = [:]
                    for interview in members {
                        for row in try Row.fetchAll(
                            db, sql: "SELECT address, number_value FROM answer WHERE interview_uuid = ? AND kind = 'number' AND relevant",
                            arguments: [interview.uuid])
                        {
                            values[row["address"], default: []].append(row["number_value"])
                        }
                    }
                    for (address, list) in values where list.count >= 20 {
                        let sorted = list.sorted()
                        func quantile(_ q: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * q).rounded())))] }
                        for interview in members { extremes["\(interview.uuid)\u{1}\(address)"] = (quantile(0.005), quantile(0.995)) }
                    }
                }
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
                    let found = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT now.address, now.number_value AS current, before.number_value AS earlier
                            FROM answer now JOIN answer before ON before.address = now.address AND before.interview_uuid = ?
                            WHERE now.interview_uuid = ? AND now.kind = 'number' AND before.kind = 'number' AND now.relevant AND before.relevant
                              AND now.number_value != 0 AND before.number_value != 0
                              AND (now.number_value / before.number_value > ? OR before.number_value / now.number_value > ?)
                              AND now.number_value * before.number_value > 0 AND abs(now.number_value - before.number_value) >= ?
                            ORDER BY now.address
                            """, arguments: [previous, interview.uuid, rules.previousRatio, rules.previousRatio, rules.previousDifference])
                    let far = found.filter { row in
                        guard let range = extremes["\(interview.uuid)\u{1}\(row["address"] as String)"] else { return true }
                        let current: Double = row["current"]
                        return current < range.low || current > range.high
                    }
                    if !far.isEmpty {
                        let items = far.prefix(5).map { row -> String in
                            "\(row["address"] as String) \(Value.format(number: row["earlier"])) → \(Value.format(number: row["current"]))"
                        }
                        facts[interview.uuid, default: []].append(
                            ReviewReason(
                                rule: "far_from_previous", severity: .medium,
                                text: "far from the previous round: " + items.joined(separator: ", ") + (far.count > 5 ? " and \(far.count - 5) more" : "")))
                    }
                }
                // The same answers as another interview of the questionnaire in the round (identifiers aside): copied.
                var byAnswers: [String: [InterviewSummary]] = [:]
                for interview in candidates {
                    let answers = try String.fetchAll(
                        db,
                        sql: """
                            SELECT address || '=' || kind || ':' || coalesce(text_value, '') FROM answer
                            WHERE interview_uuid = ? AND relevant AND origin IN ('entered', 'defaulted') ORDER BY address
                            """, arguments: [interview.uuid])
                    guard answers.count >= 5 else { continue }
                    byAnswers["\(interview.formID)\u{1}\(interview.roundCode)\u{1}" + answers.joined(separator: "\u{1}"), default: []].append(interview)
                }
                for group in byAnswers.values where group.count > 1 {
                    for interview in group {
                        let others = group.filter { $0.uuid != interview.uuid }.map { "\($0.unitCode) (\($0.uuid))" }
                        facts[interview.uuid, default: []].append(
                            ReviewReason(rule: "copied_answers", severity: .high, text: "the same answers as \(others.joined(separator: ", "))"))
                    }
                }
                let items = candidates.compactMap { interview -> ReviewItem? in
                    guard let reasons = facts[interview.uuid], !reasons.isEmpty else { return nil }
                    return ReviewItem(interview: interview, reasons: reasons.sorted { $0.severity < $1.severity }, minutes: durations[interview.uuid])
                }
                // Most urgent first; within a severity, by round, questionnaire and unit.
                return items.sorted {
                    ($0.severity.rawValue, $0.interview.roundCode, $0.interview.formID, $0.interview.unitCode)
                        < ($1.severity.rawValue, $1.interview.roundCode, $1.interview.formID, $1.interview.unitCode)
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

    /// A duration in words precise enough to compare: seconds under a minute, tenths of a minute under ten (never
    /// "0 minutes against a median of 0").
    static func duration(_ minutes: Double) -> String {
        if minutes < 1 { return String(format: "%.0f seconds", minutes * 60) }
        if minutes < 10 { return String(format: "%.1f minutes", minutes) }
        return String(format: "%.0f minutes", minutes)
    }

    /// A progress grouping is a level of the frame or `enumerator`; anything else is an error naming the levels.
    public func checkGrouping(_ grouping: String, _ known: [FrameUnit]? = nil) throws {
        let units = try known ?? self.units()
        var levels: [String] = []
        for unit in units where !levels.contains(unit.level) { levels.append(unit.level) }
        guard grouping == "enumerator" || levels.contains(grouping) else { throw StoreError.unknownLevel(grouping, levels: levels) }
    }

    /// For a round: per group (the frame level `by`, or each enumerator), the units the questionnaire covers and
    /// how far their interviews are. Units are those of the questionnaire's unit level under the group.
    public func progress(formID: String, unitLevel: String, round: String, by grouping: String) throws -> [ProgressRow] {
        let units = try units()
        try checkGrouping(grouping, units)
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
