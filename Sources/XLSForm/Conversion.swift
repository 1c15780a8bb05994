import Foundation
import Questionnaire
import Tabular

/// One XLSForm converted to pantau's YAML: settings, then survey rows into nested items, then choice lists. Every
/// line written remembers its cell, and every problem is collected with its sheet, row and column.
struct Conversion {
    typealias Cell = XLSForm.Cell
    typealias Table = XLSForm.Table

    let path: String
    let tables: [String: Table]
    var survey: Table
    var out = YAMLOut()
    var problems: [Diagnostic] = []
    var languages: [String] = []
    /// Lists of `select_one LIST or_other` questions: each gets an 'other' choice.
    var otherLists = Set<String>()
    /// Lists of select_one_external questions, read from the external_choices sheet, by the name they are written
    /// under (a list also on the choices sheet gets `_external` added: ODK keeps the two sheets' names apart).
    var externalLists: [String: String] = [:]
    /// Author's attribute columns (`instance::hxl`), by index and attribute name, carried as each item's attributes.
    var attributeColumns: [(index: Int, name: String)] = []
    /// Lists read from CSV files by search() appearances: the file, its value column and its label columns.
    var searchLists: [String: (file: String, value: String, label: String)] = [:]
    /// Texts the conversion writes itself (a range's message, an osm hint), in Indonesian, by their English: a form
    /// with an Indonesian language gets them in Indonesian there, as the enumerators read it.
    var generatedIndonesian: [String: String] = [:]
    /// The cell that first names a list read from elsewhere (a file, the external_choices sheet, a search()), where
    /// a problem reading it is reported.
    var listCells: [String: Cell] = [:]
    /// Files csv-external and xml-external rows declare, read into lookup tables for instance().
    var instanceFiles: [(file: String, cell: Cell)] = []
    /// CSV files of select_one_from_file questions, and the list name each becomes.
    var fileLists: [String: String] = [:]

    /// The language of plain text columns (`label`) in a form that also has translated ones (`label::fr`): the
    /// settings' default_language, or "default", as pyxform names it.
    var plainLanguage: String?
    /// The settings sheet's values by lower-cased header.
    var settingValues: [String: (String, Cell)] = [:]

    init(path: String, tables: [String: Table], survey: Table) {
        self.path = path
        self.tables = tables
        self.survey = survey
        if let settings = tables["settings"], let row = settings.rows.first {
            for (index, header) in settings.header.enumerated() {
                let value = settings.value(row.values, index)
                if !value.isEmpty { settingValues[header.lowercased()] = (value, Cell(sheet: "settings", row: row.number, column: index, header: header)) }
            }
        }
    }

    mutating func problem(_ code: DiagnosticCode, _ sheet: String, _ row: Int, _ column: Int, _ header: String, _ message: String) {
        problems.append(Diagnostic(code, at: SourceLocation(file: "\(path):\(sheet)", line: row, column: column + 1, field: header), message))
    }

    mutating func run() -> Result<XLSForm.Converted, DiagnosticReport> {
        if let entities = tables["entities"], !entities.rows.isEmpty {
            problem(
                .xlsformUnsupported, "entities", entities.rows[0].number, 0, entities.header.first ?? "list_name",
                "pantau saves no entities: a longitudinal team's unit attributes live in the sample frame, curated by a supervisor and carried to the next round by previous(); an interview does not rewrite it"
            )
        }
        for table in tables.values.sorted(by: { $0.name < $1.name }) {
            for cell in table.unread {
                problem(
                    .xlsformSkipped, table.name, cell.row, cell.column, cell.header,
                    cell.rows
                        ? "this row and those below it follow \(XLSForm.emptyRowsEndingSheet) or more empty rows: not part of the form, as pyxform reads it"
                        : "this column and those right of it follow \(XLSForm.emptyColumnsEndingHeader) or more empty header cells: not part of the form, as pyxform reads it"
                )
            }
        }
        collectLanguages()
        survey = expandingLoops(survey)
        survey = renamingNames(survey)
        survey = namingNotes(survey)
        survey = scopingDuplicateNames(survey)
        writeSettings()
        guard writeSurvey() else { return .failure(DiagnosticReport(file: path, source: nil, diagnostics: quoted(problems))) }
        writeChoices()
        writeLookups()
        // As ODK Collect shows another language's text where a translation is missing, so does the conversion, with a warning.
        for fill in out.filled {
            problem(
                .xlsformSkipped, fill.cell.sheet, fill.cell.row, fill.cell.column, fill.cell.header,
                "\(fill.key) has no text in \(fill.missing); the \(fill.from) text stands in")
        }
        let errors = problems.filter { $0.severity == .error }
        if !errors.isEmpty { return .failure(DiagnosticReport(file: path, source: nil, diagnostics: quoted(problems))) }
        return .success(XLSForm.Converted(yaml: out.text, warnings: quoted(problems), cells: out.cells, tables: tables.merging(["survey": survey]) { $1 }))
    }

