// What pyxform tells apart by an item's place in the form, and what authors attach for other tools: duplicate
// names in different groups, unnamed notes, unlabelled choices, cells beyond pyxform's reading, osm questions,
// and instance::/bind::/body:: attributes carried to the codebook.
import Codebook
import Foundation
import Questionnaire
import Spreadsheet
import TestSupport
import Testing

@testable import XLSForm

@Suite(.temporaryFiles)
struct NamesAndAttributesTests {
    @Test("a name used again in another group is renamed after its group; in the same group it stays an error; an ambiguous ${} is refused")
    func duplicateNamesInGroups() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "relevant"],
                    ["text", "name", "Head's name", ""],
                    ["begin repeat", "member", "Members", ""],
                    ["text", "name", "Member's name", ""],
                    ["integer", "age", "Age", ""],
                    ["end repeat", "", "", ""],
                    ["begin group", "visitor", "Visitor", ""],
                    ["integer", "age", "Visitor's age", ""],
                    ["end group", "", "", ""],
                ]
            )
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "name")?.path == [])
        #expect(form.item(named: "member_name")?.repeatPath == ["member"])
        #expect(form.item(named: "age")?.repeatPath == ["member"])
        #expect(form.item(named: "visitor_age")?.path == ["visitor"])
        #expect(warnings.filter { $0.location.field == "name" }.map(\.location.line) == [4, 8])
        #expect(warnings.first { $0.location.line == 8 }?.message.contains("'visitor_age'") == true)

        // A reference to a name two groups share could mean either item: refused where it is written.
        let ambiguous = try workbook(
            [
                (
                    "survey",
                    [
                        ["type", "name", "label", "relevant"], ["begin group", "a", "A", ""], ["integer", "n", "N", ""], ["end group", "", "", ""],
                        ["begin group", "b", "B", ""], ["integer", "n", "N", ""], ["end group", "", "", ""], ["note", "done", "Done", "${n} > 1"],
                    ]
                )
            ], name: "ambiguous.xlsx")
        let report = try refusal(ambiguous)
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        #expect("\(error.location.line):\(error.location.field ?? "")" == "8:relevant")
        #expect(error.message == "${n} could mean the items at survey rows 3 and 6, in different groups; rename one of them")

        // Twice in one group: the author's mistake, as pyxform says too.
        let same = try workbook(
            [("survey", [["type", "name", "label"], ["text", "x", "X"], ["integer", "x", "X again"]])], name: "same.xlsx")
        #expect(try refusal(same).diagnostics.map(\.code) == ["Q013"])
    }

    @Test("a note without a name is named as pyxform names it; a choice without a label shows its name; both with a warning")
    func unnamedNotesAndUnlabelledChoices() throws {
        let path = try workbook([
            ("survey", [["type", "name", "label"], ["note", "", "Welcome"], ["select_one yn", "ok", "OK?"]]),
            ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", ""]]),
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "generated_note_name_2")?.label?.text(in: nil) == "Welcome")
        #expect(form.choiceLists.first?.choice("no")?.label?.text(in: nil) == "no")
        #expect(warnings.map { "\($0.location.file.split(separator: ":").last ?? ""):\($0.location.line)" }.sorted() == ["choices:3", "survey:2"])
    }

    @Test("cells after 60 empty rows or right of 20 empty header cells are not part of the form, as pyxform reads it, and are named in a warning")
    func strayCellsBeyondTheForm() throws {
        var rows: [[String]] = [["type", "name", "label"] + Array(repeating: "", count: 20) + ["what four?"], ["text", "a", "A"]]
        rows += Array(repeating: [String](), count: 60)
        rows.append(["party like it's 1999", "", ""])
        let (form, warnings) = try XLSForm.load(path: try workbook([("survey", rows)])).get()
        #expect(form.allItems.map(\.name) == ["a"])
        #expect(warnings.map { "\($0.location.line):\($0.location.column)" }.sorted() == ["1:24", "63:1"])

        // Fewer empty rows than that, and the row is read (and here refused for its unknown type).
        var near: [[String]] = [["type", "name", "label"], ["text", "a", "A"]]
        near += Array(repeating: [String](), count: 59)
        near.append(["party like it's 1999", "b", "B"])
        #expect(try refusal(try workbook([("survey", near)], name: "near.xlsx")).diagnostics.map(\.code) == ["Q010"])
    }

    @Test("an osm question is a file attachment (the .osm file mapped elsewhere) with its tags from the osm sheet as the hint")
    func openStreetMap() throws {
        let path = try workbook([
            (
                "survey",
                [["type", "name", "label", "hint"], ["osm building_tags", "building", "Building", ""], ["osm", "road", "Road", "The road in front"]]
            ),
            ("osm", [["list name", "name", "label"], ["building_tags", "name", "Name"], ["building_tags", "building", "Building"], ["other", "x", "X"]]),
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "building")?.type == .attachment(.file))
        #expect(form.item(named: "building")?.hint?.text(in: nil) == "The .osm file of this feature, tagged: Name (name), Building (building)")
        #expect(form.item(named: "road")?.hint?.text(in: nil) == "The road in front")
        #expect(warnings.count == 2)
    }

    @Test("instance::, custom bind:: and body:: attributes are carried to the item and its codebook entry, and written back; bind::saveIncomplete is implied")
    func attributesForOtherTools() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "instance::hxl", "bind::bindAttribute", "bind::saveIncomplete"],
                    ["integer", "age", "Age", "#age", "x", "true()"],
                    ["text", "name_of", "Name", "", "", ""],
                ]
            )
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "age")?.attributes == ["instance::hxl": "#age", "bind::bindAttribute": "x"])
        #expect(form.item(named: "name_of")?.attributes == [:])
        #expect(warnings.compactMap(\.location.field).sorted() == ["bind::bindAttribute", "bind::saveIncomplete", "instance::hxl"])
        let entry = try #require(Codebook(form).entries.first { $0.name == "age" })
        #expect(entry.attributes.map { "\($0.name)=\($0.value)" } == ["bind::bindAttribute=x", "instance::hxl=#age"])
        #expect(CodebookMarkdown.render(Codebook(form)).contains("| instance::hxl | \\#age |"))
        // Written back as the same columns, read again as the same attributes.
        let again = try temporaryPath("again.xlsx")
        try XLSForm.write(form).write(to: URL(fileURLWithPath: again))
        #expect(try XLSForm.load(path: again).get().questionnaire.item(named: "age")?.attributes == form.item(named: "age")?.attributes)

        let preload = try workbook([("survey", [["type", "name", "label", "bind::jr:preload"], ["text", "a", "A", "uid"]])], name: "preload.xlsx")
        #expect(try refusal(preload).diagnostics.map(\.code) == ["Q050"])
    }

    @Test("a trigger column names the fields whose change alone recomputes a calculation, and is written back")
    func trigger() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label", "calculation", "trigger"], ["select_one yn", "consent", "Consent?", "", ""],
                    ["calculate", "consent_time", "", "now()", "${consent}"],
                ]
            ),
            ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]),
        ])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "consent_time")?.trigger == ["consent"])
        #expect(warnings.isEmpty)
        let again = try temporaryPath("again.xlsx")
        try XLSForm.write(form).write(to: URL(fileURLWithPath: again))
        #expect(try XLSForm.load(path: again).get().questionnaire.item(named: "consent_time")?.trigger == ["consent"])
    }

    @Test("background-audio records nothing on a terminal: the row is left out with a warning that names the audit trail instead")
    func backgroundAudio() throws {
        let path = try workbook([("survey", [["type", "name", "label"], ["background-audio", "recording", ""], ["text", "a", "A"]])])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(form.allItems.map(\.name) == ["a"])
        #expect(warnings.map(\.message) == ["background-audio: pantau records no sound; every answer, change and check is in its audit trail with its time"])
    }

    @Test("choice media are kept with the choice, shown by file name beside its label (or alone), in the codebook, and written back")
    func choiceMedia() throws {
        let path = try workbook([
            ("survey", [["type", "name", "label"], ["select_one faces", "mood", "Mood"]]),
            (
                "choices",
                [
                    ["list_name", "name", "label", "image", "media::audio::id"], ["faces", "happy", "Happy", "happy.jpg", ""],
                    ["faces", "sad", "", "sad.jpg", "sedih.mp3"],
                ]
            ),
        ])
        let (form, _) = try XLSForm.load(path: path).get()
        let list = try #require(form.choiceList(named: "faces"))
        #expect(list.choice("happy")?.media["image"]?.text(in: nil) == "happy.jpg")
        #expect(list.choice("sad")?.label == nil)
        #expect(list.choice("sad")?.media["audio"]?.text(in: "id") == "sedih.mp3")
        let s = try Scenario(try XLSForm.convert(path: path).get().yaml)
        #expect(s.engine.prompt()?.choices.map(\.shown) == ["Happy [image: happy.jpg]", "sad [audio: sedih.mp3] [image: sad.jpg]"])
        #expect(Codebook(form).entries.first?.choices.map(\.labels) == [["Happy"], ["[audio: sedih.mp3]", "[image: sad.jpg]"]])
        let again = try temporaryPath("again.xlsx")
        try XLSForm.write(form).write(to: URL(fileURLWithPath: again))
        #expect(try XLSForm.load(path: again).get().questionnaire.choiceList(named: "faces")?.choice("sad")?.media == list.choice("sad")?.media)
    }

    @Test("texts the conversion adds (or_other's label and choice, a range's message, an osm hint) are in Indonesian where the form's language is")
    func generatedTextsInIndonesian() throws {
        let path = try workbook([
            (
                "survey",
                [
                    ["type", "name", "label::English (en)", "label::Bahasa (id)", "parameters"],
                    ["select_one yn or_other", "ok", "OK?", "Oke?", ""], ["range", "score", "Score", "Nilai", "start=0 end=10 step=2"],
                    ["osm building_tags", "office", "Office", "Kantor", ""],
                ]
            ),
            ("choices", [["list_name", "name", "label::English (en)", "label::Bahasa (id)"], ["yn", "yes", "Yes", "Ya"]]),
            ("osm", [["list_name", "name", "label"], ["building_tags", "name", "Name"]]),
        ])
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "ok_other")?.label?.text(in: "id") == "Sebutkan lainnya")
        #expect(form.item(named: "ok_other")?.label?.text(in: "en") == "Specify other")
        #expect(form.choiceList(named: "yn")?.choice("other")?.label?.text(in: "id") == "Lainnya")
        #expect(form.item(named: "score")?.constraintMessage?.text(in: "id") == "Dari 0 sampai 10, kelipatan 2")
        #expect(form.item(named: "office")?.hint?.text(in: "id") == "Berkas .osm fitur ini, dengan tag: Name (name)")
        #expect(form.item(named: "office")?.hint?.text(in: "en") == "The .osm file of this feature, tagged: Name (name)")
    }
}
