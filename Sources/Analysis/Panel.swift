import Expressions
import Foundation
import Questionnaire

/// A unit × round panel built from completed interviews, with the report every restriction deserves.
public struct Panel: Sendable {
    public struct Observation: Sendable {
        public let unit: String
        public let round: Int
        public let outcome: Double
        public let treated: Bool
        public let cluster: String
        /// The survey weight, when the specification has weights (nil: no value for this interview).
        public let weight: Double?
        /// The covariates' values, in the specification's order (nil: no value).
        public let covariates: [Double?]
        /// The treatment's level, when the specification has a dose.
        public var dose: Double? = nil
    }

    public let rounds: [String]
    public let observations: [Observation]
    /// Plain-language lines: counts per round, attrition, switches, the rule for units treated from the start.
    public let notes: [String]
    /// Each unit's first treated round (an index into `rounds`), nil when never treated.
    public let firstTreated: [String: Int]

    /// Builds the panel; each unit's cluster is its ancestor at the specification's cluster level (itself when it
    /// has none).
    public static func build(spec: DiDSpec, rounds: [String], data: [String: RoundData], units: [FrameUnit]) throws -> Panel {
        let hierarchy = FrameHierarchy(units)
        var observations: [Observation] = []
        var notes: [String] = []
        var missingOutcome = 0, missingDose = 0
        func measured(_ measure: DiDSpec.Measure, _ context: AnswerContext, unit: String) -> Double? {
            switch measure {
            case .answer(let expression):
                let value = Evaluator.evaluate(expression.expression, in: context)
                let result: Double
                if case .boolean(let flag) = value { result = flag ? 1 : 0 } else { result = value.numberValue }
                return result.isFinite ? result : nil
            case .attribute(let key): return hierarchy.attribute(key, of: unit).flatMap(Double.init)
            }
        }
        for (index, round) in rounds.enumerated() {
            guard let roundData = data[round] else { continue }
            var count = 0
            for interview in roundData.interviews {
                let context = AnswerContext(interview.values)
                let value = Evaluator.evaluate(spec.outcome.expression, in: context)
                let number: Double
                if case .boolean(let flag) = value { number = flag ? 1 : 0 } else { number = value.numberValue }
                guard number.isFinite else {
                    missingOutcome += 1
                    continue
                }
                let treated: Bool
                var dose: Double?
                switch spec.treatment {
                case .answer(let expression): treated = Evaluator.isTrue(expression.expression, in: context)
                case .attribute(let key, let from): treated = hierarchy.attribute(key, of: interview.unit) == "1" && round >= from
                case .dose(let measure):
                    guard let level = measured(measure, context, unit: interview.unit) else {
                        missingDose += 1
                        continue
                    }
                    dose = level
                    treated = level != 0
                }
                observations.append(
                    Observation(
                        unit: interview.unit, round: index, outcome: number, treated: treated,
                        cluster: hierarchy.ancestor(of: interview.unit, level: spec.cluster)?.code ?? interview.unit,
                        weight: spec.weights.flatMap { measured($0, context, unit: interview.unit) },
                        covariates: spec.covariates.map { measured($0, context, unit: interview.unit) }, dose: dose))
                count += 1
            }
            notes.append("\(round): \(count) units with the outcome")
        }
        if missingOutcome > 0 { notes.append("\(missingOutcome) unit-rounds without a value of the outcome (missing or special non-response) left out") }
        if missingDose > 0 { notes.append("\(missingDose) unit-rounds without a value of the dose left out") }
        // Adoption: the first round a unit is treated; with absorbing adoption it stays treated afterwards.
        var first: [String: Int] = [:]
        var switchedOff = Set<String>()
        for observation in observations.sorted(by: { $0.round < $1.round }) {
            if observation.treated, first[observation.unit] == nil { first[observation.unit] = observation.round }
            if !observation.treated, first[observation.unit] != nil { switchedOff.insert(observation.unit) }
        }
        // Adopted by the frame from a round on: a unit's cohort is that round whether or not it was interviewed then
        // (a unit missing the round, or seen only later, is not a later cohort).
        if case .attribute(let key, let from) = spec.treatment, let adoption = rounds.firstIndex(where: { $0 >= from }) {
            for unit in Set(observations.map(\.unit)) where hierarchy.attribute(key, of: unit) == "1" { first[unit] = adoption }
        }
        let isDose: Bool
        if case .dose = spec.treatment { isDose = true } else { isDose = false }
        if isDose {
            // A dose: how many levels and how many units change theirs (the 0/1 notes below do not apply).
            var levels: [String: Set<Double>] = [:]
            for observation in observations { levels[observation.unit, default: []].insert(observation.dose ?? 0) }
            let changing = levels.values.filter { $0.count > 1 }.count
            notes.append(
                "dose: \(Set(observations.compactMap(\.dose)).count) levels seen; \(changing) of \(levels.count) units change their dose at least once")
        } else if !switchedOff.isEmpty {
            notes.append(
                spec.absorbing
                    ? "\(switchedOff.count) units report the treatment and later not; adoption is absorbing, so they count as treated from their first treated round"
                    : "\(switchedOff.count) units report the treatment and later not; adoption is reversible, so TWFE and chaisemartin_dhaultfoeuille take "
                        + "the treatment as reported, and the staggered estimators count them as treated from their first treated round")
        }
        if spec.absorbing {
            observations = observations.map { observation in
                let treated = first[observation.unit].map { observation.round >= $0 } ?? false
                return Observation(
                    unit: observation.unit, round: observation.round, outcome: observation.outcome, treated: treated,
                    cluster: observation.cluster, weight: observation.weight, covariates: observation.covariates)
            }
        }
        let treatedFromStart = first.values.filter { $0 == 0 }.count
        if treatedFromStart > 0 && !isDose {
            notes.append(
                "\(treatedFromStart) units are already treated in the first round (\(rounds.first ?? "")): they have no pre-period, so staggered estimators leave them out"
            )
        }
        let varies = isDose ? Set(observations.compactMap(\.dose)).count >= 2 : Set(observations.map(\.treated)).count == 2
        guard varies else {
            throw EstimationError.noVariation(column: "the treatment")
        }
        return Panel(rounds: rounds, observations: observations, notes: notes, firstTreated: first)
    }

