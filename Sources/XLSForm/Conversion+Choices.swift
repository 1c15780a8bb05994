import Foundation
import Questionnaire
import Tabular

// Choice lists: the choices sheet, the external_choices sheet and CSV files beside the form.
extension Conversion {
    /// A sheet's rows grouped into lists by its list_name column, in the order they first appear.
    mutating func lists(in table: Table) -> [(name: String, rows: [(number: Int, values: [String])])]? {
        let listColumn = table.header.firstIndex { Spelling.canonical($0) == "list_name" }
        let nameColumn = table.header.firstIndex { Spelling.canonical($0) == "name" }
        guard let listColumn, let nameColumn else {
            problem(.badStructure, table.name, 1, 0, "list_name", "the \(table.name) sheet needs list_name and name columns")
            return nil
        }
        var lists: [(name: String, rows: [(number: Int, values: [String])])] = []
        for row in table.rows {
            let list = table.value(row.values, listColumn)
            if list.isEmpty && table.value(row.values, nameColumn).isEmpty { continue }
            if let index = lists.firstIndex(where: { $0.name == list }) { lists[index].rows.append(row) } else { lists.append((list, [row])) }
        }
        return lists
    }

    /// Choice lists: the choices sheet's in the order they first appear, then those of the external_choices sheet
    /// that select_one_external questions use, then those read from CSV files beside the form.
    mutating func writeChoices() {
        var sources: [(name: String, table: Table, rows: [(number: Int, values: [String])])] = []
        if let choices = tables["choices"], let found = lists(in: choices) { sources += found.map { ($0.name, choices, $0.rows) } }
        if !externalLists.isEmpty {
            if let external = tables["external_choices"], let found = lists(in: external) {
                for list in found {
                    guard let name = externalLists[list.name] else { continue }
                    sources.append((name, external, list.rows))
                }
            } else {
                let first = externalLists.keys.sorted()[0]
                let cell = listCells[externalLists[first] ?? ""] ?? Cell(sheet: "survey", row: 1, column: 0, header: "type")
                problem(
                    .badStructure, cell.sheet, cell.row, cell.column, cell.header,
                    "select_one_external '\(first)' needs an external_choices sheet in the workbook (an itemsets.csv beside the form is not read)")
            }
        }
        for (file, name) in fileLists.sorted(by: { $0.key < $1.key }) {
            let location = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
            let read: ExternalData.Table
            switch ExternalData.read(location) {
            case .failure(let failure):
                let cell = listCells[name] ?? Cell(sheet: "survey", row: 1, column: 0, header: "type")
                problem(.xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header, "the choices file '\(file)' \(failure.reason)")
                continue
            case .success(let found): read = found
            }
            let table = Table(name: file, header: read.header, rows: read.rows.map { ($0.line, $0.values) })
            guard table.header.contains(where: { Spelling.canonical($0) == "name" }) else {
                problem(.badStructure, file, 1, 0, "name", "the choices file '\(file)' needs a name column (and label)")
                continue
            }
            sources.append((name, table, table.rows.filter { !$0.values.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }))
        }
        for (name, mapping) in searchLists.sorted(by: { $0.key < $1.key }) {
            let location = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(mapping.file)
            let cell = listCells[name] ?? Cell(sheet: "survey", row: 1, column: 0, header: "appearance")
            let read: ExternalData.Table
            switch ExternalData.read(location) {
            case .failure(let failure):
                problem(.xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header, "search('\(mapping.file)') reads a file that \(failure.reason)")
                continue
            case .success(let found): read = found
            }
            let labelColumns = mapping.label.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let missing = ([mapping.value] + labelColumns).filter { !read.header.contains($0) }
            guard missing.isEmpty else {
                problem(
                    .badStructure, cell.sheet, cell.row, cell.column, cell.header,
                    "search('\(mapping.file)') takes columns \(missing.joined(separator: ", ")), which the file does not have; it has \(read.header.joined(separator: ", "))"
                )
                continue
            }
            let others = read.header.filter { $0 != "name" && $0 != "label" && !$0.isEmpty }
            let rows = read.rows.map { row -> (number: Int, values: [String]) in
                func cell(_ column: String) -> String { read.header.firstIndex(of: column).map { $0 < row.values.count ? row.values[$0] : "" } ?? "" }
                return (row.line, [cell(mapping.value), labelColumns.map(cell).joined(separator: " ")] + others.map(cell))
            }
            let table = Table(name: mapping.file, header: ["name", "label"] + others, rows: rows)
            sources.append((name, table, table.rows))
        }
        // A choices sheet with only its header row holds no lists.
        out.line(sources.isEmpty ? "choices: {}" : "choices:")
        for list in sources {
            let choices = list.table
            // A list whose only labels are plain in a translated form (a village file): the text in every language.
            var labelInEveryLanguage = false
            let listColumn = choices.header.firstIndex { Spelling.canonical($0) == "list_name" }
            let nameColumn = choices.header.firstIndex { Spelling.canonical($0) == "name" } ?? 0
            out.rawLine(
                1, YAMLOut.quoted(list.name) + ":", Cell(sheet: choices.name, row: list.rows.first?.number ?? 1, column: listColumn ?? 0, header: "list_name"))
            for row in list.rows {
                var first = true, labelled = false
                var media: [(kind: String, language: String?, file: String, cell: Cell)] = []
                for (index, header) in choices.header.enumerated() where index != listColumn && !header.isEmpty {
                    let value = choices.value(row.values, index)
                    guard !value.isEmpty else { continue }
                    let cell = Cell(sheet: choices.name, row: row.number, column: index, header: header)
                    var base: String, code: String?
                    switch Spelling.column(header) {
                    case .field(let name, let language) where Spelling.translatable.contains(name) || name == "name":
                        base = name
                        code = language ?? (Spelling.translatable.contains(name) ? plainLanguage : nil)
                        if code == nil, Spelling.translatable.contains(name), let firstLanguage = languages.first {
                            labelInEveryLanguage = true
                            var rest = languages[...]
                            if first {
                                out.item(2, base, value, cell, code: firstLanguage)
                                first = false
                                rest = languages.dropFirst()
                            }
                            for other in rest { out.translation(3, base, other, value, cell) }
                            if base == "label" { labelled = true }
                            continue
                        }
                    case .media(let kind, let language):
                        media.append((kind, language ?? plainLanguage, value, cell))
                        continue
                    default:
                        // Other columns are the choice's attributes, for choice filters.
                        base = header.trimmingCharacters(in: .whitespaces)
                        code = nil
                    }
                    if base == "label" { labelled = true }
                    if first {
                        out.item(2, base, value, cell, code: code)
                        first = false
                    } else if let code {
                        out.translation(3, base, code, value, cell)
                    } else {
                        out.field(3, base, value, cell)
                    }
                }
                if !first, let entry = media.first {
                    // Kept with the choice (a terminal shows the file's name beside the label, or alone).
                    out.flushTranslations()
                    out.rawLine(3, "media:", entry.cell)
                    for kind in media.map(\.kind).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
                        let entries = media.filter { $0.kind == kind }
                        if entries.count == 1, entries[0].language == nil {
                            out.field(4, kind, entries[0].file, entries[0].cell)
                            continue
                        }
                        out.rawLine(4, "\(kind):", entries[0].cell)
                        for entry in entries { out.field(5, YAMLOut.quoted(entry.language ?? "default"), entry.file, entry.cell) }
                    }
                }
                if !labelled, !first, media.isEmpty {
                    // ODK Collect shows a choice without a label by its name; pyxform warns, and so does pantau.
                    let name = choices.value(row.values, nameColumn)
                    let cell = Cell(sheet: choices.name, row: row.number, column: nameColumn, header: "name")
                    problem(.xlsformSkipped, choices.name, row.number, nameColumn, "name", "choice '\(name)' has no label; its name is shown instead")
                    out.label(3, name, cell, languages: languages)
                }
                out.flushTranslations()
            }
            if labelInEveryLanguage, let firstRow = list.rows.first {
                problem(
                    .xlsformSkipped, choices.name, firstRow.number, 0, "label",
                    "list '\(list.name)' has one label per choice in a form with languages \(languages.joined(separator: ", ")): it is shown in each of them")
            }
            if otherLists.contains(list.name), let firstRow = list.rows.first {
                let cell = Cell(sheet: choices.name, row: firstRow.number, column: nameColumn, header: "name")
                out.item(2, "name", "other", cell)
                let label = said("Other", "Lainnya")
                out.label(3, label, cell, languages: languages, indonesian: generatedIndonesian)
            }
        }
    }

    /// The tags an osm question asks for, from the osm sheet's list: `Name (name)`.
    func osmTags(_ list: String?) -> [String] {
        guard let list, let osm = tables["osm"],
            let listColumn = osm.header.firstIndex(where: { Spelling.canonical($0) == "list_name" }),
            let nameColumn = osm.header.firstIndex(where: { Spelling.canonical($0) == "name" })
        else { return [] }
        let labelColumn = osm.header.firstIndex { if case .field("label", _) = Spelling.column($0) { return true } else { return false } }
        return osm.rows.filter { osm.value($0.values, listColumn) == list }.map { row in
            let name = osm.value(row.values, nameColumn)
            let label = labelColumn.map { osm.value(row.values, $0) } ?? ""
            return label.isEmpty || label == name ? name : "\(label) (\(name))"
        }
    }

    /// The CSV files pulldata() reads (`pulldata('fruits', …)` reads fruits.csv beside the form), carried in the
    /// definition as lookup tables so that the form works offline and the stored definition keeps them.
    mutating func writeLookups() {
        var found: [(name: String, cell: Cell)] = []
        for row in survey.rows {
            for (column, header) in survey.header.enumerated() {
                let text = survey.value(row.values, column)
                // Swift's regular expressions are slow to start: only cells that name the function are searched.
                guard text.contains("pulldata") else { continue }
                for match in text.matches(of: /pulldata\(\s*['"]([^'"]+)['"]/) where !found.contains(where: { $0.name == String(match.1) }) {
                    found.append((String(match.1), Cell(sheet: "survey", row: row.number, column: column, header: header)))
                }
            }
        }
        // Each table under the name its readers use: pulldata('fruits') under fruits, from fruits.csv; a
        // csv-external or xml-external row's under its name, which instance('NAME') reads.
        var tables = found.map {
            (key: $0.name, file: $0.name.lowercased().hasSuffix(".csv") ? $0.name : $0.name + ".csv", cell: $0.cell, reader: "pulldata()")
        }
        for (file, cell) in instanceFiles {
            let key = (file as NSString).deletingPathExtension
            tables.removeAll { $0.key == key }
            tables.append((key, file, cell, "instance('\(key)')"))
        }
        guard !tables.isEmpty else { return }
        out.line("lookups:")
        for (key, file, cell, reader) in tables {
            let location = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
            let table: ExternalData.Table
            switch ExternalData.read(location) {
            case .failure(let failure):
                problem(.xlsformUnsupported, cell.sheet, cell.row, cell.column, cell.header, "\(reader) reads '\(file)', which \(failure.reason)")
                continue
            case .success(let read): table = read
            }
            out.rawLine(1, YAMLOut.quoted(key) + ":", cell)
            for row in table.rows {
                let cells = zip(table.header, row.values).filter { !$0.0.isEmpty }.map { "\(YAMLOut.quoted($0.0)): \(YAMLOut.quoted($0.1))" }
                out.rawLine(2, "- {" + cells.joined(separator: ", ") + "}", cell)
            }
        }
    }
}
