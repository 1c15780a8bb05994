// Data files beside a form as ODK reads them: choice files in CSV, XML and GeoJSON; csv-external and xml-external
// tables; instance('…')/root/item[…] lookups into them and into choice lists, answered by the interview engine.
import Expressions
import Foundation
import Questionnaire
import Spreadsheet
import TestSupport
import Testing

@testable import XLSForm

@Suite(.temporaryFiles)
struct ExternalDataTests {
    static let villagesXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <root>
          <item><name>v1</name><label>Desa Satu</label><district>bantaeng</district></item>
          <item><name>v2</name><label>Desa Dua</label><district>pidie</district></item>
        </root>
        """
    static let areasGeoJSON = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "id": "a1", "geometry": {"type": "Point", "coordinates": [119.95, -5.55]},
           "properties": {"title": "Pasar", "kind": "market"}},
          {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[119.9, -5.5], [120.0, -5.5], [120.0, -5.6]]]},
           "properties": {"id": "a2", "title": "Sawah", "kind": "field"}}
        ]}
        """
    static let householdsCSV = "hh_id,head,members\nH1,Ani,4\nH2,Siti,6\n"

    /// A form and its three data files in one folder.
    func form(_ survey: [[String]], choices: [[String]] = [["list_name", "name", "label"]]) throws -> String {
        let folder = try temporaryDirectory()
        try Self.villagesXML.write(to: folder.appendingPathComponent("villages.xml"), atomically: true, encoding: .utf8)
        try Self.areasGeoJSON.write(to: folder.appendingPathComponent("areas.geojson"), atomically: true, encoding: .utf8)
        try Self.householdsCSV.write(to: folder.appendingPathComponent("households.csv"), atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("form.xlsx").path
        try Workbook.write([(name: "survey", rows: survey), (name: "choices", rows: choices)]).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("choices from XML and GeoJSON files; a csv-external table; instance() lookups answered in an interview")
    func lookupsInAnInterview() throws {
        let path = try form(
            [
                ["type", "name", "label", "calculation"],
                ["csv-external", "households", "", ""],
                ["select_one_from_file villages.xml", "village", "Village", ""],
                ["select_one_from_file areas.geojson", "area", "Area", ""],
                ["select_one yn", "ok", "OK?", ""],
                ["text", "hh_id", "Household", ""],
                ["calculate", "head", "", "instance('households')/root/item[hh_id = ${hh_id}]/head"],
                ["calculate", "village_district", "", "instance('villages')/root/item[name = ${village}]/district"],
                ["calculate", "area_shape", "", "instance('areas')/root/item[name = ${area}]/geometry"],
                ["calculate", "ok_label", "", "instance('yn')/root/item[name = ${ok}]/label"],
                ["calculate", "fields", "", "count(instance('areas')/root/item[kind = 'field'])"],
            ], choices: [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]])
        let (form, warnings) = try XLSForm.load(path: path).get()
        #expect(warnings.isEmpty)
        #expect(form.choiceList(named: "villages")?.choices.map(\.name) == ["v1", "v2"])
        #expect(form.choiceList(named: "villages")?.choice("v2")?.label?.text(in: nil) == "Desa Dua")
        #expect(form.choiceList(named: "areas")?.choices.map { $0.label?.text(in: nil) ?? "" } == ["Pasar", "Sawah"])
        #expect(form.choiceList(named: "areas")?.choice("a1")?.attributes["geometry"] == "-5.55 119.95 0 0")
        #expect(form.lookups["households"]?.rows.count == 2)
        #expect(form.item(named: "households") == nil)

        let converted = try XLSForm.convert(path: path).get()
        let s = try Scenario(converted.yaml)
        s.answer("village", "v2")
        s.answer("area", "a2")
        s.answer("ok", "yes")
        s.answer("hh_id", "H2")
        #expect(s.value("head") == .string("Siti"))
        #expect(s.value("village_district") == .string("pidie"))
        #expect(s.value("area_shape") == .string("-5.5 119.9 0 0;-5.5 120.0 0 0;-5.6 120.0 0 0"))
        #expect(s.value("ok_label") == .string("Yes"))
        #expect(s.value("fields") == .number(1))
    }

    @Test("an instance() of no list, a file that is missing or malformed, a GeoJSON feature without an id: refused at the cell")
    func refusals() throws {
        let unknown = try form([
            ["type", "name", "label", "calculation"], ["text", "a", "A", ""], ["calculate", "b", "", "instance('nowhere')/root/item[name = ${a}]/label"],
        ])
        let report = try refusal(unknown)
        #expect(report.diagnostics.first { $0.severity == .error }.map { "\($0.location.line):\($0.location.field ?? "") \($0.code)" } == "3:calculation X004")

        let folder = try temporaryDirectory()
        try "<root><item><name>a</name>".write(to: folder.appendingPathComponent("broken.xml"), atomically: true, encoding: .utf8)
        try #"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"title": "x"}}]}"#.write(
            to: folder.appendingPathComponent("noid.geojson"), atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("files.xlsx").path
        try Workbook.write([
            (
                name: "survey",
                rows: [
                    ["type", "name", "label"], ["select_one_from_file broken.xml", "a", "A"], ["select_one_from_file noid.geojson", "b", "B"],
                    ["xml-external", "missing", ""],
                ]
            )
        ]).write(to: URL(fileURLWithPath: path))
        let messages = try refusal(path).diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains { $0.hasPrefix("the choices file 'broken.xml' is not well-formed XML") })
        #expect(messages.contains("the choices file 'noid.geojson' has a feature (number 1) with no id, which ODK takes as the choice's name"))
        #expect(messages.contains("instance('missing') reads 'missing.xml', which is not beside the form"))
    }

