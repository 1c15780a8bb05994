import Foundation
import Questionnaire

// Survey rows rewritten before they are read: pyxform's loops expanded, names pantau cannot take renamed.
extension Conversion {
    /// `begin loop over LIST` … `end loop`, as pyxform expands it: a group holding one group per choice of the list,
    /// each with the loop's rows, `%(name)s` and `%(label)s` in their texts replaced by the choice's name and label.
    /// pantau's names are unique in the form, so each copy's names get the choice's name (`number_pit_latrine`),
    /// and references among the loop's own rows follow them.
    mutating func expandingLoops(_ table: Table) -> Table {
        guard let typeColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "type" }),
            let nameColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "name" }),
            table.rows.contains(where: {
                Spelling.rowType(table.value($0.values, typeColumn)) == .loop(list: Self.loopList(table.value($0.values, typeColumn)))
            })
        else { return table }
        var rows: [(number: Int, values: [String])] = []
        var index = 0
        let all = table.rows
        while index < all.count {
            let row = all[index]
            let raw = table.value(row.values, typeColumn)
            guard case .loop(let list) = Spelling.rowType(raw) else {
                rows.append(row)
                index += 1
                continue
            }
            // The loop's body: rows up to its end loop (nested loops are not expanded).
            var end = index + 1
            while end < all.count, Spelling.rowType(table.value(all[end].values, typeColumn)) != .endLoop { end += 1 }
            guard end < all.count else {
                problem(.xlsformUnmatched, "survey", row.number, typeColumn, table.header[typeColumn], "the loop begun here is never ended")
                return table
            }
            let body = Array(all[(index + 1)..<end])
            let names = Set(body.map { table.value($0.values, nameColumn) }.filter { !$0.isEmpty })
            let choices = loopChoices(list, labelHeaders: table.header)
            if choices.isEmpty {
                problem(.unknownChoiceList, "survey", row.number, typeColumn, table.header[typeColumn], "the loop's list '\(list)' has no choices")
            }
            var group = row.values
            group[typeColumn] = "begin group"
            rows.append((row.number, group))
            for choice in choices {
                var open = row.values.map { _ in "" }
                open[typeColumn] = "begin group"
                open[nameColumn] = "\(table.value(row.values, nameColumn))_\(choice.name)"
                for (column, header) in table.header.enumerated() {
                    if case .field("label", _) = Spelling.column(header) { open[column] = choice.labels[column] ?? choice.name }
                }
                rows.append((row.number, open))
                for line in body {
                    var values = line.values
                    for column in values.indices where !values[column].isEmpty {
                        if column == nameColumn {
                            values[column] += "_\(choice.name)"
                            continue
                        }
                        var text = values[column].replacingOccurrences(of: "%(name)s", with: choice.name)
                            .replacingOccurrences(of: "%(label)s", with: choice.labels[column] ?? choice.labels.values.first ?? choice.name)
                        for name in names { text = text.replacingOccurrences(of: "${\(name)}", with: "${\(name)_\(choice.name)}") }
                        values[column] = text
                    }
                    rows.append((line.number, values))
                }
                var close = row.values.map { _ in "" }
                close[typeColumn] = "end group"
                rows.append((all[end].number, close))
            }
            var close = row.values.map { _ in "" }
            close[typeColumn] = "end group"
            rows.append((all[end].number, close))
            index = end + 1
        }
        return Table(name: table.name, header: table.header, rows: rows, unread: table.unread)
    }

    static func loopList(_ raw: String) -> String {
        raw.split(separator: " ").last.map(String.init) ?? ""
    }

    /// A loop list's choices: name, and label by the survey column it stands in for (same language).
    func loopChoices(_ list: String, labelHeaders: [String]) -> [(name: String, labels: [Int: String])] {
        guard let choices = tables["choices"],
            let listColumn = choices.header.firstIndex(where: { Spelling.canonical($0) == "list_name" }),
            let nameColumn = choices.header.firstIndex(where: { Spelling.canonical($0) == "name" })
        else { return [] }
        var out: [(name: String, labels: [Int: String])] = []
        for row in choices.rows where choices.value(row.values, listColumn) == list {
            var labels: [Int: String] = [:]
            for (surveyColumn, header) in labelHeaders.enumerated() {
                let meaning = Spelling.column(header)
                guard case .field(let base, _) = meaning, Spelling.translatable.contains(base) else { continue }
                // The choice's label in the language of this survey column (or its plain label).
                let language: String? = { if case .field(_, let code) = meaning { return code } else { return nil } }()
                let match =
                    choices.header.firstIndex { Spelling.column($0) == .field("label", language: language) }
                    ?? choices.header.firstIndex { Spelling.column($0) == .field("label", language: nil) }
                if let match { labels[surveyColumn] = choices.value(row.values, match) }
            }
            out.append((choices.value(row.values, nameColumn), labels))
        }
        return out
    }

    /// Names XLSForm allows and pantau's format does not (`location.precision`, `Q1-1`: pantau's names are export
    /// columns, Stata variables and `${}` references; `position`: a column every export carries) are renamed with a
    /// warning, in the name cell and in every `${}` reference to them.
    mutating func renamingNames(_ table: Table) -> Table {
        guard let nameColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "name" }) else { return table }
        let names = table.rows.map { table.value($0.values, nameColumn) }.filter { !$0.isEmpty }
        var taken = Set(names), renames: [String: String] = [:]
        for row in table.rows {
            let name = table.value(row.values, nameColumn)
            guard !name.isEmpty, renames[name] == nil else { continue }
            var renamed = Self.identifier(name)
            if QuestionnaireLoader.reservedNames.contains(renamed) { renamed += "_value" }
            guard renamed != name else { continue }
            while taken.contains(renamed) { renamed += "_" }
            taken.insert(renamed)
            renames[name] = renamed
            let reason =
                QuestionnaireLoader.reservedNames.contains(name) ? "is reserved (a column every export carries)" : "is not an identifier (letters, digits, _)"
            problem(
                .xlsformSkipped, "survey", row.number, nameColumn, table.header[nameColumn],
                "name '\(name)' \(reason); pantau uses '\(renamed)', here and in every ${\(name)} reference")
        }
        guard !renames.isEmpty else { return table }
        let rows = table.rows.map { row -> (number: Int, values: [String]) in
            var values = row.values
            for column in values.indices where !values[column].isEmpty {
                if column == nameColumn {
                    values[column] = renames[values[column]] ?? values[column]
                    continue
                }
                for (old, new) in renames where values[column].contains("${\(old)}") {
                    values[column] = values[column].replacingOccurrences(of: "${\(old)}", with: "${\(new)}")
                }
            }
            return (row.number, values)
        }
        return Table(name: table.name, header: table.header, rows: rows, unread: table.unread)
    }
}

