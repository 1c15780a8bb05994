// Every export read back and compared with the store: wide and repeat CSV, long CSV, Stata .dta (read by a
// reader written here from the format's documentation), and .xlsx (unzipped and its XML read).
import Expressions
import Foundation
import Interview
import Questionnaire
import Tabular
import TestSupport
import Testing
import ZIPFoundation

@testable import Exports
@testable import Store

let exportForm = """
    settings: {form_id: hh, title: Household survey, version: "1", unit_level: village}
    survey:
      - {type: text, name: head_name, label: Head of household, pii: true}
      - {type: integer, name: members, label: Members, allow: [dont_know, refused]}
      - {type: decimal, name: income, label: Income}
      - {type: select_one yn, name: electricity, label: Electricity}
      - {type: select_multiple src, name: water, label: Water sources}
      - {type: date, name: visit, label: Visit date}
      - type: repeat
        name: person
        label: Person
        children:
          - {type: text, name: person_name, label: Name}
          - {type: integer, name: age, label: Age}
    choices:
      yn: [{name: "yes", label: "Yes"}, {name: "no", label: "No"}]
      src: [{name: well, label: Well}, {name: pipe, label: Piped water}, {name: river, label: River}]
    """

let exportFrame = """
    code,name,level,parent_code
    11,Aceh,province,
    1101,Simeulue,district,11
    1101001,Desa A,village,1101
    1101002,Desa B,village,1101
    1101003,Desa C,village,1101
    """

let moment = Timestamp(seconds: 1_623_718_800, offsetMinutes: 420)

/// A store with two completed interviews (one with non-responses and two persons) and a draft.
func exportStore() throws -> ResponseStore {
    let path = try temporaryPath("store.sqlite")
    let store = try ResponseStore(path: path)
    try store.importFrame(try FrameFile.parse(exportFrame).get())
    let form = try QuestionnaireLoader.load(yaml: exportForm, file: "hh.yaml").get()
    func interview(_ unit: String, _ records: [Address: Value], complete: Bool = true) throws {
        let opened = try store.openInterview(form, unit: unit, round: "2021-H1", enumerator: "e-\(unit)", reopen: false, language: nil, at: moment)
        let later = Timestamp(seconds: moment.seconds + 600, offsetMinutes: 420)
        // Repeat instance counts are kept as the engine keeps them (origin: instances).
        let transition = Transition(
            records: Dictionary(
                uniqueKeysWithValues: records.map { address, value in
                    (address, AnswerRecord(value: value, origin: address.name == "person" ? .instances : .entered, relevant: true))
                }),
            events: [AuditEvent(.completed, at: later)], cursor: .end)
        if complete {
            try store.complete(transition, interview: opened.uuid, language: nil, at: later)
        } else {
            try store.save(transition, interview: opened.uuid, language: nil, at: later)
        }
    }
    try interview(
        "1101001",
        [
            Address("head_name"): .string("Ibu Sari"), Address("members"): .number(4), Address("income"): .number(1_250_000.5),
            Address("electricity"): .string("yes"), Address("water"): .string("well pipe"), Address("visit"): .date(18_800),
            Address("person"): .number(2),
            Address("person_name", [1]): .string("Sari"), Address("age", [1]): .number(40),
            Address("person_name", [2]): .string("Budi, \"junior\""), Address("age", [2]): .number(12),
        ])
    try interview(
        "1101002",
        [
            Address("head_name"): .string("Pak Ahmad"), Address("members"): .nonResponse(.dontKnow),
            Address("income"): .nonResponse(.refused), Address("electricity"): .string("no"), Address("water"): .string("river"),
        ])
    try interview("1101003", [Address("members"): .number(9)], complete: false)
    return store
}

