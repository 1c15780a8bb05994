import Foundation

/// The 2×2 table of means: treated and comparison, before and after, the three differences and the
/// difference-in-differences, each with a standard error.
public struct TwoByTwo: Sendable {
    public struct Cell: Sendable {
        public let mean: Double
        public let standardError: Double
        public let n: Int
    }

    public struct Difference: Sendable {
        public let estimate: Double
        public let standardError: Double
    }

    public let comparisonBefore: Cell
    public let comparisonAfter: Cell
    public let treatedBefore: Cell
    public let treatedAfter: Cell
    /// After − before, in each group.
    public let comparisonChange: Difference
    public let treatedChange: Difference
    /// Treated − comparison, before.
    public let gapBefore: Difference
    public let didEstimate: Difference
    /// Whether changes were taken within units observed in both periods (a balanced panel).
    public let balanced: Bool
    public let unitsDropped: Int

    static func cell(_ values: [Double], _ name: String) throws -> Cell {
        guard values.count > 1 else { throw EstimationError.emptyCell(name) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return Cell(mean: mean, standardError: (variance / Double(values.count)).squareRoot(), n: values.count)
    }

    /// Observations: group (treated or not), period (after or not), outcome; optional unit ids for a panel.
    /// With units, the changes and the DiD use units observed in both periods, and their standard errors come
    /// from within-unit changes; without, the four cells are independent samples.
    public init(treated: [Bool], after: [Bool], outcome: [Double?], units: [String]? = nil) throws {
        var cells: [[Double]] = [[], [], [], []]
        for i in outcome.indices { if let y = outcome[i] { cells[(treated[i] ? 2 : 0) + (after[i] ? 1 : 0)].append(y) } }
        comparisonBefore = try Self.cell(cells[0], "comparison, before")
        comparisonAfter = try Self.cell(cells[1], "comparison, after")
        treatedBefore = try Self.cell(cells[2], "treated, before")
        treatedAfter = try Self.cell(cells[3], "treated, after")
        gapBefore = Difference(
            estimate: treatedBefore.mean - comparisonBefore.mean,
            standardError: (pow(treatedBefore.standardError, 2) + pow(comparisonBefore.standardError, 2)).squareRoot())
        if let units {
            var before: [String: (Bool, Double)] = [:], later: [String: (Bool, Double)] = [:]
            for i in outcome.indices {
                guard let y = outcome[i] else { continue }
                if after[i] { later[units[i]] = (treated[i], y) } else { before[units[i]] = (treated[i], y) }
            }
            var changes: [[Double]] = [[], []]
            // In the units' order, not the dictionary's: the sums, and so the last digits, are the same on every run.
            for unit in before.keys.sorted() {
                guard let start = before[unit], let end = later[unit] else { continue }
                changes[start.0 ? 1 : 0].append(end.1 - start.1)
            }
            let all = Set(before.keys).union(later.keys).count
            unitsDropped = all - changes[0].count - changes[1].count
            let comparison = try Self.cell(changes[0], "comparison units observed in both periods")
            let treatedCell = try Self.cell(changes[1], "treated units observed in both periods")
            comparisonChange = Difference(estimate: comparison.mean, standardError: comparison.standardError)
            treatedChange = Difference(estimate: treatedCell.mean, standardError: treatedCell.standardError)
            balanced = true
        } else {
            comparisonChange = Difference(
                estimate: comparisonAfter.mean - comparisonBefore.mean,
                standardError: (pow(comparisonAfter.standardError, 2) + pow(comparisonBefore.standardError, 2)).squareRoot())
            treatedChange = Difference(
                estimate: treatedAfter.mean - treatedBefore.mean,
                standardError: (pow(treatedAfter.standardError, 2) + pow(treatedBefore.standardError, 2)).squareRoot())
            balanced = false
            unitsDropped = 0
        }
        didEstimate = Difference(
            estimate: treatedChange.estimate - comparisonChange.estimate,
            standardError: (pow(treatedChange.standardError, 2) + pow(comparisonChange.standardError, 2)).squareRoot())
    }
}
