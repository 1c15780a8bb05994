// Callaway & Sant'Anna on an unbalanced panel (mpdta with one row in nine dropped, kept as
// Tests/AnalysisTests/Fixtures/mpdta_unbalanced.csv) and on repeated cross-sections (every mpdta row a different
// county), against csdid with allow_unbalanced_panel and panel = False, to 1e-6 relative: ATT(g,t), the simple,
// dynamic (with each event time), group and calendar aggregations, by outcome regression and doubly robust, without
// and with the covariate lpop, weighted with and without it. Reference: Fixtures/cs_unbalanced_reference.csv, written by
// Scripts/reference/cs_unbalanced_mpdta.py (Scripts/validate_did.sh reruns it and compares).
import Foundation
import Tabular
import Testing

@testable import Analysis

struct CallawaySantAnnaRowsTests {
    static func fixture(_ name: String) throws -> (header: [String], rows: [[String]]) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        let rows = try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields)
        return (rows[0], Array(rows.dropFirst()))
    }

    /// mpdta's rows as PanelRows: by county (an unbalanced panel) or each row its own unit (cross-sections).
    static func rows(_ table: (header: [String], rows: [[String]]), eachRowAUnit: Bool, covariates: Bool, weighted: Bool) -> (PanelRows, [Int]) {
        let year = column(table, "year").map { Int($0!) }, county = column(table, "countyreal").map { Int($0!) }
        let first = column(table, "first_treat").map { Int($0!) }, lpop = column(table, "lpop").map { $0! }
        let periods = Array(Set(year)).sorted()
        let counties = Array(Set(county)).sorted()
        let code = Dictionary(uniqueKeysWithValues: counties.enumerated().map { ($1, $0) })
        let unit = eachRowAUnit ? Array(year.indices) : county.map { code[$0]! }
        var group = [Int](repeating: 0, count: eachRowAUnit ? year.count : counties.count)
        for i in year.indices { group[unit[i]] = first[i] }
        let rows = PanelRows(
            unit: unit, period: year.map { periods.firstIndex(of: $0)! }, outcome: column(table, "lemp").map { $0! },
            covariates: covariates ? lpop.map { [$0] } : nil, weights: weighted ? lpop.map { exp($0) } : nil, group: group)
        return (rows, periods)
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(b), 1e-3) }

    @Test(
        "unbalanced panel and repeated cross-sections: ATT(g,t) and every aggregation equal csdid's to 1e-6",
        arguments: ["unbalanced", "cross_sections"], ["", "+dr", "+lpop", "+lpop+dr", "+lpop+dr+w", "+w"])
    func matchesCSDiD(sample: String, variant: String) throws {
        let table = sample == "unbalanced" ? try Self.fixture("mpdta_unbalanced.csv") : try referenceTable("mpdta.csv")
        let (rows, periods) = Self.rows(
            table, eachRowAUnit: sample == "cross_sections", covariates: variant.contains("lpop"), weighted: variant.hasSuffix("+w"))
        let reference = try Self.fixture("cs_unbalanced_reference.csv").rows
        var checked = 0
        for comparison in [CallawaySantAnna.Comparison.neverTreated, .notYetTreated] {
            let estimator = try CallawaySantAnna(
                rows: rows, periods: periods, comparison: comparison, clusterCodes: nil,
                method: variant.contains("dr") ? .doublyRobust : .outcomeRegression)
            let name = "\(sample):\(comparison == .neverTreated ? "nevertreated" : "notyettreated")\(variant)"
            let expected = reference.filter { $0[0] == name }
            #expect(expected.count == 23, "\(name)")
            for row in expected {
                guard let mine = CallawaySantAnnaTests.estimate(estimator, for: row) else {
                    Issue.record("no estimate for \(row)")
                    continue
                }
                #expect(close(mine.0, Double(row[4])!), "\(name) \(row[1]) \(row[2]) \(row[3]): \(mine.0) vs \(row[4])")
                #expect(close(mine.1, Double(row[5])!), "\(name) \(row[1]) \(row[2]) \(row[3]) SE: \(mine.1) vs \(row[5])")
                checked += 1
            }
        }
        #expect(checked == 46)
    }
}
