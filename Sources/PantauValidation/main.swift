// Repeated simulations with a known effect: bias and 95% coverage of pantau's DiD estimators. Prints figures;
// run with Scripts/validate_did.sh (release build). Not a unit test.
import Analysis
import Foundation

/// 40 districts × 15 villages × 6 rounds; adoption staggered over rounds 2–5 and decided by district (a quarter
/// of districts never adopt), as when districts roll a system out; district shocks per round, so villages in a
/// district move together and standard errors must be clustered by district; a constant true effect of 2.0
/// once adopted, and village and round effects.
func panel(seed: UInt64) -> (y: [[Double]], group: [Int], district: [String]) {
    var random = SplitMix64(seed: seed)
    let districts = 40, villages = 15, rounds = 6
    var y: [[Double]] = [], group: [Int] = [], district: [String] = []
    var shocks = [[Double]](repeating: [], count: districts)
    for d in 0..<districts { shocks[d] = (0..<rounds).map { _ in random.normal() * 1.2 } }
    for d in 0..<districts {
        let districtLevel = random.normal()
        let adopt = random.uniform()
        let g = adopt < 0.25 ? 0 : 2 + Int(random.uniform() * 4)  // rounds 2…5 (1-based periods), the whole district
        for _ in 0..<villages {
            let level = districtLevel + random.normal()
            var row: [Double] = []
            for t in 1...rounds {
                let treated = g != 0 && t >= g
                row.append(level + 0.3 * Double(t) + shocks[d][t - 1] + (treated ? 2.0 : 0) + random.normal())
            }
            y.append(row)
            group.append(g)
            district.append("d\(d)")
        }
    }
    return (y, group, district)
}

let replications = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 300
let truth = 2.0
var results: [String: (estimates: [Double], covered: Int)] = [:]
@MainActor func record(_ name: String, _ estimate: Double, _ low: Double, _ high: Double) {
    var entry = results[name] ?? ([], 0)
    entry.estimates.append(estimate)
    if low <= truth && truth <= high { entry.covered += 1 }
    results[name] = entry
}
let started = Date()
for replication in 0..<replications {
    let data = panel(seed: UInt64(1_000 + replication))
    let periods = Array(1...6)
    // Callaway & Sant'Anna, not-yet-treated, clustered by district.
    let cs = try CallawaySantAnna(outcome: data.y, periods: periods, group: data.group, comparison: .notYetTreated, cluster: data.district)
    let simple = cs.simple
    record("Callaway & Sant'Anna, simple ATT (CR by district)", simple.att, simple.att - 1.96 * simple.standardError, simple.att + 1.96 * simple.standardError)
    let unclustered = try CallawaySantAnna(outcome: data.y, periods: periods, group: data.group, comparison: .notYetTreated).simple
    record("Callaway & Sant'Anna, simple ATT (unit-level IF, ignoring districts)", unclustered.att,
           unclustered.att - 1.96 * unclustered.standardError, unclustered.att + 1.96 * unclustered.standardError)
    // TWFE with a constant effect (unbiased here, since the effect does not vary), CR1 by district.
    var y: [Double] = [], d: [[Double]] = [], units: [String] = [], times: [String] = [], clusters: [String] = []
    for (unit, row) in data.y.enumerated() {
        for (t, value) in row.enumerated() {
            y.append(value)
            d.append([data.group[unit] != 0 && t + 1 >= data.group[unit] ? 1 : 0])
            units.append("u\(unit)"); times.append("t\(t)"); clusters.append(data.district[unit])
        }
    }
    let twfe = try TwoWayFixedEffects.fit(y: y, regressors: d, names: ["treated"], units: units, periods: times,
                                          standardErrors: .cr1(cluster: "district"), clusters: clusters)
    let c = twfe.coefficient("treated")!
    record("TWFE, CR1 by district, t(G−1)", c.estimate, c.low, c.high)
    if replication % 50 == 49 { FileHandle.standardError.write(Data("validate: \(replication + 1)/\(replications)\n".utf8)) }
}
print("DiD estimators on \(replications) simulated panels (40 districts × 15 villages × 6 rounds, staggered adoption, true effect \(truth))")
for (name, entry) in results.sorted(by: { $0.key < $1.key }) {
    let mean = entry.estimates.reduce(0, +) / Double(entry.estimates.count)
    let sd = (entry.estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(entry.estimates.count - 1)).squareRoot()
    print(String(format: "  %-70@ bias %+.4f (MC s.e. %.4f); 95%% coverage %.1f%%", name as NSString, mean - truth,
                 sd / Double(entry.estimates.count).squareRoot(), 100 * Double(entry.covered) / Double(entry.estimates.count)))
}
print(String(format: "  %.1f s", Date().timeIntervalSince(started)))
