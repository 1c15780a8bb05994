import Expressions
import Interview
import Questionnaire
import Testing

/// Drives an interview engine in tests, with a fixed clock: `answer("q3", "34")`, `expectValue`, `relevant`.
public final class Scenario {
    public let engine: InterviewEngine
    public let questionnaire: Questionnaire
    /// Transitions taken so far, in order.
    public private(set) var transitions: [Transition] = []
    /// The fixed clock: 2021-06-15 08:00 at UTC+7.
    public static let fixedNow = Timestamp(seconds: Double(CivilDate(year: 2021, month: 6, day: 15)!.days) * 86_400 + 3_600, offsetMinutes: 420)

    public init(
        _ yaml: String, previous: [Address: Value] = [:], prefill: [String: Value] = [:], language: String? = nil,
        restoring saved: (records: [Address: AnswerRecord], cursor: Cursor)? = nil
    ) throws {
        questionnaire = try QuestionnaireLoader.load(yaml: yaml, file: "scenario.yaml").get()
        let now = Scenario.fixedNow
        engine = InterviewEngine(
            questionnaire: questionnaire, environment: InterviewEnvironment(clock: { now }, previousRound: previous, prefill: prefill),
            language: language, restoring: saved)
        transitions.append(engine.takeTransition())
    }

    /// The cursor as text: `name`, `name[2]`, `+repeat` or `end`.
    public var at: String { engine.cursor.description }

    /// Answers the current question.
    @discardableResult
    public func answer(_ text: String) -> AnswerOutcome {
        let outcome = engine.answer(text)
        transitions.append(engine.takeTransition())
        return outcome
    }

    /// Answers a named question, which must be the current one: keeps tests honest about the route. Elsewhere the
    /// test fails (the rest of the run goes on) and nothing is answered.
    @discardableResult
    public func answer(_ name: String, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> AnswerOutcome {
        guard at == name else {
            Issue.record("expected to be at \(name), but the interview is at \(at)", sourceLocation: sourceLocation)
            return .notAllowed(.noQuestion)
        }
        return answer(text)
    }

    @discardableResult
    public func step(_ body: (InterviewEngine) -> AnswerOutcome) -> AnswerOutcome {
        let outcome = body(engine)
        transitions.append(engine.takeTransition())
        return outcome
    }

    @discardableResult
    public func move(_ body: (InterviewEngine) -> MoveOutcome) -> MoveOutcome {
        let outcome = body(engine)
        transitions.append(engine.takeTransition())
        return outcome
    }

    /// Jumps to an item already reached (`name` or `name[2]`), recording the transition.
    @discardableResult
    public func jump(_ address: String) -> JumpOutcome {
        guard let parsed = Address.parse(address) else { return .unknownItem }
        let outcome = engine.jump(to: parsed)
        transitions.append(engine.takeTransition())
        return outcome
    }

    public func value(_ address: String) -> Value? { Address.parse(address).flatMap { engine.records[$0]?.value } }
    public func record(_ address: String) -> AnswerRecord? { Address.parse(address).flatMap { engine.records[$0] } }
    public func isRelevant(_ address: String) -> Bool { Address.parse(address).map(engine.isAddressRelevant) ?? false }
}
