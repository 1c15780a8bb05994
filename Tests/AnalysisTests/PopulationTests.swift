// Requirements covered here (issue: outputs a programme manager signs):
// P1 a population on frame attributes restricts an indicator to its units (numerator and frame count alike)
// P2 compare: the other units get their own row and series, never mixed in
// P3 denominators say what they are: answered, not asked, missing, non-response; units not asked leave the population
// P4 a census with every eligible unit answering is exact: no degenerate interval
// P5 a population naming an attribute the frame does not have, or compare without a matching population, is located
import Foundation
import Questionnaire
import TestSupport
import Testing

@testable import Analysis

@Suite(.temporaryFiles)
struct PopulationTests {
    static let spec = """
        title: Populations
        population: grp = x
        compare: grp
        indicators:
          - id: mean_num
            label: Mean number
            instrument: f
            mean: ${num}
          - id: flag_yes
            label: Flag yes among status a
            instrument: f
            share: {numerator: "${state} = 'a' and ${flag} = 'yes'", denominator: "${state} = 'a'"}
          - id: flag_yes_y
            label: Flag yes among status a, group y
            instrument: f
            population: grp = y
            share: {numerator: "${state} = 'a' and ${flag} = 'yes'", denominator: "${state} = 'a'"}

        """

    func table() throws -> IndicatorTable {
        let fixture = try Fixture.make()
        try Self.spec.write(to: fixture.folder.appendingPathComponent("populations.indicators.yaml"), atomically: true, encoding: .utf8)
        return try fixture.table(round: "R2", spec: "populations.indicators.yaml")
    }

    @Test("P1 P2: the population's units only, and the comparison units beside them")
    func populationAndComparison() throws {
        let table = try table()
        // grp = x: U1 (30) and U3 (a draft in R2: not counted); two villages in the frame.
        let mean = try #require(row(table, "mean_num"))
        #expect(mean.value == 30 && mean.n == 1 && mean.population == 2)
        let result = try #require(table.results.first { $0.indicator.id == "mean_num" })
        // grp != x: U2 (40) and U4 (left empty).
        let comparison = try #require(result.comparison)
        #expect(comparison.value == 40 && comparison.n == 1 && comparison.missing == 1 && comparison.population == 2)
        #expect(comparison.group == "grp != x" && result.indicator.population.description == "grp = x")
        #expect(result.comparisonSeries.map(\.round) == ["R1", "R2"] && result.comparisonSeries[1].value == 40)
    }

    @Test("P3 P4: not asked leaves the population; every eligible unit answering is exact, with no interval")
    func denominators() throws {
        let table = try table()
        // grp = x: U1 (a, yes); U3 not interviewed in R2: one eligible unit may be missing, so an interval remains.
        let share = try #require(row(table, "flag_yes"))
        #expect(share.n == 1 && share.notAsked == 0 && share.eligible == 1 && !share.census)
        // grp = y: U2 (status c: not asked), U4 (a, no): the one eligible unit answered: exact, no interval.
        let exact = try #require(row(table, "flag_yes_y"))
        #expect(exact.value == 0 && exact.n == 1 && exact.notAsked == 1 && exact.population == 2)
        #expect(exact.census && exact.low == nil && exact.high == nil && exact.standardError == nil)
    }

    @Test("P5: populations are checked against the frame")
    func checked() throws {
        let fixture = try Fixture.make()
        let path = fixture.folder.appendingPathComponent("bad.indicators.yaml").path
        try """
        population: region = 1
        compare: grp
        indicators:
          - {id: a, label: A, instrument: f, mean: "${num}", population: "grp"}

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let v2 = try QuestionnaireLoader.load(yaml: version2, file: "v2").get()
        guard case .failure(let report) = IndicatorSet.load(path: path, questionnaires: [v2], frameLevels: ["village"], frameAttributes: ["grp"]) else {
            Issue.record("expected errors")
            return
        }
        #expect(report.diagnostics.map { "\($0.location.line):\($0.location.column)" } == ["1:13", "2:10", "4:66"])
        #expect(report.diagnostics[0].message.contains("'region' is not a frame attribute"))
    }
}
