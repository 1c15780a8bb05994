// Requirements covered here (issue: six-monthly indicators), on a small fixed store worked out by hand:
// A1 shares, means, medians, totals and counts; n, N, missing and non-responses
// A2 only completed interviews count; irrelevant answers never count; units missing in a round are not guessed
// A3 disaggregations by frame level, frame attribute and answer
// A4 previous round and change; target status (met, on track, off track)
// A5 intervals with and without the finite-population correction
// A6 a changed choice list between the rounds' versions is reported, not silently compared
// A7 the specification is validated with located errors
// A8 the renderers: Markdown, CSV, JSON, and a self-contained HTML file
import Expressions
import Foundation
import Interview
import Questionnaire
import TestSupport
import Testing

@testable import Analysis
@testable import Reports
@testable import Store

let version1 = """
    settings: {form_id: f, title: F, version: "v1", unit_level: village}
    survey:
      - {type: select_one s, name: state, label: Status}
      - {type: integer, name: num, label: Number, allow: [dont_know]}
      - {type: select_one yn, name: flag, label: Flag, relevant: "${state} = 'a'"}
    choices:
      s: [{name: a, label: A}, {name: b, label: B}]
      yn: [{name: "yes", label: "Yes"}, {name: "no", label: "No"}]

    """
let version2 = version1.replacingOccurrences(of: "version: \"v1\"", with: "version: \"v2\"")
    .replacingOccurrences(of: "s: [{name: a, label: A}, {name: b, label: B}]", with: "s: [{name: a, label: A}, {name: c, label: C}]")

let specText = """
    title: Test indicators
    indicators:
      - id: share_a
        label: Share with status a
        instrument: f
        share: {numerator: "${state} = 'a'", denominator: "${state} != ''"}
        disaggregate: [province, grp, state]
        baseline: {value: 50, date: 2020-12-31}
        target: {value: 90, date: 2021-12-31}
      - id: mean_num
        label: Mean number
        instrument: f
        mean: ${num}
        disaggregate: [province]
        target: {value: 30, date: 2021-12-31}
      - id: median_num
        label: Median number
        instrument: f
        median: ${num}
      - id: total_num
        label: Total number
        instrument: f
        total: ${num}
      - id: count_a
        label: Units with status a
        instrument: f
        count: ${state} = 'a'
      - id: flag_yes
        label: Flag yes among status a
        instrument: f
        share: {numerator: "${state} = 'a' and ${flag} = 'yes'", denominator: "${state} = 'a'"}

    """

struct Fixture {
    let store: ResponseStore
    let folder: URL

