#!/usr/bin/env python3
"""Writes the reference ATT(g,t) and aggregations for mpdta (shared/reference/mpdta.csv) from csdid, the Python
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
data = pd.read_csv(os.path.join(root, "..", "shared", "reference", "mpdta.csv"))
rows = []
for control in ["nevertreated", "notyettreated"]:
    model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", xformla=None, data=data,
                  control_group=control)
    with contextlib.redirect_stdout(io.StringIO()):
        out = model.fit(est_method="reg", bstrap=False)
    r = out.results
    for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
        rows.append([control, "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
    for kind in ["simple", "dynamic", "group", "calendar"]:
        with contextlib.redirect_stdout(io.StringIO()):
            out.aggte(typec=kind, bstrap=False)
        a = out.atte
        rows.append([control, kind, "", "", repr(float(a["overall_att"])), repr(float(a["overall_se"]))])
        if kind == "dynamic":
            for e, att, se in zip(a["egt"], a["att_egt"], a["se_egt"]):
                rows.append([control, "event", int(e), "", repr(float(att)), repr(float(se))])
# With the covariate lpop (time-invariant in mpdta), outcome regression.
for control in ["nevertreated", "notyettreated"]:
    model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", xformla="lemp~lpop", data=data,
                  control_group=control)
    with contextlib.redirect_stdout(io.StringIO()):
        out = model.fit(est_method="reg", bstrap=False)
    r = out.results
    for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
        rows.append([control + "+lpop", "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
    with contextlib.redirect_stdout(io.StringIO()):
        out.aggte(typec="simple", bstrap=False)
    rows.append([control + "+lpop", "simple", "", "", repr(float(out.atte["overall_att"])), repr(float(out.atte["overall_se"]))])
# Doubly robust (the did package's default), with lpop.
for control in ["nevertreated", "notyettreated"]:
    model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", xformla="lemp~lpop", data=data,
                  control_group=control)
    with contextlib.redirect_stdout(io.StringIO()):
        out = model.fit(est_method="dr", bstrap=False)
    r = out.results
    for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
        rows.append([control + "+lpop+dr", "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
    with contextlib.redirect_stdout(io.StringIO()):
        out.aggte(typec="simple", bstrap=False)
    rows.append([control + "+lpop+dr", "simple", "", "", repr(float(out.atte["overall_att"])), repr(float(out.atte["overall_se"]))])
# Survey weights: exp(lpop), the county population (time-invariant), as in the TWFE reference. Unconditional
# outcome regression with every aggregation, and with lpop by outcome regression and doubly robust.
import numpy as np
data["w"] = np.exp(data["lpop"])
for control in ["nevertreated", "notyettreated"]:
    for suffix, xformla, method in [("+w", None, "reg"), ("+lpop+w", "lemp~lpop", "reg"), ("+lpop+dr+w", "lemp~lpop", "dr")]:
        model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", xformla=xformla, data=data,
                      control_group=control, weights_name="w")
        with contextlib.redirect_stdout(io.StringIO()):
            out = model.fit(est_method=method, bstrap=False)
        r = out.results
        for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
            rows.append([control + suffix, "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
        for kind in ["simple", "dynamic", "group", "calendar"]:
            with contextlib.redirect_stdout(io.StringIO()):
                out.aggte(typec=kind, bstrap=False)
            a = out.atte
            rows.append([control + suffix, kind, "", "", repr(float(a["overall_att"])), repr(float(a["overall_se"]))])
            if kind == "dynamic":
                for e, att, se in zip(a["egt"], a["att_egt"], a["se_egt"]):
                    rows.append([control + suffix, "event", int(e), "", repr(float(att)), repr(float(se))])
path = os.path.join(root, "Tests", "AnalysisTests", "Fixtures", "mpdta_attgt.csv")
with open(path, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["control", "kind", "group_or_event", "time", "estimate", "std_error"])
    writer.writerows(rows)
print(f"wrote {path}: {len(rows)} rows")
