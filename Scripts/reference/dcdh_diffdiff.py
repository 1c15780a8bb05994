#!/usr/bin/env python3
"""de Chaisemartin & D'Haultfœuille's DID_M from diff-diff (PyPI) on a simulated panel whose 0/1 treatment switches on
and off: 150 units over 7 periods (a seeded draw, written to PANEL_OUT so that the tests read exactly these rows), a
true effect of 2 while treated; a second sample drops rows so that some units miss the first period, some have a gap
and some leave early. DID_M, DID_+ and DID_- with their analytic (cohort-recentred plug-in) standard errors, and the
placebo's estimate (diff-diff gives no analytic standard error for it); then the dynamic effects DID_1 … DID_3 and
their placebos with their standard errors (L_max = 3). drop_larger_lower=False keeps units that switch more than
once, as DID_M allows. Last, DID^X (diff-diff's controls): a time-varying covariate x, drawn from a second seeded
generator so the rows above keep their values, correlated with the treatment, and an outcome yx = y + 0.7·x; the dynamic
effects and placebos of yx with controls=["x"] (L_max = 3), on both samples. Then a non-binary treatment, a dose of 0, 1
or 2 (third seeded generator): the dynamic effects, placebos and normalised effects of ydose (L_max = 3).
Usage: dcdh_diffdiff.py PANEL_OUT.csv REFERENCE_OUT.csv"""
import csv, sys, warnings
import numpy as np
import pandas as pd
from diff_diff.chaisemartin_dhaultfoeuille import ChaisemartinDHaultfoeuille

warnings.simplefilter("ignore")
panel_path, reference_path = sys.argv[1:3]
rng = np.random.default_rng(20261130)
rows = []
for unit in range(150):
    treated = int(rng.random() < 0.3)
    level = rng.normal()
    for period in range(7):
        if period > 0 and rng.random() < 0.2:
            treated = 1 - treated
        keep = 1
        # The unbalanced sample: unit 0 mod 17 misses the first period, 5 mod 23 a middle period, 9 mod 29 leaves early.
        if (unit % 17 == 0 and period == 0) or (unit % 23 == 5 and period == 3) or (unit % 29 == 9 and period >= 5):
            keep = 0
        rows.append((unit, 2020 + period, treated, level + 0.4 * period + 2.0 * treated + rng.normal(), keep))
data = pd.DataFrame(rows, columns=["unit", "year", "d", "y", "balanced_only"])
covariate_rng = np.random.default_rng(20261201)
data["x"] = covariate_rng.normal(size=len(data)) + 0.5 * data["d"] + 0.1 * (data["year"] - 2020)
data["yx"] = data["y"] + 0.7 * data["x"]
# A non-binary treatment (a dose of 0, 1 or 2) from a third generator, so the rows above keep their values: each unit's
# first-period dose, and in each later period a 20% chance of moving to another dose; outcome ydose = y - 2 d + 1.5 dose.
dose_rng = np.random.default_rng(20261202)
dose = []
for unit in range(150):
    level = int(dose_rng.choice(3, p=[0.5, 0.3, 0.2]))
    for period in range(7):
        if period > 0 and dose_rng.random() < 0.2:
            level = int((level + 1 + dose_rng.integers(2)) % 3)
        dose.append(level)
data["dose"] = dose
data["ydose"] = data["y"] - 2.0 * data["d"] + 1.5 * data["dose"]
data.to_csv(panel_path, index=False, lineterminator="\n", float_format="%.17g")
out = []
unbalanced = data[data.balanced_only == 1]
# diff-diff refuses units without the first period (pantau leaves them out and says so): they are dropped here.
unbalanced = unbalanced[unbalanced.unit.isin(unbalanced[unbalanced.year == 2020].unit)]
for sample, frame in [("balanced", data), ("unbalanced", unbalanced)]:
    r = ChaisemartinDHaultfoeuille(placebo=True, twfe_diagnostic=False, drop_larger_lower=False).fit(
        frame, outcome="y", unit="unit", time="year", treatment="d")
    for term, estimate, se in [("DID_M", r.overall_att, r.overall_se), ("DID_+", r.joiners_att, r.joiners_se),
                               ("DID_-", r.leavers_att, r.leavers_se), ("placebo", r.placebo_effect, float("nan"))]:
        out.append([sample, term, repr(float(estimate)), repr(float(se))])
    # The dynamic effects DID_1 … DID_3 and their placebos with their analytic standard errors (L_max = 3): of y; of yx
    # adjusted for x (DID^X); of ydose on the dose, a non-binary treatment (the per-period DID_M is for a 0/1 treatment
    # only), with the effects normalised by the dose's cumulative change (DID^n_l).
    for suffix, outcome, treatment, options in [("", "y", "d", {}), ("X", "yx", "d", {"controls": ["x"]}),
                                                ("dose", "ydose", "dose", {})]:
        r = ChaisemartinDHaultfoeuille(placebo=True, twfe_diagnostic=False, drop_larger_lower=False).fit(
            frame, outcome=outcome, unit="unit", time="year", treatment=treatment, L_max=3, **options)
        for l in range(1, 4):
            effect, placebo = r.event_study_effects[l], r.placebo_event_study[-l]
            out.append([sample, f"DID{suffix}_{l}", repr(float(effect["effect"])), repr(float(effect["se"]))])
            out.append([sample, f"placebo{suffix}_{l}", repr(float(placebo["effect"])), repr(float(placebo["se"]))])
            normalized = (r.normalized_effects or {}).get(l) if suffix == "dose" else None
            if normalized is not None:
                out.append([sample, f"normalizeddose_{l}", repr(float(normalized["effect"])), repr(float(normalized["se"]))])
with open(reference_path, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["sample", "term", "estimate", "std_error"])
    writer.writerows(out)
print(f"wrote {reference_path} and {panel_path}", file=sys.stderr)
