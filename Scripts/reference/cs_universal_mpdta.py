#!/usr/bin/env python3
"""Callaway & Sant'Anna with the universal base period (every ATT(g,t), before adoption too, compared with the period
before adoption: R did's base_period = "universal", what HonestDiD's sensitivity analysis reads), from diff-diff (PyPI)
on mpdta (Tests/ReferenceData/mpdta.csv): never-treated and not-yet-treated comparisons, outcome regression without
covariates and with lpop (diff-diff's doubly robust estimator differs from csdid's, which pantau equals, by about 1e-4
here, so it is not the peer for that); analytic standard errors, unit-level influence functions. Writes every
ATT(g,t) (the reference cells ATT(g, g-1), exact zeros, are left out: pantau does not list them), each event time's
aggregate, the simple ATT, and the event-time covariance matrix that the sensitivity analysis reads.
(csdid 0.4.3's base_period="universal" was tried first: it labels each pre-period cell one period late with the
opposite sign and reports event time -1 as non-zero, unlike R's did and diff-diff.)
Usage: cs_universal_mpdta.py MPDTA.csv REFERENCE_OUT.csv"""
import csv, sys
import warnings

import numpy as np
import pandas as pd
from diff_diff import CallawaySantAnna

warnings.simplefilter("ignore")
source, reference_path = sys.argv[1:3]
data = pd.read_csv(source)
rows = []
for label, covariates, method in [("", None, "reg"), ("+lpop", ["lpop"], "reg")]:
    for control in ["never_treated", "not_yet_treated"]:
        r = CallawaySantAnna(control_group=control, estimation_method=method, base_period="universal").fit(
            data, outcome="lemp", unit="countyreal", time="year", first_treat="first_treat", covariates=covariates, aggregate="all")
        name = f"{control}{label}"
        for (g, t), cell in sorted(r.group_time_effects.items()):
            if t == g - 1:
                continue
            rows.append([name, "attgt", int(g), int(t), repr(float(cell["effect"])), repr(float(cell["se"]))])
        for e, cell in sorted(r.event_study_effects.items()):
            if e != -1:
                rows.append([name, "event", int(e), "", repr(float(cell["effect"])), repr(float(cell["se"]))])
        rows.append([name, "simple", "", "", repr(float(r.overall_att)), repr(float(r.overall_se))])
        index = [int(e) for e in r.event_study_vcov_index]
        vcov = np.asarray(r.event_study_vcov)
        for a, ea in enumerate(index):
            for b, eb in enumerate(index):
                if ea != -1 and eb != -1:
                    rows.append([name, "vcov", ea, eb, repr(float(vcov[a, b])), ""])
with open(reference_path, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["sample", "kind", "group_or_event", "time", "estimate", "std_error"])
    writer.writerows(rows)
print(f"wrote {reference_path}: {len(rows)} rows", file=sys.stderr)
