// XLSForms as the field writes them: pyxform's aliases, legacy and bind:: columns, .xls workbooks, and the
// problems of real forms, each honoured or refused by name, never skipped while the form is accepted.
// Fixtures/tutorial.xls is pyxform's tests/example_xls/tutorial.xls (XLSForm/pyxform at 51e5bfe, BSD 2-Clause
// licence), an Excel 97–2003 workbook written by Excel.
import Expressions
import Foundation
import Questionnaire
import Spreadsheet
import TestSupport
import Testing

@testable import XLSForm

struct SpellingTests {
    @Test(
        "column headers: aliases, legacy single colons, bind:: attributes, media, display-only and unknown columns",
        arguments: [
            ("label", Spelling.Column.field("label", language: nil)),
            ("Label::English (en)", .field("label", language: "en")),
            ("label:English", .field("label", language: "English")),
            ("caption:italian", .field("label", language: "italian")),
            ("hint:English (en)", .field("hint", language: "en")),
            ("bind::relevant", .field("relevant", language: nil)),
            ("bind:relevant", .field("relevant", language: nil)),
            ("bind: constraint", .field("constraint", language: nil)),
            ("bind:jr:constraintMsg", .field("constraint_message", language: nil)),
            ("constraint message", .field("constraint_message", language: nil)),
            ("constraint-msg", .field("constraint_message", language: nil)),
            ("relevance", .field("relevant", language: nil)),
            ("read only", .field("read_only", language: nil)),
            ("TYPE", .field("type", language: nil)),
            ("list name", .field("list_name", language: nil)),
            ("media::image::English (en)", .media("image", language: "en")),
            ("media:image:english", .media("image", language: "english")),
            ("image::english", .media("image", language: "english")),
            ("media::audio", .media("audio", language: nil)),
            ("autoplay", .display("autoplay")),
            ("tutorial notes", .unknown),
            ("bind::saveIncomplete", .implied("pantau saves every answer the moment it is given, so a form is never lost before it is finished")),
            ("instance::hxl", .attribute("instance::hxl")), ("bind::bindAttribute", .attribute("bind::bindAttribute")),
            ("body::bodyAttribute", .attribute("body::bodyAttribute")), ("body::rows", .display("body::rows")),
            ("bind::jr:preload", .unsupported("the bind attribute 'jr:preload' changes how ODK stores the value, which pantau decides itself")),
            ("body::intent", .unsupported("the body attribute 'intent' hands the question to another Android app, which a terminal cannot launch")),
        ])
    func column(header: String, meaning: Spelling.Column) {
        #expect(Spelling.column(header) == meaning)
    }

    @Test(
        "row types: pyxform's aliases, selects in every spelling, metadata, and the types pantau cannot ask yet",
        arguments: [
            ("string", Spelling.RowType.item("text")),
            ("int", .item("integer")),
            ("gps", .item("geopoint")),
            ("dateTime", .item("datetime")),
            ("add text prompt", .item("text")),
            ("select one from yes_no", .select(kind: "select_one", list: "yes_no", orOther: false)),
            ("select one yes_no", .select(kind: "select_one", list: "yes_no", orOther: false)),
            ("select all that apply from browsers", .select(kind: "select_multiple", list: "browsers", orOther: false)),
            ("select one from sexes or specify other", .select(kind: "select_one", list: "sexes", orOther: true)),
            ("select_one sid or_other", .select(kind: "select_one", list: "sid", orOther: true)),
            ("add select one prompt using L", .select(kind: "select_one", list: "L", orOther: false)),
            ("begin_group", .beginGroup), ("begin repeat", .beginRepeat), ("end_group", .endGroup), ("end repeat", .endRepeat),
            ("end", .metadata("end")), ("phone number", .metadata("phone_number")), ("imei", .metadata("imei")),
            ("uri:deviceid", .metadata("uri:deviceid")),
            ("photo", .item("image")), ("background-audio", .metadata("background-audio")),
            ("select_one_from_file villages.csv", .select(kind: "select_one", list: "villages.csv", orOther: false, from: .file("villages.csv"))),
            ("select_one_from_file areas.geojson", .select(kind: "select_one", list: "areas.geojson", orOther: false, from: .file("areas.geojson"))),
            ("select_one_from_file areas.kml", .unsupported("a select from 'areas.kml' (choice files are .csv, .xml or .geojson)")),
            ("csv-external households", .externalInstance(file: "households.csv")), ("xml-external", .externalInstance(file: "xml-external")),
            ("select_one_external counties", .select(kind: "select_one", list: "counties", orOther: false, from: .external)),
            ("rank priorities", .select(kind: "rank", list: "priorities", orOther: false)),
            ("osm road_tags", .osm(tags: "road_tags")), ("osm", .osm(tags: nil)), ("begin loop over toilets", .loop(list: "toilets")), ("end loop", .endLoop),
            ("integr", .unknown), ("text or_other", .unknown),
        ])
    func rowType(raw: String, meaning: Spelling.RowType) {
        #expect(Spelling.rowType(raw) == meaning)
    }
}

