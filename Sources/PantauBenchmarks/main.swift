// pantau's benchmarks: prints figures; never run as a timed unit test. Run with Scripts/bench.sh (release build).
import Expressions
import Foundation
import GRDB
import GRDBSQLite
import Interview
import Questionnaire
import Store

// MARK: - Helpers

func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

func report(_ name: String, _ microseconds: [Double]) -> (median: Double, p99: Double) {
    let median = percentile(microseconds, 50), p99 = percentile(microseconds, 99)
    print(
        String(
            format: "  %-52@ n=%5d  median %9.1f µs  p99 %9.1f µs  max %9.1f µs", name as NSString, microseconds.count, median, p99,
            microseconds.max() ?? .nan))
    return (median, p99)
}

func progress(_ text: String) { FileHandle.standardError.write(Data("bench: \(text)\n".utf8)) }

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
let fixedClock: @Sendable () -> Timestamp = { Timestamp(seconds: 1_623_718_800, offsetMinutes: 420) }

// MARK: - Generated questionnaire: 1,000 questions, a roster, calculations and skips

/// 1,000 questions: 960 at the top level in 24 sections (relevance and calculations chained inside each),
/// and a 40-question roster that a repeat asks for every household member.
func generatedQuestionnaire(rosterQuestions: Int = 40, sections: Int = 24, perSection: Int = 40, aggregates: Bool = true) -> String {
    var yaml = "settings: {form_id: big, title: Big, version: \"1\", unit_level: village}\nsurvey:\n"
    for section in 0..<sections {
        yaml += "  - type: group\n    name: s\(section)\n    label: Section \(section)\n"
        if section > 0 { yaml += "    relevant: \"${s\(section - 1)_q0} != 999\"\n" }
        yaml += "    children:\n"
        for question in 0..<perSection {
            let name = "s\(section)_q\(question)"
            yaml += "      - {type: integer, name: \(name), label: \"Question \(question) of section \(section)\", constraint: \". >= 0 and . < 1000\""
            if question > 0 { yaml += ", relevant: \"${s\(section)_q\(question - 1)} != 999\"" }
            if question % 10 == 5 { yaml += ", warning: \". <= ${s\(section)_q0} * 100 + 1000\"" }
            yaml += "}\n"
        }
        yaml += "      - {type: calculate, name: s\(section)_total, calculation: \"${s\(section)_q0} + ${s\(section)_q1} + ${s\(section)_q2}\"}\n"
    }
    yaml += "  - type: repeat\n    name: members\n    label: Members\n    children:\n"
    for question in 0..<rosterQuestions {
        yaml += "      - {type: integer, name: m_q\(question), label: \"Member question \(question)\", constraint: \". >= 0\""
        if question > 0 { yaml += ", relevant: \"${m_q\(question - 1)} != 999\"" }
        yaml += "}\n"
    }
    yaml += "      - {type: calculate, name: m_number, calculation: \"position(..)\"}\n"
    if aggregates {
        yaml += "  - {type: calculate, name: household_size, calculation: \"count(${members})\"}\n"
        yaml += "  - {type: calculate, name: total_q0, calculation: \"sum(${m_q0})\"}\n"
        yaml += "  - {type: note, name: done, label: \"${household_size} members\"}\n"
    }
    return yaml
}

// MARK: - 1. Engine time per answer, and the cost of the 2nd versus the 200th roster row

