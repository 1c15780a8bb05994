import Analysis
import ArgumentParser
import Foundation
import Reports
import Tabular

struct DiD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "did",
        abstract: "Difference-in-differences: the 2×2 table, regression DiD, TWFE, event studies, Callaway & Sant'Anna.",
        discussion: """
        From a CSV file (--data) or a store specification (Analysis/NAME/did-*.yaml).

        Two groups and two periods: --group G --post P (0/1 columns), the table of means and the regression \
        y = a + b·group + c·post + d·group×post (+ covariates), with classical, HC1 or CR1 standard errors.

        A panel: --unit U --time T with --treat D (absorbing 0/1) or --cohort C (first treated period), for \
        two-way fixed effects, the event study and Callaway & Sant'Anna (--estimator chooses among them).

        CR1 uses G/(G−1)·(N−1)/(N−K), as fixest and Stata's reghdfe, and t(G−1) critical values. The cluster is \
        never chosen for you.
        """
    )

    enum SE: String, ExpressibleByArgument, CaseIterable { case classical, hc1, cr1 }

    @Argument(help: "A DiD specification over the store (Analysis/NAME/did-*.yaml); or use --data.")
    var spec: String?

    @OptionGroup var store: StoreOptions

    @Option(help: "A CSV file with a header row.")
    var data: String?

    @Option(help: "The outcome column.")
    var outcome: String = ""

    @Option(help: "The treated-group indicator column (0/1), with --post.")
    var group: String = ""

    @Option(help: "The after-period indicator column (0/1), with --group.")
    var post: String = ""

    @Option(help: "The period column (a panel: with --unit and --treat or --cohort).")
    var time: String?

    @Option(help: "A 0/1 treatment column (absorbing: a unit's first treated period is its cohort).")
    var treat: String?

    @Option(help: "A column with each unit's first treated period (0 or empty: never).")
    var cohort: String?

    @Option(help: "With covariates, Callaway & Sant'Anna by dr (doubly robust, the did package's default) or or (outcome regression).")
    var method: String = "dr"

    @Option(help: "Panel estimators, comma-separated: twfe, event_study, callaway_santanna.")
    var estimator: String = "twfe,event_study,callaway_santanna"

    @Option(help: "A unit id column: changes within units observed in both periods for the 2×2 table.")
    var unit: String?

    @Option(help: "The cluster column (required for --se cr1).")
    var cluster: String?

    @Option(help: "A survey-weight column: every estimate is then population-weighted (Callaway & Sant'Anna takes each unit's first-period weight).")
    var weights: String?

    @Option(help: "Covariates, comma-separated: row by row in the regression, TWFE and the event study; each unit's first-period values for Callaway & Sant'Anna.")
    var covariates: String?

    @Flag(help: "With --data: print to stderr the time spent reading the CSV, estimating (with the tables) and writing.")
    var timing = false

    /// The --covariates list, parsed once.
    var covariateNames: [String] { covariates?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? [] }

    @Option(help: "classical, hc1 or cr1.")
    var se: SE = .classical

    @Option(help: "md, csv, latex, html or json (specifications); md or json with --data.")
    var format: DiDReports.Format = .md

    func validate() throws {
        if spec == nil && data == nil { throw ValidationError("give a specification, or --data FILE.csv") }
        if data != nil, time != nil {
            if outcome.isEmpty || unit == nil || (treat == nil) == (cohort == nil) {
                throw ValidationError("a panel needs --outcome, --unit, --time and one of --treat or --cohort")
            }
            if !["dr", "or"].contains(method) { throw ValidationError("--method is dr or or") }
            for name in estimator.split(separator: ",") where !["twfe", "event_study", "callaway_santanna"].contains(String(name)) {
                throw ValidationError("unknown estimator '\(name)'; the panel estimators are twfe, event_study, callaway_santanna")
            }
        } else if data != nil && (outcome.isEmpty || group.isEmpty || post.isEmpty) {
            throw ValidationError("--data needs --outcome, --group and --post (two groups, two periods), or --unit, --time and --treat/--cohort (a panel)")
        }
        if data != nil && se == .cr1 && cluster == nil { throw ValidationError("--se cr1 needs --cluster: the cluster is never chosen implicitly") }
    }

    func run() throws {
        if let spec {
            let database = try store.open()
            print(try DiDRun.run(spec: spec, database: database, output: format), terminator: "")
            return
        }
        guard let data else { return }
        if time != nil {
            Memory.prepareForLargeArrays()
            try panelRun(path: data)
            return
        }
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
        let extra = covariateNames
        for name in [outcome, group, post] + extra + [unit, cluster, weights].compactMap({ $0 }) where !header.contains(name) {
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
            let weightValues = weights.map { name in let all = values(name).map { Double($0) ?? .nan }; return used.map { all[$0] } }
            if let weightValues, weightValues.contains(where: { !$0.isFinite || $0 <= 0 }) {
                Terminal.printError("error: the weights in \(weights!) must be positive numbers in every row used")
                throw ExitCode(1)
            }
            let regression = try Regression.fit(y: used.map { y[$0]! }, x: design, names: names, weights: weightValues, standardErrors: errors,
                                                clusters: clusters)
            print(format == .md ? DiDReports.twoByTwoMarkdown(outcome: outcome, table, regression)
                  : try DiDReports.twoByTwoJSON(table, regression), terminator: "")
        } catch let error as EstimationError {
            Terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// A panel from CSV: TWFE, event study and Callaway & Sant'Anna. The cluster is never chosen implicitly:
    /// without --cluster, standard errors are unit-level. Only the named columns are read, in one pass.
    func panelRun(path: String) throws {
        guard let time, let unit else { return }
        let clock = ContinuousClock()
        let started = clock.now
        var wanted: [String: CSVColumns.Kind] = [outcome: .number, unit: .text, time: .text]
        for name in [treat, cohort, cluster].compactMap({ $0 }) { wanted[name] = .text }
        for name in [weights].compactMap({ $0 }) + covariateNames { wanted[name] = .number }
        let table: CSVColumns
        switch CSVColumns.read(path: path, columns: wanted) {
        case .success(let read): table = read
        case .failure(let error):
            Terminal.printError(error.line == 0 ? "error: cannot read \(path)" : "error: \(path): \(error)")
            throw ExitCode(1)
        }
        guard !table.header.isEmpty else { Terminal.printError("error: \(path) is empty"); throw ExitCode(1) }
        for name in [outcome, unit, time] + [treat, cohort, cluster, weights].compactMap({ $0 }) + covariateNames where !table.header.contains(name) {
            Terminal.printError("error: the data have no column '\(name)'; the columns are \(table.header.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let read = clock.now
        func seconds(_ duration: Duration) -> String { String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18) }
        var phases: [String] = []
        func coded(_ name: String) -> LongPanel.CodedColumn { let column = table.text(name)!; return LongPanel.CodedColumn(codes: column.codes, values: column.values) }
        var tables: [DiDTable] = []
        var notes: [String] = []
        do {
            let built = try LongPanel.fromColumns(outcome: table.number(outcome)!, unit: coded(unit), unitName: unit, time: coded(time),
                                                  adoption: treat.map { .treatment(coded($0)) } ?? .cohort(coded(cohort!)),
                                                  cluster: cluster.map(coded), clusterName: cluster, weight: weights.map { table.number($0)! },
                                                  weightName: weights, covariates: covariateNames.map { ($0, table.number($0)!) })
            let panel = built.panel
            notes = built.notes + (cluster == nil ? ["no --cluster: standard errors at the unit level"] : [])
            // The estimators are independent: they run at once, each timed on its own.
            let names = estimator.split(separator: ",").map(String.init)
            let method: CallawaySantAnna.Method = self.method == "or" ? .outcomeRegression : .doublyRobust
            let durations = Durations()
            tables = try PanelEstimation.concurrently(names.map { name in
                { @Sendable in
                    let begun = ContinuousClock.now
                    defer { durations.record(name, ContinuousClock.now - begun) }
                    switch name {
                    case "twfe": return try PanelEstimation.twoWayFixedEffects(panel)
                    case "event_study": return try PanelEstimation.eventStudy(panel, leads: 3, lags: 3)
                    default: return try PanelEstimation.callawaySantAnna(panel, comparison: .notYetTreated, method: method)
                    }
                }
            })
            phases = names.map { "\($0) \(seconds(durations.value($0)))" }
        } catch let error as EstimationError {
            Terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
        var header = "\(path) · outcome \(outcome) · unit \(unit) · time \(time)"
        if let cluster { header += " · clusters: \(cluster)" }
        let report = DiDReport(title: "Difference-in-differences: \(outcome)", header: header, notes: notes, tables: tables)
        let output = try DiDReports.render(report, as: format)
        let estimated = clock.now
        print(output, terminator: "")
        if timing {
            Terminal.printError("timing: read CSV \(seconds(read - started)), estimate \(seconds(estimated - read)) (\(phases.joined(separator: ", "))), write \(seconds(clock.now - estimated))")
        }
    }
}

/// Each estimator's time, written from the threads that run them.
final class Durations: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Duration] = [:]

    func record(_ name: String, _ duration: Duration) {
        lock.lock()
        values[name] = duration
        lock.unlock()
    }

    func value(_ name: String) -> Duration {
        lock.lock()
        defer { lock.unlock() }
        return values[name] ?? .zero
    }
}

extension DiDReports.Format: ExpressibleByArgument {}
