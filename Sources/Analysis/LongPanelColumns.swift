/// A long panel assembled from a file's columns: text columns arrive as codes into their distinct values (as
/// `Tabular.CSVColumns` reads them), numbers as doubles with NaN where a cell is empty or not a number.
extension LongPanel {
    /// A text column: each row's code into `values`.
    public struct CodedColumn: Sendable {
        public let codes: [Int32]
        public let values: [String]

        public init(codes: [Int32], values: [String]) {
            self.codes = codes
            self.values = values
        }
    }

    /// How adoption is read: a 0/1 treatment column (a unit's cohort is its first period with 1), or a column with
    /// each unit's first treated period (empty or 0: never).
    public enum Adoption: Sendable {
        case treatment(CodedColumn)
        case cohort(CodedColumn)
        /// A treatment's level in each row (a dose, for de Chaisemartin & D'Haultfœuille): reversible, treated where not zero.
        case dose([Double])
    }

    /// The panel and plain-language notes on what was read and left out. Periods are ordered numerically when they
    /// are numbers, else as text; rows without the outcome are left out; without a cluster column, each unit is its
    /// own cluster.
    public static func fromColumns(
        outcome: [Double], unit: CodedColumn, unitName: String, time: CodedColumn, adoption: Adoption,
        cluster: CodedColumn?, clusterName: String?, weight: [Double]?, weightName: String?,
        covariates: [(name: String, values: [Double])], adoptionName: String = "treatment", timeName: String = "time", reversible: Bool = false
    ) throws -> (panel: LongPanel, notes: [String]) {
        let rows = outcome.count
        guard rows > 0 else { throw EstimationError.noRows }
        let order = time.values.indices.sorted {
            (Double(time.values[$0]) ?? .infinity, time.values[$0]) < (Double(time.values[$1]) ?? .infinity, time.values[$1])
        }
        var rank = [Int](repeating: 0, count: order.count)
        for (position, code) in order.enumerated() { rank[code] = position }
        let periods = order.map { time.values[$0] }
        var cohortOf = [Int?](repeating: nil, count: unit.values.count)
        // A reversible treatment is kept row by row, as given (the cohort is still its first treated period).
        var reported: [Bool]?, dose: [Double]?
        switch adoption {
        case .dose(let levels):
            if let row = levels.indices.first(where: { levels[$0].isNaN && !outcome[$0].isNaN }) {
                throw EstimationError.missingDose(
                    column: adoptionName, unit: unit.values[Int(unit.codes[row])], period: time.values[Int(time.codes[row])])
            }
            dose = levels
            reported = levels.map { $0 != 0 && !$0.isNaN }
            for i in 0..<rows where reported![i] {
                let u = Int(unit.codes[i]), p = rank[Int(time.codes[i])]
                cohortOf[u] = min(cohortOf[u] ?? p, p)
            }
        case .treatment(let flags):
            // Only 0 and 1: "yes", "2" or an empty cell is a mistake to show, not a 0 to assume.
            if let bad = flags.values.firstIndex(where: { $0 != "0" && $0 != "1" }) {
                let row = flags.codes.firstIndex(of: Int32(bad))!
                throw EstimationError.notBinary(
                    column: adoptionName, value: flags.values[bad], unit: unit.values[Int(unit.codes[row])], period: time.values[Int(time.codes[row])])
            }
            let one = flags.values.firstIndex(of: "1").map(Int32.init)
            if reversible { reported = flags.codes.map { $0 == one } }
            for i in 0..<rows where flags.codes[i] == one {
                let u = Int(unit.codes[i]), p = rank[Int(time.codes[i])]
                cohortOf[u] = min(cohortOf[u] ?? p, p)
            }
        case .cohort(let values):
            // Decided once per distinct value, not per row: never treated ("" or 0), its period, or unknown.
            let periodOfValue = values.values.map { value in time.values.firstIndex(of: value).map { rank[$0] } }
            let never = values.values.map { $0.isEmpty || $0 == "0" }
            for i in 0..<rows {
                let code = Int(values.codes[i])
                if never[code] { continue }
                guard let p = periodOfValue[code] else {
                    throw EstimationError.unknownCohort(value: values.values[code], unit: unit.values[Int(unit.codes[i])], periods: periods)
                }
                cohortOf[Int(unit.codes[i])] = p
            }
        }
        // One row per unit and period: a second row would be used as it is, silently weighting the unit-period twice.
        var seen = [Bool](repeating: false, count: unit.values.count * periods.count)
        var duplicates = 0, firstDuplicate: Int?
        for i in 0..<rows {
            let key = Int(unit.codes[i]) * periods.count + rank[Int(time.codes[i])]
            if seen[key] {
                duplicates += 1
                if firstDuplicate == nil { firstDuplicate = i }
            }
            seen[key] = true
        }
        if let i = firstDuplicate {
            throw EstimationError.duplicateRows(
                unit: unit.values[Int(unit.codes[i])], period: time.values[Int(time.codes[i])], count: duplicates, unitName: unitName, timeName: timeName)
        }
        // Rows without the outcome are left out; usually there are none, and no list of rows is built.
        let everyRow = !outcome.contains(where: \.isNaN)
        let keep = everyRow ? [] : (0..<rows).filter { !outcome[$0].isNaN }
        let keptRows = everyRow ? rows : keep.count
        func kept<T>(_ values: [T]) -> [T] { everyRow ? values : keep.map { values[$0] } }
        func kept(_ codes: [Int32], _ transform: (Int32) -> Int) -> [Int] { everyRow ? codes.map(transform) : keep.map { transform(codes[$0]) } }
        let notes = ["\(rows) rows, \(unit.values.count) units, \(periods.count) periods; \(rows - keptRows) rows without the outcome left out"]
        let clusterColumn = cluster ?? unit
        var panel = try LongPanel(
            outcome: kept(outcome), unit: kept(unit.codes) { Int($0) }, unitLabels: unit.values,
            period: kept(time.codes) { rank[Int($0)] }, periods: periods, cohort: cohortOf,
            cluster: kept(clusterColumn.codes) { Int($0) }, clusterLabels: clusterColumn.values,
            clusterName: clusterName ?? unitName, weight: weight.map(kept), weightName: weightName,
            covariateNames: covariates.map(\.name), covariates: covariates.map { kept($0.values) }, reportedTreatment: reported.map(kept))
        panel.dose = dose.map(kept)
        return (panel, notes)
    }
}
