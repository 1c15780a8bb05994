import Foundation

/// Axis ticks a reader can take in: round values (1, 2, 2.5 or 5 × a power of ten) spanning the data, with zero among
/// them whenever the range crosses it, so that a zero line is labelled 0 and never −0.009.
enum Ticks {
    static func nice(low: Double, high: Double, count: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite else { return [0] }
        var low = low, high = high
        if high - low < 1e-12 {
            low -= 1
            high += 1
        }
        let rough = (high - low) / Double(max(1, count - 1))
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(low / step) * step, last = ceil(high / step) * step
        var ticks: [Double] = []
        var value = first
        while value <= last + step / 2 {
            ticks.append(abs(value) < step / 1e6 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// A tick as text: as many decimals as the step needs, no more.
    static func label(_ value: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : min(6, Int(ceil(-log10(step))))
        return String(format: "%.\(decimals)f", value)
    }
}
