import Foundation

/// One estimator's results as a publication table: the renderers in Reports draw it as Markdown, CSV, LaTeX,
/// HTML (with an event-study plot) and JSON.
public struct DiDTable: Sendable {
    public struct Row: Sendable {
        public let term: String
        public let coefficient: Coefficient
        /// Periods relative to adoption, for the rows an event-study plot draws.
        public let eventTime: Int?
        /// The simultaneous (uniform) 95% band at this event time, when one was computed.
        public let band: ClosedRange<Double>?
        /// The wild cluster bootstrap for this coefficient (p-value, interval, weights, draws), where one was run.
        public var wildBootstrap: WildClusterBootstrap.Result?
        /// Where the table's standard error comes from the cluster jackknife, the conventional one it replaces (the
        /// influence function's for Callaway & Sant'Anna, as R did; CR1 for the event study, as fixest), by its JSON name.
        public var conventionalStandardError: (name: String, value: Double)?

        public init(term: String, coefficient: Coefficient, eventTime: Int? = nil, band: ClosedRange<Double>? = nil) {
            self.term = term
            self.coefficient = coefficient
            self.eventTime = eventTime
            self.band = band
        }

        /// A row with a new coefficient and band, keeping the bootstrap and conventional standard error of `row`.
        public init(term: String, coefficient: Coefficient, eventTime: Int?, band: ClosedRange<Double>?, keeping row: Row) {
            self.init(term: term, coefficient: coefficient, eventTime: eventTime, band: band)
            wildBootstrap = row.wildBootstrap
            conventionalStandardError = row.conventionalStandardError
        }
    }

    public let title: String
    /// A short name for JSON and CSV: two_by_two, regression, twfe, event_study, callaway_santanna.
    public let estimator: String
    public private(set) var rows: [Row]
    public let observations: Int
    public let clusters: Int?
    public let seType: String
    /// What the reader must know: the sample, the convention, the bootstrap, the band.
    public private(set) var notes: [String]
    /// Randomisation inference over cluster assignments, run when a side has fewer than 5 clusters.
    public var randomisation: RandomisationInference?
    /// The event-time estimates' covariance, in the terms of the table's standard errors: event times ascending
    /// (−1, the reference, absent), whether each is a single period rather than a bin, and the matrix.
    public var eventCovariance: (eventTimes: [Int], exact: [Bool], matrix: [[Double]])?
    /// Rambachan & Roth's sensitivity to parallel trends, where the event times allow it.
    public var sensitivity: ParallelTrendsSensitivity?

    public init(title: String, estimator: String, rows: [Row], observations: Int, clusters: Int?, seType: String, notes: [String]) {
        self.title = title
        self.estimator = estimator
        self.rows = rows
        self.observations = observations
        self.clusters = clusters
        self.seType = seType
        self.notes = notes
    }

    /// The same table with the bootstrap result attached to the row of its term.
    public func attaching(_ result: WildClusterBootstrap.Result?) -> DiDTable {
        guard let result else { return self }
        return attaching([result.term: result])
    }

    /// The same table with bootstrap results attached to the rows they name (keys are row terms).
    public func attaching(_ results: [String: WildClusterBootstrap.Result]) -> DiDTable {
        var table = self
        for index in table.rows.indices { if let result = results[table.rows[index].term] { table.rows[index].wildBootstrap = result } }
        return table
    }

    /// The same table with a further note.
    public func adding(note: String) -> DiDTable {
        var table = self
        table.notes.append(note)
        return table
    }

    /// The same table with the event-time covariance taken from `matrix`, whose rows and columns follow the table's rows.
    func withEventCovariance(_ matrix: [[Double]], exact: (Int) -> Bool) -> DiDTable {
        var table = self
        let indices = rows.indices.filter { rows[$0].eventTime != nil }.sorted { rows[$0].eventTime! < rows[$1].eventTime! }
        let times = indices.map { rows[$0].eventTime! }
        table.eventCovariance = (times, times.map(exact), indices.map { a in indices.map { matrix[a][$0] } })
        return table
    }

    /// The same table with its sensitivity analysis, when its event times allow one.
    public func withSensitivity(method: HonestDiD.Method = .leastFavourableHybrid) -> DiDTable {
        guard let covariance = eventCovariance else { return self }
        guard !covariance.eventTimes.contains(-1) else {
            return adding(
                note: "no sensitivity to parallel trends: event time −1 is estimated here (varying base period), not the reference; "
                    + "base_period: universal (--universal-base) makes it one")
        }
        var table = self
        let estimates = covariance.eventTimes.map { time in rows.first { $0.eventTime == time }!.coefficient.estimate }
        table.sensitivity = ParallelTrendsSensitivity(
            eventTimes: covariance.eventTimes, exact: covariance.exact, estimates: estimates, covariance: covariance.matrix, method: method)
        if table.sensitivity == nil {
            let bins = zip(covariance.eventTimes, covariance.exact).filter { !$1 }.map { String($0.0) }
            table = table.adding(
                note: "no sensitivity to parallel trends: it needs event time −2 and event time 0 as single periods with finite estimates and "
                    + "variances"
                    + (bins.isEmpty
                        ? ""
                        : "; \(bins.count == 1 ? "event time \(bins[0]) is a bin" : "event times \(bins.joined(separator: ", ")) are bins") of several periods "
                            + "(a wider leads or lags window keeps them single)"))
        }
        return table
    }

    /// A coefficient with normal-approximation p-value and 95% interval (for influence-function estimates).
    public static func normal(_ estimate: Double, _ standardError: Double, term: String = "") -> Coefficient {
        let z = estimate / standardError
        let p = 2 * (1 - StudentT.cdf(abs(z), degreesOfFreedom: 1e6))
        return Coefficient(
            term: term, estimate: estimate, standardError: standardError, pValue: p,
            low: estimate - 1.959964 * standardError, high: estimate + 1.959964 * standardError)
    }

    /// A p-value as a note prints it: four decimals, and below 0.0001 two significant digits, so that a tiny p-value
    /// never reads as zero (one that underflowed to zero reads as below the smallest double's precision).
    static func pValueText(_ p: Double) -> String {
        if p >= 0.0001 { return String(format: "p = %.4f", p) }
        return p > 0 ? String(format: "p = %.1e", p) : "p < 1e-16"
    }

    /// The same with t(ν) critical values and p-values (ν = G − 1 for clustered influence functions); the normal
    /// when `degreesOfFreedom` is nil.
    public static func t(_ estimate: Double, _ standardError: Double, degreesOfFreedom: Double?, term: String = "") -> Coefficient {
        guard let nu = degreesOfFreedom else { return normal(estimate, standardError, term: term) }
        let critical = StudentT.quantile(0.975, degreesOfFreedom: nu)
        return Coefficient(
            term: term, estimate: estimate, standardError: standardError,
            pValue: 2 * (1 - StudentT.cdf(abs(estimate / standardError), degreesOfFreedom: nu)),
            low: estimate - critical * standardError, high: estimate + critical * standardError)
    }
}

/// A whole DiD report: a title, what it ran on, the panel's notes, and one table per estimator.
public struct DiDReport: Sendable {
    public let title: String
    /// One line naming the source, outcome and cluster.
    public let header: String
    public let notes: [String]
    public let tables: [DiDTable]
    /// Extra top-level JSON fields (instrument, outcome).
    public let metadata: [String: String]

    public init(title: String, header: String, notes: [String], tables: [DiDTable], metadata: [String: String] = [:]) {
        self.title = title
        self.header = header
        self.notes = notes
        self.tables = tables
        self.metadata = metadata
    }
}
