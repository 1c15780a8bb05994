import Expressions
import Foundation
import Questionnaire

/// The completed interviews of one instrument in one round: plain in-memory data, loaded by the caller.
public struct RoundData: Sendable {
    public struct Interview: Sendable {
        public let unit: String
        public let version: String
        /// Relevant answers only, and repeat instance counts.
        public let values: [Address: Value]

        public init(unit: String, version: String, values: [Address: Value]) {
            self.unit = unit
            self.version = version
            self.values = values
        }
    }

    public let round: String
    /// The round's last day (days since 1970), for the path to a target; nil when neither the store nor the code gives it.
    public let endDay: Int?
    public let formID: String
    public let interviews: [Interview]

    public init(round: String, endDay: Int?, formID: String, interviews: [Interview]) {
        self.round = round
        self.endDay = endDay
        self.formID = formID
        self.interviews = interviews
    }
}

/// How confidence intervals are computed (see docs/indicators.md: the survey is a census of programme units).
public enum IntervalMethod: String, Sendable, CaseIterable {
    /// Simple random sampling with the finite-population correction sqrt((N − n)/(N − 1)).
    case fpc
    /// Simple random sampling from an infinite population.
    case srs
    case none
}

public enum TargetStatus: String, Sendable {
    case met = "met"
    case onTrack = "on track"
    case offTrack = "off track"
}

/// One line of an indicator table: the indicator overall or for one group.
public struct IndicatorRow: Sendable {
    public let dimension: String
    public let group: String
    public let value: Double?
    public let standardError: Double?
    public let low: Double?
    public let high: Double?
    /// Units that answered.
    public let n: Int
    /// Units of the indicator's level in the frame and its population (nil when the group is defined by answers).
    public let population: Int?
    /// Units asked but without a value (an optional question left empty).
    public let missing: Int
    /// Units that gave a special non-response (don't know, refused).
    public let nonResponse: Int
    /// Interviewed units the question was not for (not relevant, or outside the share's denominator).
    public let notAsked: Int
    public let previous: Double?
    /// Every eligible unit of the frame answered: the value is exact, and no interval is given.
    public let census: Bool
    public var change: Double? { value.flatMap { current in previous.map { current - $0 } } }
    /// Units the question was for among those interviewed: answered, left empty or refused.
    public var eligible: Int { n + missing + nonResponse }
}

public struct IndicatorResult: Sendable {
    public let indicator: Indicator
    public let rows: [IndicatorRow]
    public let status: TargetStatus?
    /// Set when a variable changed type or choice list between the versions of this round and the previous one.
    public let comparability: String?
    /// Overall value per round, for charts.
    public let series: [(round: String, value: Double?)]
    /// Value per round for each province (or the frame's top level), for charts.
    public let provinceSeries: [(name: String, values: [Double?])]
    /// This round's value per district.
    public let districts: [(name: String, value: Double?)]
    /// The comparison units' overall row this round (`compare:` in the specification), and their value per round.
    public let comparison: IndicatorRow?
    public let comparisonSeries: [(round: String, value: Double?)]
    /// The status against the target per province (or the frame's top level), this round.
    public let provinceStatus: [(name: String, value: Double?, status: TargetStatus?)]
}

public struct IndicatorTable: Sendable {
    public let title: String
    public let round: String
    public let previousRound: String?
    public let rounds: [String]
    public let language: String?
    public let intervals: IntervalMethod
    public let results: [IndicatorResult]
    /// When the data were read from the store (and the report made), as the workflow states it.
    public var extractedAt: String?
}

/// Reads values from one interview's stored answers.
struct AnswerContext: FieldOnlyContext {
    let byName: [String: [(indices: [Int], value: Value)]]

    init(_ values: [Address: Value]) {
        var byName: [String: [(indices: [Int], value: Value)]] = [:]
        for (address, value) in values { byName[address.name, default: []].append((address.indices, value)) }
        for key in byName.keys { byName[key]?.sort { $0.indices.lexicographicallyPrecedes($1.indices) } }
        self.byName = byName
    }

    func value(of field: String) -> Value {
        guard let entries = byName[field] else { return .empty }
        if entries.count == 1, entries[0].indices.isEmpty {
            // A repeat's own record is its number of instances: read as that many instances.
            return entries[0].value
        }
        return .nodeset(entries.map(\.value))
    }
}