    /// The panel for the estimators, with the specification's weights and covariates. Rows without a weight are
    /// left out (and counted in `notes`); a weight of zero or less is an error.
    public func longPanel(_ spec: DiDSpec) throws -> (panel: LongPanel, notes: [String]) {
        let rows = observations.filter { spec.weights == nil || $0.weight != nil }
        var notes: [String] = []
        if rows.count < observations.count {
            notes.append("\(observations.count - rows.count) unit-rounds without a value of the weights (\(spec.weights!.name)) left out")
        }
        var panel = try LongPanel(
            outcome: rows.map(\.outcome), unit: rows.map(\.unit), period: rows.map(\.round), periods: rounds,
            firstTreated: firstTreated, cluster: rows.map(\.cluster), clusterName: spec.cluster,
            weight: spec.weights == nil ? nil : rows.map { $0.weight! }, weightName: spec.weights?.name,
            covariateNames: spec.covariates.map(\.name),
            covariates: spec.covariates.indices.map { c in rows.map { $0.covariates[c] } },
            reportedTreatment: spec.absorbing ? nil : rows.map(\.treated))
        if case .dose = spec.treatment { panel.dose = rows.map { $0.dose ?? 0 } }
        return (panel, notes)
    }

    /// Units observed in every round, as a matrix for Callaway & Sant'Anna; others are reported and left out.
    public func balanced() -> (units: [String], outcome: [[Double]], clusters: [String], dropped: Int) {
        var byUnit: [String: [Int: Double]] = [:]
        var clusterOf: [String: String] = [:]
        for observation in observations {
            byUnit[observation.unit, default: [:]][observation.round] = observation.outcome
            clusterOf[observation.unit] = observation.cluster
        }
        let complete = byUnit.filter { $0.value.count == rounds.count }.keys.sorted()
        return (
            complete, complete.map { unit in (0..<rounds.count).map { byUnit[unit]![$0]! } }, complete.map { clusterOf[$0]! },
            byUnit.count - complete.count
        )
    }
}