progress("generating a 1,000-question questionnaire")
let bigYAML = generatedQuestionnaire()
let bigPath = scratch.appendingPathComponent("big.yaml").path
try bigYAML.write(toFile: bigPath, atomically: true, encoding: .utf8)
let big = try QuestionnaireLoader.load(yaml: bigYAML, file: "big.yaml").get()
print("pantau benchmarks (release build; \(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("\nquestionnaire: \(big.summary)")

print("\n1. engine time per answer (no I/O), 1,000-question form with a 30-member roster")
progress("engine: answering every question")
var perAnswer: [Double] = []
let engine = InterviewEngine(questionnaire: big, environment: InterviewEnvironment(clock: fixedClock))
_ = engine.takeTransition()
var memberCount = 0
var rowCosts: [Int: Double] = [:]
loop: while true {
    switch engine.cursor {
    case .end: break loop
    case .repeatPrompt:
        if memberCount == 30 {
            _ = engine.declineInstance()
            _ = engine.takeTransition()
            continue
        }
        memberCount += 1
        _ = engine.addInstance()
        _ = engine.takeTransition()
    case .item(let address):
        let text = engine.item(named: address.name)?.type == .note ? "" : "\(address.description.count % 7 + 1)"
        let start = nanoseconds()
        _ = engine.answer(text)
        _ = engine.takeTransition()
        perAnswer.append(Double(nanoseconds() - start) / 1000)
    }
}
let engineFigures = report("answer + re-evaluation + move (\(perAnswer.count) answers)", perAnswer)
print("  target: p99 under 1,000 µs: \(engineFigures.p99 < 1000 ? "met" : "NOT met")")

/// Adds 200 rows of 40 questions each and returns the time of each row (adding it and answering it).
func rowTimes(aggregates: Bool) throws -> [Double] {
    let yaml = generatedQuestionnaire(rosterQuestions: 40, sections: 1, perSection: 5, aggregates: aggregates)
    let questionnaire = try QuestionnaireLoader.load(yaml: yaml, file: "roster.yaml").get()
    let engine = InterviewEngine(questionnaire: questionnaire, environment: InterviewEnvironment(clock: fixedClock))
    _ = engine.takeTransition()
    var times: [Double] = []
    var rows = 0
    while true {
        switch engine.cursor {
        case .end: return times
        case .repeatPrompt:
            if rows == 200 {
                _ = engine.declineInstance()
                continue
            }
            rows += 1
            let start = nanoseconds()
            _ = engine.addInstance()
            _ = engine.takeTransition()
            // The whole row: adding it and answering its 40 questions.
            while case .item(let address) = engine.cursor, address.indices.first == rows {
                _ = engine.answer("3")
                _ = engine.takeTransition()
            }
            times.append(Double(nanoseconds() - start) / 1000)
        case .item:
            _ = engine.answer("3")
            _ = engine.takeTransition()
        }
    }
}

for aggregates in [true, false] {
    progress("engine: adding roster rows 1…200\(aggregates ? ", with count() and sum() over the roster" : "")")
    let times = try rowTimes(aggregates: aggregates)
    let early = times[1...10].reduce(0, +) / 10, late = times[190...199].reduce(0, +) / 10
    print(
        String(
            format: "  a 40-question roster row %@: row 2 %.1f µs, row 200 %.1f µs; rows 2–11 %.1f µs, rows 191–200 %.1f µs (ratio %.2f)",
            (aggregates ? "with count() and sum() over the roster" : "without aggregates") as NSString,
            times[1], times[199], early, late, late / early))
}

// MARK: - 2. Start-up time to the first question

print("\n2. start-up to the first question, 1,000-question form")
progress("start-up, in process")
var startups: [Double] = []
for _ in 0..<20 {
    let start = nanoseconds()
    let questionnaire = try QuestionnaireLoader.load(path: bigPath).get()
    let fresh = InterviewEngine(questionnaire: questionnaire, environment: InterviewEnvironment(clock: fixedClock))
    _ = fresh.prompt()
    startups.append(Double(nanoseconds() - start) / 1000)
}
let startupFigures = report("read + validate + engine + first prompt (in process)", startups)
print("  target: under 150 ms: \(startupFigures.median < 150_000 ? "met" : "NOT met")")

// The whole command, as an enumerator starts it: process start, store, frame, first prompt on stdout.
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pantau")
if FileManager.default.isExecutableFile(atPath: binary.path) {
    progress("start-up, whole command")
    let db = scratch.appendingPathComponent("startup.sqlite").path
    let store = try ResponseStore(path: db)
    try store.importFrame([FrameUnit(code: "1", name: "Desa", level: "village", parentCode: nil, attributes: [])])
    var commandTimes: [Double] = []
    for run in 0..<10 {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["interview", bigPath, "--unit", "1", "--round", "R\(run)", "--enumerator", "bench", "--db", db]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let start = nanoseconds()
        try process.run()
        var seen = ""
        while !seen.contains("\n? ") && !seen.hasPrefix("? ") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        commandTimes.append(Double(nanoseconds() - start) / 1000)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
    let commandFigures = report("pantau interview → first prompt (whole process)", commandTimes)
    print("  target: under 150 ms: \(commandFigures.median < 150_000 ? "met" : "NOT met")")
} else {
    print("  (pantau binary not found beside the benchmark; whole-command start-up skipped)")
}

// MARK: - 3. Per-answer latency to a durable commit, beside bare SQLite

print("\n3. per-answer latency from input to durable commit (WAL, synchronous=FULL), same machine, same run")
progress("durable commits: pantau and bare SQLite, interleaved")
let storePath = scratch.appendingPathComponent("latency.sqlite").path
let latencyStore = try ResponseStore(path: storePath)
try latencyStore.importFrame([FrameUnit(code: "1", name: "Desa", level: "village", parentCode: nil, attributes: [])])
// The village survey's shape: a plain form of 400 numeric questions without chained relevance, so that the
// figure is the store path rather than the stress form's cascades.
let plainYAML =
    "settings: {form_id: plain, title: Plain, version: \"1\", unit_level: village}\nsurvey:\n"
    + (0..<400).map { "  - {type: integer, name: q\($0), label: Q\($0), constraint: \". >= 0\"}\n" }.joined()
let plain = try QuestionnaireLoader.load(yaml: plainYAML, file: "plain.yaml").get()

/// One interview of `questionnaire` in the latency store, answered step by step; returns the microseconds
/// from each answer to its commit, and those of the transaction alone.
@MainActor func answerAndCommit(
    _ questionnaire: Questionnaire, round: String, answers: Int,
    between: (Address, Int) throws -> Void = { _, _ in }
) throws -> (whole: [Double], transaction: [Double]) {
    // Started at the real time, as on a device: an interview's UUID is ordered by its start.
    let opened = try latencyStore.openInterview(
        questionnaire, unit: "1", round: round, enumerator: "bench", reopen: false, language: nil,
        at: Timestamp(seconds: Date().timeIntervalSince1970, offsetMinutes: 420))
    let engine = InterviewEngine(questionnaire: questionnaire, environment: InterviewEnvironment(clock: fixedClock))
    try latencyStore.save(engine.takeTransition(), interview: opened.uuid, language: nil, at: fixedClock())
    var whole: [Double] = [], transaction: [Double] = []
    for index in 0..<answers {
        guard case .item(let address) = engine.cursor else { break }
        let start = nanoseconds()
        _ = engine.answer("\(index % 9 + 1)")
        let step = engine.takeTransition()
        let committing = nanoseconds()
        try latencyStore.save(step, interview: opened.uuid, language: nil, at: fixedClock())
        let done = nanoseconds()
        whole.append(Double(done - start) / 1000)
        transaction.append(Double(done - committing) / 1000)
        try between(address, index)
    }
    return (whole, transaction)
}

var bare: OpaquePointer?
let barePath = scratch.appendingPathComponent("bare.sqlite").path
guard sqlite3_open(barePath, &bare) == SQLITE_OK else { fatalError("cannot open bare SQLite") }
for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "CREATE TABLE answer (id INTEGER PRIMARY KEY, address TEXT, value TEXT)"] {
    guard sqlite3_exec(bare, pragma, nil, nil, nil) == SQLITE_OK else { fatalError("bare SQLite: \(pragma)") }
}
var insert: OpaquePointer?
sqlite3_prepare_v2(bare, "INSERT INTO answer (address, value) VALUES (?, ?)", -1, &insert, nil)
let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
@MainActor func bareInsert(_ address: String, _ value: String) -> Double {
    let start = nanoseconds()
    sqlite3_exec(bare, "BEGIN", nil, nil, nil)
    sqlite3_bind_text(insert, 1, address, -1, transient)
    sqlite3_bind_text(insert, 2, value, -1, transient)
    sqlite3_step(insert)
    sqlite3_reset(insert)
    sqlite3_exec(bare, "COMMIT", nil, nil, nil)
    return Double(nanoseconds() - start) / 1000
}

// The same single insert through GRDB, with pantau's settings: separates GRDB's own cost from pantau's.
let grdbPath = scratch.appendingPathComponent("grdb.sqlite").path
var grdbConfiguration = Configuration()
grdbConfiguration.journalMode = .wal
let grdbQueue = try DatabaseQueue(path: grdbPath, configuration: grdbConfiguration)
try grdbQueue.writeWithoutTransaction { db in
    try db.execute(sql: "PRAGMA synchronous = FULL")
    try db.execute(sql: "CREATE TABLE answer (id INTEGER PRIMARY KEY, address TEXT, value TEXT)")
}
@MainActor func grdbInsert(_ address: String, _ value: String) throws -> Double {
    let start = nanoseconds()
    try grdbQueue.write { db in
        try db.cachedStatement(sql: "INSERT INTO answer (address, value) VALUES (?, ?)").execute(arguments: [address, value])
    }
    return Double(nanoseconds() - start) / 1000
}

// Bare SQLite with pantau's write pattern: what an answer must write (the answer upserted, the step's three
// audit rows numbered on in the interview's keyed log, the interview's cursor), through prepared statements
// and nothing else. pantau against this is pantau's own overhead; this against one insert is the cost of the
// audit trail itself.
var pattern: OpaquePointer?
guard sqlite3_open(scratch.appendingPathComponent("pattern.sqlite").path, &pattern) == SQLITE_OK else { fatalError("cannot open SQLite") }
for sql in [
    "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
    "CREATE TABLE interview (uuid TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE answer (interview_uuid TEXT NOT NULL, address TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (interview_uuid, address)) WITHOUT ROWID",
    "CREATE TABLE audit_log (interview_uuid TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, event TEXT NOT NULL, address TEXT, old_value TEXT, new_value TEXT, PRIMARY KEY (interview_uuid, seq)) WITHOUT ROWID",
    // Keys in start order, as pantau's time-ordered UUIDs are: the interview being answered sorts last.
    "INSERT INTO interview VALUES ('1-warm', '', ''), ('2-measured', '', '')",
] {
    guard sqlite3_exec(pattern, sql, nil, nil, nil) == SQLITE_OK else { fatalError("bare SQLite: \(sql)") }
}
var patternAnswer: OpaquePointer?, patternAudit: OpaquePointer?, patternCursor: OpaquePointer?
sqlite3_prepare_v2(
    pattern,
    "INSERT INTO answer VALUES (?, ?, ?, ?) ON CONFLICT (interview_uuid, address) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at", -1,
    &patternAnswer, nil)
let patternAuditSQL = """
    INSERT INTO audit_log (interview_uuid, seq, at, event, address, old_value, new_value)
    SELECT ?1, s.last + r.n, ?2, r.e, r.a, NULL, r.v FROM (SELECT COALESCE(MAX(seq), 0) AS last FROM audit_log WHERE interview_uuid = ?1) s,
        (SELECT 1 AS n, 'left' AS e, ?3 AS a, NULL AS v UNION ALL SELECT 2, 'entered', ?4, NULL UNION ALL SELECT 3, 'changed', ?3, ?5) r
    """
guard sqlite3_prepare_v2(pattern, patternAuditSQL, -1, &patternAudit, nil) == SQLITE_OK else { fatalError("bare SQLite: \(patternAuditSQL)") }
sqlite3_prepare_v2(pattern, "UPDATE interview SET cursor = ?, updated_at = ? WHERE uuid = ?", -1, &patternCursor, nil)
@MainActor func patternStep(_ interview: String, _ address: String, _ value: String) -> Double {
    let start = nanoseconds()
    let now = "2021-06-15T07:00:00+07:00"
    sqlite3_exec(pattern, "BEGIN", nil, nil, nil)
    for (index, text) in [interview, address, value, now].enumerated() { sqlite3_bind_text(patternAnswer, Int32(index + 1), text, -1, transient) }
    sqlite3_step(patternAnswer)
    sqlite3_reset(patternAnswer)
    for (index, text) in [interview, now, address, address + "+1", value].enumerated() {
        sqlite3_bind_text(patternAudit, Int32(index + 1), text, -1, transient)
    }
    sqlite3_step(patternAudit)
    sqlite3_reset(patternAudit)
    for (index, text) in [address + "+1", now, interview].enumerated() { sqlite3_bind_text(patternCursor, Int32(index + 1), text, -1, transient) }
    sqlite3_step(patternCursor)
    sqlite3_reset(patternCursor)
    sqlite3_exec(pattern, "COMMIT", nil, nil, nil)
    return Double(nanoseconds() - start) / 1000
}

/// The time to write the journalled steps into the answer, audit and interview tables, as at a session's end.
@MainActor func applyJournal() throws -> Double {
    let start = nanoseconds()
    _ = try latencyStore.interviews()  // any question to the store writes the journal first
    return Double(nanoseconds() - start) / 1000
}

// Warm-up: a device's store is used interview after interview, so its write-ahead log has been through
// checkpoints and is rewritten in place (a log that grows makes every fsync also write the file's size).
// Each file gets more commits than one checkpoint cycle of 1,000 pages before anything is measured.
progress("durable commits: warming up the three files past a checkpoint")
// pantau's commit writes one page (the journal row), so its file needs as many commits as the others.
for round in ["W1", "W2", "W3"] { _ = try answerAndCommit(plain, round: round, answers: 400) }
_ = try applyJournal()
for index in 0..<1_200 {
    _ = bareInsert("q\(index)", "\(index)")
    _ = patternStep("1-warm", "q\(index)", "\(index)")
    _ = try grdbInsert("q\(index)", "\(index)")
}

// Each form interleaved with the references, so that all share the machine's state at each moment: the
// village survey's plain form first, then the stress form.
var bareTimes: [Double] = [], patternTimes: [Double] = [], grdbTimes: [Double] = []
let plainMeasured = try answerAndCommit(plain, round: "P", answers: 400) { address, index in
    bareTimes.append(bareInsert(address.description, "\(index)"))
    patternTimes.append(patternStep("2-measured", address.description, "\(index)"))
    grdbTimes.append(try grdbInsert(address.description, "\(index)"))
}
let plainApplied = try applyJournal()
var bareTimesBig: [Double] = []
let measured = try answerAndCommit(big, round: "R", answers: 400) { address, index in
    bareTimesBig.append(bareInsert(address.description, "\(index)"))
}
let bigApplied = try applyJournal()
sqlite3_finalize(insert)
sqlite3_close(bare)
for statement in [patternAnswer, patternAudit, patternCursor] { sqlite3_finalize(statement) }
sqlite3_close(pattern)
let plainFigures = report("pantau, plain 400-question form: answer → committed", plainMeasured.whole)
let plainCommitFigures = report("pantau, plain form: the transaction alone", plainMeasured.transaction)
let bareFigures = report("bare SQLite: insert + commit with fsync (beside the plain form)", bareTimes)
let patternFigures = report("bare SQLite writing the step into the tables (answer, 3 audit rows, cursor)", patternTimes)
_ = report("GRDB: the same single insert in queue.write", grdbTimes)
print(
    String(
        format: "  plain form: ratio pantau / bare: median %.2f, p99 %.2f (transaction alone: median %.2f, p99 %.2f)",
        plainFigures.median / bareFigures.median, plainFigures.p99 / bareFigures.p99,
        plainCommitFigures.median / bareFigures.median, plainCommitFigures.p99 / bareFigures.p99))
print(
    String(
        format: "  the step written into the tables directly, by hand / bare insert: median %.2f, p99 %.2f (what the journal defers)",
        patternFigures.median / bareFigures.median, patternFigures.p99 / bareFigures.p99))
let pantauFigures = report("pantau, 1,000-question stress form: answer → committed", measured.whole)
let commitFigures = report("pantau, stress form: the transaction alone", measured.transaction)
let bareBigFigures = report("bare SQLite: insert + commit with fsync (beside the stress form)", bareTimesBig)
print(
    String(
        format: "  stress form: ratio pantau / bare: median %.2f, p99 %.2f (transaction alone: median %.2f, p99 %.2f)",
        pantauFigures.median / bareBigFigures.median, pantauFigures.p99 / bareBigFigures.p99,
        commitFigures.median / bareBigFigures.median, commitFigures.p99 / bareBigFigures.p99))
print(
    String(
        format: "  writing the journalled steps into the tables at the session's end: plain form %.1f ms for 400 steps, stress form %.1f ms for 400",
        plainApplied / 1000, bigApplied / 1000))
