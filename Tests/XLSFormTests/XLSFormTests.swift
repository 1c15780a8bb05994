// XLSForms read and written: realistic forms as survey teams write them, every problem at its sheet, row and
// column, folders of CSV sheets, and every bundled questionnaire round-tripped through .xlsx.
import Codebook
import Foundation
import Questionnaire
import Spreadsheet
import TestSupport
import Testing

@testable import XLSForm

/// Writes sheets to an .xlsx file and returns its path.
func workbook(_ sheets: [(String, [[String]])], name: String = "form.xlsx") throws -> String {
    let path = try temporaryPath(name)
    try Workbook.write(sheets.map { (name: $0.0, rows: $0.1) }).write(to: URL(fileURLWithPath: path))
    return path
}

/// A village form as a KoboToolbox user would write it: translated labels, hints and messages, a group written
/// `begin_group`, a repeat, select_one with or_other, a media column and a metadata row.
let survey: [[String]] = [
    [
        "type", "name", "label::Bahasa (id)", "label::English (en)", "hint::English (en)", "required", "relevant", "constraint",
        "constraint_message::English (en)", "constraint_message::Bahasa (id)", "calculation", "repeat_count", "media::image", "pii",
    ],
    ["start", "start", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["begin_group", "respondent", "Responden", "Respondent", "", "", "", "", "", "", "", "", "", ""],
    ["text", "head_name", "Nama kepala desa", "Village head's name", "As on the ID card", "yes", "", "", "", "", "", "", "photo.jpg", "yes"],
    ["integer", "staff", "Jumlah staf", "Number of staff", "", "yes", "", ". >= 0 and . < 200", "Between 0 and 199", "Antara 0 dan 199", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["select_one sid or_other", "sid_status", "Status SID", "SID status", "", "yes", "", "", "", "", "", "", "", ""],
    ["select_multiple uses", "sid_uses", "Penggunaan SID", "SID uses", "", "", "${sid_status} != 'none'", "", "", "", "", "", "", ""],
    ["calculate", "uses_count", "", "", "", "", "", "", "", "", "count-selected(${sid_uses})", "", "", ""],
    ["begin repeat", "meeting", "Rapat", "Meeting", "", "", "", "", "", "", "", "${staff}", "", ""],
    ["date", "meeting_date", "Tanggal rapat", "Meeting date", "", "", "", "", "", "", "", "", "", ""],
    ["end repeat", "", "", "", "", "", "", "", "", "", "", "", "", ""],
]
let choices: [[String]] = [
    ["list_name", "name", "label::Bahasa (id)", "label::English (en)"],
    ["sid", "none", "Tidak ada", "None"], ["sid", "paper", "Kertas", "Paper"], ["sid", "online", "Daring", "Online"],
    ["uses", "planning", "Perencanaan", "Planning"], ["uses", "budgeting", "Penganggaran", "Budgeting"],
]
let settings: [[String]] = [
    ["form_id", "form_title", "version", "default_language", "unit_level"], ["desa_kobo", "Survei desa", "2021-H1", "Bahasa (id)", "village"],
]

@Suite(.temporaryFiles)
struct XLSFormTests {
    @Test("a realistic XLSForm loads: translations, groups, repeats, or_other, calculations, media; metadata skipped with a warning")
    func realistic() throws {
        let path = try workbook([("survey", survey), ("choices", choices), ("settings", settings)])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.settings.formID == "desa_kobo" && form.settings.version == "2021-H1" && form.settings.unitLevel == "village")
        #expect(form.settings.languages == ["id", "en"] && form.settings.defaultLanguage == "id")
        #expect(form.settings.title.text(in: "en") == "Survei desa")
        let staff = try #require(form.item(named: "staff"))
        #expect(staff.type == .integer && staff.path == ["respondent"])
        #expect(staff.label?.text(in: "en") == "Number of staff" && staff.label?.text(in: "id") == "Jumlah staf")
        #expect(staff.constraint?.text == ". >= 0 and . < 200" && staff.constraintMessage?.text(in: "id") == "Antara 0 dan 199")
        #expect(form.item(named: "head_name")?.pii == true && form.item(named: "head_name")?.hint?.text(in: "en") == "As on the ID card")
        #expect(form.choiceList(named: "sid")?.codes == ["none", "paper", "online", "other"])
        let other = try #require(form.item(named: "sid_status_other"))
        #expect(other.relevant?.text == "selected(${sid_status}, 'other')")
        #expect(form.item(named: "meeting")?.type == .repeat && form.item(named: "meeting_date")?.repeatPath == ["meeting"])
        #expect(form.item(named: "uses_count")?.calculation?.text == "count-selected(${sid_uses})")
        #expect(form.item(named: "start") == nil)
        // The hint has no Indonesian text: the English one stands in, with a warning, as ODK Collect would show it.
        #expect(form.item(named: "head_name")?.hint?.text(in: "id") == "As on the ID card")
        // The media column is kept: the runner shows the file's name.
        #expect(form.item(named: "head_name")?.media["image"]?.text(in: "en") == "photo.jpg")
        #expect(warnings.map(\.code) == ["W006", "W006"])
        #expect(warnings.map(\.location.description) == ["\(path):survey:2:type", "\(path):survey:4:hint::English (en)"])
        #expect(warnings.last?.message == "hint has no text in id; the en text stands in")
    }

    @Test("pantau's additions and the remaining columns: soft checks, non-responses, previous(), defaults, choice filters")
    func additions() throws {
        let path = try workbook([
            (
                "survey",
                [
                    [
                        "type", "name", "label", "required", "required_message", "warning", "warning_message", "allow", "default",
                        "appearance", "read_only", "choice_filter",
                    ],
                    [
                        "integer", "meetings", "BPD meetings", "yes", "Ask the BPD secretary", ". <= 24", "More than two a month?", "dont_know refused",
                        "previous(${meetings})", "numbers", "", "",
                    ],
                    ["select_one province", "province", "Province", "", "", "", "", "", "", "minimal", "", ""],
                    ["select_one district", "district", "District", "", "", "", "", "", "", "", "", "province = ${province}"],
                    ["text", "fixed", "Fixed", "", "", "", "", "", "'KOMPAK'", "", "yes", ""],
                ]
            ),
            (
                "choices",
                [
                    ["list_name", "name", "label", "province"], ["province", "aceh", "Aceh", ""], ["province", "ntb", "NTB", ""],
                    ["district", "bener_meriah", "Bener Meriah", "aceh"], ["district", "lombok_utara", "Lombok Utara", "ntb"],
                ]
            ),
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(warnings.isEmpty, "\(warnings)")
        let meetings = try #require(form.item(named: "meetings"))
        #expect(meetings.warning?.text == ". <= 24" && meetings.warningMessage?.text(in: nil) == "More than two a month?")
        #expect(meetings.allowedNonResponses == [.dontKnow, .refused])
        #expect(meetings.required == .yes && meetings.requiredMessage?.text(in: nil) == "Ask the BPD secretary")
        if case .expression(let expression)? = meetings.defaultValue {
            #expect(expression.text == "previous(${meetings})")
        } else {
            Issue.record("the default is not an expression")
        }
        #expect(meetings.appearance == "numbers" && form.item(named: "fixed")?.readOnly == true)
        #expect(form.item(named: "district")?.choiceFilter?.text == "province = ${province}")
        #expect(form.choiceList(named: "district")?.choice("lombok_utara")?.attributes == ["province": "ntb"])
        // Written back, the same columns carry them, and the YAML is a fixed point of the round trip.
        let converted = try XLSForm.convert(path: path).get().yaml
        let written = try temporaryPath("written.xlsx")
        try XLSForm.write(form).write(to: URL(fileURLWithPath: written))
        let again = try XLSForm.convert(path: written).get().yaml
        let second = try temporaryPath("second.xlsx")
        try XLSForm.write(try XLSForm.load(path: written).get().questionnaire).write(to: URL(fileURLWithPath: second))
        #expect(try XLSForm.convert(path: second).get().yaml == again)
        #expect(
            CodebookMarkdown.render(Codebook(try QuestionnaireLoader.load(yaml: converted, file: "a").get()))
                == CodebookMarkdown.render(Codebook(try QuestionnaireLoader.load(yaml: again, file: "a").get())))
    }

    @Test(
        "problems at their sheet, row and column",
        arguments: [
            (2, "type", "integr", "Q010", "type"),
            (2, "relevant", "${staf} > 1", "X004", "relevant"),
            (2, "constraint", ". >", "X", "constraint"),
            (2, "type", "select_one_from_file areas.kml", "Q050", "type"),
            (2, "type", "select_one nolist", "Q020", "type"),
            (3, "name", "staff", "Q013", "name"),
        ])
    func located(row: Int, column: String, value: String, code: String, field: String) throws {
        var rows: [[String]] = [
            ["type", "name", "label", "relevant", "constraint"],
            ["integer", "staff", "Staff", "", ""], ["integer", "members", "Members", "", ""],
        ]
        let index = rows[0].firstIndex(of: column)!
        rows[row - 1][index] = value
        let path = try workbook([("survey", rows)])
        guard case .failure(let report) = XLSForm.load(path: path) else {
            Issue.record("\(value) was accepted")
            return
        }
        let diagnostic = try #require(report.errors.first)
        #expect(diagnostic.code.hasPrefix(code), "\(report)")
        #expect(diagnostic.location.description == "\(path):survey:\(row):\(field)", "\(report)")
    }

    @Test("begin and end must match: an end without a begin, and a begin never ended")
    func unmatched() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label"], ["begin group", "g", "G"], ["integer", "a", "A"], ["end repeat", "", ""],
                    ["end group", "", ""], ["end group", "", ""], ["begin repeat", "r", "R"],
                ]
            )
        ])
        guard case .failure(let report) = XLSForm.load(path: path) else {
            Issue.record("accepted")
            return
        }
        #expect(report.errors.map { "\($0.location.line) \($0.code)" } == ["4 Q051", "6 Q051", "7 Q051"], "\(report)")
        #expect(report.errors[0].message.contains("the open one is the group 'g' from row 2"))
    }

    @Test("a folder of CSV sheets is the same form as the workbook")
    func csvFolder() throws {
        let folder = (try temporaryPath("form") as NSString).deletingLastPathComponent
        for (name, rows) in [("survey", survey), ("choices", choices), ("settings", settings)] {
            let text =
                rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
            try text.write(toFile: (folder as NSString).appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
        }
        let fromFolder = try XLSForm.load(path: folder).get().questionnaire
        let fromWorkbook = try XLSForm.load(path: try workbook([("survey", survey), ("choices", choices), ("settings", settings)])).get().questionnaire
        #expect(CodebookMarkdown.render(Codebook(fromFolder)) == CodebookMarkdown.render(Codebook(fromWorkbook)))
    }

    @Test("every bundled questionnaire round-trips through an XLSForm workbook: the same codebook")
    func roundTrip() throws {
        let folder = repositoryRoot.appendingPathComponent("Questionnaires")
        let files = FileManager.default.enumerator(atPath: folder.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") && !$0.contains(".plan.") }.sorted()
        #expect(files.count >= 6)
        for file in files {
            let original = try QuestionnaireLoader.load(path: folder.appendingPathComponent(file).path).get()
            let path = try temporaryPath("roundtrip.xlsx")
            try XLSForm.write(original).write(to: URL(fileURLWithPath: path))
            let read = try XLSForm.load(path: path).get()
            #expect(CodebookMarkdown.render(Codebook(read.questionnaire)) == CodebookMarkdown.render(Codebook(original)), "\(file)")
            #expect(read.warnings.isEmpty, "\(file): \(read.warnings)")
            // yaml → xlsx → yaml → xlsx → yaml: the converted YAML is a fixed point, text for text.
            let first = try XLSForm.convert(path: path).get().yaml
            let second = try temporaryPath("again.xlsx")
            try XLSForm.write(read.questionnaire).write(to: URL(fileURLWithPath: second))
            #expect(try XLSForm.convert(path: second).get().yaml == first, "\(file)")
        }
    }

    @Test("not a workbook, and a workbook without a survey sheet, get a message")
    func badFiles() throws {
        let text = try temporaryPath("notes.xlsx")
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: text))
        guard case .failure(let report) = XLSForm.load(path: text) else {
            Issue.record("accepted")
            return
        }
        #expect(report.errors.first?.message.contains("not a zip archive") == true)
        let empty = try workbook([("choices", choices)])
        guard case .failure(let second) = XLSForm.load(path: empty) else {
            Issue.record("accepted")
            return
        }
        #expect(second.errors.first?.message == "an XLSForm needs a sheet named survey")
    }
}

@Suite(.temporaryFiles)
struct XLSFormTextTests {
    @Test("labels with control characters, slashes, quotes and backslashes come through the YAML unchanged")
    func unusualText() throws {
        let label = "Tab\there \"quoted\" back\\slash a/b bell\u{7} vt\u{B} del\u{7F} c1\u{9F} nel\u{85} ls\u{2028} \u{1}end é 👍🏽"
        // A folder of CSV sheets: the text reaches the YAML as written (XML cannot carry every control character).
        let folder = (try temporaryPath("form") as NSString).deletingLastPathComponent
        for (name, rows) in [("survey", [["type", "name", "label"], ["text", "note_text", label]]), ("settings", [["form_id", "version"], ["odd", "1"]])] {
            let text =
                rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
            try text.write(toFile: (folder as NSString).appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
        }
        let loaded = try XLSForm.load(path: folder).get().questionnaire
        let read = loaded.item(named: "note_text")?.label?.text(in: nil) ?? ""
        #expect(read == label, "\(read.unicodeScalars.map { String($0.value, radix: 16) }) against \(label.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}
