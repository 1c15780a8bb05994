// I17 (property): after any sequence of steps, the incrementally maintained state equals a full re-evaluation
// from the stored records: what propagation skips could not have changed.
import Expressions
import Foundation
import Interview
import Questionnaire
import Randomness
import TestSupport
import Testing

struct ConsistencyTests {
    static let example: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Questionnaires/examples/household.yaml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    static let pool = [
        "", "0", "1", "2", "5", "17", "18", "40", "101", "130", "-3", "2.5", "abc", "yes", "no", "female", "male",
        "seeing walking", "hearing", "11", "33", "1105", "3329", "2021-06-30", "09:30", "OK", "-7 110", "081234567890",
    ]

    @Test("I17: incremental state equals a full re-evaluation after random steps", arguments: Array(21...60) as [UInt64])
    func randomWalk(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let s = try Scenario(Self.example, previous: [Address("rooms"): .number(3)])
        for step in 0..<400 {
            switch s.engine.cursor {
            case .end:
                if let target = s.engine.review().randomElement(using: &random) { _ = s.jump(target.address.description) }
            case .repeatPrompt:
                if Int.random(in: 0..<3, using: &random) == 0 { s.step { $0.declineInstance() } } else { s.step { $0.addInstance() } }
            case .item:
                switch Int.random(in: 0..<20, using: &random) {
                case 0: s.move { $0.back() }
                case 1: s.step { $0.setNonResponse(.dontKnow) }
                case 2: s.step { $0.confirm(reason: "checked") }
                case 3: s.step { $0.deleteCurrentInstance() }
                case 4: s.move { $0.next() }
                case 5: if let target = s.engine.review().randomElement(using: &random) { _ = s.jump(target.address.description) }
                default: s.answer(Self.pool.randomElement(using: &random)!)
                }
            }
            if step % 20 == 19 {
                let fresh = try Scenario(Self.example, previous: [Address("rooms"): .number(3)], restoring: (s.engine.records, s.engine.cursor))
                let keys = Set(fresh.engine.records.keys).union(s.engine.records.keys)
                let differences = keys.filter { fresh.engine.records[$0] != s.engine.records[$0] }.sorted().map {
                    "\($0): full \(String(describing: fresh.engine.records[$0])) incremental \(String(describing: s.engine.records[$0]))"
                }
                #expect(differences.isEmpty, "seed \(seed), step \(step): \(differences)")
                #expect(fresh.engine.review() == s.engine.review(), "seed \(seed), step \(step)")
                #expect(fresh.at == s.at)
            }
        }
    }
}
