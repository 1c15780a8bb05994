import Testing
import Tabular

struct CSVTests {
    @Test("RFC 4180 fields: quotes, commas, line breaks, CRLF, BOM, blank lines")
    func parse() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\n"
        let rows = try CSV.parse(text).get()
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test("malformed quoting is located")
    func errors() {
        #expect(throws: CSV.ParseError(line: 2, message: "a quoted field is never closed")) { try CSV.parse("a\n\"open\n").get() }
        #expect(throws: CSV.ParseError(line: 1, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")) {
            try CSV.parse("ab\"c\n").get()
        }
        #expect(throws: CSV.ParseError(line: 1, message: "text after a closing quote; a quoted field must end at a comma or line end")) {
            try CSV.parse("\"a\"b\n").get()
        }
    }

    @Test("writing then reading gives the same fields")
    func roundTrip() throws {
        let rows = [["code", "name"], ["1", "a, \"b\"\nc"], [" padded ", ""]]
        #expect(try CSV.parse(CSV.write(rows)).get().map(\.fields) == rows)
    }
}
