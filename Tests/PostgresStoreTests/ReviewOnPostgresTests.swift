// The supervisor's views on a central PostgreSQL store: the review list and progress give what they give on an
// SQLite store holding the same interviews, reason for reason.
import Analysis
import Expressions
import Foundation
import Interview
import PostgresStore
import Questionnaire
import Store
import TestSupport
import Testing
import Workflows

let form = """
    settings: {form_id: desa, title: Desa, version: "1", unit_level: village}
    survey:
      - {type: integer, name: meetings, label: Meetings, constraint: ". <= 100"}
      - {type: integer, name: members, label: Members}
      - {type: text, name: head, label: Head}
      - {type: text, name: secretary, label: Secretary}
      - {type: integer, name: hamlets, label: Hamlets}
      - {type: text, name: note, label: Note, required: false}
      - {type: select_one size, name: size, label: Size, required: false}
    choices:
      size:
        - {name: small, label: Small}
        - {name: large, label: Large}

    """

let frame = """
    code,name,level,parent_code
    11,Aceh,province,
    1105,Aceh Barat,district,11
    1106,Aceh Besar,district,11
    1105010,Johan Pahlawan,subdistrict,1105
    1106010,Lhoong,subdistrict,1106
    1105010001,Desa Satu,village,1105010
    1105010002,Desa Dua,village,1105010
    1105010003,Desa Tiga,village,1105010
    1106010001,Desa Empat,village,1106010
    1106010002,Desa Lima,village,1106010
    1106010003,Desa Enam,village,1106010
    1106010004,Desa Tujuh,village,1106010

    """

let start = Timestamp(seconds: 1_623_718_800, offsetMinutes: 420)

func at(minutes: Double) -> Timestamp { Timestamp(seconds: start.seconds + minutes * 60, offsetMinutes: 420) }

/// Answers for the six questions: numbers for the integers, names for the text.
func answers(_ meetings: Value, members: Double = 9, head: Value = .string("Pak Ali"), hamlets: Double = 4, size: String = "small")
    -> [Address: AnswerRecord]
{
    [
        Address("size"): AnswerRecord(value: .string(size), origin: .entered, relevant: true),
        Address("meetings"): AnswerRecord(value: meetings, origin: .entered, relevant: true),
        Address("members"): AnswerRecord(value: .number(members), origin: .entered, relevant: true),
        Address("head"): AnswerRecord(value: head, origin: .entered, relevant: true),
        Address("secretary"): AnswerRecord(value: .string("Bu Sri"), origin: .entered, relevant: true),
        Address("hamlets"): AnswerRecord(value: .number(hamlets), origin: .entered, relevant: true),
    ]
}