    @Test("search() appearances: choices from a CSV file by the columns the choices sheet names, filtered as the search says")
    func searchAppearance() throws {
        let folder = try temporaryDirectory()
        try "name_key,name,colour\nmango,Mango,yellow\nlime,Lime,green\nmangosteen,Mangosteen,purple\n".write(
            to: folder.appendingPathComponent("fruits.csv"), atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("search.xlsx").path
        try Workbook.write([
            (
                name: "survey",
                rows: [
                    ["type", "name", "label", "appearance"], ["select_one fruits", "any_fruit", "Fruit", "search('fruits')"],
                    ["text", "start", "Starts with", ""],
                    ["select_one fruits", "some_fruit", "Fruit", "minimal search('fruits', 'startswith', 'name_key', ${start})"],
                    ["select_one fruits", "green_fruit", "Fruit", "search('fruits', 'matches', 'colour', 'green')"],
                ]
            ),
            (name: "choices", rows: [["list_name", "name", "label"], ["fruits", "name_key", "name"]]),
        ]).write(to: URL(fileURLWithPath: path))
        let (form, _) = try XLSForm.load(path: path).get()
        #expect(form.item(named: "any_fruit")?.type.choiceList == "fruits_search")
        #expect(form.choiceList(named: "fruits_search")?.choices.map(\.name) == ["mango", "lime", "mangosteen"])
        #expect(form.choiceList(named: "fruits_search")?.choice("lime")?.label?.text(in: nil) == "Lime")
        #expect(form.item(named: "some_fruit")?.appearance == "minimal")
        #expect(form.item(named: "some_fruit")?.choiceFilter?.text == "starts-with(name_key, ${start})")
        #expect(form.item(named: "green_fruit")?.choiceFilter?.text == "colour = 'green'")

        let s = try Scenario(try XLSForm.convert(path: folder.appendingPathComponent("search.xlsx").path).get().yaml)
        s.answer("any_fruit", "mangosteen")
        s.answer("start", "mango")
        #expect(s.answer("some_fruit", "lime") != .accepted)
        #expect(s.answer("some_fruit", "mangosteen") == .accepted)
        #expect(s.answer("green_fruit", "mango") != .accepted)
        #expect(s.answer("green_fruit", "lime") == .accepted)
    }
}
