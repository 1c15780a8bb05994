#!/usr/bin/env python3
"""The fixed-length confidence interval (FLCI) for smoothness restrictions from honestdid (PyPI, a port of R's
HonestDiD) on the event studies of Tests/AnalysisTests/Fixtures/honestdid_cases.csv, at M = 0, 0.02, 0.05 and 0.1.
honestdid 0.1.1 needs two patches, said here: float() of 1x1 arrays (numpy 2 refuses them; as in
honestdid_sensitivity.py), and its folded-normal quantile, which it simulates from a million seeded draws: replaced by
the exact quantile (scipy's normal distribution function inverted by brentq), so that what is compared is the
optimisation, not simulation error. With the interval, the estimator's weights (pre- then post-periods), so that the
tests can evaluate pantau's half-length at honestdid's optimum. Case e (one pre-period) is left out: honestdid fails there ("zero-dimensional
arrays cannot be concatenated"); with one pre-period the FLCI's weights are fixed by the trend constraint.
Usage: honestdid_flci.py REFERENCE_OUT.csv"""
import csv, os, sys, warnings
import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm
import honestdid
import honestdid.core

warnings.simplefilter("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import honestdid_numpy2  # noqa: E402,F401  (honestdid 0.1.1 under numpy 2)


def _exact_folded_normal_quantile(p, mu=0.0, sd=1.0, numSims=10**6, seed=0):
    def one(m):
        return brentq(lambda c: norm.cdf((c - m) / sd) - norm.cdf((-c - m) / sd) - p, 0, abs(m) + 40 * sd, xtol=1e-15)
    if isinstance(mu, (list, np.ndarray)):
        return np.array([one(float(m)) for m in np.asarray(mu).ravel()])
    return one(float(mu))


honestdid.core._qfoldednormal = _exact_folded_normal_quantile
rows = list(csv.DictReader(open("Tests/AnalysisTests/Fixtures/honestdid_cases.csv")))
cases = {}
for row in rows:
    cases.setdefault(row["case"], []).append(row)
with open(sys.argv[1], "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["case", "m", "low", "high"] + [f"v_{j}" for j in range(8)])
    for name, members in cases.items():
        if name == "e":
            continue
        pre, post, target = int(members[0]["pre"]), int(members[0]["post"]), members[0]["target"]
        k = pre + post
        beta = np.array([float(r["estimate"]) for r in members])
        sigma = np.array([[float(r[f"cov_{j}"]) for j in range(k)] for r in members])
        l_vec = np.eye(post)[0] if target == "first" else np.ones(post) / post
        for m in [0.0, 0.02, 0.05, 0.1]:
            result = honestdid.find_optimal_flci(beta, sigma, M=m, numPrePeriods=pre, numPostPeriods=post, l_vec=l_vec)
            weights = [repr(float(x)) for x in np.asarray(result["optimalVec"]).ravel()]
            out.writerow([name, m, repr(float(result["FLCI"][0])), repr(float(result["FLCI"][1]))] + weights + [""] * (8 - len(weights)))
