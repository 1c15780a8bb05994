import Expressions
// Requirements covered here:
// A1 typed text becomes a value of the item's type, or an error that says how to write it
import Testing

@testable import Questionnaire

struct AnswerParsingTests {
    static let list = ChoiceList(
        name: "uses",
        choices: ["planning", "budgeting", "reporting"].map {
            Choice(name: $0, label: nil, attributes: [:], location: SourceLocation(file: "t", line: 1, column: 1))
        }, location: SourceLocation(file: "t", line: 1, column: 1))

    static let accepted: [(ItemType, String, Value)] = [
        (.integer, "42", .number(42)), (.integer, " -3 ", .number(-3)), (.integer, "+7", .number(7)),
        (.decimal, "2.5", .number(2.5)), (.decimal, "-0.25", .number(-0.25)), (.text, " a b ", .string(" a b ")),
        (.selectOne(list: "uses"), "planning", .string("planning")),
        (.selectMultiple(list: "uses"), "reporting planning", .string("planning reporting")),
        (.selectMultiple(list: "uses"), "budgeting,budgeting", .string("budgeting")),
        (.selectMultiple(list: "uses"), "", .string("")),
        (.date, "2021-06-30", .date(CivilDate(year: 2021, month: 6, day: 30)!.days)),
        (.time, "09:30", .time(34_200)), (.acknowledge, "ok", .string("OK")),
        (
            .dateTime, "2021-06-30T09:30+07:00",
            .dateTime(Double(CivilDate(year: 2021, month: 6, day: 30)!.days) * 86_400 + 9_000, offsetMinutes: 420)
        ),
        (.geopoint, "-8.65 115.22", .string("-8.65 115.22")), (.geopoint, "-8.65 115.22 12 5", .string("-8.65 115.22 12 5")),
        (.rank(list: "uses"), "reporting planning budgeting", .string("reporting planning budgeting")),
        (.rank(list: "uses"), "budgeting,reporting, planning", .string("budgeting reporting planning")),
        (.geotrace, "-8.65 115.22; -8.66 115.23 10 4", .string("-8.65 115.22; -8.66 115.23 10 4")),
        (.geotrace, " -8.65 115.22;-8.66 115.23; ", .string("-8.65 115.22; -8.66 115.23")),
        // An area is closed: its first corner repeated at the end, whether or not it was typed.
        (.geoshape, "-8.65 115.22; -8.66 115.22; -8.66 115.23", .string("-8.65 115.22; -8.66 115.22; -8.66 115.23; -8.65 115.22")),
        (.geoshape, "-8.65 115.22; -8.66 115.22; -8.66 115.23; -8.65 115.22", .string("-8.65 115.22; -8.66 115.22; -8.66 115.23; -8.65 115.22")),
    ]

    @Test("A1: accepted answers", arguments: accepted)
    func accepts(type: ItemType, text: String, expected: Value) throws {
        #expect(try type.parseAnswer(text, choices: Self.list).get() == expected)
    }

    static let rejected: [(ItemType, String, String)] = [
        (.integer, "4.5", "'4.5' is not a whole number; enter it without decimals"), (.integer, "abc", "'abc' is not a whole number"),
        (.decimal, "2,5", "'2,5' uses a comma; write decimals with a point, e.g. 2.5"), (.decimal, "nan", "'nan' is not a number"),
        (.decimal, "1e9", "'1e9' is not a number"),
        (.selectOne(list: "uses"), "plan", "'plan' is not one of the choices: planning, budgeting, reporting"),
        (.selectMultiple(list: "uses"), "planning nope", "'nope' is not one of the choices: planning, budgeting, reporting"),
        (.date, "30/06/2021", "'30/06/2021' is not a date; write it as YYYY-MM-DD, e.g. 2021-06-30"),
        (.date, "2021-02-29", "'2021-02-29' is not a date; write it as YYYY-MM-DD, e.g. 2021-06-30"),
        (.time, "25:00", "'25:00' is not a time; write it as HH:MM, e.g. 09:30"),
        (.geopoint, "-8.65", "enter a location as 'latitude longitude [altitude [accuracy]]', e.g. -8.65 115.22"),
        (.geopoint, "95 10", "latitude must be between -90 and 90"), (.geopoint, "5 190", "longitude must be between -180 and 180"),
        (.geopoint, "5 10 0 -1", "accuracy cannot be negative"), (.acknowledge, "yes", "acknowledge with OK"),
        (.note, "x", "note items take no answer"),
        (.rank(list: "uses"), "reporting planning", "put every choice in order; still missing: budgeting"),
        (.rank(list: "uses"), "reporting reporting planning", "'reporting' is given twice; each choice once"),
        (.rank(list: "uses"), "reporting nope", "'nope' is not one of the choices: planning, budgeting, reporting"),
        (.geotrace, "-8.65 115.22", "a line needs at least 2 points separated by ';', e.g. -8.65 115.22; -8.66 115.23"),
        (.geotrace, "-8.65 115.22; 95 10", "point 2: latitude must be between -90 and 90"),
        (
            .geoshape, "-8.65 115.22; -8.66 115.22; -8.65 115.22",
            "an area needs at least 3 corners separated by ';', e.g. -8.65 115.22; -8.66 115.22; -8.66 115.23"
        ),
    ]

    @Test("A1: rejected answers say why", arguments: rejected)
    func rejects(type: ItemType, text: String, message: String) {
        guard case .failure(let error) = type.parseAnswer(text, choices: Self.list) else {
            Issue.record("\(text) should be rejected for \(type)")
            return
        }
        #expect(error.description == message)
    }
}

struct RankTests {
    @Test("a rank under a choice filter orders the choices on offer, not the whole list")
    func offered() throws {
        let type = ItemType.rank(list: "uses")
        #expect(
            try type.parseAnswer("reporting planning", choices: AnswerParsingTests.list, offered: ["planning", "reporting"]).get()
                == .string("reporting planning"))
        guard case .failure(let error) = type.parseAnswer("planning", choices: AnswerParsingTests.list, offered: ["planning", "reporting"]) else {
            Issue.record("an incomplete ranking was accepted")
            return
        }
        #expect(error.description == "put every choice in order; still missing: reporting")
        #expect(error.message(indonesian: true) == "urutkan semua pilihan; yang belum: reporting")
    }
}