    static func make() throws -> Fixture {
        let folder = try temporaryDirectory()
        let store = try ResponseStore(path: folder.appendingPathComponent("s.sqlite").path)
        try store.importFrame(
            try FrameFile.parse(
                """
                code,name,level,parent_code,grp
                P1,Province One,province,,x
                P2,Province Two,province,,y
                U1,Unit 1,village,P1,x
                U2,Unit 2,village,P1,y
                U3,Unit 3,village,P2,x
                U4,Unit 4,village,P2,y

                """
            ).get())
        let v1 = try QuestionnaireLoader.load(yaml: version1, file: "v1").get()
        let v2 = try QuestionnaireLoader.load(yaml: version2, file: "v2").get()
        let now = Timestamp(seconds: 1_640_000_000, offsetMinutes: 420)
        let id1 = try store.questionnaireID(v1, at: now), id2 = try store.questionnaireID(v2, at: now)
        try store.defineRound(Round(code: "R1", startsOn: "2020-12-01", endsOn: "2020-12-31"))
        try store.defineRound(Round(code: "R2", startsOn: "2021-06-01", endsOn: "2021-06-30"))
        func record(_ value: Value, relevant: Bool = true) -> AnswerRecord { AnswerRecord(value: value, origin: .entered, relevant: relevant) }
        func interview(_ unit: String, _ round: String, _ id: Int64, _ records: [String: AnswerRecord]) -> CompletedInterview {
            CompletedInterview(
                uuid: UUID().uuidString.lowercased(), questionnaireID: id, formID: "f", unit: unit, round: round, enumerator: "e",
                started: now, ended: now, language: nil,
                records: Dictionary(uniqueKeysWithValues: records.map { (Address($0.key), $0.value) }), events: [])
        }
        try store.insertCompleted([
            // R1, version 1: U4 not interviewed.
            interview("U1", "R1", id1, ["state": record(.string("a")), "num": record(.number(10)), "flag": record(.string("yes"))]),
            interview(
                "U2", "R1", id1,
                [
                    "state": record(.string("b")), "num": record(.nonResponse(.dontKnow)),
                    "flag": record(.string("yes"), relevant: false),
                ]),
            interview("U3", "R1", id1, ["state": record(.string("a")), "num": record(.number(20)), "flag": record(.string("no"))]),
            // R2, version 2 (state's choices changed): U3's interview is still a draft, U4 left num empty.
            interview("U1", "R2", id2, ["state": record(.string("a")), "num": record(.number(30)), "flag": record(.string("yes"))]),
            interview("U2", "R2", id2, ["state": record(.string("c")), "num": record(.number(40))]),
            interview("U4", "R2", id2, ["state": record(.string("a")), "num": record(.empty), "flag": record(.string("no"))]),
        ])
        // A draft for U3 in R2: never counted.
        _ = try store.openInterview(v2, unit: "U3", round: "R2", enumerator: "e", reopen: false, language: nil, at: now)
        try specText.write(to: folder.appendingPathComponent("indicators.yaml"), atomically: true, encoding: .utf8)
        return Fixture(store: store, folder: folder)
    }

    func table(round: String, intervals: IntervalMethod = .fpc, spec specFile: String = "indicators.yaml", language: String? = nil) throws -> IndicatorTable {
        let v1 = try QuestionnaireLoader.load(yaml: version1, file: "v1").get()
        let v2 = try QuestionnaireLoader.load(yaml: version2, file: "v2").get()
        let spec = try IndicatorSet.load(
            path: folder.appendingPathComponent(specFile).path, questionnaires: [v2],
            frameLevels: ["province", "village"], frameAttributes: ["grp"]
        ).get()
        var data: [String: [String: RoundData]] = [:]
        for (code, end) in [("R1", CivilDate(year: 2020, month: 12, day: 31)!.days), ("R2", CivilDate(year: 2021, month: 6, day: 30)!.days)] {
            let answers = try store.completedAnswers(formID: "f", round: code)
            data[code] = [
                "f": RoundData(
                    round: code, endDay: end, formID: "f",
                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
            ]
        }
        let units = try store.units()
        return IndicatorCalculator(units: units, questionnaires: [v2], intervals: intervals, language: language)
            .table(title: "T", indicators: spec.indicators, round: round, rounds: ["R1", "R2"], data: data, versions: ["f": ["v1": v1, "v2": v2]])
    }
}

func row(_ table: IndicatorTable, _ id: String, _ dimension: String = "overall", _ group: String = "all") -> IndicatorRow? {
    table.results.first { $0.indicator.id == id }?.rows.first { $0.dimension == dimension && $0.group == group }
}

@Suite(.temporaryFiles)
struct IndicatorTests {
    @Test("A1 A2: values, n, N, missing and non-responses worked out by hand")
    func values() throws {
        let fixture = try Fixture.make()
        let r1 = try fixture.table(round: "R1")
        let share = try #require(row(r1, "share_a"))
        #expect(abs(share.value! - 200.0 / 3) < 1e-9)
        #expect(share.n == 3 && share.population == 4 && share.missing == 0 && share.nonResponse == 0)
        let mean = try #require(row(r1, "mean_num"))
        #expect(mean.value == 15 && mean.n == 2 && mean.nonResponse == 1 && mean.missing == 0)
        #expect(row(r1, "median_num")?.value == 15)
        #expect(row(r1, "total_num")?.value == 30)
        #expect(row(r1, "count_a")?.value == 2)
        // U2's "yes" is irrelevant (its state is b) and never counts.
        #expect(row(r1, "flag_yes")?.value == 50)
        #expect(row(r1, "flag_yes")?.n == 2)

        let r2 = try fixture.table(round: "R2")
        // U3's draft does not count; U4's empty number is missing.
        #expect(abs(row(r2, "share_a")!.value! - 200.0 / 3) < 1e-9)
        #expect(row(r2, "mean_num")?.value == 35)
        #expect(row(r2, "mean_num")?.missing == 1)
        #expect(row(r2, "mean_num")?.n == 2)
    }

