import Foundation
import Questionnaire

/// One XLSForm converted to pantau's YAML: settings, then survey rows into nested items, then choice lists. Every
/// line written remembers its cell, and every problem is collected with its sheet, row and column.
struct Conversion {
    typealias Cell = XLSForm.Cell
    typealias Table = XLSForm.Table

    let path: String
    let tables: [String: Table]
    let survey: Table
    var out = YAMLOut()
    var problems: [Diagnostic] = []
    var languages: [String] = []
    /// Lists of `select_one LIST or_other` questions: each gets an 'other' choice.
    var otherLists = Set<String>()

    init(path: String, tables: [String: Table], survey: Table) {
        self.path = path
        self.tables = tables
        self.survey = survey
    }

    mutating func problem(_ code: DiagnosticCode, _ sheet: String, _ row: Int, _ column: Int, _ header: String, _ message: String) {
        problems.append(Diagnostic(code, at: SourceLocation(file: "\(path):\(sheet)", line: row, column: column + 1, field: header), message))
    }

    /// `label::English (en)` → (label, en); `label::en` → (label, en); `label` → (label, nil).
    static func language(of header: String) -> (base: String, language: String?) {
        guard let separator = header.range(of: "::") else { return (header.lowercased(), nil) }
        let base = header[..<separator.lowerBound].lowercased()
        let rest = header[separator.upperBound...].trimmingCharacters(in: .whitespaces)
        if let open = rest.lastIndex(of: "("), rest.hasSuffix(")") {
            return (base, String(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]).trimmingCharacters(in: .whitespaces))
        }
        return (base, rest)
    }

    mutating func run() -> Result<XLSForm.Converted, DiagnosticReport> {
        collectLanguages()
        writeSettings()
        guard writeSurvey() else { return .failure(DiagnosticReport(file: path, source: nil, diagnostics: problems)) }
        writeChoices()
        // As ODK Collect shows another language's text where a translation is missing, so does the conversion, with a warning.
        for fill in out.filled {
            problem(
                .xlsformSkipped, fill.cell.sheet, fill.cell.row, fill.cell.column, fill.cell.header,
                "\(fill.key) has no text in \(fill.missing); the \(fill.from) text stands in")
        }
        let errors = problems.filter { $0.severity == .error }
        if !errors.isEmpty { return .failure(DiagnosticReport(file: path, source: nil, diagnostics: problems)) }
        return .success(XLSForm.Converted(yaml: out.text, warnings: problems, cells: out.cells))
    }

    /// The languages of translated columns in the survey and choices sheets, in the order they first appear.
    mutating func collectLanguages() {
        for table in [survey, tables["choices"]].compactMap({ $0 }) {
            for header in table.header {
                let (base, code) = Self.language(of: header)
                if let code, XLSForm.translatable.contains(base) || base == "label", !languages.contains(code) { languages.append(code) }
            }
        }
        out.languages = languages
    }

    /// Settings: form_id (or id_string), form_title, version, default_language, and pantau's unit_level.
    mutating func writeSettings() {
        out.line("settings:")
        var settingValues: [String: (String, Cell)] = [:]
        if let settings = tables["settings"], let row = settings.rows.first {
            for (index, header) in settings.header.enumerated() {
                let value = settings.value(row.values, index)
                if !value.isEmpty { settingValues[header.lowercased()] = (value, Cell(sheet: "settings", row: row.number, column: index, header: header)) }
            }
        }
        let formID = settingValues["form_id"] ?? settingValues["id_string"]
        let fallbackID = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        out.field(1, "form_id", formID?.0 ?? fallbackID, formID?.1)
        // The title: per language (form_title::CODE), or one text for every language declared.
        let titles = settingValues.filter { $0.key.hasPrefix("form_title::") || $0.key.hasPrefix("pantau_title::") }
        let title = settingValues["form_title"] ?? settingValues["title"]
        if !titles.isEmpty || !languages.isEmpty {
            out.rawLine(1, "title:", title?.1 ?? titles.first?.value.1)
            for code in languages {
                let own = titles.first { Self.language(of: $0.key).language == code }?.value
                let text = own ?? title ?? titles.first?.value
                out.field(2, YAMLOut.quoted(code), text?.0 ?? fallbackID, text?.1)
            }
        } else {
            out.field(1, "title", title?.0 ?? fallbackID, title?.1)
        }
        out.field(1, "version", settingValues["version"]?.0 ?? "1", settingValues["version"]?.1)
        if let unitLevel = settingValues["unit_level"] { out.field(1, "unit_level", unitLevel.0, unitLevel.1) }
        if !languages.isEmpty {
            out.line("  languages: [" + languages.map(YAMLOut.quoted).joined(separator: ", ") + "]")
            if let defaultLanguage = settingValues["default_language"] {
                let code = Self.language(of: "x::" + defaultLanguage.0).language ?? defaultLanguage.0
                out.field(1, "default_language", code, defaultLanguage.1)
            }
        }
    }

    typealias Column = (index: Int, base: String, language: String?, header: String)

    /// Survey rows into nested items; false when the sheet has no type column (nothing more can be read).
    mutating func writeSurvey() -> Bool {
        var columns: [Column] = []
        for (index, header) in survey.header.enumerated() where !header.isEmpty {
            let (base, code) = Self.language(of: header)
            if XLSForm.translatable.contains(base) || XLSForm.plain.contains(base) {
                columns.append((index, base, code, header))
            } else if XLSForm.media.contains(base) || base.hasPrefix("media") {
                problem(
                    .xlsformSkipped, "survey", 1, index, header, "media column '\(header)' skipped: pantau's terminal runner shows no images, audio or video")
            } else {
                problem(.xlsformSkipped, "survey", 1, index, header, "column '\(header)' is not part of pantau's format and is skipped")
            }
        }
        guard let typeColumn = columns.first(where: { $0.base == "type" }) else {
            problem(.badStructure, "survey", 1, 0, "type", "the survey sheet needs a type column")
            return false
        }
        out.line("survey:")
        var open: [(kind: String, row: Int, name: String)] = []
        for row in survey.rows {
            let values = row.values
            let rawType = survey.value(values, typeColumn.index)
            if rawType.isEmpty && columns.allSatisfy({ survey.value(values, $0.index).isEmpty }) { continue }
            let typeCell = Cell(sheet: "survey", row: row.number, column: typeColumn.index, header: typeColumn.header)
            let words = rawType.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let keyword = words.first?.lowercased() ?? ""
            let kind = words.count > 1 && ["begin", "end"].contains(keyword) ? "\(keyword)_\(words[1].lowercased())" : keyword
            if kind == "end_group" || kind == "end_repeat" {
                let expected = kind == "end_group" ? "group" : "repeat"
                guard let last = open.last, last.kind == expected else {
                    problem(
                        .xlsformUnmatched, "survey", row.number, typeColumn.index, typeColumn.header,
                        "'\(rawType)' closes no open \(expected)" + (open.last.map { "; the open one is the \($0.kind) '\($0.name)' from row \($0.row)" } ?? "")
                    )
                    continue
                }
                open.removeLast()
                continue
            }
            guard let (type, orOther) = itemType(rawType, words: words, keyword: keyword, kind: kind, cell: typeCell) else { continue }
            let indent = 1 + 2 * open.count
            out.item(indent, "type", type, typeCell)
            let name = writeColumns(columns, of: row, indent: indent + 1)
            if type == "group" || type == "repeat" {
                out.rawLine(indent + 1, "children:", typeCell)
                open.append((type, row.number, name))
            } else if orOther {
                // XLSForm's or_other: an 'other' choice (added to the list) and a text item asked when it is chosen.
                out.item(indent, "type", "text", typeCell)
                out.field(indent + 1, "name", "\(name)_other", typeCell)
                out.label(indent + 1, "Specify other", typeCell, languages: languages)
                out.field(indent + 1, "relevant", "selected(${\(name)}, 'other')", typeCell)
            }
        }
        for group in open {
            problem(.xlsformUnmatched, "survey", group.row, typeColumn.index, typeColumn.header, "the \(group.kind) '\(group.name)' begun here is never ended")
        }
        return true
    }

    /// pantau's type for a survey row's type cell, and whether it is `select_one LIST or_other`; nil for a row that is
    /// skipped (metadata) or wrong (reported).
    mutating func itemType(_ rawType: String, words: [String], keyword: String, kind: String, cell: Cell) -> (String, Bool)? {
        if XLSForm.metadataTypes.contains(keyword) {
            problem(
                .xlsformSkipped, "survey", cell.row, cell.column, cell.header,
                "metadata type '\(rawType)' skipped: pantau records start, end, device and enumerator in every interview itself")
            return nil
        }
        if XLSForm.unsupportedTypes.contains(keyword) {
            problem(
                .xlsformUnsupported, "survey", cell.row, cell.column, cell.header,
                "type '\(rawType)' cannot be asked in pantau's terminal runner; replace it or remove the row")
            return nil
        }
        switch kind {
        case "begin_group": return ("group", false)
        case "begin_repeat": return ("repeat", false)
        case "select_one", "select_multiple":
            guard words.count >= 2 else {
                problem(.unknownType, "survey", cell.row, cell.column, cell.header, "'\(rawType)' needs a choice list: \(keyword) LIST")
                return nil
            }
            var orOther = false
            if words.count >= 3 {
                if words[2].lowercased() == "or_other" {
                    orOther = true
                    otherLists.insert(words[1])
                } else {
                    problem(.unknownType, "survey", cell.row, cell.column, cell.header, "'\(rawType)': only 'or_other' may follow the list name")
                }
            }
            return ("\(keyword) \(words[1])", orOther)
        default:
            guard let known = XLSForm.types[words.first ?? ""] ?? XLSForm.types[keyword], words.count == 1 else {
                problem(
                    .unknownType, "survey", cell.row, cell.column, cell.header,
                    "unknown type '\(rawType)'; the types are \(Array(Set(XLSForm.types.values)).sorted().joined(separator: ", ")), select_one LIST, select_multiple LIST, begin group, begin repeat"
                )
                return nil
            }
            return (known, false)
        }
    }

    /// The row's cells other than its type, as the item's fields; returns its name.
    mutating func writeColumns(_ columns: [Column], of row: (number: Int, values: [String]), indent: Int) -> String {
        var name = ""
        for column in columns where column.base != "type" {
            let value = survey.value(row.values, column.index)
            guard !value.isEmpty else { continue }
            let cell = Cell(sheet: "survey", row: row.number, column: column.index, header: column.header)
            if column.base == "name" { name = value }
            if let code = column.language {
                out.translation(indent, column.base, code, value, cell)
            } else if column.base == "label" || XLSForm.translatable.contains(column.base) {
                out.field(indent, column.base, value, cell)
            } else {
                switch column.base {
                case "required", "read_only", "pii":
                    let lower = value.lowercased()
                    if ["yes", "true", "true()", "1"].contains(lower) {
                        out.raw(indent, column.base, "true", cell)
                    } else if ["no", "false", "false()", "0"].contains(lower) {
                        out.raw(indent, column.base, "false", cell)
                    } else {
                        out.field(indent, column.base, value, cell)
                    }
                case "allow":
                    let codes = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                    out.rawLine(indent, "allow: [" + codes.map(YAMLOut.quoted).joined(separator: ", ") + "]", cell)
                default:
                    out.field(indent, column.base, value, cell)
                }
            }
        }
        out.flushTranslations()
        return name
    }

    /// Choice lists in the order they first appear, each choice's columns as its fields.
    mutating func writeChoices() {
        guard let choices = tables["choices"] else { return }
        let listColumn = choices.header.firstIndex { $0.lowercased() == "list_name" || $0.lowercased() == "list name" }
        let nameColumn = choices.header.firstIndex { $0.lowercased() == "name" }
        guard let listColumn, let nameColumn else {
            problem(.badStructure, "choices", 1, 0, "list_name", "the choices sheet needs list_name and name columns")
            return
        }
        var lists: [(name: String, rows: [(number: Int, values: [String])])] = []
        for row in choices.rows {
            let list = choices.value(row.values, listColumn)
            if list.isEmpty && choices.value(row.values, nameColumn).isEmpty { continue }
            if let index = lists.firstIndex(where: { $0.name == list }) { lists[index].rows.append(row) } else { lists.append((list, [row])) }
        }
        out.line("choices:")
        for list in lists {
            out.rawLine(1, YAMLOut.quoted(list.name) + ":", Cell(sheet: "choices", row: list.rows[0].number, column: listColumn, header: "list_name"))
            for row in list.rows {
                var first = true
                for (index, header) in choices.header.enumerated() where index != listColumn && !header.isEmpty {
                    let value = choices.value(row.values, index)
                    guard !value.isEmpty else { continue }
                    let cell = Cell(sheet: "choices", row: row.number, column: index, header: header)
                    let (base, code) = Self.language(of: header)
                    if first {
                        out.item(2, base == "name" ? "name" : base, value, cell, code: code)
                        first = false
                    } else if let code {
                        out.translation(3, base, code, value, cell)
                    } else if XLSForm.media.contains(base) || base.hasPrefix("media") {
                        problem(.xlsformSkipped, "choices", row.number, index, header, "media column '\(header)' skipped")
                    } else {
                        out.field(3, base, value, cell)
                    }
                }
                out.flushTranslations()
            }
            if otherLists.contains(list.name) {
                let cell = Cell(sheet: "choices", row: list.rows[0].number, column: nameColumn, header: "name")
                out.item(2, "name", "other", cell)
                out.label(3, "Other", cell, languages: languages)
            }
        }
    }
}