@Suite(.temporaryFiles)
struct ExportTests {
    @Test("the wide table: frame identifiers, one row per completed interview, select_multiple flags, personal data left out")
    func wide() throws {
        let data = try ExportData.build(from: try exportStore(), formID: "hh")
        #expect(data.wide.rows.count == 2)
        #expect(data.excludedPII == ["head_name"])
        let names = data.wide.columns.map(\.name)
        #expect(!names.contains("head_name"))
        #expect(
            Array(names.prefix(7)) == [
                "interview_uuid", "frame_province_code", "frame_province_name", "frame_district_code", "frame_district_name",
                "frame_village_code", "frame_village_name",
            ])
        #expect(Array(names.suffix(8)) == ["members", "income", "electricity", "water", "water_well", "water_pipe", "water_river", "visit"])
        let withPII = try ExportData.build(from: try exportStore(), formID: "hh", includePII: true)
        #expect(withPII.wide.columns.contains { $0.name == "head_name" } && withPII.excludedPII.isEmpty)
        #expect(try ExportData.build(from: try exportStore(), formID: "hh", statuses: ["draft"]).wide.rows.count == 1)
        #expect(throws: ExportError.unknownQuestionnaire("nope")) { try ExportData.build(from: try exportStore(), formID: "nope") }
    }

    @Test("CSV: read back, every cell equals the store's answer; the repeat table keys its rows to the interview")
    func csv() throws {
        let store = try exportStore()
        let folder = try temporaryDirectory().path
        let files = try Exporter.write(try ExportData.build(from: store, formID: "hh"), as: .csv, to: folder)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["hh.csv", "hh-person.csv", "hh-codebook.md"])
        let rows = try CSV.parse(String(contentsOfFile: files[0], encoding: .utf8)).get().map(\.fields)
        let header = rows[0]
        func value(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        let byVillage = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { (value($0, "frame_village_code"), $0) })
        for summary in try store.interviews(status: "completed") {
            let row = try #require(byVillage[summary.unitCode])
            #expect(value(row, "interview_uuid") == summary.uuid)
            #expect(value(row, "frame_district_name") == "Simeulue")
            #expect(value(row, "duration_minutes") == "10.0")
            for answer in try store.interview(summary.uuid).answers where answer.address.indices.isEmpty && header.contains(answer.address.name) {
                #expect(value(row, answer.address.name) == answer.stored.text, "\(answer.address)")
            }
        }
        let first = try #require(byVillage["1101001"]), second = try #require(byVillage["1101002"])
        #expect([value(first, "water_well"), value(first, "water_pipe"), value(first, "water_river")] == ["1", "1", "0"])
        #expect(value(second, "members") == "dont_know" && value(second, "income") == "refused" && value(second, "visit") == "")
        #expect(value(first, "visit") == "2021-06-22")
        let persons = try CSV.parse(String(contentsOfFile: files[1], encoding: .utf8)).get().map(\.fields)
        #expect(persons[0] == ["interview_uuid", "round", "unit_code", "instance", "person_name", "age"])
        #expect(persons.dropFirst().map { Array($0.suffix(3)) } == [["1", "Sari", "40"], ["2", "Budi, \"junior\"", "12"]])
        let codebook = try String(contentsOfFile: files[2], encoding: .utf8)
        #expect(codebook.contains("personal data left out (add --include-pii to export them): head_name"))
    }

    @Test("long: one row per relevant answer, the same values as the store")
    func long() throws {
        let store = try exportStore()
        let folder = try temporaryDirectory().path
        let files = try Exporter.write(try ExportData.build(from: store, formID: "hh"), as: .long, to: folder)
        let rows = try CSV.parse(String(contentsOfFile: files[0], encoding: .utf8)).get().map(\.fields)
        #expect(rows[0] == ["interview_uuid", "unit_code", "round", "variable", "instance", "value"])
        var expected: [[String]] = []
        for summary in try store.interviews(status: "completed") {
            for answer in try store.interview(summary.uuid).answers where answer.relevant && answer.origin != "instances" && answer.address.name != "head_name"
            {
                expected.append([
                    summary.uuid, summary.unitCode, "2021-H1", answer.address.name, answer.address.indices.map(String.init).joined(separator: ","),
                    answer.stored.text,
                ])
            }
        }
        #expect(Set(rows.dropFirst()) == Set(expected))
        #expect(rows.count - 1 == expected.count)
    }

    @Test("Stata .dta 118: read back by an independent reader; labels, value labels, dates, extended missing values")
    func stata() throws {
        let store = try exportStore()
        let folder = try temporaryDirectory().path
        let files = try Exporter.write(try ExportData.build(from: store, formID: "hh"), as: .dta, to: folder)
        let file = try DTAFile(Data(contentsOf: URL(fileURLWithPath: files[0])))
        #expect(file.release == 118 && file.label == "Household survey")
        #expect(file.observations == 2)
        let data = try ExportData.build(from: store, formID: "hh")
        #expect(file.names == data.wide.columns.map(\.name))
        #expect(file.labels[file.names.firstIndex(of: "income")!] == "Income")
        let villages = file.column("frame_village_code").map { $0.string ?? "" }
        let a = villages.firstIndex(of: "1101001")!, b = villages.firstIndex(of: "1101002")!
        #expect(file.column("members")[a].number == 4 && file.column("income")[a].number == 1_250_000.5)
        #expect(file.column("members")[b].missing == "a" && file.column("income")[b].missing == "b")
        // select_one: numbered in choice order with value labels.
        #expect(file.column("electricity")[a].number == 1 && file.column("electricity")[b].number == 2)
        // The extended missing values carry labels too: .a, .b, .c are 2,147,483,622 … in Stata's value labels.
        #expect(file.valueLabels["electricity"] == [1: "Yes", 2: "No", 2_147_483_622: "don't know", 2_147_483_623: "refused", 2_147_483_624: "not applicable"])
        #expect(file.valueLabelNames[file.names.firstIndex(of: "members")!] == "nonresponse")
        #expect(file.valueLabels["nonresponse"] == [2_147_483_622: "don't know", 2_147_483_623: "refused", 2_147_483_624: "not applicable"])
        #expect(file.valueLabelNames[file.names.firstIndex(of: "duration_minutes")!] == "", "no non-response there: no label set")
        // started_at is a Stata datetime (%tc: milliseconds since 1960-01-01), not text.
        let started = file.names.firstIndex(of: "started_at")!
        #expect(file.formats[started] == "%tc" && file.column("started_at")[a].number == (1_623_718_800 + 3_653 * 86_400) * 1_000)
        #expect(file.valueLabelNames[file.names.firstIndex(of: "electricity")!] == "electricity")
        #expect(file.column("water_pipe")[a].number == 1 && file.column("water_river")[a].number == 0 && file.column("water_river")[b].number == 1)
        // Dates: days since 1960-01-01 with %td; 2021-06-22 is 22,453.
        #expect(file.column("visit")[a].number == 22_453 && file.formats[file.names.firstIndex(of: "visit")!] == "%td")
        #expect(file.column("visit")[b].missing == "")
        #expect(file.column("water")[a].string == "well pipe" && file.column("enumerator")[b].string == "e-1101002")
        let persons = try DTAFile(Data(contentsOf: URL(fileURLWithPath: files[1])))
        #expect(persons.observations == 2 && persons.column("person_name").compactMap(\.string) == ["Sari", "Budi, \"junior\""])
    }

    @Test("Stata names made valid and unique; long strings as strL")
    func stataEdges() throws {
        let columns = [
            ExportData.Column(name: "1st value", label: "", kind: .text), ExportData.Column(name: "1st-value", label: "", kind: .text),
            ExportData.Column(name: String(repeating: "x", count: 40), label: "A label", kind: .text),
        ]
        #expect(StataWriter.names(columns) == ["_1st_value", "_1st_value_2", String(repeating: "x", count: 32)])
        let long = String(repeating: "kata ", count: 600)
        let table = ExportData.Table(
            name: "t", columns: [ExportData.Column(name: "note", label: "Note", kind: .text)],
            rows: [[.value(text: long, number: nil)], [.empty]])
        let file = try DTAFile(try StataWriter.write(table, label: "strL"))
        #expect(file.types == [32_768])
        #expect(file.column("note").map { $0.string ?? "" } == [long, ""])
    }

    @Test("xlsx: the workbook's sheets read back with the same cells as the wide table")
    func xlsx() throws {
        let store = try exportStore()
        let data = try ExportData.build(from: store, formID: "hh")
        let folder = try temporaryDirectory().path
        let files = try Exporter.write(data, as: .xlsx, to: folder)
        let archive = try Archive(url: URL(fileURLWithPath: files[0]), accessMode: .read)
        func part(_ path: String) throws -> String {
            guard let entry = archive[path] else { throw ExportError.cannotWrite(path: path, reason: "missing part") }
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try part("xl/workbook.xml").contains("<sheet name=\"data\"") && (try part("xl/workbook.xml")).contains("<sheet name=\"codebook\""))
        let cells = XLSXCells(try part("xl/worksheets/sheet1.xml"))
        #expect(cells.rows.first == data.wide.columns.map(\.name))
        for (index, row) in data.wide.rows.enumerated() {
            #expect(cells.rows[index + 1].count == row.count)
            for (position, cell) in row.enumerated() {
                let read = cells.rows[index + 1][position]
                if case .value(_, let number?) = cell, data.wide.columns[position].kind == .number {
                    #expect(Double(read) == number, "\(data.wide.columns[position].name)")
                } else {
                    #expect(read == cell.text, "\(data.wide.columns[position].name)")
                }
            }
        }
        #expect(try part("xl/worksheets/sheet3.xml").contains("Personal data left out: head_name"))
    }
}