    @Test("A3: by frame level, frame attribute and answer")
    func disaggregations() throws {
        let r1 = try Fixture.make().table(round: "R1")
        #expect(row(r1, "share_a", "province", "Province One")?.value == 50)
        #expect(row(r1, "share_a", "province", "Province One")?.population == 2)
        #expect(row(r1, "share_a", "province", "Province Two")?.value == 100)
        #expect(row(r1, "share_a", "province", "Province Two")?.n == 1)
        #expect(row(r1, "share_a", "grp", "grp=x")?.value == 100)
        #expect(row(r1, "share_a", "grp", "grp=y")?.value == 0)
        #expect(row(r1, "share_a", "answer state", "state=A")?.value == 100)
        #expect(row(r1, "share_a", "answer state", "state=A")?.population == nil)
        #expect(row(r1, "mean_num", "province", "Province Two")?.value == 20)
    }

    @Test("A4: previous round, change and target status")
    func previousAndStatus() throws {
        let r2 = try Fixture.make().table(round: "R2")
        #expect(r2.previousRound == "R1")
        #expect(row(r2, "mean_num")?.previous == 15)
        #expect(row(r2, "mean_num")?.change == 20)
        // mean 35 ≥ target 30: met. share 66.7 at 2021-06-30 against the path 50 → 90 (2020-12-31 → 2021-12-31):
        // 50 + 40 × 181/365 = 69.8, so off track.
        let results = Dictionary(uniqueKeysWithValues: r2.results.map { ($0.indicator.id, $0) })
        #expect(results["mean_num"]?.status == .met)
        #expect(results["share_a"]?.status == .offTrack)
        let calculator = IndicatorCalculator(units: [], questionnaires: [])
        let indicator = try #require(results["share_a"]?.indicator)
        #expect(calculator.status(indicator, value: 70, day: CivilDate(year: 2021, month: 6, day: 30)!.days) == .onTrack)
        #expect(calculator.status(indicator, value: 95, day: nil) == .met)
        #expect(results["median_num"]?.status == nil)
    }

    @Test("A5: intervals with the finite-population correction, without it, and none")
    func intervals() throws {
        let fixture = try Fixture.make()
        // Values 10 and 20: sd 7.0711; se = 7.0711/√2 = 5; with N = 4, n = 2 the correction is √(2/3).
        let fpc = try #require(row(try fixture.table(round: "R1"), "mean_num"))
        #expect(abs(fpc.standardError! - 5 * (2.0 / 3).squareRoot()) < 1e-9)
        #expect(abs(fpc.low! - (15 - 1.96 * 5 * (2.0 / 3).squareRoot())) < 1e-9)
        let srs = try #require(row(try fixture.table(round: "R1", intervals: .srs), "mean_num"))
        #expect(abs(srs.standardError! - 5) < 1e-9)
        // A share of 2/3 among n = 3 of N = 4: se = √(p(1−p)/n) × √((N−n)/(N−1)).
        let share = try #require(row(try fixture.table(round: "R1"), "share_a"))
        #expect(abs(share.standardError! - 100 * ((2.0 / 9) / 3).squareRoot() * (1.0 / 3).squareRoot()) < 1e-9)
        #expect(row(try fixture.table(round: "R1", intervals: .none), "mean_num")?.standardError == nil)
    }

