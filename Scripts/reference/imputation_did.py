"""Reference values for Borusyak, Jaravel & Spiess's imputation estimator from PyPI's did-imputation, for pantau's
tests: the pre-trend test's three coefficients, the overall effect and every event time (allhorizons, minn=0) with the
conservative clustered standard errors, on the two-stage DiD test panel, without and with its covariate x, and with x and survey weights (aw). Its iterative solvers are run to 1e-15 (their defaults, 1e-6 to 1e-8, move the
sixth decimal). Usage: python imputation_did.py PANEL.csv REFERENCE.csv
"""
import functools
import importlib
import sys

import numpy as np
import pandas as pd
import pyhdfe

module = importlib.import_module("did_imputation.did_imputation")
module.create = functools.partial(pyhdfe.create, residualize_method="map", options={"tol": 1e-15, "iteration_limit": 100000})
module.recover_fixed_effects_iterative.__defaults__ = (None, 100000, 1e-15)
module.imputation_weights.__defaults__ = ([], False, 1e-15, 100000, [])
data = pd.read_csv(sys.argv[1])
data["Ei"] = data.cohort.where(data.cohort > 0, np.nan)
rows = []
pretrend = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", pretrends=3)
for h in (1, 2, 3):
    rows.append((f"pre-trend event time -{h}", pretrend.pretrends_estimates[f"pre{h}"], pretrend.pretrends_std_errors[f"pre{h}"]))
overall = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster")
rows.append(("treated", overall.estimates["tau_ate"], overall.std_errors["tau_ate"]))
dynamic = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", allhorizons=True, minn=0)
for name in sorted(dynamic.estimates, key=lambda key: int(key[3:])):
    rows.append((f"event time {int(name[3:])}", dynamic.estimates[name], dynamic.std_errors[name]))
# The same with the covariate x in the imputation model (did_imputation's controls), rows named with "+x".
pretrend = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", pretrends=3, controls=["x"])
for h in (1, 2, 3):
    rows.append((f"+x pre-trend event time -{h}", pretrend.pretrends_estimates[f"pre{h}"], pretrend.pretrends_std_errors[f"pre{h}"]))
overall = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", controls=["x"])
rows.append(("+x treated", overall.estimates["tau_ate"], overall.std_errors["tau_ate"]))
dynamic = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", allhorizons=True, minn=0, controls=["x"])
for name in sorted(dynamic.estimates, key=lambda key: int(key[3:])):
    rows.append((f"+x event time {int(name[3:])}", dynamic.estimates[name], dynamic.std_errors[name]))
# The same with the covariate and survey weights w = 1 + unit mod 5 (did_imputation's aw: the imputation model and the
# estimand weighted), rows named with "+x+w".
data["w"] = 1.0 + data["unit"] % 5
pretrend = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", pretrends=3, controls=["x"], aw="w")
for h in (1, 2, 3):
    rows.append((f"+x+w pre-trend event time -{h}", pretrend.pretrends_estimates[f"pre{h}"], pretrend.pretrends_std_errors[f"pre{h}"]))
overall = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", controls=["x"], aw="w")
rows.append(("+x+w treated", overall.estimates["tau_ate"], overall.std_errors["tau_ate"]))
dynamic = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster", allhorizons=True, minn=0, controls=["x"], aw="w")
for name in sorted(dynamic.estimates, key=lambda key: int(key[3:])):
    rows.append((f"+x+w event time {int(name[3:])}", dynamic.estimates[name], dynamic.std_errors[name]))
with open(sys.argv[2], "w", encoding="utf-8") as handle:
    handle.write("term,estimate,std_error\n")
    for term, estimate, error in rows:
        handle.write(f"{term},{estimate:.10f},{error:.10f}\n")
