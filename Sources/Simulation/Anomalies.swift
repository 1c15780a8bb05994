import Expressions
import Interview
import Questionnaire
import Store

/// Known faults the simulator plants in a panel, so that review can be measured against them: an interview done
/// far too fast, an implausible number (a slip of the keyboard), and answers copied from another interview.
public enum Anomaly: String, Sendable, CaseIterable {
    case tooFast = "too_fast"
    case implausibleValue = "implausible_value"
    case copiedAnswers = "copied_answers"
}

extension CompletedInterview {
    func replacing(records: [Address: AnswerRecord]? = nil, events: [AuditEvent]? = nil, ended: Timestamp? = nil) -> CompletedInterview {
        CompletedInterview(
            uuid: uuid, questionnaireID: questionnaireID, formID: formID, unit: unit, round: round, enumerator: enumerator, started: started,
            ended: ended ?? self.ended, language: language, records: records ?? self.records, events: events ?? self.events)
    }

    /// Every event brought forward to a tenth of its time since the start: an interview "done" in minutes.
    func tooFast() -> CompletedInterview {
        func squeezed(_ at: Timestamp) -> Timestamp {
            Timestamp(seconds: started.seconds + (at.seconds - started.seconds) * 0.1, offsetMinutes: at.offsetMinutes)
        }
        return replacing(events: events.map { AuditEvent($0.kind, at: squeezed($0.at)) }, ended: squeezed(ended))
    }

    /// The first entered number that the previous round also has, made 25 times larger (and 100 more): the
    /// address changed, or nil when there is none.
    func withImplausibleValue(previous: [Address: Value]) -> (CompletedInterview, Address)? {
        for (address, record) in records.sorted(by: { $0.key < $1.key }) where address.indices.isEmpty && record.origin == .entered && record.relevant {
            guard case .number(let number) = record.value, number > 0, case .number? = previous[address] else { continue }
            var changed = records
            changed[address] = AnswerRecord(value: .number(number * 25 + 100), origin: .entered, relevant: true)
            return (replacing(records: changed), address)
        }
        return nil
    }

    /// Another interview's answers in place of this one's (identifiers, prefilled from the frame, stay).
    func copying(_ other: CompletedInterview) -> CompletedInterview {
        var records = self.records.filter { $0.value.origin == .prefilled }
        for (address, record) in other.records where record.origin != .prefilled { records[address] = record }
        return replacing(records: records)
    }
}
