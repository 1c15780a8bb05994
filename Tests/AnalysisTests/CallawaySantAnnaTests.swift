// Callaway & Sant'Anna on the did package's example (mpdta), against csdid (the Python port of R's did), to 1e-6
// relative: ATT(g,t) with never-treated and not-yet-treated comparisons, analytic standard errors, and the
// simple, dynamic, group and calendar aggregations. The reference is Tests/AnalysisTests/Fixtures/mpdta_attgt.csv,
// written by Scripts/reference/cs_mpdta.py.
import Foundation
import Tabular
import Testing

@testable import Analysis

struct CallawaySantAnnaTests {
    static func mpdta() throws -> (outcome: [[Double]], periods: [Int], group: [Int], counties: [String], states: [String]) {
        let data = try referenceTable("mpdta.csv")
        let year = column(data, "year").map { Int($0!) }, county = column(data, "countyreal").map { Int($0!) }
        let lemp = column(data, "lemp").map { $0! }, first = column(data, "first_treat").map { Int($0!) }
        let periods = Array(Set(year)).sorted()
        let counties = Array(Set(county)).sorted()
        let row = Dictionary(uniqueKeysWithValues: counties.enumerated().map { ($1, $0) })
        var outcome = [[Double]](repeating: [Double](repeating: .nan, count: periods.count), count: counties.count)
        var group = [Int](repeating: 0, count: counties.count)
        for i in year.indices {
            outcome[row[county[i]]!][periods.firstIndex(of: year[i])!] = lemp[i]
            group[row[county[i]]!] = first[i]
        }
        // mpdta's county codes start with the state's FIPS code: counties are nested in states.
        let states = counties.map { String(String($0).dropLast(3)) }
        return (outcome, periods, group, counties.map(String.init), states)
    }

