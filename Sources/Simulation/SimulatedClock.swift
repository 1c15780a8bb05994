import Foundation

/// The simulated clock the engine reads: it moves as the simulated enumerator works.
final class SimulatedClock: @unchecked Sendable {
    var now: Double
    let offsetMinutes: Int

    init(start: Double, offsetMinutes: Int) {
        now = start
        self.offsetMinutes = offsetMinutes
    }
}
