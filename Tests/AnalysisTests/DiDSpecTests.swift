// DiD specifications over the store: weights and covariates from answers and from the frame, checked with
// located errors, and carried into the panel the estimators see.
import Expressions
import Foundation
import Questionnaire
import TestSupport
import Testing

@testable import Analysis

@Suite(.temporaryFiles)
struct DiDSpecTests {
    static let questionnaire = try! QuestionnaireLoader.load(
        yaml: """
            settings: {form_id: v, title: V, version: "1", unit_level: village}
            survey:
              - {type: select_one sid, name: sid, label: SID}
              - {type: decimal, name: share, label: Share}
              - {type: integer, name: budget, label: Budget, required: false}
              - {type: integer, name: meetings, label: Meetings}
            choices:
              sid: [{name: paper, label: Paper}, {name: online, label: Online}]
            """, file: "v.yaml"
    ).get()

    func write(_ text: String) throws -> String {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("did-test.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let good = """
        title: Test
        instrument: v
        outcome: ${share}
        treatment: ${sid} = 'online'
        cluster: district
        weights: ${budget}
        covariates: ["${meetings}", {attribute: papua}]
        method: or
        estimators: [twfe, callaway_santanna]
        """

    @Test("weights and covariates from answers and the frame reach the panel; rows without a weight are left out and counted")
    func panel() throws {
        let spec = try DiDSpec.load(path: try write(Self.good), questionnaires: [Self.questionnaire]).get()
        #expect(spec.weights?.name == "${budget}")
        #expect(spec.covariates.map(\.name) == ["${meetings}", "papua"])
        #expect(spec.method == .outcomeRegression)
        var units: [FrameUnit] = []
        for district in ["d1", "d2"] {
            units.append(FrameUnit(code: district, name: district, level: "district", parentCode: nil, attributes: [("papua", district == "d2" ? "1" : "0")]))
            for v in 1...3 { units.append(FrameUnit(code: "\(district)v\(v)", name: "", level: "village", parentCode: district, attributes: [])) }
        }
        let rounds = ["R1", "R2", "R3"]
        var data: [String: RoundData] = [:]
        for (r, round) in rounds.enumerated() {
            var interviews: [RoundData.Interview] = []
            for (index, code) in units.map(\.code).filter({ $0.contains("v") }).sorted().enumerated() {
                let online = index % 3 != 0 && r >= index % 3
                var values: [Address: Value] = [
                    Address("sid"): .string(online ? "online" : "paper"), Address("share"): .number(Double(10 + index + r)),
                    Address("meetings"): .number(Double(index + r)),
                ]
                // One unit-round has no budget: no weight.
                if !(code == "d1v1" && r == 2) { values[Address("budget")] = .number(Double(100 * (index + 1))) }
                interviews.append(RoundData.Interview(unit: code, version: "1", values: values))
            }
            data[round] = RoundData(round: round, endDay: 0, formID: "v", interviews: interviews)
        }
        let built = try Panel.build(spec: spec, rounds: rounds, data: data, units: units)
        let (long, notes) = try built.longPanel(spec)
        #expect(long.outcome.count == 17)
        #expect(notes == ["1 unit-rounds without a value of the weights (${budget}) left out"])
        #expect(long.weightName == "${budget}")
        let row = try #require(long.unit.indices.first { long.unitLabels[long.unit[$0]] == "d2v3" && long.period[$0] == 1 })
        #expect(long.weight?[row] == 600)
        #expect(long.covariates[0][row] == 6)
        #expect(long.covariates[1][row] == 1)  // papua, from the district
        #expect(long.clusterLabels[long.cluster[row]] == "d2")
        #expect(long.firstTreated("d1v2") == 1 && long.firstTreated("d1v1") == nil)
    }

    @Test(
        "bad weights, covariates and method are located errors",
        arguments: [
            ("weights: ${budgt}", "X004", 10),
            ("covariates: ${meetings}", "Q002", 13),
            ("covariates: [{attribute: papua, from: R1}]", "Q002", 14),
            ("method: ipw", "Q002", 9),
            ("missing_rounds: sometimes", "Q002", 17),
            ("base_period: fixed", "Q002", 14),
            ("sensitivity: maybe", "Q002", 14),
            ("standard_errors: cr3", "Q002", 18),
        ])
    func errors(line: String, code: String, column: Int) throws {
        let text = """
            instrument: v
            outcome: ${share}
            treatment: ${sid} = 'online'
            estimators: [twfe]
            \(line)
            """
        let result = DiDSpec.load(path: try write(text), questionnaires: [Self.questionnaire])
        guard case .failure(let report) = result else {
            Issue.record("\(line) was accepted")
            return
        }
        let diagnostic = try #require(report.diagnostics.first)
        #expect(diagnostic.code == code, "\(report.diagnostics)")
        #expect(diagnostic.location.line == 5 && diagnostic.location.column == column, "\(diagnostic.location)")
    }

    @Test(
        "adoption by a frame attribute: a unit missing its adoption round is of that cohort all the same; missing_rounds: keep gives Callaway & Sant'Anna every unit"
    )
    func missingRounds() throws {
        let text = """
            instrument: v
            outcome: ${share}
            treatment: {attribute: kompak, from: R2}
            cluster: district
            estimators: [callaway_santanna]
            missing_rounds: keep
            """
        let spec = try DiDSpec.load(path: try write(text), questionnaires: [Self.questionnaire]).get()
        #expect(spec.keepUnbalanced && spec.sensitivity && !spec.universalBase && !spec.cr2)
        let other = """
            instrument: v
            outcome: ${share}
            treatment: ${sid} = 'online'
            estimators: [callaway_santanna]
            base_period: universal
            sensitivity: false
            standard_errors: cr2
            """
        let chosen = try DiDSpec.load(path: try write(other), questionnaires: [Self.questionnaire]).get()
        #expect(chosen.universalBase && !chosen.sensitivity && chosen.cr2)
        var units: [FrameUnit] = []
        for district in 1...4 {
            units.append(
                FrameUnit(code: "d\(district)", name: "", level: "district", parentCode: nil, attributes: [("kompak", district <= 2 ? "1" : "0")]))
            for v in 1...4 { units.append(FrameUnit(code: "d\(district)v\(v)", name: "", level: "village", parentCode: "d\(district)", attributes: [])) }
        }
        let rounds = ["R1", "R2", "R3", "R4"]
        var data: [String: RoundData] = [:]
        for (r, round) in rounds.enumerated() {
            let interviews = units.filter { $0.level == "village" }.enumerated().compactMap { index, unit -> RoundData.Interview? in
                // d1v1 misses R2, its adoption round, and d3v1 misses R3.
                if (unit.code == "d1v1" && round == "R2") || (unit.code == "d3v1" && round == "R3") { return nil }
                let share = Double(index) + Double(r) + (unit.code.hasPrefix("d1") || unit.code.hasPrefix("d2") ? Double(max(r - 1, 0)) : 0)
                return RoundData.Interview(unit: unit.code, version: "1", values: [Address("share"): .number(share + Double(index * r % 3))])
            }
            data[round] = RoundData(round: round, endDay: 0, formID: "v", interviews: interviews)
        }
        let built = try Panel.build(spec: spec, rounds: rounds, data: data, units: units)
        #expect(built.firstTreated["d1v1"] == 1 && built.firstTreated["d2v4"] == 1 && built.firstTreated["d3v1"] == nil)
        let (long, _) = try built.longPanel(spec)
        let kept = try PanelEstimation.callawaySantAnna(long, comparison: .notYetTreated, keepUnbalanced: true)
        #expect(kept.notes.contains { $0.hasPrefix("unbalanced panel: 2 of 16 units missing a period kept") }, "\(kept.notes)")
        #expect(kept.observations == 62)
        let dropped = try PanelEstimation.callawaySantAnna(long, comparison: .notYetTreated)
        #expect(
            dropped.notes.contains {
                $0.hasPrefix("balanced panel: 14 units observed in every period, 2 units missing a period left out (missing_rounds: keep")
            })
        #expect(dropped.observations == 56)
    }

    /// Six districts of five villages over rounds R1–R4, each village's answers in a round from `answers(village index, round index)`.
    static func villageRounds(_ answers: (Int, Int) -> [Address: Value]) -> (units: [FrameUnit], rounds: [String], data: [String: RoundData]) {
        var units: [FrameUnit] = []
        for district in 1...6 {
            units.append(FrameUnit(code: "d\(district)", name: "", level: "district", parentCode: nil, attributes: []))
            for v in 1...5 { units.append(FrameUnit(code: "d\(district)v\(v)", name: "", level: "village", parentCode: "d\(district)", attributes: [])) }
        }
        let rounds = ["R1", "R2", "R3", "R4"]
        var data: [String: RoundData] = [:]
        for (r, round) in rounds.enumerated() {
            let interviews = units.filter { $0.level == "village" }.enumerated().map { index, unit in
                RoundData.Interview(unit: unit.code, version: "1", values: answers(index, r))
            }
            data[round] = RoundData(round: round, endDay: 0, formID: "v", interviews: interviews)
        }
        return (units, rounds, data)
    }

    @Test("adoption: reversible with chaisemartin_dhaultfoeuille: the treatment as reported, switches out counted, the jackknife under 50 clusters")
    func reversible() throws {
        let text = """
            instrument: v
            outcome: ${share}
            treatment: ${sid} = 'online'
            adoption: reversible
            cluster: district
            estimators: [chaisemartin_dhaultfoeuille, twfe]
            """
        let spec = try DiDSpec.load(path: try write(text), questionnaires: [Self.questionnaire]).get()
        #expect(!spec.absorbing && spec.estimators == [.chaisemartinDHaultfoeuille, .twfe])
        // Villages 1–2 of each district go online in R2 and back to paper in R4; village 3 goes online in R3.
        let (units, rounds, data) = Self.villageRounds { index, r in
            let v = index % 5
            let online = (v < 2 && (r == 1 || r == 2)) || (v == 2 && r >= 2)
            let share = Double(index % 7) + Double(r) + (online ? 3 : 0) + Double((index * (r + 1)) % 3) / 10
            return [Address("sid"): .string(online ? "online" : "paper"), Address("share"): .number(share)]
        }
        let built = try Panel.build(spec: spec, rounds: rounds, data: data, units: units)
        let (long, _) = try built.longPanel(spec)
        #expect(long.reportedTreatment != nil)
        #expect(built.notes.contains { $0.hasPrefix("12 units report the treatment and later not; adoption is reversible") }, "\(built.notes)")
        let table = try PanelEstimation.chaisemartinDHaultfoeuille(long)
        #expect(table.rows.map(\.term) == ["DID_M (switchers)", "DID_+ (joiners)", "DID_- (leavers)", "placebo DID_M (one period before)"])
        // 6 districts × (2 joining in R2 + 1 in R3) joiners and 6 × 2 leavers in R4.
        #expect(table.notes.first?.contains("30 switching unit-periods (18 in, 12 out)") == true, "\(table.notes)")
        #expect(table.seType.hasPrefix("cluster jackknife"), "\(table.notes)")
        #expect(abs(table.rows[0].coefficient.estimate - 3) < 0.2, "\(table.rows[0].coefficient.estimate)")
    }

    @Test(
        "a dose (dose: ${meetings}): the dynamic effects of a non-binary treatment from the store; a dose with other estimators, without reversible adoption or beside a treatment is refused where it is written"
    )
    func dose() throws {
        let text = """
            instrument: v
            outcome: ${share}
            dose: ${meetings}
            adoption: reversible
            cluster: district
            estimators: [chaisemartin_dhaultfoeuille]
            leads: 2
            lags: 1
            """
        let spec = try DiDSpec.load(path: try write(text), questionnaires: [Self.questionnaire]).get()
        guard case .dose = spec.treatment else {
            Issue.record("the dose was not read as one")
            return
        }
        // Villages 1–2 of each district hold 1 meeting from R2, village 3 two from R3; the share rises 2 per meeting.
        let (units, rounds, data) = Self.villageRounds { index, r in
            let v = index % 5
            let meetings = v < 2 && r >= 1 ? 1 : v == 2 && r >= 2 ? 2 : 0
            let share = Double(index % 7) + Double(r) + 2 * Double(meetings) + Double((index * (r + 1)) % 3) / 10
            var values: [Address: Value] = [Address("share"): .number(share)]
            // One village has no count in R4: left out and said.
            if !(index == 0 && r == 3) { values[Address("meetings")] = .number(Double(meetings)) }
            return values
        }
        let built = try Panel.build(spec: spec, rounds: rounds, data: data, units: units)
        #expect(built.notes.contains("1 unit-rounds without a value of the dose left out"), "\(built.notes)")
        let (long, _) = try built.longPanel(spec)
        #expect(long.dose?.contains(2) == true)
        let table = try PanelEstimation.chaisemartinDHaultfoeuille(long, leads: spec.leads, lags: spec.lags)
        #expect(table.title == "de Chaisemartin & D'Haultfœuille: dynamic effects of a dose")
        let perMeeting = try #require(table.rows.first { $0.term == "DID^n_1 (event time 0, per unit of dose)" })
        #expect(abs(perMeeting.coefficient.estimate - 2) < 0.2, "\(perMeeting.coefficient.estimate)")
        #expect(!table.rows.contains { $0.term.hasPrefix("DID_M") })

        for (broken, message) in [
            (text.replacingOccurrences(of: "[chaisemartin_dhaultfoeuille]", with: "[chaisemartin_dhaultfoeuille, twfe]"), "twfe needs a 0/1 treatment"),
            (text.replacingOccurrences(of: "adoption: reversible", with: "adoption: absorbing"), "it needs adoption: reversible"),
            (text + "\ntreatment: ${sid} = 'online'", "give treatment (a condition) or dose (a number), not both"),
        ] {
            guard case .failure(let report) = DiDSpec.load(path: try write(broken), questionnaires: [Self.questionnaire]) else {
                Issue.record("accepted: \(broken)")
                continue
            }
            let diagnostic = try #require(report.diagnostics.first { $0.message.contains(message) }, "\(report.diagnostics.map(\.message))")
            #expect(diagnostic.location.line == 3, "the dose's line: \(diagnostic.location)")
        }
    }
}