    static func reference() throws -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mpdta_attgt.csv")
        return Array(try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields).dropFirst())
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(b), 1e-3) }

    @Test(
        "with the covariate lpop (outcome regression and doubly robust), ATT(g,t) and the simple ATT equal csdid's to 1e-6",
        arguments: [
            (CallawaySantAnna.Comparison.neverTreated, CallawaySantAnna.Method.outcomeRegression), (.notYetTreated, .outcomeRegression),
            (.neverTreated, .doublyRobust), (.notYetTreated, .doublyRobust),
        ])
    func covariates(comparison: CallawaySantAnna.Comparison, method: CallawaySantAnna.Method) throws {
        let data = try Self.mpdta()
        let table = try referenceTable("mpdta.csv")
        let county = column(table, "countyreal").map { Int($0!) }, lpop = column(table, "lpop").map { $0! }
        var byCounty: [Int: Double] = [:]
        for i in county.indices { byCounty[county[i]] = lpop[i] }
        let covariates = data.counties.map { [byCounty[Int($0)!]!] }
        let estimator = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison,
            covariates: covariates, method: method)
        let control = (comparison == .neverTreated ? "nevertreated" : "notyettreated") + "+lpop" + (method == .doublyRobust ? "+dr" : "")
        let reference = try Self.reference().filter { $0[0] == control }
        #expect(reference.count == 13)
        for row in reference {
            let mine: (Double, Double)? =
                row[1] == "simple"
                ? (estimator.simple.att, estimator.simple.standardError)
                : estimator.estimates.first { $0.group == Int(row[2]) && $0.time == Int(row[3]) }.map { ($0.att, $0.standardError) }
            guard let mine else {
                Issue.record("missing \(row)")
                continue
            }
            #expect(close(mine.0, Double(row[4])!), "\(row): \(mine.0)")
            #expect(close(mine.1, Double(row[5])!), "\(row) SE: \(mine.1)")
        }
    }

    @Test("ATT(g,t) and aggregations equal csdid's to 1e-6", arguments: [CallawaySantAnna.Comparison.neverTreated, .notYetTreated])
    func matchesReference(comparison: CallawaySantAnna.Comparison) throws {
        let data = try Self.mpdta()
        let estimator = try CallawaySantAnna(outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison)
        let control = comparison == .neverTreated ? "nevertreated" : "notyettreated"
        let reference = try Self.reference().filter { $0[0] == control }
        var checked = 0
        for row in reference {
            let estimate = Double(row[4])!, se = Double(row[5])!
            var mine: (Double, Double)?
            switch row[1] {
            case "attgt":
                mine = estimator.estimates.first { $0.group == Int(row[2]) && $0.time == Int(row[3]) }.map { ($0.att, $0.standardError) }
            case "simple": mine = (estimator.simple.att, estimator.simple.standardError)
            case "dynamic": mine = (estimator.dynamic.overall.att, estimator.dynamic.overall.standardError)
            case "event":
                mine = estimator.dynamic.byEventTime.first { $0.0 == Int(row[2]) }.map { ($0.1.att, $0.1.standardError) }
            case "group": mine = (estimator.byGroup.overall.att, estimator.byGroup.overall.standardError)
            case "calendar": mine = (estimator.byCalendar.overall.att, estimator.byCalendar.overall.standardError)
            default: break
            }
            guard let mine else {
                Issue.record("no estimate for \(row)")
                continue
            }
            #expect(close(mine.0, estimate), "\(row[1]) \(row[2]) \(row[3]): \(mine.0) vs \(estimate)")
            #expect(close(mine.1, se), "\(row[1]) \(row[2]) \(row[3]) SE: \(mine.1) vs \(se)")
            checked += 1
        }
        #expect(checked == reference.count && checked > 20)
    }

    /// The estimate a reference row names: an ATT(g,t), an event time or an overall aggregation.
    static func estimate(_ estimator: CallawaySantAnna, for row: [String]) -> (Double, Double)? {
        switch row[1] {
        case "attgt": estimator.estimates.first { $0.group == Int(row[2]) && $0.time == Int(row[3]) }.map { ($0.att, $0.standardError) }
        case "simple": (estimator.simple.att, estimator.simple.standardError)
        case "dynamic": (estimator.dynamic.overall.att, estimator.dynamic.overall.standardError)
        case "event": estimator.dynamic.byEventTime.first { $0.0 == Int(row[2]) }.map { ($0.1.att, $0.1.standardError) }
        case "group": (estimator.byGroup.overall.att, estimator.byGroup.overall.standardError)
        case "calendar": (estimator.byCalendar.overall.att, estimator.byCalendar.overall.standardError)
        default: nil
        }
    }

    @Test(
        "survey weights (exp(lpop)): ATT(g,t) and every aggregation equal csdid's with weights_name to 1e-6, unconditional and with lpop",
        arguments: [
            (CallawaySantAnna.Comparison.neverTreated, "+w"), (.notYetTreated, "+w"), (.neverTreated, "+lpop+w"),
            (.notYetTreated, "+lpop+w"), (.neverTreated, "+lpop+dr+w"), (.notYetTreated, "+lpop+dr+w"),
        ])
    func weighted(comparison: CallawaySantAnna.Comparison, variant: String) throws {
        let data = try Self.mpdta()
        let table = try referenceTable("mpdta.csv")
        let county = column(table, "countyreal").map { Int($0!) }, lpop = column(table, "lpop").map { $0! }
        var byCounty: [Int: Double] = [:]
        for i in county.indices { byCounty[county[i]] = lpop[i] }
        let populations = data.counties.map { byCounty[Int($0)!]! }
        let estimator = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison,
            covariates: variant == "+w" ? nil : populations.map { [$0] },
            method: variant.contains("dr") ? .doublyRobust : .outcomeRegression,
            weights: populations.map { exp($0) })
        let unweighted = try CallawaySantAnna(outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison)
        #expect(estimator.usesSurveyWeights && !unweighted.usesSurveyWeights)
        #expect(abs(estimator.simple.att - unweighted.simple.att) > 1e-4, "the weights change the estimate")
        let control = (comparison == .neverTreated ? "nevertreated" : "notyettreated") + variant
        let reference = try Self.reference().filter { $0[0] == control }
        #expect(reference.count > 20)
        for row in reference {
            guard let mine = Self.estimate(estimator, for: row) else {
                Issue.record("no estimate for \(row)")
                continue
            }
            #expect(close(mine.0, Double(row[4])!), "\(row): \(mine.0)")
            #expect(close(mine.1, Double(row[5])!), "\(row) SE: \(mine.1)")
        }
        // Weights must be positive, one per unit.
        #expect(throws: EstimationError.badWeights) {
            try CallawaySantAnna(
                outcome: data.outcome, periods: data.periods, group: data.group, comparison: comparison,
                weights: populations.map { _ in 0 })
        }
    }

    @Test("clustered standard errors sum influence functions within clusters; an empty comparison group is an error")
    func clustering() throws {
        let data = try Self.mpdta()
        let byCounty = try CallawaySantAnna(outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated)
        let byState = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated,
            cluster: data.states)
        #expect(byState.clusters == Set(data.states).count)
        #expect(byState.simple.att == byCounty.simple.att)
        #expect(byState.simple.standardError != byCounty.simple.standardError)
        // Clustering by county itself changes nothing.
        let byItself = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated,
            cluster: data.counties)
        #expect(abs(byItself.simple.standardError - byCounty.simple.standardError) < 1e-15)
        // Without never-treated units there is no comparison group.
        let treatedOnly = data.group.map { $0 == 0 ? 2007 : $0 }
        #expect(throws: EstimationError.self) {
            try CallawaySantAnna(outcome: data.outcome, periods: data.periods, group: treatedOnly, comparison: .neverTreated)
        }
    }
}