/// The cells of a worksheet, row by row, as text (inline strings unescaped, numbers as written).
struct XLSXCells {
    var rows: [[String]] = []

    init(_ xml: String) {
        for rowMatch in xml.components(separatedBy: "<row ").dropFirst() {
            let body = rowMatch.components(separatedBy: "</row>")[0]
            var row: [String] = []
            for cell in body.components(separatedBy: "<c r=\"").dropFirst() {
                let reference = String(cell.prefix { $0 != "\"" })
                let column = reference.prefix { $0.isLetter }.reduce(0) { $0 * 26 + Int($1.asciiValue! - 64) } - 1
                while row.count < column { row.append("") }
                var text = ""
                if let start = cell.range(of: "<t xml:space=\"preserve\">"), let end = cell.range(of: "</t>") {
                    text = String(cell[start.upperBound..<end.lowerBound])
                } else if let start = cell.range(of: "<v>"), let end = cell.range(of: "</v>") {
                    text = String(cell[start.upperBound..<end.lowerBound])
                }
                row.append(
                    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&"))
            }
            rows.append(row)
        }
        let width = rows.map(\.count).max() ?? 0
        rows = rows.map { $0 + [String](repeating: "", count: width - $0.count) }
    }
}

/// A reader of .dta format 118, written from Stata's description of the format, for the tests.
struct DTAFile {
    enum Cell {
        case number(Double)
        case string(String)
        /// "" for ., "a" for .a, …
        case missingValue(String)

