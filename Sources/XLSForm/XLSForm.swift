import Foundation
import Questionnaire
import Spreadsheet
import Tabular

/// XLSForms (the ODK, KoboToolbox and SurveyCTO spreadsheet format) read as pantau questionnaires: an .xlsx
/// workbook or a folder of CSV files with survey, choices and settings sheets. The form is converted to
/// pantau's YAML and validated by the same loader, and every diagnostic points back at its sheet, row and column
/// (`form.xlsx:survey:12:relevant`).
public enum XLSForm {
    /// A cell of the spreadsheet, for diagnostics.
    struct Cell {
        let sheet: String
        let row: Int
        let column: Int
        let header: String
    }

    /// One sheet: the header row and the data rows with their row numbers.
    struct Table {
        let name: String
        let header: [String]
        let rows: [(number: Int, values: [String])]
        /// Where pyxform stops reading: the first cell with text after a run of empty rows or header columns.
        var unread: [(row: Int, column: Int, header: String, rows: Bool)] = []

        static func read(name: String, header: [String], rows: [(number: Int, values: [String])]) -> Table {
            var width = 0, emptyRun = 0
            for (index, text) in header.enumerated() {
                if text.isEmpty {
                    emptyRun += 1
                    if emptyRun == XLSForm.emptyColumnsEndingHeader { break }
                } else {
                    emptyRun = 0
                    width = index + 1
                }
            }
            var unread: [(row: Int, column: Int, header: String, rows: Bool)] = []
            if let beyond = header.indices.first(where: { $0 >= width && !header[$0].isEmpty }) {
                unread.append((1, beyond, header[beyond], false))
            }
            var kept: [(number: Int, values: [String])] = []
            var lastFilled = 1
            for row in rows {
                let filled = row.values.contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                guard filled else { continue }
                if row.number - lastFilled - 1 >= XLSForm.emptyRowsEndingSheet {
                    let column = row.values.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0
                    unread.append((row.number, column, column < header.count ? header[column] : "", true))
                    break
                }
                lastFilled = row.number
                kept.append((row.number, Array(row.values.prefix(width))))
            }
            return Table(name: name, header: Array(header.prefix(width)), rows: kept, unread: unread)
        }

        func value(_ row: [String], _ column: Int) -> String { column < row.count ? row[column].trimmingCharacters(in: .whitespacesAndNewlines) : "" }
    }

    /// A sheet read as pyxform reads it: the header ends after 20 empty columns in a row and the rows after 60
    /// empty rows in a row (a stray cell far below or beside the form is not part of it). What lies beyond is
    /// remembered, to be reported as a warning rather than dropped unseen.
    static let emptyColumnsEndingHeader = 20
    static let emptyRowsEndingSheet = 60

    /// Loads an XLSForm as a validated questionnaire, with the conversion's warnings (skipped columns and rows).
    public static func load(path: String) -> Result<(questionnaire: Questionnaire, warnings: [Diagnostic]), DiagnosticReport> {
        convert(path: path).flatMap { validate($0, path: path) }
    }

    /// A converted form read by the questionnaire loader, its problems moved to their cells (the workbook is read once).
    public static func validate(_ converted: Converted, path: String) -> Result<(questionnaire: Questionnaire, warnings: [Diagnostic]), DiagnosticReport> {
        switch QuestionnaireLoader.load(yaml: converted.yaml, file: path) {
        case .success(let questionnaire):
            return .success((questionnaire, converted.warnings))
        case .failure(let report):
            let mapped = report.diagnostics.map { converted.locate($0, path: path) }
            return .failure(DiagnosticReport(file: path, source: nil, diagnostics: mapped + converted.warnings))
        }
    }

    /// The converted YAML, with the cell each line came from, and the conversion's own warnings.
    public struct Converted {
        public let yaml: String
        public let warnings: [Diagnostic]
        let cells: [Int: Cell]
        let tables: [String: Table]