/// TWFE on mpdta against pyfixest (Tests/AnalysisTests/Fixtures/mpdta_twfe.csv, written by
/// Scripts/reference/twfe_pyfixest.py): estimates and iid / CR1 standard errors to 1e-6, balanced and unbalanced.
struct TWFEReferenceTests {
    @Test("TWFE equals pyfixest's feols(lemp ~ d | county + year) to 1e-6", arguments: ["balanced", "unbalanced", "weighted", "covariate"])
    func pyfixest(sample: String) throws {
        let data = try referenceTable("mpdta.csv")
        let year = column(data, "year").map { Int($0!) }, county = column(data, "countyreal").map { Int($0!) }
        let lemp = column(data, "lemp").map { $0! }, first = column(data, "first_treat").map { Int($0!) }
        let rows = year.indices.filter { sample != "unbalanced" || (county[$0] * 7 + year[$0]) % 5 != 0 }
        let lpop = column(data, "lpop").map { $0! }
        let weights: [Double]? = sample == "weighted" ? rows.map { exp(lpop[$0]) } : nil
        let y = rows.map { lemp[$0] }
        // "covariate": a time-varying x = lpop × (year − 2003) beside the treatment indicator.
        let d = rows.map { i -> [Double] in
            [first[i] > 0 && year[i] >= first[i] ? 1 : 0] + (sample == "covariate" ? [lpop[i] * Double(year[i] - 2003)] : [])
        }
        let units = rows.map { String(county[$0]) }, periods = rows.map { String(year[$0]) }
        let states = rows.map { String(county[$0] / 1000) }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mpdta_twfe.csv")
        let reference = try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields).dropFirst().filter { $0[0] == sample }
        #expect(reference.count == 3)
        for row in reference {
            let errors: StandardErrors = row[1] == "iid" ? .classical : .cr1(cluster: row[1])
            let clusters: [String]? = row[1] == "cr1_county" ? units : (row[1] == "cr1_state" ? states : nil)
            let result = try TwoWayFixedEffects.fit(
                y: y, regressors: d, names: sample == "covariate" ? ["d", "x"] : ["d"], units: units, periods: periods,
                standardErrors: errors, clusters: clusters, weights: weights)
            let c = try #require(result.coefficient("d"))
            #expect(result.observations == Int(row[4]))
            #expect(abs(c.estimate - Double(row[2])!) <= 1e-6 * abs(Double(row[2])!), "\(sample) \(row[1]) estimate \(c.estimate)")
            #expect(abs(c.standardError - Double(row[3])!) <= 1e-6 * Double(row[3])!, "\(sample) \(row[1]) se \(c.standardError) vs \(row[3])")
        }
    }
}