/// An SQLite store with interviews that give every kind of review reason, in two rounds, by three enumerators.
func fieldStore() throws -> ResponseStore {
    let store = try ResponseStore(path: try temporaryPath("field.sqlite"))
    try store.importFrame(try FrameFile.parse(frame).get())
    let questionnaire = try QuestionnaireLoader.load(yaml: form, file: "desa.yaml").get()
    func interview(
        _ unit: String, round: String = "2021-H1", by enumerator: String, _ records: [Address: AnswerRecord], minutes: Double = 20,
        extra: [AuditEvent] = [], complete: Bool = true
    ) throws -> String {
        let opened = try store.openInterview(questionnaire, unit: unit, round: round, enumerator: enumerator, reopen: false, language: nil, at: start)
        let events = [AuditEvent(.entered(Address("meetings")), at: start)] + extra + [AuditEvent(.completed, at: at(minutes: minutes))]
        let transition = Transition(records: records, events: complete ? events : Array(events.dropLast()), cursor: .end)
        if complete {
            try store.complete(transition, interview: opened.uuid, language: nil, at: at(minutes: minutes))
        } else {
            try store.save(transition, interview: opened.uuid, language: nil, at: at(minutes: minutes))
        }
        return opened.uuid
    }
    _ = try interview("1105010001", by: "ani", answers(.number(9)), minutes: 22)
    let reopened = try interview("1105010002", by: "ani", answers(.number(4), head: .string("Pak Budi")), minutes: 25)
    _ = try interview("1105010003", by: "ani", answers(.number(5), head: .string("Pak Cahyo"), hamlets: 0, size: "large"), minutes: 19)
    // Two interviews with the same answers, one of them very short.
    _ = try interview("1106010001", by: "budi", answers(.number(6), head: .string("Pak Dedi")), minutes: 2)
    _ = try interview("1106010002", by: "budi", answers(.number(6), head: .string("Pak Dedi")), minutes: 21)
    // Non-responses, a soft check confirmed and a hard check failing on what was stored.
    var refused = answers(.number(500), members: 0, head: .nonResponse(.refused))
    refused[Address("members")] = AnswerRecord(value: .nonResponse(.dontKnow), origin: .entered, relevant: true)
    refused[Address("hamlets")] = AnswerRecord(value: .nonResponse(.dontKnow), origin: .entered, relevant: true)
    _ = try interview(
        "1106010003", by: "citra", refused, minutes: 24, extra: [AuditEvent(.softCheckConfirmed(Address("members"), reason: "new village"), at: at(minutes: 5))]
    )
    _ = try interview("1106010004", by: "citra", answers(.number(7)), complete: false)
    // Reopened after completion and changed.
    let question = try #require(try store.interviews().first { $0.uuid == reopened })
    _ = try store.openInterview(questionnaire, unit: question.unitCode, round: "2021-H1", enumerator: "ani", reopen: true, language: nil, at: at(minutes: 40))
    try store.complete(
        Transition(
            records: [Address("meetings"): AnswerRecord(value: .number(3), origin: .entered, relevant: true)],
            events: [AuditEvent(.changed(Address("meetings"), old: .number(4), new: .number(3)), at: at(minutes: 41))], cursor: .end),
        interview: reopened, language: nil, at: at(minutes: 41))
    // The next round: one number far from the unit's previous answer.
    _ = try interview("1105010001", round: "2021-H2", by: "ani", answers(.number(90)), minutes: 20)
    _ = try interview("1105010002", round: "2021-H2", by: "ani", answers(.number(4), head: .string("Pak Budi")), minutes: 18)
    return store
}

/// The field store and a PostgreSQL store holding the same interviews (taken in as a server takes a batch).
func bothStores() throws -> (sqlite: ResponseStore, postgres: PostgresStore, summary: MergeSummary) {
    let sqlite = try fieldStore()
    let postgres = try PostgresStore(url: try TestPostgres.database())
    let batch = try temporaryPath("batch.sqlite")
    try sqlite.writeBatch(to: batch, interviews: try sqlite.interviews().map(\.uuid), units: Set(try sqlite.units().map(\.code)))
    let summary = try postgres.merge(try BatchContents.read(path: batch), at: start, origin: "field.sqlite")
    return (sqlite, postgres, summary)
}

@Suite(.temporaryFiles)
struct ReviewOnPostgresTests {
    @Test("review and progress on PostgreSQL equal those on SQLite for the same interviews, every reason included")
    func sameAsSQLite() throws {
        let (sqlite, postgres, summary) = try bothStores()
        #expect(summary.count(.new) == 9)
        let reviewed = try sqlite.reviewList()
        #expect(
            Set(reviewed.flatMap(\.reasons).map(\.rule))
                == [
                    "copied_answers", "very_short", "non_responses", "soft_checks_confirmed", "hard_check_fails", "changed_after_completion",
                    "far_from_previous",
                ])
        #expect(try postgres.reviewList() == reviewed)
        for round in ["2021-H1", "2021-H2"] { #expect(try postgres.reviewList(round: round) == sqlite.reviewList(round: round)) }
        for grouping in ["district", "subdistrict", "enumerator"] {
            for round in ["2021-H1", "2021-H2"] {
                let here = try sqlite.progress(formID: "desa", unitLevel: "village", round: round, by: grouping)
                #expect(try postgres.progress(formID: "desa", unitLevel: "village", round: round, by: grouping) == here)
                #expect(here.reduce(0) { $0 + $1.units } == 7)
            }
        }
        let byDistrict = try postgres.progress(formID: "desa", unitLevel: "village", round: "2021-H1", by: "district")
        #expect(byDistrict.map(\.completed) == [3, 3] && byDistrict.map(\.draft) == [0, 1])
        #expect(throws: StoreError.self) { try postgres.progress(formID: "desa", unitLevel: "village", round: "2021-H1", by: "hamlet") }
    }
}

