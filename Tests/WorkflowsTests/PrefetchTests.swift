import Foundation
import Testing

@testable import Workflows

private struct Refused: Error, Equatable { let index: Int }

@Suite struct PrefetchTests {
    @Test("rounds come back in order, each read by its reader, never more than the window ahead of what was taken")
    func orderAndWindow() throws {
        let prefetch = Prefetch(readers: ["a", "b"], count: 9, window: 2) { reader, index in
            Thread.sleep(forTimeInterval: 0.002)
            return "\(reader)\(index)"
        }
        defer { prefetch.stop() }
        var taken: [String] = []
        var mostAhead = 0
        for index in 0..<9 {
            // A slow taker: the readers would read every round ahead of it if the window did not hold them.
            Thread.sleep(forTimeInterval: 0.02)
            mostAhead = max(mostAhead, prefetch.fetched - index)
            taken.append(try prefetch.take(index))
        }
        #expect(taken == ["a0", "b1", "a2", "b3", "a4", "b5", "a6", "b7", "a8"])
        #expect(mostAhead == 2, "rounds read and not yet taken, at most")
    }

    @Test("a reader's error is thrown where its round is taken; earlier rounds still come back")
    func errors() throws {
        let prefetch = Prefetch(readers: [0, 1], count: 4) { _, index -> Int in
            if index == 2 { throw Refused(index: index) }
            return index * 10
        }
        defer { prefetch.stop() }
        #expect(try prefetch.take(0) == 0)
        #expect(try prefetch.take(1) == 10)
        #expect(throws: Refused(index: 2)) { try prefetch.take(2) }
    }

    @Test("stopped before every round is taken, the readers end without reading the rest")
    func stops() throws {
        let prefetch = Prefetch(readers: [0, 1], count: 100, window: 2) { _, index -> Int in index }
        #expect(try prefetch.take(0) == 0)
        prefetch.stop()
        Thread.sleep(forTimeInterval: 0.05)
        #expect(prefetch.fetched < 10, "read \(prefetch.fetched) of 100 rounds after stop")
    }
}