        var number: Double? { if case .number(let value) = self { value } else { nil } }
        var string: String? { if case .string(let value) = self { value } else { nil } }
        var missing: String? { if case .missingValue(let letter) = self { letter } else { nil } }
    }

    var release = 0, observations = 0
    var label = ""
    var types: [Int] = [], names: [String] = [], formats: [String] = [], valueLabelNames: [String] = [], labels: [String] = []
    var rows: [[Cell]] = []
    var valueLabels: [String: [Int32: String]] = [:]

    func column(_ name: String) -> [Cell] {
        let index = names.firstIndex(of: name)!
        return rows.map { $0[index] }
    }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        var at = 0
        func expect(_ tag: String) throws {
            let tagBytes = Array(tag.utf8)
            guard Array(bytes[at..<at + tagBytes.count]) == tagBytes else { throw ExportError.cannotWrite(path: "dta", reason: "expected \(tag) at \(at)") }
            at += tagBytes.count
        }
        func integer(_ size: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<size { value |= UInt64(bytes[at + index]) << (8 * UInt64(index)) }
            at += size
            return value
        }
        func text(_ size: Int) -> String {
            let field = bytes[at..<at + size]
            at += size
            return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        }
        try expect("<stata_dta><header><release>")
        release = Int(text(3))!
        try expect("</release><byteorder>LSF</byteorder><K>")
        let k = Int(integer(2))
        try expect("</K><N>")
        observations = Int(integer(8))
        try expect("</N><label>")
        label = text(Int(integer(2)))
        try expect("</label><timestamp>")
        _ = text(Int(integer(1)))
        try expect("</timestamp></header><map>")
        at += 14 * 8
        try expect("</map><variable_types>")
        types = (0..<k).map { _ in Int(integer(2)) }
        try expect("</variable_types><varnames>")
        names = (0..<k).map { _ in text(129) }
        try expect("</varnames><sortlist>")
        at += 2 * (k + 1)
        try expect("</sortlist><formats>")
        formats = (0..<k).map { _ in text(57) }
        try expect("</formats><value_label_names>")
        valueLabelNames = (0..<k).map { _ in text(129) }
        try expect("</value_label_names><variable_labels>")
        labels = (0..<k).map { _ in text(321) }
        try expect("</variable_labels><characteristics></characteristics><data>")
        var strlRefs: [(row: Int, column: Int, v: Int, o: Int)] = []
        for row in 0..<observations {
            var cells: [Cell] = []
            for (column, type) in types.enumerated() {
                switch type {
                case 65526:
                    let value = Double(bitPattern: integer(8))
                    let pattern = value.bitPattern
                    if pattern >= 0x7FE0_0000_0000_0000, pattern < 0x7FF0_0000_0000_0000 {
                        let letter = Int((pattern - 0x7FE0_0000_0000_0000) >> 40)
                        cells.append(.missingValue(letter == 0 ? "" : String(UnicodeScalar(UInt8(96 + letter)))))
                    } else {
                        cells.append(.number(value))
                    }
                case 65528:
                    let value = Int32(bitPattern: UInt32(integer(4)))
                    cells.append(
                        value >= 2_147_483_621
                            ? .missingValue(value == 2_147_483_621 ? "" : String(UnicodeScalar(UInt8(96 + Int(value - 2_147_483_621)))))
                            : .number(Double(value)))
                case 65530:
                    let value = Int8(bitPattern: UInt8(integer(1)))
                    cells.append(value >= 101 ? .missingValue(value == 101 ? "" : String(UnicodeScalar(UInt8(96 + Int(value - 101))))) : .number(Double(value)))
                case 32768:
                    let v = Int(integer(2)), o = Int(integer(6))
                    cells.append(.string(""))
                    if v != 0 { strlRefs.append((row, column, v, o)) }
                case 1...2045:
                    cells.append(.string(text(type)))
                default:
                    throw ExportError.cannotWrite(path: "dta", reason: "type \(type)")
                }
            }
            rows.append(cells)
        }
        try expect("</data><strls>")
        var strls: [String: String] = [:]
        while Array(bytes[at..<at + 3]) == Array("GSO".utf8) {
            at += 3
            let v = Int(integer(4)), o = Int(integer(8))
            _ = integer(1)
            let length = Int(integer(4))
            strls["\(v),\(o)"] = String(decoding: bytes[at..<at + length].prefix { $0 != 0 }, as: UTF8.self)
            at += length
        }
        for reference in strlRefs { rows[reference.row][reference.column] = .string(strls["\(reference.v),\(reference.o)"] ?? "") }
        try expect("</strls><value_labels>")
        while Array(bytes[at..<at + 5]) == Array("<lbl>".utf8) {
            at += 5
            _ = integer(4)
            let name = text(129)
            at += 3
            let count = Int(integer(4)), textLength = Int(integer(4))
            let offsets = (0..<count).map { _ in Int(integer(4)) }
            let values = (0..<count).map { _ in Int32(bitPattern: UInt32(integer(4))) }
            let table = Array(bytes[at..<at + textLength])
            at += textLength
            var labels: [Int32: String] = [:]
            for (offset, value) in zip(offsets, values) { labels[value] = String(decoding: table[offset...].prefix { $0 != 0 }, as: UTF8.self) }
            valueLabels[name] = labels
            try expect("</lbl>")
        }
        try expect("</value_labels></stata_dta>")
    }
}