/// Computes indicator tables from round data, one round at a time (see `figures` and `table`).
public struct IndicatorCalculator {
    let hierarchy: FrameHierarchy
    public let questionnaires: [Questionnaire]
    public let intervals: IntervalMethod
    public let language: String?
    /// Units of each indicator's level per group in the frame, counted once for every round.
    let populationCounts = PopulationCounts()

    public var units: [String: FrameUnit] { hierarchy.units }

    public init(units: [FrameUnit], questionnaires: [Questionnaire], intervals: IntervalMethod = .fpc, language: String? = nil) {
        hierarchy = FrameHierarchy(units)
        self.questionnaires = questionnaires
        self.intervals = intervals
        self.language = language
    }

    /// The group of an interview by its answer to a question (`name=label`); nil when it has none.
    func answerGroup(_ name: String, values: [Address: Value], questionnaire: Questionnaire?) -> String? {
        guard let value = values[Address(name)], !value.isEmpty else { return nil }
        let code = value.stringValue
        let label = questionnaire?.item(named: name)?.type.choiceList.flatMap(questionnaire!.choiceList(named:))?.choice(code)?.label?.text(in: language)
        return "\(name)=\(label ?? code)"
    }

    /// What one unit contributes.
    public enum Contribution: Sendable, Equatable {
        case value(Double)
        case notAsked
        case missing
        case nonResponse
    }

    func contribution(_ indicator: Indicator, _ values: [Address: Value], _ context: AnswerContext) -> Contribution {
        if indicator.variables.contains(where: { name in
            if case .nonResponse = values[Address(name)] ?? .empty { return true }
            return false
        }) {
            return .nonResponse
        }
        switch indicator.measure {
        case .share(let numerator, let denominator):
            // The validator proves the numerator lies within the denominator; evaluating only within it keeps
            // that true even for conditions it cannot prove.
            if let denominator, !Evaluator.isTrue(denominator.expression, in: context) { return .notAsked }
            return .value(Evaluator.isTrue(numerator.expression, in: context) ? 1 : 0)
        case .count(let condition):
            return .value(Evaluator.isTrue(condition.expression, in: context) ? 1 : 0)
        case .mean(let expression), .median(let expression), .total(let expression):
            let number = Evaluator.evaluate(expression.expression, in: context).numberValue
            if number.isFinite { return .value(number) }
            // Only relevant answers are stored: when none of the variables is there, the question was not for this unit.
            return indicator.variables.contains { values[Address($0)] != nil } ? .missing : .notAsked
        }
    }

    struct Accumulator {
        var values: [Double] = []
        var missing = 0
        var nonResponse = 0
        var notAsked = 0
    }

    typealias Statistic = (value: Double?, se: Double?, low: Double?, high: Double?, census: Bool)

    /// The value and, where units are missing (not interviewed, empty or refused), its interval. The units the
    /// question was not for are no part of the population: when every eligible unit answered the value is exact,
    /// and no (degenerate) interval is given.
    func statistic(_ indicator: Indicator, _ accumulator: Accumulator, population: Int?) -> Statistic {
        let values = accumulator.values
        let n = values.count
        guard n > 0 else {
            if case .count = indicator.measure { return (0, nil, nil, nil, false) }
            return (nil, nil, nil, nil, false)
        }
        let eligible = population.map { max(0, $0 - accumulator.notAsked) }
        if intervals == .fpc, let eligible, n >= eligible {
            let exact = statistic(indicator, accumulator, population: nil)
            return (exact.value, nil, nil, nil, true)
        }
        var correction = 1.0
        if intervals == .fpc, let eligible, eligible > 1 { correction = max(0, Double(eligible - n) / Double(eligible - 1)).squareRoot() }
        let mean = values.reduce(0, +) / Double(n)
        switch indicator.measure {
        case .share:
            let p = mean
            guard intervals != .none, population != nil || intervals == .srs else { return (100 * p, nil, nil, nil, false) }
            let se = (p * (1 - p) / Double(n)).squareRoot() * correction
            // Wilson's score interval on the sample size the correction leaves (n / correction²): it stays inside
            // 0–100%, and at 0% or 100% it still shows what the units not measured leave open, where ±1.96 se
            // would collapse to a point.
            guard correction > 0 else { return (100 * p, 0, 100 * p, 100 * p, false) }
            let size = Double(n) / (correction * correction), z = 1.96
            let centre = (p + z * z / (2 * size)) / (1 + z * z / size)
            let half = z * (p * (1 - p) / size + z * z / (4 * size * size)).squareRoot() / (1 + z * z / size)
            return (100 * p, 100 * se, 100 * max(0, centre - half), 100 * min(1, centre + half), false)
        case .mean:
            guard intervals != .none, n > 1, population != nil || intervals == .srs else { return (mean, nil, nil, nil, false) }
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            let se = (variance / Double(n)).squareRoot() * correction
            return (mean, se, mean - 1.96 * se, mean + 1.96 * se, false)
        case .median:
            let sorted = values.sorted()
            let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            return (median, nil, nil, nil, false)
        case .total, .count:
            return (values.reduce(0, +), nil, nil, nil, false)
        }
    }

