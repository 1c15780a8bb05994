"""Reference values for Gardner's two-stage DiD from pyfixest's did2s (PyPI), for pantau's tests.

Writes a simulated staggered panel (unbalanced: 5% of rows dropped; cohorts 2014, 2015, 2017 and never treated;
25 clusters) and pyfixest's estimates and GMM standard errors for the overall effect and for the event study
(event times clipped to -3..3, -1 the reference), without and with a time-varying covariate x in the first stage, and weighted. pyfixest's first stage is run with fixed-effects tolerances of
1e-14 (its defaults, 1e-8 for demeaning and 1e-6 for recovering the effects, move the sixth decimal). Usage: python did2s_pyfixest.py PANEL.csv REFERENCE.csv
"""
import functools
import sys

import numpy as np
import pandas as pd
import pyfixest as pf
import pyfixest.did.did2s as did2s_module
from pyfixest.estimation.models.feols_ import Feols

panel_path, reference_path = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(20261130)
n, periods = 240, 8
unit = np.repeat(np.arange(n), periods)
period = np.tile(np.arange(2011, 2011 + periods), n)
cohort = np.repeat(rng.choice([0, 2014, 2015, 2017], size=n, p=[0.3, 0.25, 0.25, 0.2]), periods)
cluster = np.repeat(rng.integers(0, 25, size=n), periods)
effect = np.where((cohort > 0) & (period >= cohort), 1 + 0.3 * (period - cohort), 0)
y = np.repeat(rng.normal(size=n), periods) + 0.2 * (period - 2011) + effect + rng.normal(size=n * periods)
data = pd.DataFrame({"unit": unit, "period": period, "cohort": cohort, "cluster": cluster, "y": np.round(y, 6)})
# A time-varying covariate, drawn after everything else (the panel's other columns are as before it was added), that
# moves the outcome: the first stage with it is "~ x | unit + period".
x = np.round(np.random.default_rng(7).normal(size=n * periods) + 0.1 * (period - 2011), 6)
data["x"] = x
data["y"] = np.round(data["y"] + 0.5 * data["x"], 6)
data = data.sample(frac=0.95, random_state=1).sort_values(["unit", "period"]).reset_index(drop=True)
data.to_csv(panel_path, index=False)

did2s_module.feols = functools.partial(pf.feols, fixef_tol=1e-14)
Feols.fixef = functools.partialmethod(Feols.fixef, atol=1e-14, btol=1e-14)
data["treat"] = (data.cohort > 0) & (data.period >= data.cohort)
data["rel"] = np.where(data.cohort > 0, (data.period - data.cohort).clip(-3, 3), -1).astype(float)
rows = []
static = pf.did2s(data, yname="y", first_stage="~0|unit+period", second_stage="~treat", treatment="treat", cluster="cluster")
for term, row in static.tidy().iterrows():
    rows.append(("two_stage", "treated", row["Estimate"], row["Std. Error"]))
dynamic = pf.did2s(data, yname="y", first_stage="~0|unit+period", second_stage="~i(rel,ref=-1.0)", treatment="treat", cluster="cluster")
for term, row in dynamic.tidy().iterrows():
    event_time = int(float(term.split("::")[1]))
    rows.append(("two_stage_event_study", f"event time {event_time}", row["Estimate"], row["Std. Error"]))
covariate = pf.did2s(data, yname="y", first_stage="~x|unit+period", second_stage="~treat", treatment="treat", cluster="cluster")
for term, row in covariate.tidy().iterrows():
    rows.append(("two_stage+x", "treated", row["Estimate"], row["Std. Error"]))
covariate_dynamic = pf.did2s(data, yname="y", first_stage="~x|unit+period", second_stage="~i(rel,ref=-1.0)", treatment="treat",
                             cluster="cluster")
for term, row in covariate_dynamic.tidy().iterrows():
    rows.append(("two_stage_event_study+x", f"event time {int(float(term.split('::')[1]))}", row["Estimate"], row["Std. Error"]))
# Survey weights 1 + unit mod 5 (not written to the panel: the tests make them the same way), with the covariate.
data["w"] = 1.0 + data["unit"] % 5
weighted = pf.did2s(data, yname="y", first_stage="~x|unit+period", second_stage="~treat", treatment="treat", cluster="cluster", weights="w")
for term, row in weighted.tidy().iterrows():
    rows.append(("two_stage+x+w", "treated", row["Estimate"], row["Std. Error"]))
with open(reference_path, "w") as handle:
    handle.write("estimator,term,estimate,std_error\n")
    for estimator, term, estimate, error in rows:
        handle.write(f"{estimator},{term},{estimate:.10f},{error:.10f}\n")