struct UniformBandTests {
    @Test("the event study's sup-t band: independent estimates give the analytic value, perfectly correlated ones 1.96")
    func supT() throws {
        let identity = (0..<5).map { a in (0..<5).map { $0 == a ? 4.0 : 0 } }
        // P(max |Z_k| ≤ c) = (2Φ(c) − 1)^5 = 0.95 at c = 2.5684.
        let independent = EventStudy.supTCriticalValue(covariance: identity, level: 0.95, draws: 9999, seed: 1)
        #expect(abs(independent - 2.5684) < 0.04, "\(independent)")
        let same = EventStudy.supTCriticalValue(covariance: [[1, 1, 1], [1, 1, 1], [1, 1, 1]], level: 0.95, draws: 9999, seed: 1)
        #expect(abs(same - 1.96) < 0.05, "\(same)")
        // On mpdta's event study: between pointwise and Bonferroni (6 terms: 2.64), the same for the same seed.
        let data = try referenceTable("mpdta.csv")
        let year = column(data, "year").map { Int($0!) }, county = column(data, "countyreal").map { Int($0!) }
        let first = column(data, "first_treat").map { Int($0!) }
        let years = Array(Set(year)).sorted()
        let study = try EventStudy(
            y: column(data, "lemp").map { $0! }, units: county.map(String.init), period: year.map { years.firstIndex(of: $0)! },
            cohort: first.map { $0 > 0 ? years.firstIndex(of: $0)! : nil }, leads: 3, lags: 3,
            standardErrors: .cr1(cluster: "countyreal"), clusters: county.map(String.init))
        let critical = study.uniformCriticalValue()
        #expect(critical == study.uniformCriticalValue())
        #expect(critical > 1.96 && critical < 2.64, "\(critical)")
    }

    @Test("the uniform band's critical value lies between the pointwise 1.96 and Bonferroni's; deterministic for a seed")
    func band() throws {
        let data = try CallawaySantAnnaTests.mpdta()
        let estimator = try CallawaySantAnna(outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated)
        let events = estimator.dynamic.byEventTime.map(\.1)
        let critical = estimator.uniformCriticalValue(for: events, draws: 1999, seed: 3)
        #expect(critical == estimator.uniformCriticalValue(for: events, draws: 1999, seed: 3))
        // Bonferroni for 7 event times: the 1 − 0.05/14 normal quantile, about 2.69.
        #expect(critical > 1.96 && critical < 2.8, "\(critical)")
        // With clusters the band is computed on cluster totals.
        let clustered = try CallawaySantAnna(
            outcome: data.outcome, periods: data.periods, group: data.group, comparison: .neverTreated,
            cluster: data.states)
        #expect(clustered.uniformCriticalValue(for: clustered.dynamic.byEventTime.map(\.1), draws: 999) > 1.5)
    }
}

/// The event study on mpdta against pyfixest (Tests/AnalysisTests/Fixtures/mpdta_event_study.csv, written by
/// Scripts/reference/twfe_pyfixest.py): event time binned at −3 and 3, CR1 by county, unweighted, weighted and with a
/// time-varying covariate.
struct EventStudyReferenceTests {
    @Test("the event study equals pyfixest's with the same event-time dummies to 1e-6", arguments: ["unweighted", "weighted", "covariate"])
    func pyfixest(sample: String) throws {
        let data = try referenceTable("mpdta.csv")
        let year = column(data, "year").map { Int($0!) }, county = column(data, "countyreal").map { Int($0!) }
        let first = column(data, "first_treat").map { Int($0!) }, lpop = column(data, "lpop").map { $0! }
        let years = Array(Set(year)).sorted()
        let study = try EventStudy(
            y: column(data, "lemp").map { $0! }, units: county.map(String.init),
            period: year.map { years.firstIndex(of: $0)! },
            cohort: first.map { $0 > 0 ? years.firstIndex(of: $0)! : nil }, leads: 3, lags: 3,
            standardErrors: .cr1(cluster: "countyreal"), clusters: county.map(String.init),
            weights: sample == "weighted" ? lpop.map { exp($0) } : nil,
            covariates: sample == "covariate" ? year.indices.map { [lpop[$0] * Double(year[$0] - 2003)] } : nil,
            covariateNames: sample == "covariate" ? ["x"] : [])
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mpdta_event_study.csv")
        let reference = try CSV.parse(try String(contentsOf: url, encoding: .utf8)).get().map(\.fields).dropFirst().filter { $0[0] == sample }
        #expect(reference.count == 6 && study.terms.count == 6)
        for row in reference {
            let term = try #require(study.terms.first { $0.eventTime == Int(row[1]) }, "event time \(row[1])")
            let estimate = Double(row[2])!, se = Double(row[3])!
            #expect(abs(term.coefficient.estimate - estimate) <= 1e-6 * abs(estimate), "\(sample) \(row[1]) estimate \(term.coefficient.estimate)")
            #expect(abs(term.coefficient.standardError - se) <= 1e-6 * se, "\(sample) \(row[1]) se \(term.coefficient.standardError) vs \(se)")
        }
    }
}
