// Requirements covered here (issue: the runner in an enumerator's hands):
// V1 an empty line on a question already answered keeps the answer, for every type, and moves on
// V2 revisiting any answered question (by back or jump) and pressing Enter never changes a stored answer (property)
// V3 clearAnswer empties an optional answer on purpose, logged as a change; a required one cannot be emptied
// V4 a value waiting for a soft-check confirmation is neither erased nor passed by an empty line
import Expressions
import Interview
import Questionnaire
import Randomness
import TestSupport
import Testing

struct RevisitTests {
    static let form = """
        settings: {form_id: t, title: T, version: "1"}
        survey:
          - {type: text, name: name, label: Name}
          - {type: integer, name: count, label: Count}
          - {type: decimal, name: share, label: Share}
          - {type: select_one yn, name: yes_no, label: Yes or no}
          - {type: select_multiple fruit, name: fruits, label: Fruits}
          - {type: date, name: day, label: Day}
          - {type: time, name: hour, label: Hour}
          - {type: integer, name: budget, label: Budget, allow: [dont_know]}
          - {type: integer, name: size, label: Size, warning: ". < 10"}
          - {type: text, name: notes, label: Notes, required: true}
        choices:
          yn:
            - {name: "yes", label: "Yes"}
            - {name: "no", label: "No"}
          fruit:
            - {name: apple, label: Apple}
            - {name: pear, label: Pear}
        """

    /// Every question answered once, in order.
    static func answered() throws -> Scenario {
        let scenario = try Scenario(form)
        for (name, text) in [
            ("name", "Siti"), ("count", "2"), ("share", "0.5"), ("yes_no", "yes"), ("fruits", "apple pear"), ("day", "2021-06-30"),
            ("hour", "09:30"),
        ] {
            scenario.answer(name, text)
        }
        #expect(scenario.step { $0.setNonResponse(.dontKnow) } == .accepted)
        scenario.answer("size", "4")
        scenario.answer("notes", "fine")
        #expect(scenario.at == "end")
        return scenario
    }

    @Test("V1: an empty line keeps every type of answer and moves on")
    func emptyLineKeeps() throws {
        let scenario = try Self.answered()
        let before = scenario.engine.records
        for name in ["name", "count", "share", "yes_no", "fruits", "day", "hour", "budget", "size", "notes"] {
            #expect(scenario.jump(name) == .moved)
            #expect(scenario.answer("") == .accepted, "\(name)")
            #expect(scenario.at != name, "Enter moves on from \(name)")
        }
        #expect(scenario.engine.records == before)
    }

    @Test("V2: back, jump and Enter in any order never change a stored answer", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func revisitProperty(seed: UInt64) throws {
        let scenario = try Self.answered()
        let before = scenario.engine.records
        let names = ["name", "count", "share", "yes_no", "fruits", "day", "hour", "budget", "size", "notes"]
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            switch random.integer(0...2) {
            case 0: _ = scenario.move { $0.back() }
            case 1: _ = scenario.jump(random.pick(names))
            default: _ = scenario.answer("   ")
            }
            #expect(scenario.engine.records == before)
        }
    }

    @Test("V3: clearing on purpose empties an optional answer, logged; a required one cannot be emptied")
    func clear() throws {
        let scenario = try Self.answered()
        _ = scenario.jump("share")
        #expect(scenario.step { $0.clearAnswer() } == .accepted)
        #expect(scenario.value("share") == .empty && scenario.at == "yes_no")
        let changes = scenario.transitions.last?.events.compactMap { event -> Address? in
            if case .changed(let address, _, _) = event.kind { return address }
            return nil
        }
        #expect(changes == [Address("share")])
        _ = scenario.jump("notes")
        #expect(scenario.step { $0.clearAnswer() } == .requiredButEmpty(nil))
        #expect(scenario.value("notes") == .string("fine"))
    }

    @Test("V4: a value awaiting a soft-check confirmation is kept, and Enter does not pass it")
    func softPending() throws {
        let scenario = try Scenario(Self.form)
        for (name, text) in [("name", "a"), ("count", "1"), ("share", "1"), ("yes_no", "no"), ("fruits", "pear"), ("day", ""), ("hour", ""), ("budget", "")] {
            scenario.answer(name, text)
        }
        #expect(scenario.answer("size", "40") == .softCheckFailed(nil))
        #expect(scenario.answer("") == .softCheckFailed(nil))
        #expect(scenario.at == "size" && scenario.value("size") == .number(40))
    }
}