// Names pyxform makes or tells apart by their place in the form, made unique as pantau needs them.
extension Conversion {
    /// A note without a name gets the one pyxform generates (`generated_note_name_7` for row 7), so that data read
    /// by ODK tools and pantau's exports name it alike.
    mutating func namingNotes(_ table: Table) -> Table {
        guard let typeColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "type" }),
            let nameColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "name" })
        else { return table }
        let rows = table.rows.map { row -> (number: Int, values: [String]) in
            guard Spelling.rowType(table.value(row.values, typeColumn)) == .item("note"), table.value(row.values, nameColumn).isEmpty else { return row }
            var values = row.values
            while values.count <= nameColumn { values.append("") }
            values[nameColumn] = "generated_note_name_\(row.number)"
            problem(
                .xlsformSkipped, "survey", row.number, nameColumn, table.header[nameColumn],
                "a note without a name: pantau names it '\(values[nameColumn])', as pyxform does")
            return (row.number, values)
        }
        return Table(name: table.name, header: table.header, rows: rows, unread: table.unread)
    }

    /// XLSForm names are unique within their group or repeat (an item's XPath tells `household/name` from
    /// `member/name`); pantau's names are unique in the form, being export columns. The second and later items of
    /// a name in another group get their group's name in front (`member_name`), with a warning. A `${name}`
    /// reference to such a name could mean either, and is an error, as it is in pyxform.
    mutating func scopingDuplicateNames(_ table: Table) -> Table {
        guard let typeColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "type" }),
            let nameColumn = table.header.firstIndex(where: { Spelling.canonical($0) == "name" })
        else { return table }
        var containers: [String] = []
        var seen: [String: [(row: Int, parent: String?)]] = [:]
        var renames: [Int: String] = [:]
        var taken = Set(table.rows.map { table.value($0.values, nameColumn) })
        for row in table.rows {
            let type = Spelling.rowType(table.value(row.values, typeColumn))
            if type == .endGroup || type == .endRepeat {
                _ = containers.popLast()
                continue
            }
            let name = table.value(row.values, nameColumn)
            if !name.isEmpty {
                let parent = containers.last
                // A second item of a name in the same group is the author's mistake: the loader reports it.
                if let earlier = seen[name], !earlier.contains(where: { $0.parent == parent }) {
                    var renamed = Self.identifier("\(parent ?? "survey")_\(name)")
                    while taken.contains(renamed) { renamed += "_" }
                    taken.insert(renamed)
                    renames[row.number] = renamed
                    problem(
                        .xlsformSkipped, "survey", row.number, nameColumn, table.header[nameColumn],
                        "name '\(name)' is also used at survey row \(earlier[0].row), in another group; pantau's names are unique in the form, so this one is '\(renamed)'"
                    )
                }
                seen[name, default: []].append((row.number, parent))
            }
            if type == .beginGroup || type == .beginRepeat { containers.append(renames[row.number] ?? name) }
        }
        guard !renames.isEmpty else { return table }
        let ambiguous = Set(seen.filter { $0.value.count > 1 && $0.value.contains { renames[$0.row] != nil } }.keys)
        for row in table.rows {
            for (column, text) in row.values.enumerated() where text.contains("${") {
                for match in text.matches(of: /\$\{([^}]+)\}/) where ambiguous.contains(String(match.1)) {
                    let rows = seen[String(match.1)]!.map { String($0.row) }.joined(separator: " and ")
                    problem(
                        .duplicateName, "survey", row.number, column, column < table.header.count ? table.header[column] : "",
                        "${\(match.1)} could mean the items at survey rows \(rows), in different groups; rename one of them")
                }
            }
        }
        let rows = table.rows.map { row -> (number: Int, values: [String]) in
            guard let renamed = renames[row.number] else { return row }
            var values = row.values
            values[nameColumn] = renamed
            return (row.number, values)
        }
        return Table(name: table.name, header: table.header, rows: rows, unread: table.unread)
    }
}
