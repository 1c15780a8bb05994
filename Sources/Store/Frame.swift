import Tabular

/// One unit of the sample frame: a province, district, sub-district, village, or any level a programme uses.
public struct FrameUnit: Hashable, Sendable {
    public let code: String
    public let name: String
    public let level: String
    public let parentCode: String?
    /// Extra columns, such as treatment or comparison flags, in file order.
    public let attributes: [(key: String, value: String)]
    /// The file line it was read from (0 when it came from the store).
    public let line: Int

    public init(code: String, name: String, level: String, parentCode: String?, attributes: [(key: String, value: String)], line: Int = 0) {
        self.line = line
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.attributes = attributes
    }

    public func attribute(_ key: String) -> String? { attributes.first { $0.key == key }?.value }

    public static func == (lhs: FrameUnit, rhs: FrameUnit) -> Bool {
        lhs.code == rhs.code && lhs.name == rhs.name && lhs.level == rhs.level && lhs.parentCode == rhs.parentCode
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key) && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// A frame file checked row by row: `code,name,level,parent_code` then any attribute columns.
public enum FrameFile {
    public static let requiredColumns = ["code", "name", "level", "parent_code"]

    /// Every problem of the file, or its units; parents may be in the file or already in the store.
    public static func parse(_ text: String) -> Result<[FrameUnit], StoreError> {
        let rows: [CSV.Row]
        switch CSV.parse(text) {
        case .success(let parsed): rows = parsed
        case .failure(let error): return .failure(.frameRejected([FrameProblem(row: error.line, message: error.message)]))
        }
        guard let header = rows.first else {
            return .failure(.frameRejected([FrameProblem(row: 0, message: "the file is empty; it needs a header row: code,name,level,parent_code")]))
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var problems: [FrameProblem] = []
        for required in requiredColumns where !columns.contains(required) {
            problems.append(FrameProblem(row: header.line, message: "the header has no column '\(required)'; the first columns are code,name,level,parent_code"))
        }
        var seenColumns = Set<String>()
        for column in columns where !seenColumns.insert(column).inserted {
            problems.append(FrameProblem(row: header.line, message: "column '\(column)' appears twice"))
        }
        if columns.contains(where: \.isEmpty) { problems.append(FrameProblem(row: header.line, message: "a column has no name")) }
        guard problems.isEmpty else { return .failure(.frameRejected(problems)) }
        let position = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let attributeColumns = columns.filter { !requiredColumns.contains($0) }
        var units: [FrameUnit] = []
        var seen: [String: Int] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == columns.count else {
                problems.append(FrameProblem(row: row.line, message: "\(row.fields.count) fields where the header has \(columns.count)"))
                continue
            }
            func field(_ name: String) -> String { row.fields[position[name]!].trimmingCharacters(in: .whitespaces) }
            let code = field("code"), name = field("name"), level = field("level"), parent = field("parent_code")
            var rowProblems: [String] = []
            if code.isEmpty { rowProblems.append("code is empty") }
            if name.isEmpty { rowProblems.append("name is empty") }
            if level.isEmpty { rowProblems.append("level is empty") }
            if !code.isEmpty, let first = seen[code] { rowProblems.append("code \(code) is already used on row \(first)") }
            if !parent.isEmpty, parent == code { rowProblems.append("a unit cannot be its own parent") }
            if code.contains(where: { $0.isWhitespace || $0.isNewline }) { rowProblems.append("code '\(code)' contains spaces") }
            if rowProblems.isEmpty {
                seen[code] = row.line
                units.append(FrameUnit(code: code, name: name, level: level, parentCode: parent.isEmpty ? nil : parent,
                                       attributes: attributeColumns.map { ($0, field($0)) }, line: row.line))
            } else {
                problems.append(FrameProblem(row: row.line, message: rowProblems.joined(separator: "; ")))
            }
        }
        if rows.count == 1 { problems.append(FrameProblem(row: 0, message: "the file has a header but no units")) }
        return problems.isEmpty ? .success(units) : .failure(.frameRejected(problems))
    }
}

/// The frame as a hierarchy in memory: a unit's ancestors and the one at a level. Parent chains are followed at
/// most 64 steps, so a loop cannot hang.
public struct FrameHierarchy: Sendable {
    public let units: [String: FrameUnit]

    public init(_ units: [FrameUnit]) { self.units = Dictionary(units.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first }) }

    /// The unit and its ancestors, innermost first.
    public func lineage(of code: String) -> [FrameUnit] {
        var chain: [FrameUnit] = []
        var current = units[code]
        while let unit = current, chain.count < 64 {
            chain.append(unit)
            current = unit.parentCode.flatMap { units[$0] }
        }
        return chain
    }

    /// The unit itself or its ancestor at `level`.
    public func ancestor(of code: String, level: String) -> FrameUnit? { lineage(of: code).first { $0.level == level } }
}
