#!/usr/bin/env python3
"""Rambachan & Roth's sensitivity analysis from honestdid (PyPI, a port of R's HonestDiD) on event studies made for
the purpose: seeded draws of estimates and covariance matrices (written to CASES_OUT so that the tests read exactly
these numbers) with 1 to 4 pre-periods, 1 to 4 post-periods, the first post-period or the average as target, and a
pre-trend in some. For relative magnitudes (M-bar) and smoothness (M), with the conditional test (deterministic:
honestdid's "Conditional", hybrid_flag ARP), the peer's accept/reject decision at every one of its 1,000 grid points
within three points of each end of its confidence set, and the ends themselves. With the least-favourable hybrid
("C-LF", whose first stage simulates 1,000 draws), the ends only: pantau draws its own, so those agree to simulation
error. The pre-test's power against a linear trend (Roth 2022) from scipy's multivariate normal (Genz's algorithm).
Usage: honestdid_sensitivity.py CASES_OUT.csv REFERENCE_OUT.csv"""
import csv, os, sys, warnings
import numpy as np
from scipy.stats import multivariate_normal, norm
import honestdid
import honestdid.core

warnings.simplefilter("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import honestdid_numpy2  # noqa: E402,F401  (honestdid 0.1.1 under numpy 2)
# Where the optimal vertex's statistic has zero variance, honestdid's primal branch divides by it; its dual branch (and
# pantau) then reject exactly when the statistic is positive, which is what this wrapper does there.
_conditional_test = honestdid.core._lp_conditional_test_fn


def _guarded_conditional_test(*args, **kwargs):
    try:
        return _conditional_test(*args, **kwargs)
    except ZeroDivisionError:
        y_T = kwargs["y_T"]
        rows = kwargs.get("rowsForARP")
        rows = np.arange(len(y_T)) if rows is None else np.asarray(rows)
        sigma = np.asarray(kwargs["sigma"])[np.ix_(rows, rows)]
        eta = honestdid.core._test_delta_lp_fn(np.asarray(y_T)[rows], np.asarray(kwargs["X_T"])[rows], sigma)["eta_star"]
        return {"reject": int(eta > 0)}


honestdid.core._lp_conditional_test_fn = _guarded_conditional_test
cases_path, reference_path = sys.argv[1:3]
rng = np.random.default_rng(20180601)
cases = []
for name, pre, post, target, trend in [("a", 3, 4, "first", 0.0), ("b", 4, 1, "first", 0.05), ("c", 2, 3, "average", 0.0),
                                       ("d", 3, 3, "average", 0.08), ("e", 1, 2, "first", 0.0)]:
    k = pre + post
    loading = rng.normal(size=(k, k)) * 0.05 + np.eye(k) * 0.1
    sigma = loading @ loading.T + 0.004 * np.ones((k, k))
    times = [t for t in range(-pre - 1, post) if t != -1]
    beta = rng.multivariate_normal([trend * (t + 1) + (0.3 if t >= 0 else 0) for t in times], sigma)
    l_vec = np.eye(post)[0] if target == "first" else np.ones(post) / post
    cases.append((name, pre, post, times, beta, sigma, l_vec))

with open(cases_path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["case", "pre", "post", "target", "row", "event_time", "estimate"] + [f"cov_{j}" for j in range(8)])
    for name, pre, post, times, beta, sigma, l_vec in cases:
        target = "first" if l_vec[0] == 1 else "average"
        for i, t in enumerate(times):
            w.writerow([name, pre, post, target, i, t, repr(float(beta[i]))] + [repr(float(x)) for x in sigma[i]] + [""] * (8 - len(times)))

out = []
for name, pre, post, times, beta, sigma, l_vec in cases:
    def record(kind, bound, method, frame):
        grid, accept = frame["grid"].to_numpy(), frame["accept"].to_numpy()
        step = grid[1] - grid[0]
        if accept.sum() == 0:
            out.append([name, kind, repr(float(bound)), method, "empty", "", "", repr(float(step))])
            return
        first, last = np.flatnonzero(accept)[[0, -1]]
        out.append([name, kind, repr(float(bound)), method, "ends", repr(float(grid[first])), repr(float(grid[last])), repr(float(step))])
        if method != "conditional":
            return
        for i in sorted(set(range(max(first - 3, 0), min(first + 4, len(grid)))) | set(range(max(last - 3, 0), min(last + 4, len(grid))))):
            out.append([name, kind, repr(float(bound)), method, "point", repr(float(grid[i])), str(int(accept[i])), ""])

    sd = float(np.sqrt(l_vec @ sigma[pre:, pre:] @ l_vec))
    centre = float(l_vec @ beta[pre:])
    # A grid wide enough for every case here (honestdid centres relative magnitudes' grid on zero by default).
    lb, ub = centre - 40 * sd, centre + 40 * sd
    for mbar in [0.0, 0.5, 1.0, 2.0]:
        for method, flag in [("conditional", "ARP"), ("conditional_least_favourable", "LF")]:
            record("relative_magnitudes", mbar, method, honestdid.computeConditionalCS_DeltaRM(
                beta, sigma, pre, post, l_vec=l_vec, Mbar=mbar, hybrid_flag=flag, gridPoints=1000, grid_lb=lb, grid_ub=ub))
    for m in [0.0, 0.05, 0.2]:
        for method, flag in [("conditional", "ARP"), ("conditional_least_favourable", "LF")]:
            record("smoothness", m, method, honestdid.computeConditionalCS_DeltaSD(
                beta, sigma, pre, post, l_vec=l_vec, M=m, hybrid_flag=flag, gridPoints=1000, grid_lb=lb - 2 * m, grid_ub=ub + 2 * m))
    # Roth (2022): power of "reject if any pre-period estimate is significant at 5%" against delta_t = slope * (t + 1).
    pre_sigma = sigma[:pre, :pre]
    se = np.sqrt(np.diag(pre_sigma))
    z = norm.ppf(0.975)
    for slope in [0.0, 0.02, 0.05, 0.1]:
        mean = np.array([slope * (t + 1) for t in times[:pre]])
        if pre == 1:
            accept = norm.cdf((z * se[0] - mean[0]) / se[0]) - norm.cdf((-z * se[0] - mean[0]) / se[0])
        else:
            accept = multivariate_normal(mean=mean, cov=pre_sigma, abseps=1e-7, releps=1e-7, maxpts=10**7).cdf(z * se, lower_limit=-z * se)
        out.append([name, "pretest_power", repr(slope), "", "power", repr(float(1 - accept)), "", ""])

with open(reference_path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["case", "kind", "bound", "method", "row", "value", "value2", "step"])
    w.writerows(out)