@Suite(.temporaryFiles)
struct TypedExportTests {
    static let form = """
        settings: {form_id: typed, title: Typed, version: "1", unit_level: village}
        survey:
          - {type: identifier, name: sekar_desa, label: Sekar Desa village}
          - {type: select_one yn, name: sid, label: "SID (last round: ${previous(${sid})})"}
          - {type: integer, name: spent, label: Spent}
          - {type: integer, name: total, label: Total}
          - {type: calculate, name: share, label: Share, calculation: "100 * ${spent} div ${total}"}
          - {type: calculate, name: verdict, label: Verdict, calculation: "if(${spent} > 5, 'high', 'low')"}
          - {type: calculate, name: spent_code, label: Spent as a code, calculation: "string(${spent})"}
        choices:
          yn: [{name: "yes", label: "Yes"}, {name: "no", label: "No"}]
        """

    @Test("calculations export with their type, numeric frame attributes as numbers, labels without ${…}")
    func typed() throws {
        let store = try ResponseStore(path: try temporaryPath("typed.sqlite"))
        try store.importFrame(try FrameFile.parse("code,name,level,parent_code,sekar_desa\n1,Desa,village,,1\n2,Dua,village,,0\n").get())
        let form = try QuestionnaireLoader.load(yaml: Self.form, file: "typed.yaml").get()
        for (unit, spent) in [("1", 10.0), ("2", 4.0)] {
            let opened = try store.openInterview(form, unit: unit, round: "2021-H1", enumerator: "e", reopen: false, language: nil, at: moment)
            let records: [Address: Value] = [
                Address("sekar_desa"): .string(unit == "1" ? "1" : "0"), Address("sid"): .string("yes"), Address("spent"): .number(spent),
                Address("total"): .number(40), Address("share"): .number(100 * spent / 40), Address("verdict"): .string(spent > 5 ? "high" : "low"),
                Address("spent_code"): .string(String(Int(spent))),
            ]
            try store.complete(
                Transition(
                    records: records.mapValues { AnswerRecord(value: $0, origin: .entered, relevant: true) }, events: [], cursor: .end),
                interview: opened.uuid, language: nil, at: moment)
        }
        let data = try ExportData.build(from: store, formID: "typed")
        func kind(_ name: String) -> ExportData.Kind? { data.wide.columns.first { $0.name == name }?.kind }
        #expect(kind("share") == .number && kind("verdict") == .text && kind("sekar_desa") == .number && kind("started_at") == .dateTime)
        // The author chooses a type by converting: string(…) keeps a number as text.
        #expect(kind("spent_code") == .text)
        // The codebook beside a CSV export says each column's type.
        let csvFolder = try temporaryDirectory().path
        let codebook = try String(contentsOfFile: try Exporter.write(data, as: .csv, to: csvFolder).last!, encoding: .utf8)
        #expect(codebook.contains("| share | Share | number |") && codebook.contains("| spent_code | Spent as a code | text |"))
        #expect(data.wide.columns.first { $0.name == "sid" }?.label == "SID (last round: sid, last round)")
        let folder = try temporaryDirectory().path
        let file = try DTAFile(Data(contentsOf: URL(fileURLWithPath: try Exporter.write(data, as: .dta, to: folder)[0])))
        #expect(Set(file.column("share").compactMap(\.number)) == [25, 10])
        #expect(Set(file.column("sekar_desa").compactMap(\.number)) == [1, 0])
        #expect(file.column("verdict").compactMap(\.string).sorted() == ["high", "low"])
        #expect(!file.labels.contains { $0.contains("${") })
    }
}
