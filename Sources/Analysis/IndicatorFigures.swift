import Expressions
import Foundation
import Questionnaire

/// What the indicator table needs of one round, for every indicator: a row per group, a value per province and per
/// district, the comparison units' row and the questionnaire versions in use. Small, so that a round's answers can
/// be let go as soon as its figures are made: memory follows one round, not the whole panel.
public struct RoundFigures: Sendable {
    public let round: String
    /// By the indicator's position in the set; nil where the round has no interviews of its instrument.
    let indicators: [IndicatorFigures?]
}

/// One instrument's round with each indicator's contribution per interview already found (by the store, in SQL):
/// the indicators (by position in the set) evaluated, and for each, every interview's contribution in `units` order.
public struct EvaluatedRound: Sendable {
    public let units: [String]
    public let versions: [String]
    public let endDay: Int?
    public let indicators: [Int]
    /// Each interview's answers that group indicators (disaggregations by answer).
    public let answers: [[Address: Value]]
    public let contributions: [[IndicatorCalculator.Contribution]]

    public init(
        units: [String], versions: [String], endDay: Int?, indicators: [Int], answers: [[Address: Value]], contributions: [[IndicatorCalculator.Contribution]]
    ) {
        (self.units, self.versions, self.endDay, self.indicators) = (units, versions, endDay, indicators)
        (self.answers, self.contributions) = (answers, contributions)
    }
}

struct IndicatorFigures: Sendable {
    /// Overall and per group, in table order, each without its previous value (the previous round's figures give it).
    var rows: [IndicatorRow]
    var provinces: [String: Double?]
    var districts: [String: Double?]
    var comparison: IndicatorRow?
    var versions: Set<String>
    var endDay: Int?

    var overall: Double? { rows.first { $0.dimension == "overall" }?.value }
}

/// Frame counts per indicator, made once and read every round (they depend on the frame alone).
final class PopulationCounts: @unchecked Sendable {
    // Unchecked: a calculator is used from one thread at a time.
    private var counts: [String: [String: [String: Int]]] = [:]

    func counts(_ key: String, _ make: () -> [String: [String: Int]]) -> [String: [String: Int]] {
        if let known = counts[key] { return known }
        let made = make()
        counts[key] = made
        return made
    }
}

/// One round's interviewed units looked up in the frame once per level, attribute and population the indicators
/// group by, not once per interview, indicator and group; arrays by interview, let go with the round.
final class RoundUnits {
    let units: [String]
    let hierarchy: FrameHierarchy
    private(set) lazy var levels: [String?] = units.map { hierarchy.units[$0]?.level }
    private var ancestors: [String: [String?]] = [:], attributes: [String: [String?]] = [:], members: [Population: [Bool]] = [:]

    init(_ units: [String], _ hierarchy: FrameHierarchy) {
        (self.units, self.hierarchy) = (units, hierarchy)
    }

    func ancestor(_ level: String) -> [String?] {
        if let known = ancestors[level] { return known }
        let found = units.map { hierarchy.ancestor(of: $0, level: level)?.name }
        ancestors[level] = found
        return found
    }

    func attribute(_ key: String) -> [String?] {
        if let known = attributes[key] { return known }
        let found = units.map { hierarchy.attribute(key, of: $0) }
        attributes[key] = found
        return found
    }

    func members(_ population: Population) -> [Bool] {
        if let known = members[population] { return known }
        let values = population.conditions.map { (attribute($0.attribute), $0) }
        let found = units.indices.map { position in values.allSatisfy { ($0.0[position] == $0.1.value) == $0.1.equal } }
        members[population] = found
        return found
    }
}

extension IndicatorRow {
    func with(previous: Double?) -> IndicatorRow {
        IndicatorRow(
            dimension: dimension, group: group, value: value, standardError: standardError, low: low, high: high, n: n, population: population,
            missing: missing, nonResponse: nonResponse, notAsked: notAsked, previous: previous, census: census)
    }
}

