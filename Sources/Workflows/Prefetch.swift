import Foundation

/// Rounds read ahead by readers of their own, each on its own thread: a store evaluating one round's statement keeps
/// one of its processes busy, so two readers let the database work on the next round while this one's figures are
/// made (the indicators' contributions on PostgreSQL). At most `window` rounds wait to be taken, so memory follows a
/// few rounds, not the panel.
final class Prefetch<Reader, Value: Sendable>: @unchecked Sendable {
    // Unchecked: `results`, `taken`, `stopped` and `fetchedCount` are read and written under `condition` only; each reader is used
    // by its own thread alone.
    private let condition = NSCondition()
    private var results: [Int: Result<Value, any Error>] = [:]
    private var taken = 0
    private var stopped = false
    private var fetchedCount = 0
    private let window: Int

    /// How many rounds the readers have read so far.
    var fetched: Int {
        condition.lock()
        defer { condition.unlock() }
        return fetchedCount
    }

    /// Starts reading rounds `0..<count` with `fetch`: reader `n` of `readers` takes rounds `n`, `n + readers.count`, ….
    init(
        readers: [Reader], count: Int, window: Int = 2, fetch: @escaping @Sendable (Reader, Int) throws -> Value
    ) {
        self.window = max(window, readers.count)
        let lanes = readers.count
        for (lane, reader) in readers.enumerated() {
            let box = ReaderBox(reader)
            Thread.detachNewThread { [self] in
                for index in stride(from: lane, to: count, by: lanes) {
                    condition.lock()
                    while !stopped && index >= taken + self.window { condition.wait() }
                    let stop = stopped
                    condition.unlock()
                    if stop { return }
                    let result = Result { try fetch(box.reader, index) }
                    condition.lock()
                    results[index] = result
                    fetchedCount += 1
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }
    }

    /// Round `index`'s value (rounds are taken in order), waiting for them if they are not read yet.
    func take(_ index: Int) throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        let result = results.removeValue(forKey: index)!
        taken = max(taken, index + 1)
        condition.broadcast()
        return try result.get()
    }

    /// Lets the readers' threads end without reading further rounds: the caller's last step (the threads hold the
    /// prefetch until they end).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A reader handed to the one thread that uses it.
private struct ReaderBox<Reader>: @unchecked Sendable {
    let reader: Reader
    init(_ reader: Reader) { self.reader = reader }
}