        /// The cell a line of the generated YAML came from (the nearest line above that has one).
        func cell(ofLine line: Int) -> Cell? {
            var line = line
            while line > 0, cells[line] == nil { line -= 1 }
            return cells[line] ?? cells.keys.min().flatMap { cells[$0] }
        }

        /// The diagnostic moved from the generated YAML to the spreadsheet cell it came from; a YAML line named in
        /// its message ("first at line 24") becomes the sheet and row it came from.
        func locate(_ diagnostic: Diagnostic, path: String) -> Diagnostic {
            var message = diagnostic.message
            for match in message.matches(of: /line (\d+)/).reversed() {
                guard let line = Int(match.1), let cell = cell(ofLine: line) else { continue }
                message.replaceSubrange(match.range, with: "\(cell.sheet) row \(cell.row)")
            }
            guard let cell = cell(ofLine: diagnostic.location.line) else {
                return diagnostic.moved(to: SourceLocation(file: path, line: 1, column: 1), message: message)
            }
            return XLSForm.quote(
                diagnostic.moved(
                    to: SourceLocation(file: "\(path):\(cell.sheet)", line: cell.row, column: cell.column + 1, field: cell.header), message: message),
                path: path, tables: tables)
        }
    }

    /// A diagnostic at a cell (`path:sheet`, row, column) with the cell's text quoted, when it has any.
    static func quote(_ diagnostic: Diagnostic, path: String, tables: [String: Table]) -> Diagnostic {
        let file = diagnostic.location.file
        guard file.hasPrefix(path + ":"), let table = tables[String(file.dropFirst(path.count + 1))] else { return diagnostic }
        let column = diagnostic.location.column - 1
        let values = diagnostic.location.line == 1 ? table.header : table.rows.first { $0.number == diagnostic.location.line }?.values
        guard let values, column >= 0, column < values.count, !values[column].isEmpty else { return diagnostic }
        return diagnostic.quoting(values[column])
    }

    /// Converts without validating: the YAML pantau would read, or the structural problems found.
    public static func convert(path: String) -> Result<Converted, DiagnosticReport> {
        let tables: [String: Table]
        do {
            tables = try readTables(path)
        } catch {
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(.malformedYAML, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the XLSForm: \(error)")
                    ]))
        }
        guard let survey = tables["survey"] else {
            return .failure(
                DiagnosticReport(
                    file: path, source: nil,
                    diagnostics: [
                        Diagnostic(.badStructure, at: SourceLocation(file: path, line: 1, column: 1), "an XLSForm needs a sheet named survey")
                    ]))
        }
        var conversion = Conversion(path: path, tables: tables, survey: survey)
        return conversion.run()
    }

    /// The sheets an XLSForm reads (the entities sheet only to refuse it, by name; the osm sheet for its tags).
    static let sheetNames = ["survey", "choices", "settings", "external_choices", "entities", "osm"]

    /// The survey, choices and settings sheets of an .xlsx workbook, or of a folder of CSV files.
    static func readTables(_ path: String) throws -> [String: Table] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Workbook.ReadError.notAWorkbook("no such file") }
        var tables: [String: Table] = [:]
        if isDirectory.boolValue {
            for name in sheetNames {
                let file = (path as NSString).appendingPathComponent("\(name).csv")
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                let rows = try CSV.parse(text).get()
                guard let header = rows.first else { continue }
                tables[name] = Table.read(
                    name: name, header: header.fields.map { $0.trimmingCharacters(in: .whitespaces) },
                    rows: rows.dropFirst().map { ($0.line, $0.fields) })
            }
            return tables
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw Workbook.ReadError.notAWorkbook("it cannot be read") }
        for sheet in try Workbook.read(data).sheets {
            let name = sheet.name.lowercased().trimmingCharacters(in: .whitespaces)
            guard sheetNames.contains(name), let first = sheet.rows.first else { continue }
            let width = (sheet.rows.flatMap { $0.cells.keys }.max() ?? 0) + 1
            func values(_ cells: [Int: String]) -> [String] { (0..<width).map { cells[$0] ?? "" } }
            tables[name] = Table.read(
                name: name, header: values(first.cells).map { $0.trimmingCharacters(in: .whitespaces) },
                rows: sheet.rows.dropFirst().map { ($0.number, values($0.cells)) })
        }
        return tables
    }
}