    /// Diagnostics with the text of their cell, quoted under them as a source line would be.
    func quoted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.map { XLSForm.quote($0, path: path, tables: tables.merging(["survey": survey]) { $1 }) }
    }

    /// A text the conversion adds, in English, with its Indonesian remembered for Indonesian languages of the form.
    mutating func said(_ english: String, _ indonesian: String) -> String {
        generatedIndonesian[english] = indonesian
        return english
    }

    /// The default_language setting as a code (`English (en)` → en).
    var defaultLanguage: String? { settingValues["default_language"].map { Spelling.languageCode($0.0) } }

    /// The languages of translated columns in the survey and choices sheets, in the order they first appear; a
    /// plain column beside translated ones is in the default language.
    mutating func collectLanguages() {
        var plainText = false
        for table in [survey, tables["choices"]].compactMap({ $0 }) {
            for header in table.header {
                switch Spelling.column(header) {
                case .field(let base, let code) where Spelling.translatable.contains(base) && base != "guidance_hint":
                    if let code {
                        if !languages.contains(code) { languages.append(code) }
                    } else {
                        plainText = true
                    }
                default: break
                }
            }
        }
        if plainText, !languages.isEmpty {
            let code = defaultLanguage ?? "default"
            plainLanguage = code
            if !languages.contains(code) { languages.insert(code, at: 0) }
        }
        out.languages = languages
    }

    /// An identifier made of a form_id that is not one (`my-form` → `my_form`).
    static func identifier(_ text: String) -> String {
        var out = String(
            text.unicodeScalars.map { scalar -> Character in
                (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar) || scalar == "_" ? Character(scalar) : "_"
            })
        if out.isEmpty || out.first!.isNumber { out = "_" + out }
        return out
    }

    /// Settings: form_id (or id_string), form_title, version, default_language, and pantau's unit_level.
    mutating func writeSettings() {
        out.line("settings:")
        let formID = settingValues["form_id"] ?? settingValues["id_string"]
        let fallbackID = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let given = formID?.0 ?? fallbackID
        let id = Self.identifier(given)
        if id != given {
            let cell = formID?.1
            problem(
                .xlsformSkipped, cell?.sheet ?? "settings", cell?.row ?? 1, cell?.column ?? 0, cell?.header ?? "form_id",
                "form_id '\(given)'\(formID == nil ? " (from the file name)" : "") is not an identifier (letters, digits, _); pantau uses '\(id)'")
        }
        out.field(1, "form_id", id, formID?.1)
        // The title: per language (form_title::CODE), or one text for every language declared.
        let titles = settingValues.filter { $0.key.hasPrefix("form_title::") || $0.key.hasPrefix("pantau_title::") }
        let title = settingValues["form_title"] ?? settingValues["title"]
        if !titles.isEmpty || !languages.isEmpty {
            out.rawLine(1, "title:", title?.1 ?? titles.first?.value.1)
            for code in languages {
                let own = titles.first { $0.key.components(separatedBy: "::").dropFirst().first.map(Spelling.languageCode) == code }?.value
                let text = own ?? title ?? titles.first?.value
                out.field(2, YAMLOut.quoted(code), text?.0 ?? fallbackID, text?.1)
            }
        } else {
            out.field(1, "title", title?.0 ?? fallbackID, title?.1)
        }
        out.field(1, "version", settingValues["version"]?.0 ?? "1", settingValues["version"]?.1)
        if let unitLevel = settingValues["unit_level"] { out.field(1, "unit_level", unitLevel.0, unitLevel.1) }
        // Cascading lists repeat a name under different parents (king county in two states): pyxform allows it with
        // allow_choice_duplicates, and always on the external_choices sheet, whose lists are filtered by design.
        let allowed = settingValues["allow_choice_duplicates"]
        if let allowed, ["yes", "true", "true()", "1"].contains(allowed.0.lowercased()) {
            out.raw(1, "allow_choice_duplicates", "true", allowed.1)
        } else if tables["external_choices"] != nil {
            out.raw(1, "allow_choice_duplicates", "true", nil)
        }
        if !languages.isEmpty {
            out.line("  languages: [" + languages.map(YAMLOut.quoted).joined(separator: ", ") + "]")
            if let code = defaultLanguage ?? plainLanguage { out.field(1, "default_language", code, settingValues["default_language"]?.1) }
        }
    }

    typealias Column = (index: Int, base: String, language: String?, header: String)
    typealias MediaColumn = (index: Int, kind: String, language: String?, header: String)

    /// Whether any data row has a value in a column.
    func used(_ table: Table, _ index: Int) -> Bool { table.rows.contains { !table.value($0.values, index).isEmpty } }

    /// The survey's columns read: honoured ones, media ones; the others reported (unknown and display-only ones
    /// as warnings, ones with a meaning pantau cannot honour as errors when they hold a value).
    mutating func readSurveyColumns() -> (columns: [Column], media: [MediaColumn]) {
        var columns: [Column] = [], media: [MediaColumn] = []
        for (index, header) in survey.header.enumerated() where !header.trimmingCharacters(in: .whitespaces).isEmpty {
            switch Spelling.column(header) {
            case .field("guidance_hint", _):
                if used(survey, index) {
                    problem(.xlsformSkipped, "survey", 1, index, header, "guidance hints are for printed forms; pantau shows the hint column, not '\(header)'")
                }
            case .field("list_name", _):
                problem(.xlsformSkipped, "survey", 1, index, header, "column '\(header)' belongs on the choices sheet; ignored here")
            case .field(let base, let code):
                let language = code ?? (Spelling.translatable.contains(base) ? plainLanguage : nil)
                columns.append((index, base, language, header))
            case .media(let kind, let code):
                media.append((index, kind, code ?? plainLanguage, header))
            case .display:
                if used(survey, index) {
                    problem(
                        .xlsformSkipped, "survey", 1, index, header, "column '\(header)' sets how a touch screen shows a question; a terminal has no use for it"
                    )
                }
            case .attribute(let name):
                if used(survey, index) {
                    attributeColumns.append((index, name))
                    problem(
                        .xlsformSkipped, "survey", 1, index, header,
                        "column '\(header)' is an attribute for other tools: it changes nothing in the interview and is carried to the codebook")
                }
            case .implied(let reason):
                if used(survey, index) { problem(.xlsformSkipped, "survey", 1, index, header, "column '\(header)': \(reason)") }
            case .unsupported(let reason):
                if used(survey, index) { problem(.xlsformUnsupported, "survey", 1, index, header, "column '\(header)': \(reason); remove the column") }
            case .unknown:
                problem(.xlsformSkipped, "survey", 1, index, header, "column '\(header)' is not an XLSForm column; ignored, as pyxform ignores it")
            }
        }
        return (columns, media)
    }

    /// Survey rows into nested items; false when the sheet has no type column (nothing more can be read).
    mutating func writeSurvey() -> Bool {
        let (columns, mediaColumns) = readSurveyColumns()
        guard let typeColumn = columns.first(where: { $0.base == "type" }) else {
            problem(.badStructure, "survey", 1, 0, "type", "the survey sheet needs a type column")
            return false
        }
        func column(_ base: String) -> Column? { columns.first { $0.base == base } }
        out.line("survey:")
        var open: [(kind: String, row: Int, name: String)] = []
        // Names that some cell references as ${name}: a metadata row so referenced is kept as a calculate.
        var referenced = Set<String>()
        for row in survey.rows {
            for text in row.values where text.contains("${") {
                for match in text.matches(of: /\$\{([^}]+)\}/) { referenced.insert(String(match.1)) }
            }
        }
        for row in survey.rows {
            let values = row.values
            let rawType = survey.value(values, typeColumn.index)
            if rawType.isEmpty && columns.allSatisfy({ survey.value(values, $0.index).isEmpty }) { continue }
            let typeCell = Cell(sheet: "survey", row: row.number, column: typeColumn.index, header: typeColumn.header)
            let rowType = Spelling.rowType(rawType)
            if let disabled = column("disabled"), ["yes", "true", "true()", "1"].contains(survey.value(values, disabled.index).lowercased()) {
                if case .item = rowType {
                    problem(.xlsformSkipped, "survey", row.number, disabled.index, disabled.header, "row disabled: left out, as pyxform leaves it out")
                    continue
                }
                if case .select = rowType {
                    problem(.xlsformSkipped, "survey", row.number, disabled.index, disabled.header, "row disabled: left out, as pyxform leaves it out")
                    continue
                }
            }
            var type: String, orOther = false
            // Fields the type adds (a range's constraint, a hidden value's calculation) and the columns they replace.
            var added: [(key: String, value: String)] = [], replaced: Set<String> = []
            switch rowType {
            case .endGroup, .endRepeat:
                let expected = rowType == .endGroup ? "group" : "repeat"
                guard let last = open.last, last.kind == expected else {
                    problem(
                        .xlsformUnmatched, "survey", row.number, typeColumn.index, typeColumn.header,
                        "'\(rawType)' closes no open \(expected)" + (open.last.map { "; the open one is the \($0.kind) '\($0.name)' from row \($0.row)" } ?? "")
                    )
                    continue
                }
                open.removeLast()
                continue
            case .metadata(let name):
                // Referenced elsewhere (a label showing ${start}): a calculate with the value pantau has for it.
                let rowName = column("name").map { survey.value(values, $0.index) } ?? ""
                if name == "background-audio" {
                    // Quality control by recording the interview: a terminal records nothing; pantau's audit trail
                    // (every answer, change and check with its time) is what a supervisor reviews instead.
                    problem(
                        .xlsformSkipped, "survey", row.number, typeColumn.index, typeColumn.header,
                        "background-audio: pantau records no sound; every answer, change and check is in its audit trail with its time")
                    continue
                }
                guard !rowName.isEmpty, referenced.contains(rowName) else {
                    problem(
                        .xlsformSkipped, "survey", row.number, typeColumn.index, typeColumn.header,
                        "metadata type '\(name)' skipped: pantau records start, end, device and enumerator in every interview itself")
                    continue
                }
                let value = ["start": "once(now())", "end": "now()", "today": "today()"][name]
                if value == nil {
                    problem(
                        .xlsformSkipped, "survey", row.number, typeColumn.index, typeColumn.header,
                        "metadata type '\(name)' is referenced, but a laptop has no such value: ${\(rowName)} is empty")
                }
                type = "calculate"
                added.append(("calculation", value ?? "''"))
                replaced.formUnion(["label", "hint", "default"])
            case .unsupported(let reason):
                problem(
                    .xlsformUnsupported, "survey", row.number, typeColumn.index, typeColumn.header,
                    "type '\(rawType)' is \(reason), which pantau cannot ask yet; replace it or remove the row")
                continue
            case .loop, .endLoop:
                // Loops are expanded before the rows are read; one left here has no end (reported there).
                problem(.xlsformUnmatched, "survey", row.number, typeColumn.index, typeColumn.header, "'\(rawType)' has no partner")
                continue
            case .unknown:
                problem(
                    .unknownType, "survey", row.number, typeColumn.index, typeColumn.header,
                    "unknown type '\(rawType)'; the types are \(Array(Set(Spelling.scalarTypes.values)).sorted().joined(separator: ", ")), select_one LIST, select_multiple LIST, begin group, begin repeat"
                )
                continue
            case .hidden:
                // A stored value nobody is asked for: pantau's calculate, from the calculation or else the default.
                type = "calculate"
                if column("calculation").map({ survey.value(values, $0.index).isEmpty }) ?? true {
                    let given = column("default").map { survey.value(values, $0.index) } ?? ""
                    added.append(("calculation", Double(given) != nil ? given : "'\(given.replacingOccurrences(of: "'", with: ""))'"))
                    replaced.insert("default")
                }
            case .range:
                let parameters = column("parameters").map { survey.value(values, $0.index) } ?? ""
                switch Spelling.rangeParameters(parameters) {
                case .failure(let failure):
                    let reason = failure.reason
                    let found = column("parameters")
                    problem(.xlsformUnsupported, "survey", row.number, found?.index ?? typeColumn.index, found?.header ?? typeColumn.header, reason)
                    continue
                case .success(let range):
                    let whole = [range.start, range.end, range.step].allSatisfy { (x: Double) in x == x.rounded(.toNearestOrEven) }
                    type = whole ? "integer" : "decimal"
                    let (low, high) = range.start < range.end ? (range.text.0, range.text.1) : (range.text.1, range.text.0)
                    var check = ". >= \(low) and . <= \(high)"
                    // On the step: a whole number of steps from start, to six places (0.3 is three steps of 0.1).
                    if range.step != 1 || !whole {
                        let steps = "(. - \(range.text.0)) div \(range.text.2)"
                        check += " and round(\(steps), 6) = round(\(steps))"
                    }
                    if let own = column("constraint").map({ survey.value(values, $0.index) }), !own.isEmpty { check = "(\(own)) and \(check)" }
                    added.append(("constraint", check))
                    replaced.insert("constraint")
                    if column("constraint_message").map({ survey.value(values, $0.index).isEmpty }) ?? true {
                        added.append(
                            (
                                "constraint_message",
                                said("From \(low) to \(high) in steps of \(range.text.2)", "Dari \(low) sampai \(high), kelipatan \(range.text.2)")
                            ))
                    }
                    replaced.insert("parameters")
                }
            case .osm(let list):
                // ODK Collect hands an osm question to OpenMapKit and stores the .osm file it returns; on a laptop the
                // enumerator maps the feature in JOSM or OpenMapKit and gives that file, kept as an attachment.
                type = "file"
                let tags = osmTags(list)
                let hasHint = columns.contains { $0.base == "hint" && !survey.value(values, $0.index).isEmpty }
                if !hasHint {
                    let tagged = tags.joined(separator: ", ")
                    added.append(
                        (
                            "hint",
                            said(
                                "The .osm file of this feature" + (tags.isEmpty ? "" : ", tagged: \(tagged)"),
                                "Berkas .osm fitur ini" + (tags.isEmpty ? "" : ", dengan tag: \(tagged)"))
                        ))
                }
                problem(
                    .xlsformSkipped, "survey", row.number, typeColumn.index, typeColumn.header,
                    "an OpenStreetMap question: the enumerator gives the .osm file mapped in JOSM or OpenMapKit, kept as an attachment"
                        + (tags.isEmpty ? "" : " (tags: \(tags.joined(separator: ", ")))"))
            case .externalInstance(var file):
                // Not a question: a table instance('NAME') reads, carried in the definition as a lookup table.
                if file == "csv-external" || file == "xml-external" {
                    let name = column("name").map { survey.value(values, $0.index) } ?? ""
                    file = name + (file == "csv-external" ? ".csv" : ".xml")
                }
                instanceFiles.append((file, typeCell))
                continue
            case .beginGroup: type = "group"
            case .beginRepeat: type = "repeat"
            case .item(let name): type = name
            case .select(let kind, var list, let other, let source):
                switch source {
                case .choices: break
                case .external:
                    if let known = externalLists[list] {
                        list = known
                    } else {
                        let onChoices = Set(
                            (tables["choices"].flatMap { table in
                                table.header.firstIndex { Spelling.canonical($0) == "list_name" }.map { column in
                                    table.rows.map { table.value($0.values, column) }
                                }
                            }) ?? [])
                        var name = list
                        while onChoices.contains(name) || externalLists.values.contains(name) { name += "_external" }
                        externalLists[list] = name
                        listCells[name] = typeCell
                        list = name
                    }
                case .file(let file):
                    // The list is named after the file (villages.csv → villages).
                    if let known = fileLists[file] {
                        list = known
                    } else {
                        var name = Self.identifier((file as NSString).deletingPathExtension)
                        while fileLists.values.contains(name) || (tables["choices"]?.rows.contains { $0.values.first == name } ?? false) { name += "_file" }
                        fileLists[file] = name
                        listCells[name] = typeCell
                        list = name
                    }
                }
                type = "\(kind) \(list)"
                if source == .choices, let appearance = column("appearance"), survey.value(values, appearance.index).contains("search("),
                    let found = search(
                        in: survey.value(values, appearance.index), list: list,
                        cell: Cell(sheet: "survey", row: row.number, column: appearance.index, header: appearance.header))
                {
                    type = "\(kind) \(found.list)"
                    replaced.insert("appearance")
                    if !found.appearance.isEmpty { added.append(("appearance", found.appearance)) }
                    if let filter = found.filter {
                        let own = column("choice_filter").map { survey.value(values, $0.index) } ?? ""
                        replaced.insert("choice_filter")
                        added.append(("choice_filter", own.isEmpty ? filter : "(\(own)) and \(filter)"))
                    }
                }
                orOther = other
                if other { otherLists.insert(list) }
            }
            // A calculation on a question (not a calculate) is its value worked out: in pantau, its default, recomputed
            // until the enumerator changes it (ODK recomputes even then).
            if type != "calculate", let calculation = column("calculation"), !survey.value(values, calculation.index).isEmpty {
                if let given = column("default"), !survey.value(values, given.index).isEmpty {
                    problem(
                        .badStructure, "survey", row.number, calculation.index, calculation.header,
                        "a question with both a calculation and a default: keep one (pantau computes a question's value as its default)")
                } else {
                    added.append(("default", survey.value(values, calculation.index)))
                    replaced.insert("calculation")
                    problem(
                        .xlsformSkipped, "survey", row.number, calculation.index, calculation.header,
                        "the calculation of a \(type) question is its default in pantau: recomputed until the enumerator changes the answer")
                }
            }
            // Columns with an XLSForm meaning pantau cannot honour yet refuse the form where they hold a value.
            // A geopoint's warning-accuracy becomes a soft check on the accuracy typed (the fourth number); capture
            // settings (capture-accuracy, mock locations, a photo's size, a recording's quality) have nothing to act
            // on when the enumerator types the reading or gives a file.
            if let found = column("parameters"), !replaced.contains("parameters"), !survey.value(values, found.index).isEmpty {
                switch Spelling.captureParameters(survey.value(values, found.index), type: type) {
                case .success(let accuracy):
                    replaced.insert("parameters")
                    if let accuracy {
                        added.append(("warning", "selected-at(., 3) = '' or number(selected-at(., 3)) <= \(accuracy)"))
                        added.append(("warning_message", said("The accuracy is worse than \(accuracy) m", "Akurasinya lebih buruk dari \(accuracy) m")))
                    }
                case .failure(let failure):
                    replaced.insert("parameters")
                    problem(.xlsformUnsupported, "survey", row.number, found.index, found.header, failure.reason)
                }
            }
            if let found = column("parameters"), !replaced.contains("parameters"), !survey.value(values, found.index).isEmpty {
                problem(
                    .xlsformUnsupported, "survey", row.number, found.index, found.header,
                    "parameters '\(survey.value(values, found.index))' for type '\(rawType)' cannot be honoured yet; remove the value")
            }
            let indent = 1 + 2 * open.count
            out.item(indent, "type", type, typeCell)
            let name = writeColumns(columns, of: row, indent: indent + 1, added: added, typeCell: typeCell, replacing: replaced)
            writeMedia(mediaColumns, of: row, indent: indent + 1)
            let attributes = attributeColumns.filter { !survey.value(values, $0.index).isEmpty }
            if let first = attributes.first {
                out.rawLine(indent + 1, "attributes:", Cell(sheet: "survey", row: row.number, column: first.index, header: first.name))
                for (index, name) in attributes {
                    out.field(
                        indent + 2, YAMLOut.quoted(name), survey.value(values, index), Cell(sheet: "survey", row: row.number, column: index, header: name))
                }
            }
            if type == "group" || type == "repeat" {
                out.rawLine(indent + 1, "children:", typeCell)
                open.append((type, row.number, name))
            } else if orOther {
                // XLSForm's or_other: an 'other' choice (added to the list) and a text item asked when it is chosen.
                out.item(indent, "type", "text", typeCell)
                out.field(indent + 1, "name", "\(name)_other", typeCell)
                let label = said("Specify other", "Sebutkan lainnya")
                out.label(indent + 1, label, typeCell, languages: languages, indonesian: generatedIndonesian)
                out.field(indent + 1, "relevant", "selected(${\(name)}, 'other')", typeCell)
            }
        }
        for group in open {
            problem(.xlsformUnmatched, "survey", group.row, typeColumn.index, typeColumn.header, "the \(group.kind) '\(group.name)' begun here is never ended")
        }
        return true
    }
}
