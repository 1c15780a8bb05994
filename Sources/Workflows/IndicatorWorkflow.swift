import Analysis
import Expressions
import Foundation
import Questionnaire
import Store

/// An indicator run over a store: loads the specification against the store's questionnaires and frame, reads the
/// answers each indicator needs round by round, and computes the table. Shared by `pantau indicators` and the demo.
public enum IndicatorWorkflow {
    /// "2026-11-30 03:05 UTC": when the data were read, as a report states it.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// `progress` hears one line per round and instrument read.
    public static func table(
        spec path: String, store: any StoreReading, round requested: String?, intervals: IntervalMethod,
        language: String?, extractedAt: Date = Date(), progress: (String) -> Void = { _ in }
    ) throws -> IndicatorTable {
        let questionnaires = try StoredQuestionnaires(store)
        let units = try store.units()
        let levels = Set(units.map(\.level)), attributes = Set(units.flatMap { $0.attributes.map(\.key) })
        let set = try IndicatorSet.load(
            path: path, questionnaires: Array(questionnaires.latest.values), frameLevels: levels,
            frameAttributes: attributes
        ).get()
        let instruments = Set(set.indicators.map(\.instrument))
        var needed = Set(set.indicators.flatMap(\.variables))
        for indicator in set.indicators {
            for case .answer(let name) in indicator.disaggregations { needed.insert(name) }
        }
        let calculator = IndicatorCalculator(
            units: units, questionnaires: Array(questionnaires.latest.values), intervals: intervals,
            language: language)
        // Round by round: a round's answers are read, reduced to its figures and let go before the next is read, so
        // memory follows one round of the panel, not all of it.
        var rounds: [String] = []
        var figures: [String: RoundFigures] = [:]
        let plans = Self.pushdownPlans(set.indicators, store: store, questionnaires: questionnaires)
        let allRounds = try store.rounds()
        // A store that evaluates the indicators itself sends one contribution per interview and indicator, read ahead
        // by two readers of its own (the store itself stays with this thread), in the order they are taken below.
        let evaluations = allRounds.flatMap { round in plans.keys.sorted().map { (round: round.code, instrument: $0) } }
        var prefetch: Prefetch<any ContributionReading, StoredContributions?>?
        if let reading = store as? ContributionReading, !evaluations.isEmpty {
            let sendablePlans = plans
            prefetch = Prefetch(readers: [try reading.anotherReader(), try reading.anotherReader()], count: evaluations.count) {
                reader, index in
                let (round, instrument) = evaluations[index], plan = sendablePlans[instrument]!
                return try reader.contributions(formID: instrument, round: round, queries: plan.queries, answers: plan.answers)
            }
        }
        defer { prefetch?.stop() }
        var taken = 0
        for round in allRounds {
            var data: [String: RoundData] = [:]
            var evaluated: [String: EvaluatedRound] = [:]
            for instrument in instruments.sorted() {
                if plans[instrument] != nil, let prefetch {
                    taken += 1
                    // Nil when the store cannot evaluate a query after all: the answers are read below.
                    if let stored = try prefetch.take(taken - 1) {
                        progress("\(round.code) \(instrument): \(stored.units.count) interviews (evaluated by the store)")
                        guard !stored.units.isEmpty else { continue }
                        evaluated[instrument] = Self.evaluatedRound(stored, indicators: plans[instrument]!.indicators, endDay: round.lastDay)
                        continue
                    }
                }
                let answers = try store.completedAnswers(formID: instrument, round: round.code, names: needed)
                progress("\(round.code) \(instrument): \(answers.count) interviews")
                guard !answers.isEmpty else { continue }
                data[instrument] = RoundData(
                    round: round.code, endDay: round.lastDay, formID: instrument,
                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
            }
            guard !data.isEmpty || !evaluated.isEmpty else { continue }
            rounds.append(round.code)
            figures[round.code] = calculator.figures(set.indicators, round: round.code, data: data, evaluated: evaluated)
        }
        guard let round = requested ?? rounds.last else { throw WorkflowError.noCompletedInterviews(instruments: instruments.sorted()) }
        guard rounds.contains(round) else { throw WorkflowError.roundWithoutData(round: round, roundsWithData: rounds) }
        let title = set.title?.text(in: language) ?? "Indicators"
        var table = calculator.table(
            title: title, indicators: set.indicators, round: round, rounds: rounds, figures: figures, versions: questionnaires.versions)
        table.extractedAt = Self.timestamp(extractedAt)
        return table
    }

    /// The store's contributions as the calculator takes them: each interview's grouping answers as values.
    static func evaluatedRound(_ stored: StoredContributions, indicators: [Int], endDay: Int?) -> EvaluatedRound {
        EvaluatedRound(
            units: stored.units, versions: stored.versions, endDay: endDay, indicators: indicators,
            answers: stored.units.indices.map { position in
                var values: [Address: Value] = [:]
                for (name, column) in stored.answers { if let value = column[position]?.value { values[Address(name)] = value } }
                return values
            },
            contributions: zip(stored.kinds, stored.values).map { kinds, values in
                zip(kinds, values).map { kind, value -> IndicatorCalculator.Contribution in
                    switch kind {
                    case .value: .value(value)
                    case .missing: .missing
                    case .nonResponse: .nonResponse
                    case .notAsked: .notAsked
                    }
                }
            })
    }

    /// For each instrument whose every indicator a store could evaluate itself: the queries, in the set's order, the
    /// indicators' positions and the answers that group them. Variables must be plain answers outside repeats, of types
    /// whose comparisons the store reproduces (text, numbers, choices, calculations of those).
    static func pushdownPlans(
        _ indicators: [Indicator], store: any StoreReading, questionnaires: StoredQuestionnaires
    ) -> [String: (queries: [ContributionQuery], indicators: [Int], answers: [String])] {
        guard store is ContributionReading else { return [:] }
        var plans: [String: (queries: [ContributionQuery], indicators: [Int], answers: [String])] = [:]
        var refused = Set<String>()
        for (index, indicator) in indicators.enumerated() {
            guard let questionnaire = questionnaires.latest[indicator.instrument] else {
                refused.insert(indicator.instrument)
                continue
            }
            let repeated = Set(questionnaire.allItems.filter { $0.type == .repeat }.flatMap { $0.flattened.dropFirst().map(\.name) })
            let plain = indicator.variables.allSatisfy { name in
                !repeated.contains(name) && Self.textOrNumber(name, in: questionnaire, seen: [])
            }
            // Answers that group the indicator come back beside the contributions.
            let groupedBy = indicator.disaggregations.compactMap { disaggregation -> String? in
                if case .answer(let name) = disaggregation { name } else { nil }
            }
            let groupable = groupedBy.allSatisfy { !repeated.contains($0) && Self.textOrNumber($0, in: questionnaire, seen: []) }
            guard plain, groupable else {
                refused.insert(indicator.instrument)
                continue
            }
            let measure: ContributionQuery.Measure =
                switch indicator.measure {
                case .share(let numerator, let denominator): .share(numerator: numerator.expression, denominator: denominator?.expression)
                case .count(let condition): .count(condition.expression)
                case .mean(let expression), .median(let expression), .total(let expression): .number(expression.expression)
                }
            plans[indicator.instrument, default: ([], [], [])].queries.append(ContributionQuery(measure: measure, variables: indicator.variables.sorted()))
            plans[indicator.instrument, default: ([], [], [])].indicators.append(index)
            for name in groupedBy where !plans[indicator.instrument]!.answers.contains(name) { plans[indicator.instrument]!.answers.append(name) }
        }
        for instrument in refused { plans[instrument] = nil }
        return plans
    }

    /// Functions of calculations whose results are numbers or text, never dates or times.
    static let textOrNumberFunctions: Set<String> = [
        "round", "number", "int", "if", "coalesce", "sum", "min", "max", "abs", "pow", "count-selected", "string", "concat", "substr",
        "string-length", "not", "boolean", "selected", "floor", "ceiling", "sqrt", "selected-at", "jr:choice-name",
    ]

    /// Whether an item's answers are always text or numbers: text, number and choice questions, and calculations of
    /// those with text and number functions only.
    static func textOrNumber(_ name: String, in questionnaire: Questionnaire, seen: Set<String>) -> Bool {
        guard let item = questionnaire.item(named: name), !seen.contains(name) else { return false }
        switch item.type {
        case .text, .integer, .decimal, .selectOne, .selectMultiple: return true
        case .calculate:
            guard let calculation = item.calculation?.expression, calculation.functionNames.isSubset(of: textOrNumberFunctions),
                calculation.previousReferences.isEmpty
            else { return false }
            return calculation.references.allSatisfy { textOrNumber($0, in: questionnaire, seen: seen.union([name])) }
        default: return false
        }
    }
}