/// The report of a form that must be refused; a form accepted is a failure of the test.
func refusal(_ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> DiagnosticReport {
    switch XLSForm.load(path: path) {
    case .failure(let report): return report
    case .success:
        Issue.record("\(path) was accepted", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

@Suite(.temporaryFiles)
struct FieldFormTests {
    static let tutorial = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tutorial.xls").path

    @Test("an .xls written by Excel loads: bind:relevant and bind:constraint are honoured, 'select one from', a notes column ignored")
    func excel97() throws {
        let (form, warnings) = try XLSForm.load(path: Self.tutorial).get()
        #expect(form.item(named: "age_in_months")?.relevant?.text == "${older_than_five}='no'")
        #expect(form.item(named: "age_in_years")?.constraint?.text == ". >= 5")
        #expect(form.item(named: "relationship_to_household_head")?.type == .selectOne(list: "relationships"))
        #expect(form.choiceList(named: "yes_no")?.codes == ["yes", "no"])
        #expect(form.item(named: "member")?.type == .repeat)
        #expect(warnings.contains { $0.message == "column 'tutorial notes' is not an XLSForm column; ignored, as pyxform ignores it" })
    }

    @Test("a plain label beside translated ones is the default language; legacy label:LANG columns are translations")
    func plainBesideTranslated() throws {
        let path = try workbook([
            ("survey", [["type", "name", "label", "label::fr", "hint:English"], ["text", "head", "Head", "Chef", "As on the card"]]),
            ("choices", [["list_name", "name", "label", "label::fr"]]),
        ])
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.settings.languages == ["default", "fr", "English"] && form.settings.defaultLanguage == "default")
        #expect(form.item(named: "head")?.label?.text(in: "default") == "Head" && form.item(named: "head")?.label?.text(in: "fr") == "Chef")
        #expect(form.item(named: "head")?.hint?.text(in: "English") == "As on the card")
        // A choices sheet with only its header row holds no lists, and that is no error.
        #expect(form.choiceLists.isEmpty)
    }

    @Test("what pyxform accepts quietly: a message without its check, curly quotes, a form_id from a file name")
    func pyxformLeniency() throws {
        let path = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label", "relevant", "constraint_message"],
                        ["select_one yn", "ok", "OK?", "", "Never shown"],
                        ["text", "why", "Why?", "${ok} = \u{2018}no\u{2019}", ""],
                    ]
                ),
                ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]),
            ], name: "my-form v2.xlsx")
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.settings.formID == "my_form_v2")
        #expect(form.item(named: "why")?.relevant?.text == "${ok} = 'no'")
        #expect(form.item(named: "ok")?.constraintMessage == nil)
        #expect(
            warnings.map(\.message).sorted() == [
                "constraint_message without a constraint is never shown; left out",
                "form_id 'my-form v2' (from the file name) is not an identifier (letters, digits, _); pantau uses 'my_form_v2'",
            ])
    }

    @Test("what pantau cannot honour refuses the form at its cell; two spellings of one column may not both hold a value")
    func refused() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "bind::jr:preload", "save_to", "constraint-msg", "bind:jr:constraintMsg", "constraint", "body::intent"],
                    ["text", "a", "A", "uid", "", "", "", "", ""],
                    ["calculate", "b", "", "", "name", "", "", "", ""],
                    ["integer", "c", "C", "", "", "Too big", "Trop grand", ". < 5", ""],
                    ["integer", "d", "D", "", "", "", "", "", "org.app.Measure"],
                ]
            )
        ])
        let report = try refusal(path)
        let errors = report.diagnostics.filter { $0.severity == .error }.map { "\($0.location.line):\($0.location.field ?? "") \($0.code)" }
        #expect(errors.sorted() == ["1:bind::jr:preload Q050", "1:body::intent Q050", "1:save_to Q050", "4:bind:jr:constraintMsg Q002"])
    }

    @Test("a duplicate choice is reported at its row, and the first one's row, never a line of the generated YAML")
    func diagnosticsAtCells() throws {
        let path = try workbook([
            ("survey", [["type", "name", "label"], ["select_one yn", "ok", "OK?"]]),
            ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"], ["yn", "yes", "Yes again"]]),
        ])
        let report = try refusal(path)
        let duplicate = try #require(report.diagnostics.first { $0.code == "Q021" })
        #expect(duplicate.location.description == "\(path):choices:4:name")
        #expect(duplicate.message == "choice 'yes' appears twice in list 'yn' (first at choices row 2)")
        // The cell's text is quoted under the message, as a source line would be.
        #expect(duplicate.excerpt == "yes")
        #expect(duplicate.rendered(lines: nil) == "\(path):choices:4:name: error: \(duplicate.message) [Q021]\n    yes")
    }

    @Test("range, hidden and barcode: a number with its bounds and steps checked, a stored value, text from a scanner")
    func typesMappedToPantau() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "parameters", "default", "constraint"],
                    ["range", "score", "Score", "start=0 end=10 step=2", "", ""],
                    ["range", "rating", "Rating", "start=5 end=0.5 step=0.5", "", ". != 3"],
                    ["hidden", "batch", "", "", "B-7", ""],
                    ["barcode", "tag", "Asset tag", "", "", ""],
                ]
            )
        ])
        let (form, _) = try XLSForm.load(path: path).get()
        let score = try #require(form.item(named: "score"))
        #expect(score.type == .integer && score.constraint?.text == ". >= 0 and . <= 10 and round((. - 0) div 2, 6) = round((. - 0) div 2)")
        #expect(score.constraintMessage?.text(in: nil) == "From 0 to 10 in steps of 2")
        let rating = try #require(form.item(named: "rating"))
        #expect(rating.type == .decimal && rating.constraint?.text == "(. != 3) and . >= 0.5 and . <= 5 and round((. - 5) div 0.5, 6) = round((. - 5) div 0.5)")
        // The checks as the interview evaluates them: 0.3 is three steps of 0.1, 0.35 is not.
        for (value, inRange) in [("0.3", true), ("0.35", false), ("1.1", false)] {
            let tenths = try workbook(
                [("survey", [["type", "name", "label", "parameters"], ["range", "t", "T", "start=0 end=1 step=0.1"]])], name: "tenths-\(value).xlsx")
            let item = try #require(try XLSForm.load(path: tenths).get().questionnaire.item(named: "t"))
            let result = Evaluator.evaluate(item.constraint!.expression, in: CurrentValue(currentValue: .number(Double(value)!)))
            #expect(result.booleanValue == inRange, "\(value)")
        }
        #expect(form.item(named: "batch")?.type == .calculate && form.item(named: "batch")?.calculation?.text == "'B-7'")
        #expect(form.item(named: "tag")?.type == .text)
        let bad = try workbook([("survey", [["type", "name", "label", "parameters"], ["range", "x", "X", "start=1 stop=4"]])], name: "bad.xlsx")
        let report = try refusal(bad)
        #expect(report.diagnostics.map(\.location.description) == ["\(bad):survey:2:parameters"])
        #expect(report.diagnostics.first?.message == "'stop=4' is not a range parameter; a range takes start=, end= and step=")
    }

    @Test("cascading lists: select_one_external from the external_choices sheet, duplicates under different parents, a CSV file beside the form")
    func choicesFromElsewhere() throws {
        let path = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label", "choice_filter"],
                        ["select_one states", "state", "State", ""],
                        ["select_one_external counties", "county", "County", "state=${state}"],
                        ["select_one_from_file villages.csv", "village", "Village", ""],
                    ]
                ),
                ("choices", [["list_name", "name", "label"], ["states", "texas", "Texas"], ["states", "washington", "Washington"]]),
                (
                    "external_choices",
                    [
                        ["list_name", "name", "label", "state"], ["counties", "king", "King", "washington"], ["counties", "pierce", "Pierce", "washington"],
                        ["counties", "king", "King", "texas"],
                    ]
                ),
            ], name: "cascade.xlsx")
        let csv = (path as NSString).deletingLastPathComponent + "/villages.csv"
        try "name,label,district\nv1,Desa Satu,d1\nv2,Desa Dua,d1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.settings.allowsChoiceDuplicates)
        #expect(form.item(named: "county")?.type == .selectOne(list: "counties"))
        #expect(form.choiceList(named: "counties")?.choices.map { $0.attributes["state"] ?? "" } == ["washington", "washington", "texas"])
        #expect(form.item(named: "village")?.type == .selectOne(list: "villages"))
        #expect(form.choiceList(named: "villages")?.choice("v2")?.label?.text(in: nil) == "Desa Dua")
        try FileManager.default.removeItem(atPath: csv)
        let report = try refusal(path)
        let missing = try #require(report.diagnostics.first { $0.message == "the choices file 'villages.csv' is not beside the form" })
        #expect(missing.location.description == "\(path):survey:4:type")
    }

    @Test("a list on both the choices and the external_choices sheet: the external one is kept apart; translations around another column")
    func externalNameClash() throws {
        let path = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label", "choice_filter", "label::fr"],
                        ["select_one c1", "a", "A", "", "A fr"],
                        ["select_one_external c1", "b", "B", "x = ${a}", "B fr"],
                    ]
                ),
                ("choices", [["list_name", "name", "label", "label::fr"], ["c1", "one", "One", "Un"]]),
                ("external_choices", [["list_name", "name", "label", "x", "label::fr"], ["c1", "deep", "Deep", "one", "Profond"]]),
            ], name: "clash.xlsx")
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "a")?.type == .selectOne(list: "c1") && form.item(named: "b")?.type == .selectOne(list: "c1_external"))
        #expect(form.choiceList(named: "c1_external")?.choice("deep")?.label?.text(in: "fr") == "Profond")
        // label and label::fr on either side of choice_filter make one label in two languages.
        #expect(form.item(named: "b")?.label?.text(in: "fr") == "B fr" && form.item(named: "b")?.label?.text(in: "default") == "B")
    }

    @Test("indexed-repeat() reads another instance of a repeat, from outside it and from inside it (the member before this one)")
    func indexedRepeat() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "calculation"], ["begin repeat", "members", "Members", ""], ["text", "name", "Name", ""],
                    ["calculate", "before", "", "if(position(..) > 1, indexed-repeat(${name}, ${members}, position(..) - 1), '')"],
                    ["end repeat", "", "", ""], ["calculate", "first", "", "indexed-repeat(${name}, ${members}, 1)"],
                ]
            )
        ])
        let s = try Scenario(try XLSForm.convert(path: path).get().yaml)
        s.step { $0.addInstance() }
        s.answer("name[1]", "Ani")
        s.step { $0.addInstance() }
        s.answer("name[2]", "Budi")
        #expect((s.value("before[1]")?.stringValue ?? "") == "")
        #expect(s.value("before[2]") == .string("Ani"))
        #expect(s.value("first") == .string("Ani"))
        // A change in one instance reaches the next instance's reading of it.
        _ = s.jump("name[1]")
        s.answer("name[1]", "Ana")
        #expect(s.value("before[2]") == .string("Ana"))
    }

    @Test("begin loop over a list: a group per choice, %(label)s and %(name)s filled in, names and references made unique")
    func loops() throws {
        let path = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label::en", "label::id", "relevant"],
                        ["begin loop over toilets", "each", "Toilets", "Jamban", ""],
                        ["integer", "number", "How many %(label)s?", "Berapa %(label)s?", ""],
                        ["text", "why_none", "Why no %(name)s?", "Mengapa tidak ada %(name)s?", "${number} = 0"],
                        ["end loop", "", "", "", ""],
                    ]
                ),
                (
                    "choices",
                    [
                        ["list_name", "name", "label::en", "label::id"], ["toilets", "pit", "pit latrines", "jamban cubluk"],
                        ["toilets", "flush", "flush toilets", "jamban siram"],
                    ]
                ),
            ], name: "loop.xlsx")
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "each")?.type == .group)
        #expect(form.item(named: "each_pit")?.label?.text(in: "id") == "jamban cubluk")
        #expect(form.item(named: "number_flush")?.label?.text(in: "en") == "How many flush toilets?")
        #expect(form.item(named: "number_pit")?.label?.text(in: "id") == "Berapa jamban cubluk?")
        #expect(form.item(named: "why_none_pit")?.relevant?.text == "${number_pit} = 0")
        #expect(form.item(named: "why_none_flush")?.label?.text(in: "en") == "Why no flush?")
        #expect(form.item(named: "number_pit")?.path == ["each", "each_pit"])
    }

    @Test("a repeat and a question inside it with one name: the question gets the repeat's name in front, with no spurious cycle")
    func repeatChildSameName() throws {
        let path = try workbook(
            [("survey", [["type", "name", "label"], ["begin repeat", "gps", "Points"], ["geopoint", "gps", "Point"], ["end repeat", "", ""]])],
            name: "same.xlsx")
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "gps")?.type == .repeat)
        #expect(form.item(named: "gps_gps")?.type == .geopoint)
        #expect(form.item(named: "gps_gps")?.repeatPath == ["gps"])
        #expect(warnings.map { "\($0.location.line):\($0.location.field ?? "")" } == ["3:name"])
    }

    @Test("a note shown by its picture alone needs no label; without either it is refused")
    func mediaOnlyNote() throws {
        let path = try workbook([("survey", [["type", "name", "label", "media::image"], ["note", "map", "", "map.png"]])], name: "note.xlsx")
        #expect(try XLSForm.load(path: path).get().questionnaire.item(named: "map")?.media["image"]?.text(in: nil) == "map.png")
        let bare = try workbook([("survey", [["type", "name", "label", "media::image"], ["note", "map", "", ""]])], name: "bare.xlsx")
        let report = try refusal(bare)
        #expect(report.diagnostics.map(\.code) == ["Q023"])
    }

    @Test("capture parameters: a geopoint's warning-accuracy is a soft check on the accuracy typed; capture settings accepted; others refused")
    func captureParameters() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "parameters"], ["geopoint", "office", "Office", "capture-accuracy=5 warning-accuracy=10"],
                    ["image", "photo", "Photo", "max-pixels=1024"],
                ]
            )
        ])
        let form = try XLSForm.load(path: path).get().questionnaire
        let warning = try #require(form.item(named: "office")?.warning)
        #expect(warning.text == "selected-at(., 3) = '' or number(selected-at(., 3)) <= 10")
        for (reading, fine) in [("-8.65 115.22", true), ("-8.65 115.22 30 4", true), ("-8.65 115.22 30 25", false)] {
            #expect(Evaluator.evaluate(warning.expression, in: CurrentValue(currentValue: .string(reading))).booleanValue == fine, "\(reading)")
        }
        let refused = try workbook(
            [
                (
                    "survey",
                    [["type", "name", "label", "parameters", "save_to"], ["select_one yn", "q", "Q", "randomize=true", ""], ["text", "t", "T", "", "name"]]
                ),
                ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"]]),
                ("entities", [["list_name", "label"], ["households", "${t}"]]),
            ], name: "refused.xlsx")
        let report = try refusal(refused)
        let located = report.diagnostics.filter { $0.severity == .error }.map {
            "\($0.location.description.components(separatedBy: ":").dropFirst().joined(separator: ":"))"
        }
        #expect(located.sorted() == ["entities:2:list_name", "survey:1:save_to", "survey:2:parameters"])
    }

    @Test("pulldata('fruits', …) carries fruits.csv from beside the form as a lookup table; a missing file is an error at the cell")
    func pulldata() throws {
        let path = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label", "calculation"], ["text", "fruit", "Fruit", ""],
                        ["calculate", "price", "", "pulldata('fruits', 'price', 'name', ${fruit})"],
                    ]
                )
            ],
            name: "market.xlsx")
        let csv = (path as NSString).deletingLastPathComponent + "/fruits.csv"
        try "name,price\nmango,10\npapaya,7\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let form = try XLSForm.load(path: path).get().questionnaire
        #expect(form.lookups["fruits"]?.value("price", where: "name", is: "papaya") == "7")
        try FileManager.default.removeItem(atPath: csv)
        let report = try refusal(path)
        #expect(report.diagnostics.first { $0.severity == .error }?.location.description == "\(path):survey:3:calculation")
        #expect(report.diagnostics.contains { $0.message == "pulldata() reads 'fruits.csv', which is not beside the form" })
    }

    @Test("names pantau cannot take are renamed with a warning, here and in every reference: a dot, a hyphen, a reserved name")
    func renamedNames() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "relevant"], ["geopoint", "location.gps", "Location", ""], ["integer", "position", "Position", ""],
                    ["text", "note-1", "Note on ${location.gps}", "${position} > 1 and ${location.gps} != ''"],
                ]
            )
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "location_gps")?.type == .geopoint && form.item(named: "position_value")?.type == .integer)
        let note = try #require(form.item(named: "note_1"))
        #expect(note.relevant?.text == "${position_value} > 1 and ${location_gps} != ''")
        #expect(note.label?.text(in: nil) == "Note on ${location_gps}")
        #expect(
            warnings.map(\.message).contains(
                "name 'position' is reserved (a column every export carries); pantau uses 'position_value', here and in every ${position} reference"))
        #expect(warnings.filter { $0.message.hasPrefix("name '") }.count == 3)
    }

    @Test("a metadata row another cell refers to becomes a calculate with pantau's value; one nobody refers to is skipped")
    func referencedMetadata() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label"], ["start", "start", ""], ["end", "end", ""], ["deviceid", "device", ""],
                    ["note", "began", "Started at ${start} on ${device}"],
                ]
            )
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "start")?.type == .calculate && form.item(named: "start")?.calculation?.text == "once(now())")
        #expect(form.item(named: "device")?.calculation?.text == "''")
        #expect(form.item(named: "end") == nil)
        #expect(warnings.map(\.message).contains("metadata type 'deviceid' is referenced, but a laptop has no such value: ${device} is empty"))
    }

    @Test("a calculation on a question is its default (recomputed until changed); with a default beside it, refused")
    func calculatedQuestion() throws {
        let path = try workbook([
            (
                "survey",
                [["type", "name", "label", "calculation", "default"], ["decimal", "bill", "Bill", "", ""], ["decimal", "tip", "Tip", "${bill} * 0.1", ""]]
            )
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        guard case .expression(let expression)? = form.item(named: "tip")?.defaultValue else {
            Issue.record("the calculation is not the default")
            return
        }
        #expect(expression.text == "${bill} * 0.1" && form.item(named: "tip")?.calculation == nil)
        #expect(warnings.contains { $0.message.hasPrefix("the calculation of a decimal question is its default in pantau") })
        let both = try workbook(
            [("survey", [["type", "name", "label", "calculation", "default"], ["decimal", "tip", "Tip", "1 + 1", "3"]])], name: "both.xlsx")
        #expect(try refusal(both).diagnostics.map(\.code) == ["Q002"])
    }
}

/// An evaluation context holding only `.`, for checking a constraint on its own.
struct CurrentValue: EvaluationContext {
    var currentValue: Value
    var position: Int? { nil }
    var today: Int { 0 }
    var now: (seconds: Double, offsetMinutes: Int) { (0, 0) }
    func value(of field: String) -> Value { .empty }
    func previousValue(of field: String) -> Value { .empty }
    func choiceLabel(field: String, code: String) -> String? { nil }
    func choiceColumn(_ name: String) -> Value { .empty }
}
