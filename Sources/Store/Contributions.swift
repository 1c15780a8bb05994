import Expressions
import Foundation

/// What an indicator needs of each interview, said so that a store able to evaluate it itself (PostgreSQL, in SQL)
/// can return one small contribution per interview instead of the answers: the value the interview contributes, or
/// why it contributes none. The rules are the indicator calculator's (see `IndicatorCalculator.contribution`).
public struct ContributionQuery: Sendable {
    public enum Measure: Sendable {
        /// A share: 1 or 0 by the numerator, among interviews the denominator holds for (all without one).
        case share(numerator: ExpressionNode, denominator: ExpressionNode?)
        /// A count: 1 or 0 by the condition.
        case count(ExpressionNode)
        /// A mean, median or total of a number.
        case number(ExpressionNode)
    }

    public let measure: Measure
    /// The variables the measure reads: a non-response to any of them makes the interview a non-response.
    public let variables: [String]

    public init(measure: Measure, variables: [String]) {
        (self.measure, self.variables) = (measure, variables)
    }
}

/// Each interview's contribution to each query, for one questionnaire and round: interviews in unit order, one per
/// unit (the latest completed), as `completedAnswers` gives them.
public struct StoredContributions: Sendable {
    public enum Kind: UInt8, Sendable {
        case value = 0
        case missing, nonResponse, notAsked
    }

    public let units: [String]
    public let versions: [String]
    /// `kinds[query][interview]`, and the value where the kind is `value`.
    public let kinds: [[Kind]]
    public let values: [[Double]]
    /// The answers asked for beside the contributions, by name: each interview's, nil where it has none.
    public let answers: [String: [StoredValue?]]

    public init(units: [String], versions: [String], kinds: [[Kind]], values: [[Double]], answers: [String: [StoredValue?]]) {
        (self.units, self.versions, self.kinds, self.values, self.answers) = (units, versions, kinds, values, answers)
    }
}

/// A store that evaluates indicators' contributions itself: nil when a query uses what it cannot evaluate, and the
/// caller then reads the answers. `answers` are plain answers to return beside them (those that group indicators).
public protocol ContributionReading: StoreReading {
    func contributions(formID: String, round: String, queries: [ContributionQuery], answers: [String]) throws -> StoredContributions?
    /// Another reader of the same store on a connection of its own, so that rounds can be evaluated side by side.
    func anotherReader() throws -> any ContributionReading
}