@Suite(.temporaryFiles)
struct AnalysisReadsOnPostgresTests {
    @Test("completed answers, as indicators read them: the same interviews, versions and values from PostgreSQL as from SQLite")
    func completedAnswers() throws {
        let (sqlite, postgres, _) = try bothStores()
        for round in ["2021-H1", "2021-H2"] {
            for names in [nil, ["meetings", "head"], ["nothing"]] as [Set<String>?] {
                let here = try sqlite.completedAnswers(formID: "desa", round: round, names: names)
                let there = try postgres.completedAnswers(formID: "desa", round: round, names: names)
                #expect(there.map(\.uuid) == here.map(\.uuid))
                #expect(there.map(\.unit) == here.map(\.unit) && there.map(\.version) == here.map(\.version))
                #expect(there.map(\.values) == here.map(\.values), "\(round) \(names ?? [])")
            }
        }
        let first = try sqlite.completedAnswers(formID: "desa", round: "2021-H1", names: ["meetings", "head"])
        // Six completed (the seventh is a draft); the refusal and the stored 500 are read as stored.
        #expect(first.count == 6)
        #expect(first.first { $0.unit == "1106010003" }?.values == [Address("meetings"): .number(500), Address("head"): .nonResponse(.refused)])
    }
}

@Suite(.temporaryFiles)
struct DuplicatesOnPostgresTests {
    @Test("duplicates and resolve on PostgreSQL: the same groups as on SQLite, the same interviews set aside with the same trail")
    func sameAsSQLite() throws {
        let field = try fieldStore()
        // A second device interviewed a unit the first one did too.
        let other = try ResponseStore(path: try temporaryPath("other.sqlite"))
        try other.importFrame(try FrameFile.parse(frame).get())
        let questionnaire = try QuestionnaireLoader.load(yaml: form, file: "desa.yaml").get()
        let opened = try other.openInterview(questionnaire, unit: "1105010001", round: "2021-H1", enumerator: "dedi", reopen: false, language: nil, at: start)
        try other.complete(Transition(records: answers(.number(8)), events: [], cursor: .end), interview: opened.uuid, language: nil, at: at(minutes: 30))
        let sqlite = try ResponseStore(path: try temporaryPath("central.sqlite"))
        let postgres = try PostgresStore(url: try TestPostgres.database())
        for (index, device) in [field, other].enumerated() {
            let batch = try temporaryPath("batch-\(index).sqlite")
            try device.writeBatch(to: batch, interviews: try device.interviews().map(\.uuid))
            _ = try sqlite.merge(from: batch, at: start, origin: "device \(index)")
            _ = try postgres.merge(try BatchContents.read(path: batch), at: start, origin: "device \(index)")
        }
        let groups = try sqlite.duplicates()
        #expect(groups.map(\.unitCode) == ["1105010001"] && groups.first?.interviews.count == 2)
        #expect(try postgres.duplicates().map { $0.interviews.map(\.uuid) } == groups.map { $0.interviews.map(\.uuid) })
        let setAside = try sqlite.resolve(keeping: opened.uuid, reason: "the first visit was to the wrong village", at: at(minutes: 60))
        #expect(try postgres.resolve(keeping: opened.uuid, reason: "the first visit was to the wrong village", at: at(minutes: 60)) == setAside)
        #expect(setAside.count == 1)
        #expect(try postgres.duplicates().isEmpty && sqlite.duplicates().isEmpty)
        for uuid in setAside + [opened.uuid] {
            let here = try sqlite.interview(uuid), there = try postgres.interview(uuid)
            #expect(there.summary.status == here.summary.status)
            #expect(there.audit.map(\.event) == here.audit.map(\.event) && there.audit.last?.detail == here.audit.last?.detail)
        }
        #expect(try postgres.interview(setAside[0]).summary.status == "discarded")
        #expect(throws: StoreError.self) { try postgres.resolve(keeping: opened.uuid, reason: "again", at: at(minutes: 61)) }
    }
}

@Suite(.temporaryFiles)
struct IndicatorsInPostgresTests {
    /// Every row of a table as text, values to full precision: what must be the same from both stores.
    static func lines(_ table: IndicatorTable) -> [String] {
        table.results.flatMap { result in
            result.rows.map { row in
                [
                    result.indicator.id, row.dimension, row.group, "\(row.value.map { "\($0)" } ?? "-")", "\(row.standardError.map { "\($0)" } ?? "-")",
                    "\(row.n)", "\(row.missing)", "\(row.nonResponse)", "\(row.notAsked)", "\(row.previous.map { "\($0)" } ?? "-")",
                ].joined(separator: " ")
            } + ["\(result.indicator.id) series \(result.series.map { "\($0.round)=\($0.value.map { "\($0)" } ?? "-")" })"]
        }
    }