/// pantau YAML written line by line, remembering the cell each line came from.
struct YAMLOut {
    private(set) var lines: [String] = []
    private(set) var cells: [Int: XLSForm.Cell] = [:]
    /// Translations of the current item, gathered so that each key's languages sit under one mapping.
    private var pending: [(indent: Int, key: String, entries: [(code: String, value: String, cell: XLSForm.Cell)])] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    static func quoted(_ text: String) -> String { JSONText.quoted(text, as: .yaml) }

    mutating func line(_ text: String) {
        flushTranslations()
        lines.append(text)
    }

    /// A line at an indent. Pending translations wait: they are siblings of this key, written together when the
    /// mapping ends, so that `label` and `label::fr` on either side of another column make one `label:` key.
    mutating func rawLine(_ indent: Int, _ text: String, _ cell: XLSForm.Cell?) {
        if let deeper = pending.first?.indent, deeper > indent { flushTranslations() }
        lines.append(String(repeating: "  ", count: indent) + text)
        if let cell { cells[lines.count] = cell }
    }

    mutating func field(_ indent: Int, _ key: String, _ value: String, _ cell: XLSForm.Cell?) {
        rawLine(indent, "\(key): \(Self.quoted(value))", cell)
    }

    mutating func raw(_ indent: Int, _ key: String, _ value: String, _ cell: XLSForm.Cell?) {
        rawLine(indent, "\(key): \(value)", cell)
    }

    /// A new list entry: `- key: value` one level in.
    mutating func item(_ indent: Int, _ key: String, _ value: String, _ cell: XLSForm.Cell?, code: String? = nil) {
        flushTranslations()
        if let code {
            lines.append(String(repeating: "  ", count: indent) + "- \(key):")
            if let cell { cells[lines.count] = cell }
            lines.append(String(repeating: "  ", count: indent + 2) + "\(Self.quoted(code)): \(Self.quoted(value))")
        } else {
            lines.append(String(repeating: "  ", count: indent) + "- \(key): \(Self.quoted(value))")
        }
        if let cell { cells[lines.count] = cell }
    }

    /// A label pantau adds itself (or_other), the same text in every declared language but Indonesian ones, which
    /// get the Indonesian given for it.
    mutating func label(_ indent: Int, _ text: String, _ cell: XLSForm.Cell, languages: [String], indonesian: [String: String] = [:]) {
        if languages.isEmpty {
            field(indent, "label", text, cell)
            return
        }
        for code in languages { translation(indent, "label", code, Self.isIndonesian(code) ? indonesian[text] ?? text : text, cell) }
        flushTranslations()
    }

    /// `id`, `ind`, `Bahasa`, `Indonesian`, `Bahasa Indonesia`: a language code or name for Indonesian.
    static func isIndonesian(_ code: String) -> Bool {
        let lower = code.lowercased()
        return ["id", "ind", "in"].contains(lower) || lower.contains("indonesia") || lower.hasPrefix("bahasa")
    }

    mutating func translation(_ indent: Int, _ key: String, _ code: String, _ value: String, _ cell: XLSForm.Cell) {
        if let index = pending.firstIndex(where: { $0.key == key && $0.indent == indent }) {
            pending[index].entries.append((code, value, cell))
        } else {
            pending.append((indent, key, [(code, value, cell)]))
        }
    }

    /// The form's languages: a translated text missing in one of them gets another language's text, noted in `filled`.
    var languages: [String] = []
    private(set) var filled: [(cell: XLSForm.Cell, key: String, missing: String, from: String)] = []

