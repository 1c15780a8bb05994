// Requirements covered here (issue: KOMPAK instruments, frame and simulator):
// K1 the frame has exactly the brief's counts per district, 33 Sekar Desa villages, Papua flags, comparison units
// K2 the simulator is deterministic for a seed
// K3 every simulated interview passes the engine again: nothing an enumerator could not have entered
// K4 the first round reproduces the brief's baselines within tolerance on the full frame
// K5 the built-in effects show up where they should (a coarse check; estimators check them exactly later)
import Expressions
import Foundation
import GRDB
import Interview
import Questionnaire
import TestSupport
import Testing

@testable import Simulation
@testable import Store

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let kompak = root.appendingPathComponent("Questionnaires/kompak")

func frameUnits() throws -> [FrameUnit] {
    try FrameFile.parse(try String(contentsOf: kompak.appendingPathComponent("frame.csv"), encoding: .utf8)).get()
}

func plan() throws -> SurveyPlan {
    try SurveyPlan.load(path: kompak.appendingPathComponent("kompak.plan.yaml").path).get()
}

func rounds(_ plan: SurveyPlan, first count: Int, forms: Set<String>? = nil) -> [SimulationRound] {
    plan.rounds.prefix(count).map { round in
        SimulationRound(
            code: round.code, starts: CivilDate.parse(round.starts!)!, ends: CivilDate.parse(round.ends!)!,
            questionnaires: round.questionnaires.filter { forms?.contains($0.settings.formID) ?? true })
    }
}

func freshStore(_ units: [FrameUnit]) throws -> ResponseStore {
    let path = try temporaryPath("s.sqlite")
    let store = try ResponseStore(path: path)
    try store.importFrame(units)
    return store
}

/// A small frame: one KOMPAK district (Bantaeng) and one comparison district (Takalar), with ancestors.
func smallFrame() throws -> [FrameUnit] {
    let all = try frameUnits()
    let keep = all.filter { unit in ["73", "7303", "7305"].contains { unit.code.hasPrefix($0) } }
    return keep
}

@Suite(.temporaryFiles)
struct FrameTests {
    static let brief: [String: (subdistricts: Int, villages: Int)] = [
        "Aceh Barat": (1, 6), "Bener Meriah": (1, 6), "Bireuen": (1, 6), "Brebes": (1, 12), "Pekalongan": (1, 9), "Pemalang": (1, 12),
        "Bondowoso": (2, 28), "Lumajang": (2, 20), "Pacitan": (2, 27), "Trenggalek": (2, 20), "Bima": (2, 29), "Lombok Timur": (3, 40),
        "Lombok Utara": (2, 13), "Sumbawa": (2, 20), "Bantaeng": (1, 10), "Pangkajene Kepulauan": (1, 7), "Asmat": (2, 23),
        "Boven Digoel": (1, 5), "Jayapura": (3, 19), "Nabire": (2, 10), "Fakfak": (2, 15), "Kaimana": (1, 17),
        "Manokwari Selatan": (3, 34), "Sorong": (2, 23),
    ]

    @Test("K1: the brief's counts per district, and the frame's attributes")
    func counts() throws {
        let units = try frameUnits()
        let byCode = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0) })
        let kompakDistricts = units.filter { $0.level == "district" && $0.attribute("kompak") == "1" }
        #expect(Set(kompakDistricts.map(\.name)) == Set(Self.brief.keys))
        for district in kompakDistricts {
            let subdistricts = units.filter { $0.parentCode == district.code }
            let villages = units.filter { $0.level == "village" && subdistricts.map(\.code).contains($0.parentCode ?? "") }
            #expect(subdistricts.count == Self.brief[district.name]?.subdistricts, "\(district.name)")
            #expect(villages.count == Self.brief[district.name]?.villages, "\(district.name)")
        }
        #expect(units.filter { $0.level == "province" && $0.attribute("kompak") == "1" }.count == 7)
        #expect(units.filter { $0.level == "subdistrict" && $0.attribute("kompak") == "1" }.count == 41)
        #expect(units.filter { $0.level == "village" && $0.attribute("kompak") == "1" }.count == 411)
        #expect(units.filter { $0.attribute("sekar_desa") == "1" }.count == 33)
        #expect(units.filter { $0.level == "district" && $0.attribute("kompak") == "0" }.count == 10)
        // Codes are hierarchical: each unit's code starts with its parent's.
        for unit in units {
            if let parent = unit.parentCode {
                #expect(unit.code.hasPrefix(parent))
                #expect(byCode[parent] != nil)
            }
        }
        let papua = units.filter { $0.attribute("papua") == "1" && $0.level == "district" }.map(\.name)
        #expect(Set(papua) == ["Asmat", "Boven Digoel", "Jayapura", "Nabire", "Fakfak", "Kaimana", "Manokwari Selatan", "Sorong"])
        // No Sekar Desa village in Papua or in comparison districts.
        #expect(units.filter { $0.attribute("sekar_desa") == "1" && ($0.attribute("papua") == "1" || $0.attribute("kompak") == "0") }.isEmpty)
    }
}

