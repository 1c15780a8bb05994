// The "did you mean" suggestion: the banded, length-filtered search gives what comparing every candidate in full
// gives (the first candidate at the smallest distance within the limit).
import Randomness
import Testing

@testable import Expressions

struct SuggestionTests {
    @Test("closestMatch equals a full comparison with every candidate, on random names")
    func sameAsFullComparison() {
        var random = SplitMix64(seed: 9)
        func word() -> String { String((0..<(1 + Int(random.next() % 9))).map { _ in Array("abcdeAB_1")[Int(random.next() % 9)] }) }
        for _ in 0..<2_000 {
            let query = word(), candidates = (0..<Int(random.next() % 30)).map { _ in word() }
            let limit = max(1, min(3, query.count / 3))
            var expected: (String, Int)?
            for candidate in candidates {
                let distance = editDistance(query, candidate)
                if distance <= limit, expected == nil || distance < expected!.1 { expected = (candidate, distance) }
            }
            #expect(closestMatch(to: query, among: candidates) == expected?.0, "\(query) among \(candidates)")
        }
    }
}