    mutating func flushTranslations() {
        let gathered = pending
        pending = []
        for group in gathered {
            lines.append(String(repeating: "  ", count: group.indent) + "\(group.key):")
            cells[lines.count] = group.entries[0].cell
            var entries = group.entries
            for code in languages where !entries.contains(where: { $0.code == code }) {
                filled.append((group.entries[0].cell, group.key, code, group.entries[0].code))
                entries.append((code, group.entries[0].value, group.entries[0].cell))
            }
            for entry in entries {
                lines.append(String(repeating: "  ", count: group.indent + 1) + "\(Self.quoted(entry.code)): \(Self.quoted(entry.value))")
                cells[lines.count] = entry.cell
            }
        }
    }
}

extension XLSForm {
    /// A questionnaire as an XLSForm workbook: survey, choices and settings sheets, translations as
    /// `label::CODE` columns, pantau's additions (pii, allow, warning, warning_message, unit_level) as columns of
    /// their own names. Reading it back gives the same questionnaire.
    public static func write(_ questionnaire: Questionnaire) throws -> Data {
        let languages = questionnaire.settings.languages
        func translatedHeaders(_ base: String, _ texts: [LocalizedText?]) -> [String] {
            let codes = Set(texts.compactMap { $0 }.flatMap(\.translations.keys))
            if codes.isEmpty { return [] }
            if codes == [LocalizedText.anyLanguage] { return [base] }
            return (languages.isEmpty ? codes.sorted() : languages).filter { codes.contains($0) }.map { "\(base)::\($0)" }
                + (codes.contains(LocalizedText.anyLanguage) ? [base] : [])
        }
        let items = questionnaire.allItems
        var header = ["type", "name"]
        header += translatedHeaders("label", items.map(\.label))
        header += translatedHeaders("hint", items.map(\.hint))
        let present: [(String, (Item) -> String?)] = [
            (
                "required",
                { item in
                    switch item.required {
                    case .no: return nil
                    case .yes: return "yes"
                    case .when(let expression): return expression.text
                    }
                }
            ),
            ("relevant", { $0.relevant?.text }), ("constraint", { $0.constraint?.text }), ("warning", { $0.warning?.text }),
            ("calculation", { $0.calculation?.text }),
            (
                "default",
                { item in
                    switch item.defaultValue {
                    case .literal(let text): return text
                    case .expression(let expression): return expression.text
                    case nil: return nil
                    }
                }
            ),
            ("choice_filter", { $0.choiceFilter?.text }), ("appearance", { $0.appearance }), ("read_only", { $0.readOnly ? "yes" : nil }),
            ("repeat_count", { $0.repeatCount?.text }), ("pii", { $0.pii ? "yes" : nil }),
            ("trigger", { $0.trigger.isEmpty ? nil : $0.trigger.map { "${\($0)}" }.joined(separator: " ") }),
            ("allow", { $0.allowedNonResponses.isEmpty ? nil : $0.allowedNonResponses.map(\.rawValue).joined(separator: " ") }),
        ]
        let used = present.filter { column in items.contains { column.1($0) != nil } }
        header += used.map(\.0)
        header += translatedHeaders("required_message", items.map(\.requiredMessage))
        header += translatedHeaders("constraint_message", items.map(\.constraintMessage))
        header += translatedHeaders("warning_message", items.map(\.warningMessage))
        let itemAttributeNames = Array(Set(items.flatMap(\.attributes.keys))).sorted()
        header += itemAttributeNames
        let mediaKinds = Array(Set(items.flatMap(\.media.keys))).sorted()
        for kind in mediaKinds { header += translatedHeaders("media::\(kind)", items.map { $0.media[kind] }) }
        func text(_ value: LocalizedText?, _ column: String) -> String {
            guard let value else { return "" }
            if let range = column.range(of: "::") { return value.translations[String(column[range.upperBound...])] ?? "" }
            return value.translations[LocalizedText.anyLanguage] ?? ""
        }
        var rows: [[String]] = [header]
        func emit(_ item: Item) {
            var row: [String] = []
            for column in header {
                let base = column.components(separatedBy: "::")[0]
                switch base {
                case "type":
                    row.append(item.type == .group ? "begin group" : item.type == .repeat ? "begin repeat" : item.type.description)
                case "name": row.append(item.name)
                case "label": row.append(text(item.label, column))
                case "hint": row.append(text(item.hint, column))
                case "required_message": row.append(text(item.requiredMessage, column))
                case "constraint_message": row.append(text(item.constraintMessage, column))
                case "warning_message": row.append(text(item.warningMessage, column))
                case "media":
                    // media::KIND or media::KIND::LANGUAGE
                    let parts = column.components(separatedBy: "::")
                    row.append(text(item.media[parts[1]], parts.count > 2 ? "language::" + parts[2] : "plain"))
                default:
                    if itemAttributeNames.contains(column) {
                        row.append(item.attributes[column] ?? "")
                    } else {
                        row.append(used.first { $0.0 == base }?.1(item) ?? "")
                    }
                }
            }
            rows.append(row)
            if item.type == .group || item.type == .repeat {
                for child in item.children { emit(child) }
                rows.append([item.type == .group ? "end group" : "end repeat"] + Array(repeating: "", count: header.count - 1))
            }
        }
        for item in questionnaire.items { emit(item) }
        let choiceLabels = translatedHeaders("label", questionnaire.choiceLists.flatMap { $0.choices.map(\.label) })
        let attributeNames = Array(Set(questionnaire.choiceLists.flatMap { $0.choices.flatMap(\.attributes.keys) })).sorted()
        let allChoices = questionnaire.choiceLists.flatMap(\.choices)
        let choiceMedia = Array(Set(allChoices.flatMap(\.media.keys))).sorted().flatMap { kind in
            translatedHeaders("media::\(kind)", allChoices.map { $0.media[kind] })
        }
        var choices = [["list_name", "name"] + choiceLabels + attributeNames + choiceMedia]
        for list in questionnaire.choiceLists {
            for choice in list.choices {
                let media = choiceMedia.map { column -> String in
                    let parts = column.components(separatedBy: "::")
                    return text(choice.media[parts[1]], parts.count > 2 ? "language::" + parts[2] : "plain")
                }
                choices.append(
                    [list.name, choice.name] + choiceLabels.map { text(choice.label, $0) } + attributeNames.map { choice.attributes[$0] ?? "" } + media)
            }
        }
        let settings = questionnaire.settings
        var settingsHeader = ["form_id"], settingsRow = [settings.formID]
        // pyxform takes one form_title; the title in every language goes in pantau_title::CODE columns beside it.
        settingsHeader.append("form_title")
        settingsRow.append(settings.title.text(in: settings.defaultLanguage))
        let titleCodes = settings.title.translations.keys.filter { $0 != LocalizedText.anyLanguage }.sorted()
        for code in (languages.isEmpty ? titleCodes : languages.filter(titleCodes.contains)) {
            settingsHeader.append("pantau_title::\(code)")
            settingsRow.append(settings.title.translations[code] ?? "")
        }
        settingsHeader.append("version")
        settingsRow.append(settings.version)
        if let language = settings.defaultLanguage {
            settingsHeader.append("default_language")
            settingsRow.append(language)
        }
        if let level = settings.unitLevel {
            settingsHeader.append("unit_level")
            settingsRow.append(level)
        }
        if settings.allowsChoiceDuplicates {
            settingsHeader.append("allow_choice_duplicates")
            settingsRow.append("yes")
        }
        return try Workbook.write([("survey", rows), ("choices", choices), ("settings", [settingsHeader, settingsRow])])
    }
}
