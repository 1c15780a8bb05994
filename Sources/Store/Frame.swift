import Questionnaire
import Tabular

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
            problems.append(
                FrameProblem(row: header.line, message: "the header has no column '\(required)'; the first columns are code,name,level,parent_code"))
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
                units.append(
                    FrameUnit(
                        code: code, name: name, level: level, parentCode: parent.isEmpty ? nil : parent,
                        attributes: attributeColumns.map { ($0, field($0)) }, line: row.line))
            } else {
                problems.append(FrameProblem(row: row.line, message: rowProblems.joined(separator: "; ")))
            }
        }
        if rows.count == 1 { problems.append(FrameProblem(row: 0, message: "the file has a header but no units")) }
        return problems.isEmpty ? .success(units) : .failure(.frameRejected(problems))
    }
}