    @Test("indicators evaluated in PostgreSQL equal those evaluated by pantau: empty, refused, numeric text, division by zero, choices, groups by answer")
    func sameAsEvaluatedHere() throws {
        let (sqlite, postgres, _) = try bothStores()
        let spec = try temporaryPath("indicators.yaml")
        try """
        indicators:
          - {id: ali, label: Ali, instrument: desa, share: {numerator: "${head} = 'Pak Ali'", denominator: "${head} != ''"}}
          - {id: not_ali, label: Not Ali, instrument: desa, share: {numerator: "not(${head} = 'Pak Ali')"}}
          - {id: many, label: Many, instrument: desa, share: {numerator: "${meetings} >= 5 and ${secretary} = 'Bu Sri'"}}
          - {id: noted, label: Noted, instrument: desa, share: {numerator: "${note} != ''"}}
          - {id: number_text, label: Number text, instrument: desa, count: "number(${secretary}) > 1 or ${hamlets} = '4'"}
          - {id: per_hamlet, label: Per hamlet, instrument: desa, mean: "${members} div ${hamlets}"}
          - {id: ratio, label: Ratio, instrument: desa, mean: "100 * ${meetings} div (${hamlets} - 4)"}
          - {id: median_meetings, label: Median, instrument: desa, median: "${meetings}", disaggregate: [district, size]}
          - {id: total_members, label: Total, instrument: desa, total: "${members} + ${hamlets}", disaggregate: [size]}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        var messages: [String] = []
        let there = try IndicatorWorkflow.table(spec: spec, store: postgres, round: "2021-H1", intervals: .fpc, language: nil) { messages.append($0) }
        let here = try IndicatorWorkflow.table(spec: spec, store: sqlite, round: "2021-H1", intervals: .fpc, language: nil)
        #expect(messages.allSatisfy { $0.hasSuffix("(evaluated by the store)") }, "\(messages)")
        #expect(Self.lines(there) == Self.lines(here))
        // The refusals and the empty note are counted as pantau counts them.
        let noted = try #require(here.results.first { $0.indicator.id == "noted" }?.rows.first)
        #expect(noted.value == 0 && noted.nonResponse == 0)
        let ratio = try #require(there.results.first { $0.indicator.id == "ratio" }?.rows.first)
        #expect(ratio.missing > 0, "division by zero is no value")
        #expect(there.results.first { $0.indicator.id == "total_members" }?.rows.contains { $0.group == "size=Large" } == true)
    }

    @Test("an indicator the store cannot evaluate (a function it does not know) is read and evaluated here, with the same result")
    func fallsBack() throws {
        let (sqlite, postgres, _) = try bothStores()
        let spec = try temporaryPath("indicators.yaml")
        try """
        indicators:
          - {id: long_name, label: Long name, instrument: desa, share: {numerator: "string-length(${head}) > 7"}}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        var messages: [String] = []
        let there = try IndicatorWorkflow.table(spec: spec, store: postgres, round: "2021-H1", intervals: .fpc, language: nil) { messages.append($0) }
        #expect(!messages.contains { $0.contains("evaluated by the store") })
        #expect(Self.lines(there) == Self.lines(try IndicatorWorkflow.table(spec: spec, store: sqlite, round: "2021-H1", intervals: .fpc, language: nil)))
    }

    @Test("indicators that read no answer (counts of interviews) are evaluated in PostgreSQL with every interview counted")
    func readingNoAnswer() throws {
        let (sqlite, postgres, _) = try bothStores()
        let spec = try temporaryPath("indicators.yaml")
        try """
        indicators:
          - {id: interviewed, label: Interviewed, instrument: desa, count: "1 > 0", disaggregate: [district]}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        var messages: [String] = []
        let there = try IndicatorWorkflow.table(spec: spec, store: postgres, round: "2021-H1", intervals: .fpc, language: nil) { messages.append($0) }
        let here = try IndicatorWorkflow.table(spec: spec, store: sqlite, round: "2021-H1", intervals: .fpc, language: nil)
        #expect(messages.allSatisfy { $0.hasSuffix("(evaluated by the store)") }, "\(messages)")
        #expect(Self.lines(there) == Self.lines(here))
        #expect((there.results.first?.rows.first?.n ?? 0) > 0)
    }
}
