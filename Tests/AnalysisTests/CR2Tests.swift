// CR2 (Bell–McCaffrey) standard errors and Satterthwaite degrees of freedom against R's clubSandwich 0.5.8
// (Tests/AnalysisTests/Fixtures/cr2_reference.csv, written by Scripts/reference/cr2_clubsandwich.R from the designs
// in wild_data.csv, unweighted and weighted by 1 + x², clubSandwich's default target for a weighted lm).
import Foundation
import Testing

@testable import Analysis

struct CR2Tests {
    @Test("CR2 standard errors, Satterthwaite degrees of freedom and p-values equal clubSandwich's, unweighted and weighted")
    func matchesClubSandwich() throws {
        let reference = try WildBootstrapTests.fixture("cr2_reference.csv")
        #expect(reference.count == 18)
        // Weighted, each cluster's n_g×n_g matrix is decomposed: a cluster beyond the limit is refused, not slow.
        let n = BellMcCaffrey.maximumClusterRows + 1
        #expect(throws: EstimationError.self) {
            try Regression.fit(
                y: (0..<(2 * n)).map { Double($0 % 7) }, x: (0..<(2 * n)).map { [1, Double($0 % 2)] }, names: ["(Intercept)", "d"],
                weights: (0..<(2 * n)).map { 1 + Double($0 % 3) }, standardErrors: .cr2(cluster: "c"), clusters: (0..<(2 * n)).map { $0 < n ? "a" : "b" })
        }
        let data = try WildBootstrapTests.fixture("wild_data.csv")
        for design in ["6", "9", "11"] {
            let rows = data.filter { $0[0] == design }
            let y = rows.map { Double($0[2])! }, x = rows.map { [1, Double($0[3])!, Double($0[4])!] }, cluster = rows.map { $0[1] }
            for weighted in [false, true] {
                let weights = weighted ? x.map { 1 + $0[1] * $0[1] } : nil
                let fit = try Regression.fit(
                    y: y, x: x, names: ["(Intercept)", "x", "d"], weights: weights, standardErrors: .cr2(cluster: "cluster"), clusters: cluster)
                let dof = try #require(fit.coefficientDegreesOfFreedom)
                for (j, term) in ["(Intercept)", "x", "d"].enumerated() {
                    let expected = try #require(reference.first { $0[0] == design && $0[1] == (weighted ? "TRUE" : "FALSE") && $0[2] == term })
                    let c = try #require(fit.coefficient(term))
                    func close(_ a: Double, _ b: String) -> Bool { abs(a - Double(b)!) <= 1e-8 * max(1, abs(Double(b)!)) }
                    #expect(close(c.estimate, expected[3]), "\(design) \(weighted) \(term) estimate")
                    #expect(close(c.standardError, expected[4]), "\(design) \(weighted) \(term) s.e. \(c.standardError) against \(expected[4])")
                    #expect(close(dof[j], expected[5]), "\(design) \(weighted) \(term) df \(dof[j]) against \(expected[5])")
                    #expect(abs(c.pValue - Double(expected[6])!) < 1e-7, "\(design) \(weighted) \(term) p \(c.pValue) against \(expected[6])")
                }
            }
        }
    }

    @Test("CR2 for two-way fixed effects needs units nested in the clusters: a clear error otherwise, not a wrong number")
    func notForCrossedClusters() throws {
        let error = EstimationError.unsupportedStandardErrors(
            name: "CR2 (units not nested in the clusters)", estimator: "two-way fixed effects", cluster: "period")
        #expect(throws: error) {
            try TwoWayFixedEffects.fit(
                y: [1, 2, 3, 4, 2, 3, 5, 1], regressors: [[0], [1], [0], [1], [0], [0], [0], [1]], names: ["d"],
                units: ["a", "a", "b", "b", "c", "c", "e", "e"], periods: ["0", "1", "0", "1", "0", "1", "0", "1"],
                standardErrors: .cr2(cluster: "period"), clusters: ["0", "1", "0", "1", "0", "1", "0", "1"])
        }
    }
}
