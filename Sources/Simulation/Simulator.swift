import Expressions
import Foundation
import Interview
import Questionnaire
import Randomness
import Store

/// How much paradata a simulated interview leaves in the audit log.
public enum Paradata: String, Sendable, CaseIterable {
    /// Every item entered and left, every change, every confirmation: what a real interview leaves.
    case full
    /// Start, completion and soft-check confirmations only: for national-scale runs.
    case minimal
}

public struct SimulationRound: Sendable {
    public let code: String
    public let starts: CivilDate
    public let ends: CivilDate
    public let questionnaires: [Questionnaire]

    public init(code: String, starts: CivilDate, ends: CivilDate, questionnaires: [Questionnaire]) {
        self.code = code
        self.starts = starts
        self.ends = ends
        self.questionnaires = questionnaires
    }

    /// A round with the dates given, else those its code implies (`RoundCalendar`), else, since simulated
    /// interviews need a date, January 2021: a simulation's placeholder that never reaches real data.
    public init(code: String, starts: String?, ends: String?, questionnaires: [Questionnaire]) {
        let implied =
            RoundCalendar.fieldwork(ofCode: code)
            ?? (CivilDate(year: 2021, month: 1, day: 1)!, CivilDate(year: 2021, month: 1, day: 31)!)
        self.init(
            code: code, starts: starts.flatMap(CivilDate.parse) ?? implied.starts, ends: ends.flatMap(CivilDate.parse) ?? implied.ends,
            questionnaires: questionnaires)
    }

    /// The rounds of a survey plan.
    public static func rounds(of plan: SurveyPlan) -> [SimulationRound] {
        plan.rounds.map { SimulationRound(code: $0.code, starts: $0.starts, ends: $0.ends, questionnaires: $0.questionnaires) }
    }
}

public enum SimulationError: Error, CustomStringConvertible {
    /// No proposal got past a required question: the model cannot answer this questionnaire.
    case stuck(form: String, unit: String, round: String, address: String)
    case noUnits(level: String, form: String)

    public var description: String {
        switch self {
        case .stuck(let form, let unit, let round, let address):
            "simulation could not answer \(address) of \(form) for unit \(unit) in round \(round): every proposal was refused by the questionnaire's checks"
        case .noUnits(let level, let form): "the frame has no units of level '\(level)', which questionnaire \(form) interviews"
        }
    }
}

/// What a run produced.
public struct SimulationSummary: Sendable {
    /// Completed interviews by round and form id.
    public var counts: [String: [String: Int]] = [:]
    public var softCheckConfirmations = 0
    public var nonResponses = 0
    public var adoption: [String: String] = [:]
    /// The faults planted for review to find: interview UUID → what was done (`too_fast`, `implausible_value:ADDRESS`,
    /// `copied_answers:UUID`).
    public var anomalies: [String: String] = [:]
}

/// Fills a store with a panel of completed interviews. Every interview goes through the interview engine, so
/// each respects every relevance rule, constraint and type of its questionnaire.
public final class Simulator {
    let store: ResponseStore
    let units: [FrameUnit]
    let byCode: [String: FrameUnit]
    let rounds: [SimulationRound]
    let seed: UInt64
    let paradata: Paradata
    let model: AnswerModel

    /// The share of interviews after the first round given a planted fault (see `Anomaly`); 0 plants none.
    public var anomalyRate = 0.0

