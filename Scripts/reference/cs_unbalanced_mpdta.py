#!/usr/bin/env python3
"""Callaway & Sant'Anna on an unbalanced panel and on repeated cross-sections, from csdid (the Python port of R's
did). The unbalanced panel is mpdta (Tests/ReferenceData/mpdta.csv) with one row in nine dropped by a fixed rule
(county * 31 + year divisible by 9), written with the reference so that the tests read exactly these rows; the
repeated cross-sections are every row of mpdta taken as a different county (did's panel = FALSE). Analytic
standard errors (influence functions, no bootstrap), base period 'varying'; outcome regression and doubly robust,
unconditional, with the covariate lpop, and weighted by exp(lpop).
Usage: cs_unbalanced_mpdta.py MPDTA.csv UNBALANCED_OUT.csv REFERENCE_OUT.csv"""
import contextlib, csv, io, sys
import warnings

import numpy as np
import pandas as pd
from csdid.att_gt import ATTgt

warnings.simplefilter("ignore")
source, unbalanced_path, reference_path = sys.argv[1:4]
data = pd.read_csv(source)
data["w"] = np.exp(data["lpop"])
unbalanced = data[(data["countyreal"] * 31 + data["year"]) % 9 != 0].reset_index(drop=True)
unbalanced.drop(columns=["w"]).to_csv(unbalanced_path, index=False, lineterminator="\n", float_format="%.17g")
rows = []


def reference(sample, frame, panel, label, xformla, method, weights):
    for control in ["nevertreated", "notyettreated"]:
        model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal" if panel else None, tname="year", xformla=xformla,
                      data=frame, control_group=control, weights_name=weights, panel=panel, allow_unbalanced_panel=panel)
        with contextlib.redirect_stdout(io.StringIO()):
            out = model.fit(est_method=method, bstrap=False)
        r = out.results
        name = f"{sample}:{control}{label}"
        for g, t, att, se in zip(r["group"], r["year"], r["att"], r["se"]):
            rows.append([name, "attgt", int(g), int(t), repr(float(att)), repr(float(se))])
        for kind in ["simple", "dynamic", "group", "calendar"]:
            with contextlib.redirect_stdout(io.StringIO()):
                out.aggte(typec=kind, bstrap=False)
            a = out.atte
            rows.append([name, kind, "", "", repr(float(a["overall_att"])), repr(float(a["overall_se"]))])
            if kind == "dynamic":
                for e, att, se in zip(a["egt"], a["att_egt"], a["se_egt"]):
                    rows.append([name, "event", int(e), "", repr(float(att)), repr(float(se))])


for sample, frame, panel in [("unbalanced", unbalanced, True), ("cross_sections", data, False)]:
    reference(sample, frame, panel, "", None, "reg", None)
    reference(sample, frame, panel, "+dr", None, "dr", None)
    reference(sample, frame, panel, "+lpop", "lemp~lpop", "reg", None)
    reference(sample, frame, panel, "+lpop+dr", "lemp~lpop", "dr", None)
    reference(sample, frame, panel, "+lpop+dr+w", "lemp~lpop", "dr", "w")
    reference(sample, frame, panel, "+w", None, "reg", "w")
with open(reference_path, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["sample", "kind", "group_or_event", "time", "estimate", "std_error"])
    writer.writerows(rows)
print(f"wrote {reference_path}: {len(rows)} rows; {unbalanced_path}: {len(unbalanced)} of {len(data)} rows", file=sys.stderr)
