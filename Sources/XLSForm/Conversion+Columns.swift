import Foundation
import Questionnaire

// A survey row's cells written as the item's fields: its columns, and its media files.
extension Conversion {
    /// A row's media files as `media: {image: {en: file}}`.
    mutating func writeMedia(_ columns: [MediaColumn], of row: (number: Int, values: [String]), indent: Int) {
        var byKind: [(kind: String, entries: [(language: String?, file: String, cell: Cell)])] = []
        for column in columns {
            let file = survey.value(row.values, column.index)
            guard !file.isEmpty else { continue }
            let cell = Cell(sheet: "survey", row: row.number, column: column.index, header: column.header)
            if let index = byKind.firstIndex(where: { $0.kind == column.kind }) {
                byKind[index].entries.append((column.language, file, cell))
            } else {
                byKind.append((column.kind, [(column.language, file, cell)]))
            }
        }
        guard let first = byKind.first?.entries.first else { return }
        out.rawLine(indent, "media:", first.cell)
        for (kind, entries) in byKind {
            if entries.count == 1, entries[0].language == nil {
                out.field(indent + 1, kind, entries[0].file, entries[0].cell)
                continue
            }
            out.rawLine(indent + 1, "\(kind):", entries[0].cell)
            for entry in entries { out.field(indent + 2, YAMLOut.quoted(entry.language ?? "default"), entry.file, entry.cell) }
        }
    }

    /// The row's cells other than its type, as the item's fields; returns its name.
    mutating func writeColumns(
        _ columns: [Column], of row: (number: Int, values: [String]), indent: Int, added: [(key: String, value: String)] = [], typeCell: Cell? = nil,
        replacing replaced: Set<String> = []
    ) -> String {
        var name = ""
        func has(_ base: String) -> Bool {
            added.contains { $0.key == base } || columns.contains { $0.base == base && !survey.value(row.values, $0.index).isEmpty }
        }
        var given: [String: Column] = [:]
        for (key, value) in added {
            if languages.isEmpty || !Spelling.translatable.contains(key) {
                out.field(indent, key, value, typeCell)
            } else {
                for code in languages {
                    out.translation(indent, key, code, YAMLOut.isIndonesian(code) ? generatedIndonesian[value] ?? value : value, typeCell!)
                }
            }
        }
        for column in columns where !["type", "parameters", "disabled"].contains(column.base) && !replaced.contains(column.base) {
            var value = survey.value(row.values, column.index)
            guard !value.isEmpty else { continue }
            let cell = Cell(sheet: "survey", row: row.number, column: column.index, header: column.header)
            // Two spellings of one column (constraint-msg beside bind:jr:constraintMsg) may not both hold a value.
            let key = column.base + "::" + (column.language ?? "")
            if let twin = given[key] {
                problem(
                    .badStructure, "survey", row.number, column.index, column.header,
                    "'\(twin.header)' and '\(column.header)' both give this row's \(column.base); keep one")
                continue
            }
            given[key] = column
            if Spelling.expressionColumns.contains(column.base) { value = Spelling.straightQuotes(value) }
            // A message without its check is never shown (pyxform accepts it): left out, with a warning.
            if let check = ["constraint_message": "constraint", "required_message": "required", "warning_message": "warning"][column.base],
                !has(check)
            {
                problem(.xlsformSkipped, "survey", row.number, column.index, column.header, "\(column.base) without a \(check) is never shown; left out")
                continue
            }
            if column.base == "name" { name = value }
            if let code = column.language {
                out.translation(indent, column.base, code, value, cell)
            } else if Spelling.translatable.contains(column.base) {
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
                case "allow", "trigger":
                    // `${consent}` or `${a} ${b}` in a trigger: the names.
                    let codes = value.split(whereSeparator: { $0 == " " || $0 == "," }).map {
                        $0.hasPrefix("${") && $0.hasSuffix("}") ? String($0.dropFirst(2).dropLast()) : String($0)
                    }
                    out.rawLine(indent, "\(column.base): [" + codes.map(YAMLOut.quoted).joined(separator: ", ") + "]", cell)
                default:
                    out.field(indent, column.base, value, cell)
                }
            }
        }
        out.flushTranslations()
        return name
    }
}