    @Test("A6: a changed choice list is reported")
    func comparability() throws {
        let r2 = try Fixture.make().table(round: "R2")
        let results = Dictionary(uniqueKeysWithValues: r2.results.map { ($0.indicator.id, $0) })
        #expect(results["share_a"]?.comparability == "not comparable with R1: state's choices changed between v1 and v2 (a b → a c)")
        #expect(results["mean_num"]?.comparability == nil)
        #expect(try Fixture.make().table(round: "R1").results.allSatisfy { $0.comparability == nil })
    }

    @Test("A7: the specification is checked, every problem at its place")
    func validation() throws {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("bad.indicators.yaml").path
        try """
        indicators:
          - id: a
            label: A
            instrument: g
            mean: ${num}
          - id: b
            label: B
            instrument: f
            share: {numerator: "${flag} = 'yes'", denominator: "${state} = 'a'"}
          - id: c
            label: C
            instrument: f
            mean: ${nmu} + 1
            disaggregate: [regency]
          - id: d
            label: D
            instrument: f
            mean: ${num}
            count: ${num} > 1
            target: {value: high}

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let v1 = try QuestionnaireLoader.load(yaml: version1, file: "v1").get()
        guard case .failure(let report) = IndicatorSet.load(path: path, questionnaires: [v1], frameLevels: ["province"], frameAttributes: []) else {
            Issue.record("expected errors")
            return
        }
        #expect(
            report.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.code)" } == [
                "4:17 I001", "9:24 I003", "13:11 X004", "14:20 I005", "15:5 I002",
            ])
        #expect(report.diagnostics[0].message == "indicator a: no questionnaire has form_id 'g'; did you mean f?")
    }

    @Test("A7: an indicator that reads, or disaggregates by, a question marked personal data is an error (I006)")
    func personalData() throws {
        let form = try QuestionnaireLoader.load(
            yaml: """
                settings: {form_id: f, title: F, version: "1"}
                survey:
                  - {type: text, name: head_phone, label: Phone, pii: true}
                  - {type: select_one yn, name: head_ethnicity, label: Ethnicity, pii: true}
                  - {type: integer, name: num, label: N}
                choices:
                  yn: [{name: "y", label: Y}, {name: "n", label: N}]
                """, file: "f"
        ).get()
        let spec = """
            indicators:
              - {id: a, label: A, instrument: f, count: "string-length(${head_phone}) > 0"}
              - {id: b, label: B, instrument: f, mean: "${num}", disaggregate: [head_ethnicity]}
              - {id: c, label: C, instrument: f, mean: "${num}"}
            """
        guard case .failure(let report) = IndicatorSet.load(yaml: spec, file: "s.yaml", questionnaires: [form]) else {
            Issue.record("expected I006")
            return
        }
        #expect(report.diagnostics.map(\.code) == ["I006", "I006"], "\(report.diagnostics)")
        #expect(report.diagnostics.first?.message.contains("reads ${head_phone}, which f marks as personal data (pii)") == true)
    }

    @Test("A8: renderers; the HTML is one offline file")
    func renderers() throws {
        let table = try Fixture.make().table(round: "R2")
        let markdown = IndicatorMarkdown.render(table)
        #expect(markdown.contains("| Mean number | – | 15.0 | 35.0 |"))
        let csv = IndicatorCSV.render(table)
        #expect(csv.hasPrefix(IndicatorCSV.header.joined(separator: ",") + "\n"))
        #expect(csv.contains("mean_num,Mean number,f,mean,R2,overall,all,35,"))
        let json = try JSONSerialization.jsonObject(with: Data(try IndicatorJSON.render(table).utf8)) as? [String: Any]
        let indicators = json?["indicators"] as? [[String: Any]]
        #expect(indicators?.count == 6)
        #expect((indicators?.first { $0["id"] as? String == "mean_num" }?["status"] as? String) == "met")
        let html = IndicatorHTML.render(table)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for forbidden in ["<script", "src=", "<link", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.contains("<svg"))
        #expect(html.contains("@page { size: A4"))
    }
}
