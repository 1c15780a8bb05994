import Analysis
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
        for round in try store.rounds() {
            var data: [String: RoundData] = [:]
            for instrument in instruments.sorted() {
                let answers = try store.completedAnswers(formID: instrument, round: round.code, names: needed)
                progress("\(round.code) \(instrument): \(answers.count) interviews")
                guard !answers.isEmpty else { continue }
                data[instrument] = RoundData(
                    round: round.code, endDay: round.lastDay, formID: instrument,
                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
            }
            guard !data.isEmpty else { continue }
            rounds.append(round.code)
            figures[round.code] = calculator.figures(set.indicators, round: round.code, data: data)
        }
        guard let round = requested ?? rounds.last else { throw WorkflowError.noCompletedInterviews(instruments: instruments.sorted()) }
        guard rounds.contains(round) else { throw WorkflowError.roundWithoutData(round: round, roundsWithData: rounds) }
        let title = set.title?.text(in: language) ?? "Indicators"
        var table = calculator.table(
            title: title, indicators: set.indicators, round: round, rounds: rounds, figures: figures, versions: questionnaires.versions)
        table.extractedAt = Self.timestamp(extractedAt)
        return table
    }
}
