#!/usr/bin/env python3
"""Writes the reference ATT(g,t) and aggregations for mpdta (Tests/ReferenceData/mpdta.csv) from csdid, the Python
port of R's did package, to Tests/AnalysisTests/Fixtures/mpdta_attgt.csv. Run: Scripts/reference/cs_mpdta.py
(installs csdid from PyPI when missing). Unconditional (no covariates), outcome regression, analytic standard
errors (influence functions, no bootstrap), base period 'varying' (the package default); then with the covariate
lpop (outcome regression and doubly robust), and weighted by exp(lpop) as survey weights."""
import csv, os, subprocess, sys
try:
    import csdid  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "csdid"])
import contextlib, io
import pandas as pd
from csdid.att_gt import ATTgt

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
data = pd.read_csv(os.path.join(root, "Tests", "ReferenceData", "mpdta.csv"))
import numpy as np
# Survey weights: exp(lpop), the county population (time-invariant), as in the TWFE reference.
data["w"] = np.exp(data["lpop"])
rows = []


def reference(label, xformla, method, weights, kinds):
    """ATT(g,t) for both comparisons, and the aggregations in `kinds` (with the event times of 'dynamic')."""
    for control in ["nevertreated", "notyettreated"]:
        model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", xformla=xformla, data=data,
                      control_group=control, weights_name=weights)
        with contextlib.redirect_stdout(io.StringIO()):
            out = model.fit(est_method=method, bstrap=False)
        r = out.results
        for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
            rows.append([control + label, "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
        for kind in kinds:
            with contextlib.redirect_stdout(io.StringIO()):
                out.aggte(typec=kind, bstrap=False)
            a = out.atte
            rows.append([control + label, kind, "", "", repr(float(a["overall_att"])), repr(float(a["overall_se"]))])
            if kind == "dynamic":
                for e, att, se in zip(a["egt"], a["att_egt"], a["se_egt"]):
                    rows.append([control + label, "event", int(e), "", repr(float(att)), repr(float(se))])


every = ["simple", "dynamic", "group", "calendar"]
reference("", None, "reg", None, every)  # unconditional, outcome regression
reference("+lpop", "lemp~lpop", "reg", None, ["simple"])  # the covariate lpop (time-invariant in mpdta)
reference("+lpop+dr", "lemp~lpop", "dr", None, ["simple"])  # doubly robust, the did package's default
reference("+w", None, "reg", "w", every)  # weighted, each aggregation
reference("+lpop+w", "lemp~lpop", "reg", "w", every)
reference("+lpop+dr+w", "lemp~lpop", "dr", "w", every)
path = os.path.join(root, "Tests", "AnalysisTests", "Fixtures", "mpdta_attgt.csv")
with open(path, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["control", "kind", "group_or_event", "time", "estimate", "std_error"])
    writer.writerows(rows)
print(f"wrote {path}: {len(rows)} rows")
