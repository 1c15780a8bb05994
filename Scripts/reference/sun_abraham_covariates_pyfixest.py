"""Reference values for Sun & Abraham's interaction-weighted event study with a covariate, and with survey weights,
from pyfixest's feols (PyPI) on the two-stage DiD test panel (Tests/AnalysisTests/Fixtures/did2s_panel.csv: cohorts
2014, 2015, 2017 and never treated, periods 2011-2018, the time-varying covariate x). pyfixest's saturated event study
ignores covariates and takes no weights, so the saturated regression is written out: a dummy per cohort and event time
(-1 the reference, never-treated units the comparison) and x, unit and period effects, weighted by w = 1 + unit mod 5
in the second variant, CR1 by cluster. Each event time's effect averages its cohorts' coefficients by their shares of
the rows (of the weights, when weighted) there; the average post-period effect by the shares of all treated rows from
event time 0 on; delta-method standard errors from feols's covariance, the shares taken as fixed.
Usage: python sun_abraham_covariates_pyfixest.py PANEL.csv REFERENCE.csv
"""
import sys
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf

warnings.simplefilter("ignore")
data = pd.read_csv(sys.argv[1])
data["w"] = 1.0 + data["unit"] % 5
data["rel"] = np.where(data.cohort > 0, data.period - data.cohort, -1)
cells = sorted({(int(g), int(e)) for g, e in zip(data.cohort, data.rel) if g > 0 and e != -1})
names = []
for g, e in cells:
    name = f"c{g}_e{e}".replace("-", "m")
    data[name] = ((data.cohort == g) & (data.rel == e)).astype(float)
    names.append(name)
rows = []
for variant, weights in [("+x", None), ("+x+w", "w")]:
    fit = pf.feols(f"y ~ {' + '.join(names)} + x | unit + period", data=data, weights=weights, vcov={"CRV1": "cluster"})
    coef, vcov = fit.coef(), pd.DataFrame(fit._vcov, index=fit.coef().index, columns=fit.coef().index)
    share = {name: (data[name] * (data[weights] if weights else 1.0)).sum() for name in names}

    def combination(members):
        total = sum(share[m] for m in members)
        s = pd.Series({m: share[m] / total for m in members})
        return float((s * coef[members]).sum()), float(np.sqrt(s @ vcov.loc[members, members] @ s))

    for e in sorted({e for _, e in cells}):
        estimate, se = combination([name for name, (g, ee) in zip(names, cells) if ee == e])
        rows.append((f"{variant} event time {e}", estimate, se))
    estimate, se = combination([name for name, (g, e) in zip(names, cells) if e >= 0])
    rows.append((f"{variant} average post-period effect", estimate, se))
with open(sys.argv[2], "w") as handle:
    handle.write("term,estimate,std_error\n")
    for term, estimate, se in rows:
        handle.write(f"{term},{estimate:.12f},{se:.12f}\n")
