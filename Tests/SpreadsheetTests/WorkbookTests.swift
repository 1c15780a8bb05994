// Requirements covered here (issue: a codebase on checks that cannot lie):
// S1 a workbook written is read back cell for cell: text, numbers, empty cells, sheet names
// S2 a damaged part (a sheet cut in the middle of its XML) is an error naming the part, never a smaller workbook
// S3 a file that is not a zip archive, or a zip without a workbook, is refused with a reason
import Foundation
import Spreadsheet
import TestSupport
import Testing
import ZIPFoundation

struct WorkbookTests {
    let sheets: [Workbook.SheetContent] = [
        Workbook.SheetContent(
            name: "survey", rows: [[.text("type"), .text("name")], [.text("integer"), .text("age")], [.text("<&>"), .number(2.5)]],
            header: true),
        Workbook.SheetContent(name: "choices", rows: [[.text("list_name")], [], [.number(3)]]),
    ]

    @Test("S1: written and read back, cell for cell")
    func roundTrip() throws {
        let workbook = try Workbook.read(try Workbook.write(sheets))
        #expect(workbook.sheets.map(\.name) == ["survey", "choices"])
        let survey = try #require(workbook.sheet("SURVEY"))
        #expect(survey.rows.map(\.number) == [1, 2, 3])
        #expect(survey.rows[2].cells == [0: "<&>", 1: "2.5"])
        let choices = try #require(workbook.sheet("choices"))
        #expect(choices.rows.map(\.number) == [1, 3] && choices.rows[1].cells == [0: "3"])
    }

    /// The workbook's parts with one replaced, zipped again.
    func rezip(_ data: Data, replacing part: String, with transform: (Data) -> Data) throws -> Data {
        let source = try Archive(data: data, accessMode: .read)
        let target = try Archive(accessMode: .create)
        for entry in source {
            var bytes = Data()
            _ = try source.extract(entry) { bytes.append($0) }
            if entry.path == part { bytes = transform(bytes) }
            try target.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(bytes.count)) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(target.data)
    }

    @Test("S2: a sheet cut in the middle of its XML is an error at its part, not a shorter sheet")
    func damagedSheet() throws {
        let damaged = try rezip(try Workbook.write(sheets), replacing: "xl/worksheets/sheet1.xml") { $0.prefix($0.count / 2) }
        #expect {
            _ = try Workbook.read(damaged)
        } throws: { error in
            guard case Workbook.ReadError.damagedPart(let part, _, _) = error else { return false }
            return part == "xl/worksheets/sheet1.xml" && "\(error)".hasPrefix("the workbook is damaged: its part xl/worksheets/sheet1.xml")
        }
    }

    @Test("S3: not a zip, or a zip without a workbook, is refused with its reason")
    func notAWorkbook() throws {
        #expect(throws: Workbook.ReadError.notAWorkbook("it is not a zip archive")) { try Workbook.read(Data("survey,choices\n".utf8)) }
        let empty = try Archive(accessMode: .create)
        let text = Data("hi".utf8)
        try empty.addEntry(with: "readme.txt", type: .file, uncompressedSize: Int64(text.count)) { (_: Int64, _: Int) in text }
        #expect(throws: Workbook.ReadError.notAWorkbook("it has no xl/workbook.xml")) { try Workbook.read(try #require(empty.data)) }
    }

    @Test("column letters and indices are inverse")
    func columns() {
        for index in [0, 1, 25, 26, 27, 701, 702, 16_383] {
            #expect(Workbook.columnLetters(index).isEmpty == false)
        }
        #expect(Workbook.columnLetters(0) == "A" && Workbook.columnLetters(25) == "Z" && Workbook.columnLetters(26) == "AA")
        #expect(Workbook.columnLetters(701) == "ZZ" && Workbook.columnLetters(702) == "AAA" && Workbook.columnLetters(16_383) == "XFD")
    }
}
