import ArgumentParser
import Foundation
import Reports
import Workflows

struct DiD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "did",
        abstract: "Difference-in-differences: the 2×2 table, regression DiD, TWFE, event studies, Callaway & Sant'Anna.",
        discussion: """
            From a CSV file (--data) or a store specification (Analysis/NAME/did-*.yaml).

            Two groups and two periods: --group G --post P (0/1 columns), the table of means and the regression \
            y = a + b·group + c·post + d·group×post (+ covariates), with classical, HC1, CR1, CR2 or CR3 standard errors.

            A panel: --unit U --time T with --treat D (absorbing 0/1) or --cohort C (first treated period), for \
            two-way fixed effects, the event study and Callaway & Sant'Anna (--estimator chooses among them).

            CR1 uses G/(G−1)·(N−1)/(N−K), as fixest and Stata's reghdfe, and t(G−1) critical values. The cluster is \
            never chosen for you.
            """
    )

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

    @Option(
        help:
            "A numeric treatment level (a dose) column, for --estimator chaisemartin_dhaultfoeuille with --lags: the dynamic effects of changes of dose up or down, and per unit of dose."
    )
    var dose: String?

    @Option(help: "With covariates, Callaway & Sant'Anna by dr (doubly robust, the did package's default) or or (outcome regression).")
    var method: String = "dr"

    @Option(
        help: ArgumentHelp(
            "Callaway & Sant'Anna's comparison units with --data: not_yet_treated (pantau's default, as in specifications) or never_treated (R did's default).",
            valueName: "units"))
    var comparison: String = "not_yet_treated"

    @Option(
        help: ArgumentHelp(
            "Panel estimators, comma-separated: twfe, event_study, callaway_santanna, two_stage, two_stage_event_study, imputation, sun_abraham, chaisemartin_dhaultfoeuille (default: the first three; callaway_santanna with --cross-sections).",
            valueName: "names"))
    var estimator: String?

    @Flag(
        help: "With --data, --time and --cohort: the rows are repeated cross-sections (each row a different unit; no --unit), for Callaway & Sant'Anna.")
    var crossSections = false

    @Flag(help: "Callaway & Sant'Anna keeps units missing a period (R did's allow_unbalanced_panel) instead of leaving them out.")
    var keepUnbalanced = false

    @Flag(help: "With --treat: the treatment switches off as well as on (each row as given), for chaisemartin_dhaultfoeuille and TWFE.")
    var reversible = false

    @Flag(
        help:
            "Leave out the sensitivity to parallel trends (Rambachan & Roth's robust intervals and breakdown values, the pre-test's power) that event studies otherwise get."
    )
    var noSensitivity = false

    @Flag(
        help:
            "Callaway & Sant'Anna's pre-periods compare with the period before adoption (R did's base_period = \"universal\"), which the sensitivity analysis needs."
    )
    var universalBase = false

    /// The estimators asked for, or the default for the data's kind.
    var estimatorNames: [String] {
        let fallback = crossSections ? "callaway_santanna" : dose != nil ? "chaisemartin_dhaultfoeuille" : "twfe,event_study,callaway_santanna"
        return (estimator ?? fallback).split(separator: ",").map(String.init)
    }

    @Option(help: "Event studies with --data: event times before −leads are binned at the first (default 3).")
    var leads: Int = 3

    @Option(help: "Event studies with --data: event times after lags are binned at the last (default 3).")
    var lags: Int = 3

    @Option(help: "A unit id column: changes within units observed in both periods for the 2×2 table.")
    var unit: String?

    @Option(help: "The cluster column (required for --se cr1, cr2 and cr3).")
    var cluster: String?

    @Option(help: "A survey-weight column: every estimate is then population-weighted (Callaway & Sant'Anna takes each unit's first-period weight).")
    var weights: String?

    @Option(
        help: "Covariates, comma-separated: row by row in the regression, TWFE and the event study; each unit's first-period values for Callaway & Sant'Anna.")
    var covariates: String?

    @Flag(help: "With --data: print to stderr the time spent reading the CSV, estimating (with the tables) and writing.")
    var timing = false

    /// The --covariates list, parsed once.
    var covariateNames: [String] { covariates?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? [] }

    @Option(
        help:
            "Standard errors for the 2×2 regression with --data: classical, hc1, cr1, cr2 (Bell–McCaffrey with Satterthwaite degrees of freedom) or cr3 (the cluster jackknife); the last three need --cluster. Panel estimators always cluster: CR1 for TWFE; for the event study, Sun & Abraham, two-stage and imputation their own, and for Callaway & Sant'Anna influence functions summed by cluster, each replaced by the cluster jackknife under 50 clusters (the conventional one kept beside it); the wild cluster bootstrap under 50 clusters. With a panel, --se cr2 gives twfe, sun_abraham, two_stage, two_stage_event_study and imputation CR2 instead."
    )
    var se: TwoByTwoCSV.StandardErrorKind = .classical

    @Option(help: "md, csv, latex, html or json (specifications); md or json with --data.")
    var format: DiDReports.Format = .md

    func validate() throws {
        if leads < 0 || lags < 0 { throw ValidationError("--leads and --lags are 0 or more") }
        if spec == nil && data == nil { throw ValidationError("give a specification, or --data FILE.csv") }
        if reversible && treat == nil { throw ValidationError("--reversible goes with --treat (a 0/1 treatment column that may switch off)") }
        if crossSections {
            if data == nil || time == nil || cohort == nil || treat != nil || unit != nil || outcome.isEmpty {
                throw ValidationError(
                    "--cross-sections needs --data, --outcome, --time and --cohort (each row's group's first treated period), and no --unit or --treat")
            }
        }
        if data != nil, time != nil {
            if outcome.isEmpty || (unit == nil && !crossSections) || [treat, cohort, dose].compactMap({ $0 }).count != 1 {
                throw ValidationError("a panel needs --outcome, --unit, --time and one of --treat, --cohort or --dose")
            }
            if !["dr", "or"].contains(method) { throw ValidationError("--method is dr or or") }
            if !["not_yet_treated", "never_treated"].contains(comparison) { throw ValidationError("--comparison is not_yet_treated or never_treated") }
            for name in estimatorNames where PanelCSV.Estimator(rawValue: name) == nil {
                throw ValidationError(
                    "unknown estimator '\(name)'; the panel estimators are \(PanelCSV.Estimator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else if data != nil && (outcome.isEmpty || group.isEmpty || post.isEmpty) {
            throw ValidationError("--data needs --outcome, --group and --post (two groups, two periods), or --unit, --time and --treat/--cohort (a panel)")
        }
        if data != nil, time != nil, se == .hc1 || se == .cr3 {
            throw ValidationError(
                "panel estimators always cluster; --se takes cr2 with a panel (for twfe, sun_abraham, two_stage, two_stage_event_study and imputation), or leave it out"
            )
        }
        if data != nil && (se == .cr1 || se == .cr2 || se == .cr3) && cluster == nil {
            throw ValidationError("--se \(se.rawValue) needs --cluster: the cluster is never chosen implicitly")
        }
    }

    func run() throws {
        if let spec {
            print(try DiDWorkflow.run(spec: spec, store: try store.openReading(), format: format), terminator: "")
            return
        }
        guard let data else { return }
        guard let time, unit != nil || crossSections else {
            var request = TwoByTwoCSV(path: data, outcome: outcome, group: group, post: post)
            request.unit = unit
            request.cluster = cluster
            request.weights = weights
            request.covariates = covariateNames
            request.standardErrors = se
            print(try request.run(format: format), terminator: "")
            return
        }
        Memory.prepareForLargeArrays()
        var request = PanelCSV(
            path: data, outcome: outcome, unit: unit ?? "", time: time,
            adoption: treat.map { .treatment(column: $0) } ?? dose.map { .dose(column: $0) } ?? .cohort(column: cohort ?? ""))
        request.crossSections = crossSections
        request.keepUnbalanced = keepUnbalanced
        request.reversible = reversible
        request.sensitivity = !noSensitivity
        request.universalBase = universalBase
        request.cr2 = se == .cr2
        request.cluster = cluster
        request.weights = weights
        request.covariates = covariateNames
        request.estimators = estimatorNames.compactMap(PanelCSV.Estimator.init(rawValue:))
        request.method = method == "or" ? .outcomeRegression : .doublyRobust
        request.comparison = comparison == "never_treated" ? .neverTreated : .notYetTreated
        (request.leads, request.lags) = (leads, lags)
        let (output, timing) = try request.run(format: format)
        print(output, terminator: "")
        if self.timing { Terminal.printError("timing: \(timing)") }
    }
}

extension DiDReports.Format: ExpressibleByArgument {}
extension TwoByTwoCSV.StandardErrorKind: ExpressibleByArgument {}
