import Expressions
import Foundation
import Interview
import Questionnaire

// The review list and fieldwork progress, written once over `StoreReading`: the same rules and the same results on
// an SQLite file and on a central PostgreSQL store.
extension StoreReading {
    /// Completed interviews awaiting review that show a reason for a look: soft checks confirmed, many
    /// non-responses, a duration far from the round's median, answers changed after completion, a hard check failing
    /// on the stored answers, numbers far from the unit's previous round, or the same answers as another interview.
    public func reviewList(round: String? = nil, rules: ReviewRules = ReviewRules()) throws -> [ReviewItem] {
        let candidates = try interviews(round: round, status: InterviewStatus.completed.rawValue)
        var durations: [String: Double] = [:]
        var facts: [String: [ReviewReason]] = [:]
        var answersOf: [String: [StoredAnswer]] = [:]
        for interview in candidates {
            let (_, answers, events) = try self.interview(interview.uuid)
            answersOf[interview.uuid] = answers
            facts[interview.uuid] = Self.trailReasons(events, answers, rules)
            durations[interview.uuid] = ResponseStore.minutesInterviewing(events.map(\.at))
        }
        try addFailingChecks(candidates, answersOf, to: &facts)
        Self.addDurations(candidates, durations, rules, to: &facts)
        try addFarFromPrevious(candidates, answersOf, rules, to: &facts)
        Self.addCopies(candidates, answersOf, to: &facts)
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

    /// What one interview's audit trail and answers show alone: soft checks confirmed, non-responses, answers changed
    /// after completion.
    static func trailReasons(_ events: [AuditEntry], _ answers: [StoredAnswer], _ rules: ReviewRules) -> [ReviewReason] {
        var reasons: [ReviewReason] = []
        // Each question once, with its last reason: a check confirmed again is still one check.
        var confirmed: [String: String] = [:]
        for event in events where event.event == "soft_check_confirmed" { confirmed[event.address ?? "?"] = event.detail ?? "" }
        if !confirmed.isEmpty {
            let items = confirmed.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
            reasons.append(
                ReviewReason(
                    rule: "soft_checks_confirmed", severity: .low,
                    text: "\(confirmed.count) soft check\(confirmed.count == 1 ? "" : "s") confirmed: \(items.joined(separator: ", "))"))
        }
        var nonResponses: [String: Int] = [:]
        for answer in answers where answer.relevant && answer.stored.kind == "non_response" { nonResponses[answer.stored.text, default: 0] += 1 }
        let total = nonResponses.values.reduce(0, +)
        if total >= rules.nonResponses {
            let counts = nonResponses.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            reasons.append(ReviewReason(rule: "non_responses", severity: .medium, text: "\(total) non-responses (\(counts))"))
        }
        // Answers changed after an earlier completion (the interview was reopened and changed).
        if let firstCompleted = events.firstIndex(where: { $0.event == "completed" }) {
            let later = events[firstCompleted...].filter { $0.event == "changed" }
            if !later.isEmpty {
                let names = Set(later.compactMap(\.address)).sorted()
                reasons.append(
                    ReviewReason(
                        rule: "changed_after_completion", severity: .high,
                        text: "\(later.count) answer\(later.count == 1 ? "" : "s") changed after completion: \(names.joined(separator: ", "))"))
            }
        }
        return reasons
    }

    /// A hard check that fails on the stored answers (after a merge, a definition change or a hand edit): the
    /// interview re-run through the engine from its records. Checks that read last round's values are left out:
    /// those values are not part of this interview.
    func addFailingChecks(_ candidates: [InterviewSummary], _ answersOf: [String: [StoredAnswer]], to facts: inout [String: [ReviewReason]]) throws {
        var definitions: [String: Questionnaire?] = [:]
        for interview in candidates {
            let key = "\(interview.formID)\u{1}\(interview.version)"
            if definitions[key] == nil {
                let text = try definition(formID: interview.formID, version: interview.version)
                if let text, case .success(let loaded) = QuestionnaireLoader.load(yaml: text, file: interview.formID) {
                    definitions[key] = .some(loaded)
                } else {
                    definitions[key] = .some(nil)
                }
            }
            guard let questionnaire = definitions[key] ?? nil else { continue }
            var records: [Address: AnswerRecord] = [:]
            for answer in answersOf[interview.uuid] ?? [] {
                guard let value = answer.stored.value, let origin = AnswerOrigin(rawValue: answer.origin) else { continue }
                records[answer.address] = AnswerRecord(value: value, origin: origin, relevant: answer.relevant, confirmation: answer.confirmation)
            }
            // today() is the day the interview was done.
            let started =
                CivilDate.parseDateTime(interview.startedAt).map { Timestamp(seconds: $0.seconds, offsetMinutes: $0.offsetMinutes) }
                ?? Timestamp(seconds: 0, offsetMinutes: 0)
            var environment = InterviewEnvironment(clock: { started }, previousRound: [:], prefill: [:])
            environment.randomKey = "\(interview.formID)\u{1}\(interview.unitCode)\u{1}\(interview.roundCode)"
            let engine = InterviewEngine(questionnaire: questionnaire, environment: environment, restoring: (records, .end))
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
    }

    /// Duration against the median of the same questionnaire and round.
    static func addDurations(
        _ candidates: [InterviewSummary], _ durations: [String: Double], _ rules: ReviewRules, to facts: inout [String: [ReviewReason]]
    ) {
        for members in Dictionary(grouping: candidates, by: { "\($0.formID) \($0.roundCode)" }).values {
            let values = members.compactMap { durations[$0.uuid] }.sorted()
            guard values.count >= 3 else { continue }
            let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
            guard median > 0 else { continue }
            for interview in members {
                guard let minutes = durations[interview.uuid] else { continue }
                let against = "\(ResponseStore.duration(minutes)) against a median of \(ResponseStore.duration(median))"
                if minutes < rules.shortShare * median {
                    facts[interview.uuid, default: []].append(ReviewReason(rule: "very_short", severity: .high, text: "very short: " + against))
                } else if minutes > rules.longMultiple * median {
                    facts[interview.uuid, default: []].append(ReviewReason(rule: "very_long", severity: .low, text: "very long: " + against))
                }
            }
        }
    }

    /// Numbers far from the same unit's previous round of the same questionnaire, and outside what the round's other
    /// units answered (beyond its 0.5th to 99.5th percentiles): many variables swing from round to round; a slip of
    /// the keyboard lands outside everyone's range.
    func addFarFromPrevious(
        _ candidates: [InterviewSummary], _ answersOf: [String: [StoredAnswer]], _ rules: ReviewRules, to facts: inout [String: [ReviewReason]]
    ) throws {
        func numbers(_ answers: [StoredAnswer]) -> [String: Double] {
            var result: [String: Double] = [:]
            for answer in answers where answer.relevant && answer.stored.kind == "number" {
                if let number = answer.stored.number { result[answer.address.description] = number }
            }
            return result
        }
        var extremes: [String: (low: Double, high: Double)] = [:]
        for members in Dictionary(grouping: candidates, by: { "\($0.formID)\u{1}\($0.roundCode)" }).values {
            var values: [String: [Double]] = [:]
            for interview in members {
                for (address, number) in numbers(answersOf[interview.uuid] ?? []) { values[address, default: []].append(number) }
            }
            for (address, list) in values where list.count >= 20 {
                let sorted = list.sorted()
                func quantile(_ q: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * q).rounded())))] }
                for interview in members { extremes["\(interview.uuid)\u{1}\(address)"] = (quantile(0.005), quantile(0.995)) }
            }
        }
        // The latest earlier round's completed or approved interview of the same unit and questionnaire.
        let finals = Set(InterviewStatus.final.map(\.rawValue))
        var earlier: [String: [InterviewKey]] = [:]
        for key in try interviewKeys(formID: nil, round: nil) where finals.contains(key.status) {
            earlier["\(key.formID)\u{1}\(key.unitCode)", default: []].append(key)
        }
        for interview in candidates {
            guard
                let previous = earlier["\(interview.formID)\u{1}\(interview.unitCode)"]?.filter({ $0.roundCode < interview.roundCode })
                    .max(by: { $0.roundCode < $1.roundCode })
            else { continue }
            let before = numbers(try self.interview(previous.uuid).answers)
            let now = numbers(answersOf[interview.uuid] ?? [])
            let far = now.keys.sorted().compactMap { address -> (String, Double, Double)? in
                guard let current = now[address], let old = before[address], current != 0, old != 0, current * old > 0,
                    current / old > rules.previousRatio || old / current > rules.previousRatio, abs(current - old) >= rules.previousDifference
                else { return nil }
                if let range = extremes["\(interview.uuid)\u{1}\(address)"], current >= range.low, current <= range.high { return nil }
                return (address, old, current)
            }
            if !far.isEmpty {
                let items = far.prefix(5).map { "\($0.0) \(Value.format(number: $0.1)) → \(Value.format(number: $0.2))" }
                facts[interview.uuid, default: []].append(
                    ReviewReason(
                        rule: "far_from_previous", severity: .medium,
                        text: "far from the previous round: " + items.joined(separator: ", ") + (far.count > 5 ? " and \(far.count - 5) more" : "")))
            }
        }
    }

    /// The same answers as another interview of the questionnaire in the round (identifiers aside): copied.
    static func addCopies(_ candidates: [InterviewSummary], _ answersOf: [String: [StoredAnswer]], to facts: inout [String: [ReviewReason]]) {
        var byAnswers: [String: [InterviewSummary]] = [:]
        for interview in candidates {
            let answers = (answersOf[interview.uuid] ?? []).filter { $0.relevant && ($0.origin == "entered" || $0.origin == "defaulted") }
                .map { "\($0.address.description)=\($0.stored.kind):\($0.stored.text)" }.sorted()
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
        var interviewOf: [String: (status: String, enumerator: String)] = [:]
        // With duplicates, the furthest along counts.
        let order = ["draft": 0, "rejected": 1, "completed": 2, "approved": 3]
        for key in try interviewKeys(formID: formID, round: round) where key.status != InterviewStatus.discarded.rawValue {
            if let known = interviewOf[key.unitCode], order[known.status] ?? 0 >= order[key.status] ?? 0 { continue }
            interviewOf[key.unitCode] = (key.status, key.enumerator)
        }
        var rows: [String: (name: String, counts: [String: Int], units: Int)] = [:]
        var groups: [String] = []
        for unit in units where unit.level == unitLevel {
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
                groups.append(key)
            }
            rows[key]!.units += 1
            rows[key]!.counts[interviewOf[unit.code]?.status ?? "not_started", default: 0] += 1
        }
        return groups.map { key in
            let entry = rows[key]!
            return ProgressRow(
                group: key, name: entry.name, units: entry.units, notStarted: entry.counts["not_started"] ?? 0,
                draft: entry.counts["draft"] ?? 0, completed: entry.counts["completed"] ?? 0,
                approved: entry.counts["approved"] ?? 0, rejected: entry.counts["rejected"] ?? 0)
        }
    }
}