    /// Units of the indicator's level per group, from the frame.
    func populations(_ indicator: Indicator) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = ["overall": ["all": 0]]
        for unit in units.values where unit.level == indicator.level && indicator.population.contains(unit.code, in: hierarchy) {
            result["overall"]!["all"]! += 1
            for disaggregation in indicator.disaggregations {
                switch disaggregation {
                case .level(let level):
                    if let name = hierarchy.ancestor(of: unit.code, level: level)?.name {
                        result[disaggregation.description, default: [:]][name, default: 0] += 1
                    }
                case .attribute(let key):
                    if let value = hierarchy.attribute(key, of: unit.code) {
                        result[disaggregation.description, default: [:]]["\(key)=\(value)", default: 0] += 1
                    }
                case .answer: break
                }
            }
        }
        return result
    }

    func row(_ dimension: String, _ group: String, _ accumulator: Accumulator, _ stats: Statistic, population: Int?, previous: Double?) -> IndicatorRow {
        IndicatorRow(
            dimension: dimension, group: group, value: stats.value, standardError: stats.se, low: stats.low, high: stats.high,
            n: accumulator.values.count, population: population, missing: accumulator.missing, nonResponse: accumulator.nonResponse,
            notAsked: accumulator.notAsked, previous: previous, census: stats.census)
    }

    /// Met, on track on a straight path from the baseline to the target, or off track.
    func status(_ indicator: Indicator, value: Double?, day: Int?) -> TargetStatus? {
        guard let target = indicator.target, let value else { return nil }
        let direction = Double(indicator.direction)
        if direction * (value - target.value) >= 0 { return .met }
        // Without the round's date, progress along the path cannot be judged: no status rather than a guess.
        guard let day else { return nil }
        guard let baseline = indicator.baseline else { return .offTrack }
        let progress = min(1, max(0, Double(day - baseline.date) / Double(target.date - baseline.date)))
        let path = baseline.value + (target.value - baseline.value) * progress
        return direction * (value - path) >= 0 ? .onTrack : .offTrack
    }

    /// Says when the indicator's variables changed type or choice list between the versions used in two rounds.
    func comparability(
        _ indicator: Indicator, previousRound: String?, now nowVersions: Set<String>?, then thenVersions: Set<String>?,
        versions: [String: [String: Questionnaire]]
    ) -> String? {
        guard let previousRound, let nowVersions, let thenVersions else { return nil }
        let indonesian = LocalizedText.isIndonesian(language)
        var notes: [String] = []
        for old in thenVersions.sorted() {
            for new in nowVersions.sorted() where old != new {
                guard let before = versions[indicator.instrument]?[old], let after = versions[indicator.instrument]?[new] else { continue }
                for name in indicator.variables.sorted() {
                    guard let a = before.item(named: name), let b = after.item(named: name) else {
                        notes.append(indonesian ? "\(name) tidak ada di kedua versi \(old) dan \(new)" : "\(name) is not in both versions \(old) and \(new)")
                        continue
                    }
                    if a.type.description != b.type.description {
                        notes.append(
                            indonesian
                                ? "jenis \(name) berubah dari \(a.type) (\(old)) menjadi \(b.type) (\(new))"
                                : "\(name) changed type from \(a.type) (\(old)) to \(b.type) (\(new))")
                    } else if let listA = a.type.choiceList.flatMap(before.choiceList(named:)), let listB = b.type.choiceList.flatMap(after.choiceList(named:)),
                        listA.codes != listB.codes
                    {
                        let change = "(\(listA.codes.joined(separator: " ")) → \(listB.codes.joined(separator: " ")))"
                        notes.append(
                            indonesian
                                ? "pilihan \(name) berubah antara \(old) dan \(new) \(change)" : "\(name)'s choices changed between \(old) and \(new) \(change)"
                        )
                    }
                }
            }
        }
        guard !notes.isEmpty else { return nil }
        return (indonesian ? "tidak sebanding dengan \(previousRound): " : "not comparable with \(previousRound): ") + notes.joined(separator: "; ")
    }
}
