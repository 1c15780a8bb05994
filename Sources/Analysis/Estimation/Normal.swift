import Foundation

/// The standard normal distribution: distribution function, upper tail, quantile and the truncated normal's
/// quantile, accurate far into the tails (the conditional tests truncate at eight standard deviations and beyond).
public enum Normal {
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// 1 − Φ(x), without cancellation for large x.
    public static func upperTail(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }

    /// Φ⁻¹(p): Acklam's rational approximation, then two Newton steps on erfc (relative error near 1e-15).
    public static func quantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        if p > 0.5 { return -quantile(1 - p) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            let error = cdf(x) - p
            let density = exp(-x * x / 2) / (2 * Double.pi).squareRoot()
            guard density > 0 else { break }
            let step = error / density
            x -= step / (1 + x * step / 2)  // Halley's correction
        }
        return x
    }

    /// The p-quantile of the standard normal truncated to [low, high]. Works on the tail nearer zero's far side so
    /// that an interval like [9, 12] keeps its precision.
    public static func truncatedQuantile(_ p: Double, low: Double, high: Double) -> Double {
        guard low < high else { return low }
        if low >= 0 {
            // Upper tails: Q(q) = Q(low) − p (Q(low) − Q(high)).
            let ql = upperTail(low), qh = upperTail(high)
            let target = ql - p * (ql - qh)
            return min(max(-quantile(target), low), high)
        }
        if high <= 0 { return -truncatedQuantile(1 - p, low: -high, high: -low) }
        let fl = cdf(low), fh = cdf(high)
        return min(max(quantile(fl + p * (fh - fl)), low), high)
    }
}