@Suite(.temporaryFiles)
struct SimulatorTests {
    func answers(_ store: ResponseStore) throws -> [String] {
        try store.queue.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT i.form_id || '|' || i.unit_code || '|' || i.round_code || '|' || a.address || '|' || a.kind || '|' || a.text_value || '|' || a.relevant
                    FROM answer a JOIN interview i ON i.uuid = a.interview_uuid ORDER BY 1
                    """)
        }
    }

    @Test("K2: the same seed gives the same panel; another seed another")
    func deterministic() throws {
        let units = try smallFrame()
        let plan = try plan()
        var runs: [[String]] = []
        for seed: UInt64 in [7, 7, 8] {
            let store = try freshStore(units)
            _ = try Simulator(store: store, units: units, rounds: rounds(plan, first: 2), seed: seed).run { _ in }
            runs.append(try answers(store))
        }
        #expect(runs[0].count > 1000)
        #expect(runs[0] == runs[1])
        #expect(runs[0] != runs[2])
    }

    @Test("K3: every simulated interview passes the engine again, with the same derived values")
    func respectsQuestionnaires() throws {
        let units = try smallFrame()
        let plan = try plan()
        let store = try freshStore(units)
        let simulationRounds = rounds(plan, first: 4)
        _ = try Simulator(store: store, units: units, rounds: simulationRounds, seed: 11).run { _ in }
        let questionnaires = Dictionary(
            simulationRounds.flatMap(\.questionnaires).map { ("\($0.settings.formID) \($0.settings.version)", $0) },
            uniquingKeysWith: { first, _ in first })
        let interviews = try store.interviews()
        #expect(interviews.count == 4 * units.filter { ["village", "subdistrict", "district"].contains($0.level) }.count)
        for summary in interviews {
            #expect(summary.status == "completed")
            let questionnaire = try #require(questionnaires["\(summary.formID) \(summary.version)"])
            let records = try store.queue.read { try ResponseStore.records($0, uuid: summary.uuid) }
            let previous = try store.previousRoundValues(formID: summary.formID, unit: summary.unitCode, before: summary.roundCode)
            // The checks run at the interview's own time, as they did in the field (today() in constraints).
            let ended = try #require(summary.endedAt.flatMap(CivilDate.parseDateTime))
            let clock = Timestamp(seconds: ended.seconds, offsetMinutes: summary.utcOffsetMinutes)
            let engine = InterviewEngine(
                questionnaire: questionnaire,
                environment: InterviewEnvironment(
                    clock: { clock },
                    previousRound: previous?.values ?? [:]),
                restoring: (records, .end))
            #expect(engine.finishBlockers().isEmpty, "\(summary.formID) \(summary.unitCode) \(summary.roundCode): \(engine.finishBlockers())")
            // Re-deriving relevance and calculations from the stored answers changes nothing.
            #expect(engine.records == records, "\(summary.formID) \(summary.unitCode) \(summary.roundCode)")
            // Every entered value is a valid answer of its item's type.
            for (address, record) in records where record.origin == .entered {
                guard let item = questionnaire.item(named: address.name), case .string(let text) = record.value, item.type.isQuestion else { continue }
                let list = item.type.choiceList.flatMap(questionnaire.choiceList(named:))
                if case .failure(let error) = item.type.parseAnswer(text, choices: list) {
                    Issue.record("\(summary.unitCode) \(address): \(error)")
                }
            }
        }
    }

    @Test("K4 K5: the first round reproduces the brief's baselines on the full frame; effects point the right way")
    func baselines() throws {
        let units = try frameUnits()
        let plan = try plan()
        let store = try freshStore(units)
        let summary = try Simulator(store: store, units: units, rounds: rounds(plan, first: 2, forms: ["desa"]), seed: 20_201_201).run { _ in }
        func values(_ name: String, round: String, where condition: String = "1") throws -> [Double] {
            try store.queue.read { db in
                try Double.fetchAll(
                    db,
                    sql: """
                        SELECT a.number_value FROM answer a JOIN interview i ON i.uuid = a.interview_uuid JOIN unit u ON u.code = i.unit_code
                        WHERE a.name = ? AND i.round_code = ? AND a.relevant AND a.kind = 'number' AND \(condition)
                        """, arguments: [name, round])
            }
        }
        func share(_ name: String, _ value: String, round: String, where condition: String = "1") throws -> Double {
            try store.queue.read { db in
                try Double.fetchOne(
                    db,
                    sql: """
                        SELECT avg(a.text_value = ?) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid JOIN unit u ON u.code = i.unit_code
                        WHERE a.name = ? AND i.round_code = ? AND a.relevant AND \(condition)
                        """, arguments: [value, name, round]) ?? .nan
            }
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        #expect(abs(try share("sid_status", "paper", round: "2020-H2") - 0.08) < 0.03)
        #expect(abs(try share("sid_status", "offline", round: "2020-H2") - 0.22) < 0.04)
        #expect(abs(mean(try values("share_health", round: "2020-H2")) - 5.5) < 0.4)
        #expect(abs(mean(try values("share_education", round: "2020-H2")) - 3.6) < 0.3)
        // Sekar Desa villages publish their budget far more often from the second round; not before.
        let sekar = "u.attributes LIKE '%[\"sekar_desa\",\"1\"]%'"
        let others = "u.attributes LIKE '%[\"sekar_desa\",\"0\"]%'"
        let before = try share("budget_published", "yes", round: "2020-H2", where: sekar) - share("budget_published", "yes", round: "2020-H2", where: others)
        let after = try share("budget_published", "yes", round: "2021-H1", where: sekar) - share("budget_published", "yes", round: "2021-H1", where: others)
        // Only 33 villages: the sign and a broad range, not the exact size.
        #expect((0.05...0.6).contains(after - before), "\(after - before)")

        // Online SID, adopted in the second round, against villages still not online: a two-period DiD on the
        // basic-services share should find the built-in 2.0 points.
        let adopters = Set(summary.adoption.filter { $0.value == "2021-H1" }.map(\.key))
        let notYet = Set(summary.adoption.filter { $0.value != "2021-H1" && $0.value != "always" }.map(\.key))
        #expect(adopters.count > 30 && notYet.count > 60)
        func basic(_ round: String) throws -> [String: Double] {
            try store.queue.read { db in
                Dictionary(
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT i.unit_code, a.number_value FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
                            WHERE a.name = 'share_basic_services' AND i.round_code = ? AND a.relevant AND a.kind = 'number'
                            """, arguments: [round]
                    ).map { ($0["unit_code"] as String, $0["number_value"] as Double) }, uniquingKeysWith: { first, _ in first })
            }
        }
        let first = try basic("2020-H2"), second = try basic("2021-H1")
        func change(_ units: Set<String>) -> Double {
            let changes = units.compactMap { unit in first[unit].flatMap { a in second[unit].map { $0 - a } } }
            return changes.reduce(0, +) / Double(changes.count)
        }
        let estimate = change(adopters) - change(notYet)
        #expect(abs(estimate - (TrueEffects.onlineHealthShare + TrueEffects.onlineEducationShare)) < 0.7, "\(estimate)")
    }
}
