// Merging field stores: answers per second, beside a bare bulk INSERT of the same number of rows into SQLite on
// the same machine in the same run. Prints figures; run with Scripts/bench_merge.sh (release build).
import Expressions
import Foundation
import GRDBSQLite
import Interview
import Questionnaire
import Store

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let fieldStores = arguments.first ?? 411, bigInterviews = arguments.dropFirst().first ?? 75_000
let questions = 40, rounds = ["2020-H2", "2021-H1", "2021-H2", "2022-H1"]
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-merge-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
func progress(_ text: String) { FileHandle.standardError.write(Data("bench: \(text)\n".utf8)) }
func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }

let form = try QuestionnaireLoader.load(
    yaml: "settings: {form_id: desa, title: Desa, version: \"1\", unit_level: village}\nsurvey:\n"
        + (0..<questions).map { "  - {type: integer, name: q\($0), label: Q\($0)}\n" }.joined(), file: "desa.yaml"
).get()
let clock = Timestamp(seconds: 1_623_718_800, offsetMinutes: 420)

/// A completed interview with 40 answers and its paradata (entered and left per question, the changes).
func interview(unit: String, round: String, questionnaireID: Int64, seed: Int) -> CompletedInterview {
    var records: [Address: AnswerRecord] = [:]
    var events: [AuditEvent] = []
    for q in 0..<questions {
        let value = Value.number(Double((seed &* 31 &+ q &* 17) % 100))
        records[Address("q\(q)")] = AnswerRecord(value: value, origin: .entered)
        events.append(AuditEvent(.entered(Address("q\(q)")), at: clock))
        events.append(AuditEvent(.changed(Address("q\(q)"), old: nil, new: value), at: clock))
        events.append(AuditEvent(.left(Address("q\(q)")), at: clock))
    }
    events.append(AuditEvent(.completed, at: clock))
    return CompletedInterview(
        uuid: UUID().uuidString.lowercased(), questionnaireID: questionnaireID, formID: "desa", unit: unit, round: round,
        enumerator: "e", started: clock, ended: clock, language: nil, records: records, events: events)
}

func frame(_ villages: Range<Int>) -> [FrameUnit] {
    [FrameUnit(code: "1", name: "District", level: "district", parentCode: nil, attributes: [])]
        + villages.map { FrameUnit(code: "1\(String(format: "%06d", $0))", name: "Village \($0)", level: "village", parentCode: "1", attributes: []) }
}

/// Bare SQLite: the same number of answer rows in one transaction through one prepared statement.
func bareBulkInsert(rows: Int) -> Double {
    var db: OpaquePointer?
    sqlite3_open(scratch.appendingPathComponent("bare-\(rows).sqlite").path, &db)
    sqlite3_exec(
        db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE answer (interview TEXT, address TEXT, value TEXT, number REAL)", nil, nil, nil)
    var insert: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO answer VALUES (?, ?, ?, ?)", -1, &insert, nil)
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    let start = Date()
    sqlite3_exec(db, "BEGIN", nil, nil, nil)
    for row in 0..<rows {
        sqlite3_bind_text(insert, 1, "interview-\(row / questions)", -1, transient)
        sqlite3_bind_text(insert, 2, "q\(row % questions)", -1, transient)
        sqlite3_bind_text(insert, 3, "\(row % 100)", -1, transient)
        sqlite3_bind_double(insert, 4, Double(row % 100))
        sqlite3_step(insert)
        sqlite3_reset(insert)
    }
    sqlite3_exec(db, "COMMIT", nil, nil, nil)
    let elapsed = seconds(since: start)
    sqlite3_finalize(insert)
    sqlite3_close(db)
    return Double(rows) / elapsed
}

print(
    "merge benchmarks (release build; \(ProcessInfo.processInfo.activeProcessorCount) cores); \(questions) answers and \(3 * questions + 1) audit events per interview"
)

// 1. Many village stores, one village each over four rounds, into one central store.
progress("writing \(fieldStores) field stores")
var paths: [String] = []
for index in 0..<fieldStores {
    let path = scratch.appendingPathComponent("field-\(index).sqlite").path
    let store = try ResponseStore(path: path)
    try store.importFrame(frame(index..<(index + 1)))
    let id = try store.register(form, at: clock)
    try store.insertCompleted(rounds.map { interview(unit: "1\(String(format: "%06d", index))", round: $0, questionnaireID: id, seed: index) })
    try store.checkpoint()
    paths.append(path)
}
progress("merging them")
let central = try ResponseStore(path: scratch.appendingPathComponent("central.sqlite").path)
var start = Date()
for path in paths { _ = try central.merge(from: path, at: clock) }
let manyElapsed = seconds(since: start)
let manyAnswers = fieldStores * rounds.count * questions
let manyRate = Double(manyAnswers) / manyElapsed
let bareMany = bareBulkInsert(rows: manyAnswers)
print(
    String(
        format: "1. %d field stores (%d interviews, %d answers) into one: %.2f s, %.0f answers/s; bare bulk INSERT of as many rows: %.0f rows/s; ratio %.1f",
        fieldStores, fieldStores * rounds.count, manyAnswers, manyElapsed, manyRate, bareMany, bareMany / manyRate))

// 2. One store of many interviews into an empty central store.
progress("writing one store of \(bigInterviews) interviews")
let bigPath = scratch.appendingPathComponent("big.sqlite").path
let big = try ResponseStore(path: bigPath)
try big.importFrame(frame(0..<bigInterviews))
let bigID = try big.register(form, at: clock)
var batch: [CompletedInterview] = []
for index in 0..<bigInterviews {
    batch.append(interview(unit: "1\(String(format: "%06d", index))", round: "2021-H1", questionnaireID: bigID, seed: index))
    if batch.count == 5_000 {
        try big.insertCompleted(batch)
        batch.removeAll()
    }
}
if !batch.isEmpty { try big.insertCompleted(batch) }
try big.checkpoint()
progress("merging it")
let target = try ResponseStore(path: scratch.appendingPathComponent("central-big.sqlite").path)
start = Date()
let summary = try target.merge(from: bigPath, at: clock)
let bigElapsed = seconds(since: start)
let bigAnswers = bigInterviews * questions
let bigRate = Double(bigAnswers) / bigElapsed
let bareBig = bareBulkInsert(rows: bigAnswers)
print(
    String(
        format: "2. one store of %d interviews (%d answers) into an empty one: %.2f s, %.0f answers/s (%d new); bare bulk INSERT: %.0f rows/s; ratio %.1f",
        bigInterviews, bigAnswers, bigElapsed, bigRate, summary.count(.new), bareBig, bareBig / bigRate))
