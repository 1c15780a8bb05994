import Analysis
import ArgumentParser
import Foundation
import Tabular

struct DiD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "did",
        abstract: "Difference-in-differences from a CSV file: the 2×2 table of means and regression DiD.",
        discussion: """
        This first part covers two groups and two periods: --group G --post P (0/1 columns). The regression is
        y = a + b·group + c·post + d·group×post (+ covariates), with classical, HC1 or CR1 standard errors;
        CR1 uses G/(G−1)·(N−1)/(N−K), as fixest and Stata's reghdfe, and t(G−1) critical values. The cluster is
        never chosen for you. Two-way fixed effects, event studies and staggered adoption are not yet available.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, csv, latex, html, json }
    enum SE: String, ExpressibleByArgument, CaseIterable { case classical, hc1, cr1 }

    @Argument(help: "A DiD specification over the store (Analysis/NAME/did-*.yaml); or use --data.")
    var spec: String?

    @OptionGroup var store: StoreOptions

    @Option(help: "A CSV file with a header row.")
    var data: String?

    @Option(help: "The outcome column.")
    var outcome: String = ""

    @Option(help: "The treated-group indicator column (0/1).")
    var group: String = ""

    @Option(help: "The after-period indicator column (0/1).")
    var post: String = ""

    @Option(help: "A unit id column: changes within units observed in both periods for the 2×2 table.")
    var unit: String?

    @Option(help: "The cluster column (required for --se cr1).")
    var cluster: String?

    @Option(help: "Covariates, comma-separated.")
    var covariates: String?

    @Option(help: "classical, hc1 or cr1.")
    var se: SE = .classical

    @Option(help: "md, csv, latex, html or json (specifications); md or json with --data.")
    var format: Format = .md

    func validate() throws {
        if spec == nil && data == nil { throw ValidationError("give a specification, or --data FILE.csv") }
        if data != nil && (outcome.isEmpty || group.isEmpty || post.isEmpty) { throw ValidationError("--data needs --outcome, --group and --post") }
        if data != nil && se == .cr1 && cluster == nil { throw ValidationError("--se cr1 needs --cluster: the cluster is never chosen implicitly") }
    }

    func run() throws {
        if let spec {
            let database = try store.open()
            print(try DiDRun.run(spec: spec, database: database, output: DiDRun.Output(rawValue: format.rawValue) ?? .md), terminator: "")
            return
        }
        guard let data else { return }
        guard let text = try? String(contentsOfFile: data, encoding: .utf8) else {
            Terminal.printError("error: cannot read \(data)")
            throw ExitCode(1)
        }
        let rows: [[String]]
        switch CSV.parse(text) {
        case .success(let parsed): rows = parsed.map(\.fields)
        case .failure(let error):
            Terminal.printError("error: \(data): \(error)")
            throw ExitCode(1)
        }
        guard let header = rows.first else { Terminal.printError("error: \(data) is empty"); throw ExitCode(1) }
        let extra = covariates?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? []
        for name in [outcome, group, post] + extra + [unit, cluster].compactMap({ $0 }) where !header.contains(name) {
            Terminal.printError("error: \(data) has no column '\(name)'; its columns are \(header.joined(separator: ", "))")
            throw ExitCode(1)
        }
        func values(_ name: String) -> [String] { let index = header.firstIndex(of: name)!; return rows.dropFirst().map { index < $0.count ? $0[index] : "" } }
        let y = values(outcome).map { Double($0) }, g = values(group).map { Double($0) }, p = values(post).map { Double($0) }
        let covariateValues = extra.map { values($0).map { Double($0) } }
        var used: [Int] = []
        for i in y.indices where y[i] != nil && g[i] != nil && p[i] != nil && covariateValues.allSatisfy({ $0[i] != nil }) { used.append(i) }
        for (name, column) in [(group, g), (post, p)] where Set(used.map { column[$0]! }).count < 2 {
            Terminal.printError("error: \(EstimationError.noVariation(column: name))")
            throw ExitCode(1)
        }
        do {
            let table = try TwoByTwo(treated: used.map { g[$0]! == 1 }, after: used.map { p[$0]! == 1 }, outcome: used.map { y[$0] },
                                     units: unit.map { name in let all = values(name); return used.map { all[$0] } })
            let names = ["(Intercept)", group, post, "\(group):\(post)"] + extra
            let design = used.map { i in [1, g[i]!, p[i]!, g[i]! * p[i]!] + covariateValues.map { $0[i]! } }
            let errors: StandardErrors = se == .cr1 ? .cr1(cluster: cluster!) : (se == .hc1 ? .hc1 : .classical)
            let clusters = cluster.map { name in let all = values(name); return used.map { all[$0] } }
            let regression = try Regression.fit(y: used.map { y[$0]! }, x: design, names: names, standardErrors: errors, clusters: clusters)
            print(format == .md ? markdown(table, regression) : try json(table, regression), terminator: "")
        } catch let error as EstimationError {
            Terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    func stars(_ p: Double) -> String { p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "" }

    func markdown(_ table: TwoByTwo, _ regression: RegressionResult) -> String {
        func cell(_ c: TwoByTwo.Cell) -> String { String(format: "%.4f (%.4f) [n=%d]", c.mean, c.standardError, c.n) }
        func diff(_ d: TwoByTwo.Difference) -> String { String(format: "%.4f (%.4f)", d.estimate, d.standardError) }
        var out = "# Difference-in-differences: \(outcome)\n\n## 2×2 table of means (standard errors)\n\n"
        out += "| | comparison | treated | treated − comparison |\n|---|---|---|---|\n"
        out += "| before | \(cell(table.comparisonBefore)) | \(cell(table.treatedBefore)) | \(diff(table.gapBefore)) |\n"
        out += "| after | \(cell(table.comparisonAfter)) | \(cell(table.treatedAfter)) | |\n"
        out += "| change | \(diff(table.comparisonChange)) | \(diff(table.treatedChange)) | **\(diff(table.didEstimate))** |\n\n"
        if table.balanced { out += "Changes within units observed in both periods; \(table.unitsDropped) units observed in one period only were left out.\n\n" }
        out += "## Regression\n\n| term | estimate | |\n|---|---|---|\n"
        for coefficient in regression.coefficients {
            out += String(format: "| %@ | %.4f%@ | (%.4f) |\n", coefficient.term as NSString, coefficient.estimate, stars(coefficient.pValue) as NSString,
                          coefficient.standardError)
        }
        out += "| N | \(regression.observations) | |\n"
        if let clusters = regression.clusters { out += "| clusters | \(clusters) | |\n" }
        out += String(format: "| R² | %.4f | |\n\n", regression.rSquared)
        out += "Standard errors: \(regression.standardErrors.name); p-values and intervals from t(\(regression.degreesOfFreedom)). * p<0.1, ** p<0.05, *** p<0.01.\n"
        return out
    }

    func json(_ table: TwoByTwo, _ regression: RegressionResult) throws -> String {
        let terms = regression.coefficients.map { c -> [String: Any] in
            ["term": c.term, "estimate": c.estimate, "std_error": c.standardError, "statistic": c.statistic, "p_value": c.pValue,
             "conf_low": c.low, "conf_high": c.high]
        }
        let object: [String: Any] = [
            "estimator": "ols_did", "n_obs": regression.observations, "n_clusters": regression.clusters ?? NSNull(),
            "se_type": regression.standardErrors.name, "df": regression.degreesOfFreedom, "r_squared": regression.rSquared, "terms": terms,
            "two_by_two": ["did": table.didEstimate.estimate, "did_std_error": table.didEstimate.standardError, "balanced": table.balanced],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