extension IndicatorCalculator {
    /// One round's figures for every indicator. Each interview's answers are read into an evaluation context once
    /// for all indicators, and each indicator evaluated once per interview, whatever its groups.
    public func figures(
        _ indicators: [Indicator], round: String, data: [String: RoundData], evaluated: [String: EvaluatedRound] = [:]
    ) -> RoundFigures {
        var contexts: [String: [AnswerContext]] = [:]
        for (formID, roundData) in data where indicators.contains(where: { $0.instrument == formID }) {
            contexts[formID] = roundData.interviews.map { AnswerContext($0.values) }
        }
        let provinceLevel = units.values.contains { $0.level == "province" } ? "province" : nil
        let districtLevel = units.values.contains { $0.level == "district" } ? "district" : nil
        var lookups: [String: RoundUnits] = [:]
        for (formID, roundData) in data { lookups[formID] = RoundUnits(roundData.interviews.map(\.unit), hierarchy) }
        for (formID, round) in evaluated { lookups[formID] = RoundUnits(round.units, hierarchy) }
        return RoundFigures(
            round: round,
            indicators: indicators.enumerated().map { index, indicator in
                if let evaluated = evaluated[indicator.instrument], let column = evaluated.indicators.firstIndex(of: index) {
                    return figures(
                        indicator, index: index, units: lookups[indicator.instrument]!, versions: Set(evaluated.versions), endDay: evaluated.endDay,
                        provinceLevel: provinceLevel, districtLevel: districtLevel, values: { evaluated.answers[$0] },
                        contribution: { evaluated.contributions[column][$0] })
                }
                guard let roundData = data[indicator.instrument], let contexts = contexts[indicator.instrument] else { return nil }
                return figures(
                    indicator, index: index, units: lookups[indicator.instrument]!, versions: Set(roundData.interviews.map(\.version)),
                    endDay: roundData.endDay, provinceLevel: provinceLevel, districtLevel: districtLevel, values: { roundData.interviews[$0].values },
                    contribution: { position in self.contribution(indicator, roundData.interviews[position].values, contexts[position]) })
            })
    }

    /// The figures from each interview's contribution, however it was found: evaluated here, or by the store.
    /// `values` gives an interview's answers, for disaggregations by answer.
    func figures(
        _ indicator: Indicator, index: Int, units lookups: RoundUnits, versions: Set<String>, endDay: Int?, provinceLevel: String?,
        districtLevel: String?, values: @escaping (Int) -> [Address: Value], contribution: (Int) -> Contribution
    ) -> IndicatorFigures {
        let questionnaire = questionnaires.first { $0.settings.formID == indicator.instrument }
        let levels = lookups.levels, inPopulationOf = lookups.members(indicator.population)
        let inComparisonOf = indicator.comparison.map(lookups.members)
        let provinceOf = provinceLevel.map(lookups.ancestor), districtOf = districtLevel.map(lookups.ancestor)
        // Each frame grouping looked up once for the round; answers are read per interview.
        let groupOf = indicator.disaggregations.map { disaggregation -> (Int) -> String? in
            switch disaggregation {
            case .level(let level):
                let names = lookups.ancestor(level)
                return { names[$0] }
            case .attribute(let key):
                let found = lookups.attribute(key)
                return { found[$0].map { "\(key)=\($0)" } }
            case .answer(let name): return { self.answerGroup(name, values: values($0), questionnaire: questionnaire) }
            }
        }
        var groups: [String: [String: Accumulator]] = ["overall": ["all": Accumulator()]]
        var provinces: [String: Accumulator] = [:], districts: [String: Accumulator] = [:], compared = Accumulator()
        for position in lookups.units.indices {
            guard levels[position] == indicator.level || indicator.level.isEmpty else { continue }
            let inPopulation = inPopulationOf[position], inComparison = inComparisonOf?[position] ?? false
            guard inPopulation || inComparison else { continue }
            let contribution = contribution(position)
            if inComparison { compared.add(contribution) }
            guard inPopulation else { continue }
            // In place: copying an accumulator out of its dictionary and back would copy its values every time.
            groups["overall"]!["all"]!.add(contribution)
            for (column, disaggregation) in indicator.disaggregations.enumerated() {
                if let group = groupOf[column](position) { groups[disaggregation.description, default: [:]][group, default: Accumulator()].add(contribution) }
            }
            if let name = provinceOf?[position] { provinces[name, default: Accumulator()].add(contribution) }
            if let name = districtOf?[position] { districts[name, default: Accumulator()].add(contribution) }
        }
        let populations = populationCounts.counts("\(index)") { self.populations(indicator) }
        var rows: [IndicatorRow] = []
        for dimension in ["overall"] + indicator.disaggregations.map(\.description) {
            for group in (groups[dimension] ?? [:]).keys.sorted() {
                let accumulator = groups[dimension]![group]!
                let population = populations[dimension]?[group]
                rows.append(
                    row(dimension, group, accumulator, statistic(indicator, accumulator, population: population), population: population, previous: nil))
            }
        }
        var comparison: IndicatorRow?
        if let population = indicator.comparison {
            var other = indicator.by([])
            other.population = population
            let frameCount = populationCounts.counts("\(index) comparison") { self.populations(other) }["overall"]?["all"]
            comparison = row(
                "comparison", population.description, compared, statistic(other, compared, population: frameCount), population: frameCount, previous: nil)
        }
        return IndicatorFigures(
            rows: rows, provinces: provinces.mapValues { statistic(indicator, $0, population: nil).value },
            districts: districts.mapValues { statistic(indicator, $0, population: nil).value }, comparison: comparison,
            versions: versions, endDay: endDay)
    }

