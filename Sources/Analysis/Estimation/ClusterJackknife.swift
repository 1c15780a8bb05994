import Foundation

/// The delete-one-cluster jackknife of a vector of estimates: each cluster left out in turn and everything
/// refitted, V = (G − 1)/G · Σ_g (θ₍g₎ − θ̄)(θ₍g₎ − θ̄)ᵀ. It carries the estimation of every nuisance part
/// (propensity scores, outcome regressions, group shares) into the variance, and with few clusters of unequal
/// size it does not share the downward bias of summed influence functions (MacKinnon, Nielsen & Webb 2023).
public struct ClusterJackknife: Sendable {
    /// A leave-one-out fit that lacks a reported quantity (a cohort or comparison lives in one cluster).
    public struct Missing: Error, CustomStringConvertible {
        public let term: String
        public var description: String { "\(term) cannot be estimated without one of the clusters" }
    }

    /// Why the jackknife could not be computed: the cluster whose omission failed and the reason.
    public struct Failure: Error, CustomStringConvertible {
        public let cluster: String
        public let reason: String
        public var description: String { "without cluster \(cluster): \(reason)" }
    }

    /// The covariance of the estimates, in their order.
    public let covariance: [[Double]]
    public var standardErrors: [Double] { covariance.indices.map { covariance[$0][$0].squareRoot() } }

    /// `refit(g)` returns the estimates, in the order of `full`, without cluster g (codes 0..<clusterCount).
    public init(full: [Double], clusterCount: Int, clusterLabel: (Int) -> String, refit: (Int) throws -> [Double]) throws {
        guard clusterCount >= 2 else { throw Failure(cluster: clusterLabel(0), reason: "one cluster") }
        var fits: [[Double]] = []
        for g in 0..<clusterCount {
            do {
                let fit = try refit(g)
                guard fit.count == full.count, fit.allSatisfy(\.isFinite) else {
                    throw Failure(cluster: clusterLabel(g), reason: "an estimate is not finite")
                }
                fits.append(fit)
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(cluster: clusterLabel(g), reason: "\(error)")
            }
        }
        let k = full.count, count = Double(clusterCount)
        let means = (0..<k).map { j in fits.reduce(0) { $0 + $1[j] } / count }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for fit in fits {
            for a in 0..<k {
                let da = fit[a] - means[a]
                for b in a..<k { covariance[a][b] += da * (fit[b] - means[b]) }
            }
        }
        for a in 0..<k {
            for b in a..<k {
                covariance[a][b] *= (count - 1) / count
                covariance[b][a] = covariance[a][b]
            }
        }
        self.covariance = covariance
    }
}
