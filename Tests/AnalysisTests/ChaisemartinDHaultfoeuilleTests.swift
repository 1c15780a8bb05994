// de Chaisemartin & D'Haultfœuille's DID_M against diff-diff (PyPI) to 1e-6: DID_M, DID_+ and DID_- with their
// cohort-recentred plug-in standard errors, and the placebo's estimate, on a simulated panel whose treatment switches
// on and off, balanced and with units missing the first period, a middle period or the last ones. Fixtures:
// Fixtures/dcdh_panel.csv and dcdh_reference.csv, written by Scripts/reference/dcdh_diffdiff.py (Scripts/validate_did.sh
// reruns it and compares).
import Foundation
import Testing

@testable import Analysis

struct ChaisemartinDHaultfoeuilleTests {
    static func fixture(_ name: String) throws -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(b), 1e-3) }

    @Test("DID_M, DID_+, DID_- and their standard errors, and the placebo, equal diff-diff's to 1e-6", arguments: ["balanced", "unbalanced"])
    func matchesDiffDiff(sample: String) throws {
        let rows = try Self.fixture("dcdh_panel.csv").filter { sample == "balanced" || $0[4] == "1" }
        let units = Set(rows.map { Int($0[0])! }).count
        var outcome = [[Double]](repeating: [Double](repeating: .nan, count: 7), count: 150)
        var treated = [[Bool?]](repeating: [Bool?](repeating: nil, count: 7), count: 150)
        for row in rows {
            let unit = Int(row[0])!, period = Int(row[1])! - 2020
            outcome[unit][period] = Double(row[3])!
            treated[unit][period] = row[2] == "1"
        }
        let fit = try ChaisemartinDHaultfoeuille(outcome: outcome, treated: treated, clusterCodes: nil)
        let reference = try Self.fixture("dcdh_reference.csv").filter { $0[0] == sample }
        #expect(reference.count == 4)
        for row in reference {
            let effect = try #require(
                [("DID_M", fit.overall), ("DID_+", fit.joiners), ("DID_-", fit.leavers), ("placebo", fit.placebo)].first { $0.0 == row[1] }?.1)
            #expect(close(effect.estimate, Double(row[2])!), "\(sample) \(row[1]): \(effect.estimate) vs \(row[2])")
            if row[3] != "nan" { #expect(close(effect.standardError, Double(row[3])!), "\(sample) \(row[1]) SE: \(effect.standardError) vs \(row[3])") }
        }
        if sample == "unbalanced" {
            // 9 units miss the first period (left out, as diff-diff refuses them), 6 more have a gap (left out, as there).
            #expect(fit.withoutFirstPeriod == 9 && fit.withGaps == 6 && fit.units == units - 15, "\(fit.withoutFirstPeriod) \(fit.withGaps) \(fit.units)")
        }
    }

    @Test("without any switch there is nothing to estimate, and one cluster gives no clustered standard error")
    func refusals() throws {
        #expect(throws: EstimationError.self) {
            try ChaisemartinDHaultfoeuille(outcome: [[1, 2], [3, 4]], treated: [[false, false], [true, true]], clusterCodes: nil)
        }
        #expect(throws: EstimationError.oneCluster(column: "cluster")) {
            try ChaisemartinDHaultfoeuille(
                outcome: [[1, 2], [3, 5], [2, 2]], treated: [[false, true], [false, false], [false, false]], clusterCodes: [0, 0, 0])
        }
    }
}