    public init(store: ResponseStore, units: [FrameUnit], rounds: [SimulationRound], seed: UInt64, paradata: Paradata = .full) {
        self.store = store
        self.units = units
        byCode = Dictionary(units.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        self.rounds = rounds
        self.seed = seed
        self.paradata = paradata
        model = AnswerModel(seed: seed)
    }

    func lineage(of unit: FrameUnit) -> [FrameUnit] {
        var chain = [unit]
        var seen: Set<String> = [unit.code]
        while let parent = chain[0].parentCode, let next = byCode[parent], seen.insert(parent).inserted { chain.insert(next, at: 0) }
        return chain
    }

    /// The device's offset from UTC: WIT (+9) in Papua and Papua Barat, WITA (+8) in Nusa Tenggara Barat and
    /// Sulawesi, WIB (+7) elsewhere; from the province code.
    func offsetMinutes(_ lineage: [FrameUnit]) -> Int {
        let province = lineage.first?.code.prefix(2) ?? ""
        if ["91", "92", "94", "95", "96", "97"].contains(province) { return 540 }
        if ["51", "52", "53", "71", "72", "73", "74", "75", "76", "64", "65"].contains(province) { return 480 }
        return 420
    }

    /// Runs every round in order; progress lines go to `progress`.
    public func run(progress: (String) -> Void) throws -> SimulationSummary {
        var summary = SimulationSummary()
        var previous: [String: [String: [Address: Value]]] = [:]  // form id → unit → values read by previous()
        let now = Timestamp(seconds: Date().timeIntervalSince1970, offsetMinutes: 0)
        for (roundIndex, round) in rounds.enumerated() {
            try store.defineRound(Round(code: round.code, startsOn: round.starts.description, endsOn: round.ends.description))
            for questionnaire in round.questionnaires {
                let level = questionnaire.settings.unitLevel ?? "village"
                let targets = units.filter { $0.level == level }
                guard !targets.isEmpty else { throw SimulationError.noUnits(level: level, form: questionnaire.settings.formID) }
                let questionnaireID = try store.questionnaireID(questionnaire, at: now)
                let preloaded = Set(questionnaire.allItems.flatMap(Self.previousReferences))
                let formID = questionnaire.settings.formID
                var batch: [CompletedInterview] = []
                var done = 0
                for unit in targets {
                    let lineage = lineage(of: unit)
                    let latent = model.latent(for: unit, lineage: lineage, rounds: rounds.count)
                    if level == "village", summary.adoption[unit.code] == nil {
                        summary.adoption[unit.code] = latent.onlineFrom.map { $0 == 0 ? "always" : rounds[$0].code } ?? "never"
                    }
                    let context = UnitRound(
                        unit: unit, lineage: lineage, roundIndex: roundIndex, roundCode: round.code,
                        roundStart: round.starts.days, latent: latent)
                    var result = try interview(
                        questionnaire, context, round: round, questionnaireID: questionnaireID,
                        previous: previous[formID]?[unit.code] ?? [:], summary: &summary)
                    if roundIndex > 0, anomalyRate > 0 {
                        result = plantAnomaly(in: result, previous: previous[formID]?[unit.code] ?? [:], before: batch.last, summary: &summary)
                    }
                    batch.append(result)
                    var kept: [Address: Value] = [:]
                    for (address, record) in result.records where preloaded.contains(address.name) && record.relevant { kept[address] = record.value }
                    previous[formID, default: [:]][unit.code] = kept
                    done += 1
                    if batch.count == 500 {
                        try store.insertCompleted(batch)
                        batch.removeAll(keepingCapacity: true)
                        progress("round \(round.code), \(formID): \(done)/\(targets.count)")
                    }
                }
                if !batch.isEmpty { try store.insertCompleted(batch) }
                summary.counts[round.code, default: [:]][formID] = targets.count
                progress("round \(round.code), \(formID): \(targets.count)/\(targets.count) completed")
            }
        }
        return summary
    }

    /// With probability `anomalyRate` (seeded by the unit and round), one fault from `Anomaly`, recorded in the summary.
    func plantAnomaly(in interview: CompletedInterview, previous: [Address: Value], before: CompletedInterview?, summary: inout SimulationSummary)
        -> CompletedInterview
    {
        var random = SplitMix64(seed: seed, "anomaly", interview.formID, interview.unit, interview.round)
        guard random.chance(anomalyRate) else { return interview }
        switch Anomaly.allCases[random.integer(0...2)] {
        case .tooFast:
            summary.anomalies[interview.uuid] = Anomaly.tooFast.rawValue
            return interview.tooFast()
        case .implausibleValue:
            guard let (changed, address) = interview.withImplausibleValue(previous: previous) else { return interview }
            summary.anomalies[interview.uuid] = "\(Anomaly.implausibleValue.rawValue):\(address)"
            return changed
        case .copiedAnswers:
            guard let before else { return interview }
            summary.anomalies[interview.uuid] = "\(Anomaly.copiedAnswers.rawValue):\(before.uuid)"
            return interview.copying(before)
        }
    }

    static func previousReferences(_ item: Item) -> [String] {
        var names: [String] = []
        let expressions = [item.relevant, item.constraint, item.warning, item.calculation, item.repeatCount, item.choiceFilter]
            .compactMap { $0?.expression }
        for expression in expressions { names += expression.previousReferences }
        if case .expression(let expression) = item.defaultValue { names += expression.expression.previousReferences }
        if case .when(let expression) = item.required { names += expression.expression.previousReferences }
        for template in item.labelTemplates.values { names += template.previousReferences.map(\.name) }
        return names
    }

    // swiftlint:disable:next function_body_length
    func interview(
        _ questionnaire: Questionnaire, _ context: UnitRound, round: SimulationRound, questionnaireID: Int64,
        previous: [Address: Value], summary: inout SimulationSummary
    ) throws -> CompletedInterview {
        var random = SplitMix64(seed: seed, "interview", questionnaire.settings.formID, context.unit.code, round.code)
        let offset = offsetMinutes(context.lineage)
        let fieldDays = max(0, round.ends.days - round.starts.days)
        let day = round.starts.days + random.integer(0...fieldDays)
        let startLocal = Double(day) * 86_400 + Double(random.integer(8 * 3600...15 * 3600))
        let clock = SimulatedClock(start: startLocal - Double(offset * 60), offsetMinutes: offset)
        let prefill = identifierValues(questionnaire, context)
        var environment = InterviewEnvironment(
            clock: { Timestamp(seconds: clock.now, offsetMinutes: clock.offsetMinutes) }, previousRound: previous, prefill: prefill)
        environment.randomKey = "\(questionnaire.settings.formID)\u{1}\(context.unit.code)\u{1}\(round.code)"
        let engine = InterviewEngine(questionnaire: questionnaire, environment: environment, language: questionnaire.settings.defaultLanguage)
        var events: [AuditEvent] = []
        func collect() {
            let transition = engine.takeTransition()
            switch paradata {
            case .full: events += transition.events
            case .minimal: events += transition.events.filter { if case .softCheckConfirmed = $0.kind { true } else { false } }
            }
        }
        collect()
        let started = Timestamp(seconds: clock.now, offsetMinutes: offset)
        var steps = 0
        var targets: [Address: Int] = [:]
        // Time per answer: most answers are quick, some need a look at documents.
        let pace = exp(random.normal(log(20), 0.3))
        while steps < 20_000 {
            steps += 1
            clock.now += max(2, exp(random.normal(log(pace), 0.7)))
            switch engine.cursor {
            case .end:
                _ = engine.finish()
                collect()
                let ended = Timestamp(seconds: clock.now, offsetMinutes: offset)
                let district = context.district?.code ?? context.unit.code
                let enumerator = "enum-\(district)-\(random.integer(1...3))"
                var completed = CompletedInterview(
                    uuid: random.uuid(), questionnaireID: questionnaireID, formID: questionnaire.settings.formID,
                    unit: context.unit.code, round: round.code, enumerator: enumerator, started: started,
                    ended: ended, language: engine.language, records: engine.records, events: events)
                // Attachment answers get stand-in bytes, so that every answered file is in the store as in the field.
                for (address, record) in engine.records {
                    guard case .attachment = engine.item(named: address.name)?.type, case .string(let name) = record.value, !name.isEmpty else { continue }
                    completed.attachments[address] = (name, Data("simulated \(name) for \(context.unit.code) \(address)\n".utf8))
                }
                return completed
            case .repeatPrompt(let collection):
                let target = targets[collection] ?? model.instances(of: collection.name, context, &random)
                targets[collection] = target
                let count = Int(engine.records[collection]?.value.numberValue ?? 0)
                _ = count < target ? engine.addInstance() : engine.declineInstance()
                collect()
            case .item(let address):
                guard let prompt = engine.prompt() else { continue }
                if prompt.item.type == .note || prompt.item.readOnly {
                    if prompt.item.readOnly { _ = engine.next() } else { _ = engine.answer("") }
                    collect()
                    continue
                }
                if prompt.value != nil, prompt.origin == .defaulted, engine.blocker(at: address) == nil, random.chance(0.9) {
                    _ = engine.next()
                    collect()
                    continue
                }
                var accepted = false
                for proposal in model.proposals(for: prompt, context, engine, &random) {
                    let outcome: AnswerOutcome
                    switch proposal {
                    case .text(let text): outcome = engine.answer(text)
                    case .nonResponse(let code):
                        outcome = engine.setNonResponse(code)
                        if outcome == .accepted { summary.nonResponses += 1 }
                    }
                    if outcome == .accepted {
                        accepted = true
                        break
                    }
                    if case .softCheckFailed = outcome {
                        // Most unusual values are real and confirmed; the rest are corrected.
                        if random.chance(0.7) {
                            _ = engine.confirm(reason: random.pick(["sudah dicek dengan dokumen", "sesuai keterangan responden", "dikonfirmasi ke operator"]))
                            summary.softCheckConfirmations += 1
                            accepted = true
                            break
                        }
                    }
                }
                if !accepted {
                    if !prompt.required, engine.answer("") == .accepted {
                        accepted = true
                    } else if let code = prompt.item.allowedNonResponses.first, engine.setNonResponse(code) == .accepted {
                        summary.nonResponses += 1
                        accepted = true
                    }
                }
                collect()
                if !accepted {
                    throw SimulationError.stuck(
                        form: questionnaire.settings.formID, unit: context.unit.code, round: round.code,
                        address: address.description)
                }
            }
        }
        throw SimulationError.stuck(form: questionnaire.settings.formID, unit: context.unit.code, round: round.code, address: "(too many steps)")
    }

    /// The same identifier rule as the runner: `<level>_code`, `<level>_name`, and frame attributes.
    func identifierValues(_ questionnaire: Questionnaire, _ context: UnitRound) -> [String: Value] {
        var values: [String: Value] = [:]
        for unit in context.lineage {
            values["\(unit.level)_code"] = .string(unit.code)
            values["\(unit.level)_name"] = .string(unit.name)
        }
        for (key, value) in context.unit.attributes { values[key] = .string(value) }
        var prefill: [String: Value] = [:]
        for item in questionnaire.allItems where item.type == .identifier && item.repeatPath.isEmpty {
            if let value = values[item.name] { prefill[item.name] = value }
        }
        return prefill
    }
}
