#!/usr/bin/env python3
"""Writes pyfixest's TWFE estimates on mpdta (Tests/ReferenceData/mpdta.csv) to
Tests/AnalysisTests/Fixtures/mpdta_twfe.csv: lemp on a post-treatment indicator with county and year effects,
iid and CR1 standard errors clustered by county and by state (fixest's default small-sample factors), and the
same unbalanced (a deterministic fifth of the rows dropped). Installs pyfixest from PyPI when missing."""
import os, subprocess, sys
try:
    import pyfixest  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "pyfixest"])
import numpy as np
import pandas as pd
import pyfixest as pf

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
data = pd.read_csv(os.path.join(root, "Tests", "ReferenceData", "mpdta.csv"))
data["d"] = ((data["first_treat"] > 0) & (data["year"] >= data["first_treat"])).astype(float)
data["state"] = data["countyreal"] // 1000
unbalanced = data[(data["countyreal"] * 7 + data["year"]) % 5 != 0]
rows = []
for name, frame in [("balanced", data), ("unbalanced", unbalanced)]:
    for vcov_name, vcov in [("iid", "iid"), ("cr1_county", {"CRV1": "countyreal"}), ("cr1_state", {"CRV1": "state"})]:
        fit = pf.feols("lemp ~ d | countyreal + year", data=frame, vcov=vcov)
        rows.append([name, vcov_name, repr(float(fit.coef()["d"])), repr(float(fit.se()["d"])), len(frame)])
# Survey-style weights: exp(lpop), the county population.
data["w"] = np.exp(data["lpop"])
for vcov_name, vcov in [("iid", "iid"), ("cr1_county", {"CRV1": "countyreal"}), ("cr1_state", {"CRV1": "state"})]:
    fit = pf.feols("lemp ~ d | countyreal + year", data=data, vcov=vcov, weights="w")
    rows.append(["weighted", vcov_name, repr(float(fit.coef()["d"])), repr(float(fit.se()["d"])), len(data)])
# A time-varying covariate (lpop is constant within counties, so it would be absorbed): lpop × (year − 2003).
data["x"] = data["lpop"] * (data["year"] - 2003)
for vcov_name, vcov in [("iid", "iid"), ("cr1_county", {"CRV1": "countyreal"}), ("cr1_state", {"CRV1": "state"})]:
    fit = pf.feols("lemp ~ d + x | countyreal + year", data=data, vcov=vcov)
    rows.append(["covariate", vcov_name, repr(float(fit.coef()["d"])), repr(float(fit.se()["d"])), len(data)])
out = os.path.join(root, "Tests", "AnalysisTests", "Fixtures", "mpdta_twfe.csv")
pd.DataFrame(rows, columns=["sample", "vcov", "estimate", "std_error", "n"]).to_csv(out, index=False)
print(pd.DataFrame(rows, columns=["sample", "vcov", "estimate", "std_error", "n"]))

# The event study: event time (year − first treated year) binned at −3 and 3, −1 the reference, never-treated rows
# all zero; CR1 by county; unweighted and weighted by exp(lpop). Written to mpdta_event_study.csv.
event = (data["year"] - data["first_treat"]).clip(-3, 3).where(data["first_treat"] > 0)
window = [-3, -2, 0, 1, 2, 3]
names = {e: f"ev_{'m' if e < 0 else ''}{abs(e)}" for e in window}
for e in window:
    data[names[e]] = (event == e).astype(float)
formula = "lemp ~ " + " + ".join(names[e] for e in window) + " | countyreal + year"
study_rows = []
for label, weights, extra in [("unweighted", None, ""), ("weighted", "w", ""), ("covariate", None, " + x")]:
    fit = pf.feols(formula.replace(" |", extra + " |"), data=data, vcov={"CRV1": "countyreal"}, weights=weights)
    for e in window:
        study_rows.append([label, e, repr(float(fit.coef()[names[e]])), repr(float(fit.se()[names[e]]))])
study = pd.DataFrame(study_rows, columns=["sample", "event_time", "estimate", "std_error"])
study.to_csv(os.path.join(root, "Tests", "AnalysisTests", "Fixtures", "mpdta_event_study.csv"), index=False)
print(study)
