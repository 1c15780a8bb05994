import Foundation
import Questionnaire

// ODK's search() appearance: a select whose choices come from a CSV file beside the form, optionally filtered.
extension Conversion {
    /// A select with `search('fruits', 'contains', 'name', ${q})` as its appearance takes its choices from fruits.csv:
    /// the list's one row on the choices sheet names the CSV column of the value (its name) and of the label (its
    /// label, columns separated by commas). pantau reads the file into a list of its own and writes the search as the
    /// choice filter it means; the rest of the appearance stays. Nil when the appearance has no search().
    mutating func search(
        in appearance: String, list: String, cell: Cell
    ) -> (list: String, filter: String?, appearance: String)? {
        guard let start = appearance.range(of: "search(") else { return nil }
        guard let close = appearance[start.upperBound...].firstIndex(of: ")") else {
            problem(.xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header, "search( has no closing parenthesis")
            return nil
        }
        let inside = String(appearance[start.upperBound..<close])
        let rest = (appearance[..<start.lowerBound] + appearance[appearance.index(after: close)...]).trimmingCharacters(in: .whitespaces)
        // Arguments: quoted texts and ${references}, separated by commas.
        let arguments = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        func text(_ argument: String) -> String? {
            guard argument.count >= 2, let first = argument.first, first == "'" || first == "\"", argument.last == first else { return nil }
            return String(argument.dropFirst().dropLast())
        }
        guard let file = arguments.first.flatMap(text), !file.isEmpty else {
            problem(.xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header, "search() needs the file's name in quotes first")
            return nil
        }
        var filter: String?
        if arguments.count > 1 {
            let operators = ["matches": "=", "contains": "contains", "startswith": "starts-with", "endswith": "ends-with"]
            guard let how = text(arguments[1]), let op = operators[how], arguments.count == 4 || (how == "matches" && arguments.count == 6),
                let column = text(arguments[2])
            else {
                problem(
                    .xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header,
                    "search() filters with 'matches', 'contains', 'startswith' or 'endswith', a column and a value: search('\(file)', 'contains', 'name', ${q})"
                )
                return nil
            }
            func condition(_ column: String, _ value: String) -> String {
                let value = text(value).map { "'\($0)'" } ?? value
                return op == "=" ? "\(column) = \(value)" : "\(op)(\(column), \(value))"
            }
            var conditions = [condition(column, arguments[3])]
            if arguments.count == 6, let second = text(arguments[4]) { conditions.append(condition(second, arguments[5])) }
            filter = conditions.joined(separator: " and ")
        }
        // The value and label columns from the list's row on the choices sheet.
        let keys = loopChoices(list, labelHeaders: ["label"]).first
        guard let keys, !keys.name.isEmpty else {
            problem(
                .unknownChoiceList, cell.sheet, cell.row, cell.column, cell.header,
                "search('\(file)') needs a row of list '\(list)' on the choices sheet naming the file's value column (name) and label column (label)")
            return nil
        }
        let fileName = file.lowercased().hasSuffix(".csv") ? file : file + ".csv"
        let mapping = (file: fileName, value: keys.name, label: keys.labels[0] ?? keys.name)
        var name = Self.identifier((fileName as NSString).deletingPathExtension)
        let sheetLists = Set(tables["choices"].flatMap { lists(in: $0) }?.map(\.name) ?? [])
        while sheetLists.contains(name) || (searchLists[name].map { $0 != mapping } ?? false) { name += "_search" }
        if searchLists[name] == nil { listCells[name] = cell }
        searchLists[name] = mapping
        fileLists.removeValue(forKey: name)
        return (name, filter, rest)
    }
}
