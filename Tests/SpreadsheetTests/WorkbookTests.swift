// Requirements covered here (issue: a codebase on checks that cannot lie):
// S1 a workbook written is read back cell for cell: text, numbers, empty cells, sheet names
// S2 a damaged part (a sheet cut in the middle of its XML) is an error naming the part, never a smaller workbook
// S3 a file that is not a zip archive, or a zip without a workbook, is refused with a reason
import Foundation
import TestSupport
import Testing
import ZIPFoundation

@testable import Spreadsheet

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

/// Fixtures/cells.xls and cells.xlsx hold the same cells, written by xlwt and openpyxl
/// (Scripts/reference/workbook_cells.py).
struct LegacyWorkbookTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"))
    }

    @Test("an Excel 97–2003 .xls reads like the .xlsx of the same cells: dates by their formats, numbers, booleans, Unicode")
    func sameCells() throws {
        for name in ["cells.xls", "cells.xlsx"] {
            let book = try Workbook.read(try Self.fixture(name))
            let survey = try #require(book.sheet("survey"), "\(name)")
            func row(_ number: Int) -> [String] {
                let cells = survey.rows.first { $0.number == number }?.cells ?? [:]
                return (0..<5).map { cells[$0] ?? "" }
            }
            #expect(row(1) == ["type", "name", "label", "default", "when"], "\(name)")
            #expect(row(2) == ["date", "visit", "Tanggal kunjungan", "2021-06-30", "2021-06-30T14:05:09"], "\(name)")
            #expect(row(3) == ["integer", "staff", "Jumlah staf 职员", "12", "0.25"], "\(name)")
            #expect(row(4) == ["decimal", "budget", "Anggaran (Rp)", "1234567.5", "-3"], "\(name)")
            #expect(row(5) == ["acknowledge", "ok", "Setuju?", "TRUE", "07:30:00"], "\(name)")
        }
        // 400 long choice labels: the shared-string table runs on into CONTINUE records.
        let choices = try #require(try Workbook.read(try Self.fixture("cells.xls")).sheet("choices"))
        #expect(choices.rows.count == 401)
        #expect(choices.rows.last?.cells[2] == "pilihan nomor 399 " + String(repeating: "x", count: 40))
    }

    @Test("a damaged or foreign .xls is a clear error, never a trap", arguments: [0, 8, 100, 512, 600, 2000, 5000])
    func damaged(cut: Int) throws {
        let whole = try Self.fixture("cells.xls")
        var bytes = [UInt8](whole.prefix(cut))
        if cut == 0 { bytes = LegacyWorkbook.signature + [UInt8](repeating: 0, count: 600) }
        #expect(throws: Workbook.ReadError.self) { try Workbook.read(Data(bytes)) }
        // Every byte of the header and directory sectors flipped in turn: an error or a workbook, never a trap.
        if cut == 5000 {
            for index in stride(from: 0, to: min(whole.count, 4096), by: 7) {
                var flipped = [UInt8](whole)
                flipped[index] ^= 0xFF
                _ = try? Workbook.read(Data(flipped))
            }
        }
    }

    @Test("Excel serial dates: the 1900 system's phantom leap day, the 1904 system, times of day")
    func serials() {
        #expect(CellFormat.dateText(1, date1904: false, date: true, time: false) == "1900-01-01")
        #expect(CellFormat.dateText(59, date1904: false, date: true, time: false) == "1900-02-28")
        #expect(CellFormat.dateText(61, date1904: false, date: true, time: false) == "1900-03-01")
        #expect(CellFormat.dateText(44377, date1904: false, date: true, time: false) == "2021-06-30")
        #expect(CellFormat.dateText(0, date1904: true, date: true, time: false) == "1904-01-01")
        #expect(CellFormat.dateText(0.75, date1904: false, date: false, time: true) == "18:00:00")
        #expect(CellFormat.isDate(formatID: 0, code: "dd/mm/yyyy") && !CellFormat.isDate(formatID: 0, code: "0.00"))
        #expect(!CellFormat.isDate(formatID: 0, code: "\"days\" 0") && !CellFormat.isDate(formatID: 0, code: "[Red]0.0"))
    }
}