    /// The table for `round` from every round's figures (`rounds` in order): its rows with the previous round's
    /// values, every round's overall value and the values by province for the charts, this round's by district.
    public func table(
        title: String, indicators: [Indicator], round: String, rounds: [String], figures: [String: RoundFigures],
        versions: [String: [String: Questionnaire]]
    ) -> IndicatorTable {
        let position = rounds.firstIndex(of: round) ?? rounds.count - 1
        let previousRound = position > 0 ? rounds[position - 1] : nil
        func figuresOf(_ index: Int, _ code: String?) -> IndicatorFigures? { code.flatMap { figures[$0]?.indicators[index] } }
        var results: [IndicatorResult] = []
        for (index, indicator) in indicators.enumerated() {
            let current = figuresOf(index, round), before = figuresOf(index, previousRound)
            let rows = (current?.rows ?? []).map { row in
                row.with(previous: before?.rows.first { $0.dimension == row.dimension && $0.group == row.group }?.value ?? nil)
            }
            let series = rounds.map { ($0, figuresOf(index, $0)?.overall) }
            let provinceNames = Set(rounds.flatMap { figuresOf(index, $0)?.provinces.keys.map { $0 } ?? [] }).sorted()
            let provinceSeries = provinceNames.map { name in (name, rounds.map { figuresOf(index, $0)?.provinces[name] ?? nil }) }
            let districts = (current?.districts ?? [:]).map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
            let day = current?.endDay
            var comparison: IndicatorRow?
            var comparisonSeries: [(round: String, value: Double?)] = []
            if indicator.comparison != nil {
                comparisonSeries = rounds.map { ($0, figuresOf(index, $0)?.comparison?.value) }
                comparison = current?.comparison?.with(previous: before?.comparison?.value ?? nil)
            }
            let provinceStatus = provinceSeries.map { name, values -> (name: String, value: Double?, status: TargetStatus?) in
                let value = values.indices.contains(position) ? values[position] : nil
                return (name, value, status(indicator, value: value, day: day))
            }
            results.append(
                IndicatorResult(
                    indicator: indicator, rows: rows, status: status(indicator, value: rows.first { $0.dimension == "overall" }?.value, day: day),
                    comparability: comparability(indicator, previousRound: previousRound, now: current?.versions, then: before?.versions, versions: versions),
                    series: series, provinceSeries: provinceSeries, districts: districts, comparison: comparison, comparisonSeries: comparisonSeries,
                    provinceStatus: provinceStatus))
        }
        return IndicatorTable(
            title: title, round: round, previousRound: previousRound, rounds: rounds, language: language, intervals: intervals, results: results)
    }

    /// The table from every round's data at once (each instrument's `RoundData` by round), for callers that hold it.
    public func table(
        title: String, indicators: [Indicator], round: String, rounds: [String], data: [String: [String: RoundData]],
        versions: [String: [String: Questionnaire]]
    ) -> IndicatorTable {
        var figures: [String: RoundFigures] = [:]
        for code in rounds { figures[code] = self.figures(indicators, round: code, data: data[code] ?? [:]) }
        return table(title: title, indicators: indicators, round: round, rounds: rounds, figures: figures, versions: versions)
    }
}

extension IndicatorCalculator.Accumulator {
    mutating func add(_ contribution: IndicatorCalculator.Contribution) {
        switch contribution {
        case .value(let value): values.append(value)
        case .missing: missing += 1
        case .nonResponse: nonResponse += 1
        case .notAsked: notAsked += 1
        }
    }
}
