#!/usr/bin/env python3
"""Writes a small clustered data set and wildboottest's wild cluster bootstrap p-values for it (Rademacher
weights, full enumeration of the 2^G sign patterns, null imposed, WCR11) to Tests/AnalysisTests/Fixtures/:
wild_data.csv and wild_reference.csv. Installs wildboottest (and statsmodels) from PyPI when missing."""
import os, subprocess, sys, warnings
try:
    import wildboottest  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "wildboottest"])
import numpy as np, pandas as pd, statsmodels.api as sm
from wildboottest.wildboottest import wildboottest

warnings.simplefilter("ignore")
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "AnalysisTests", "Fixtures")
rng = np.random.default_rng(20211201)
rows = []
for clusters in [6, 9, 11]:
    n_per = 7
    cl = np.repeat(np.arange(clusters), n_per)
    x = rng.normal(size=clusters * n_per)
    d = (cl % 2).astype(float)
    y = 1 + 0.3 * x + 0.25 * d + rng.normal(size=clusters * n_per) + np.repeat(rng.normal(size=clusters), n_per)
    for i in range(len(y)):
        rows.append([clusters, int(cl[i]), repr(float(y[i])), repr(float(x[i])), repr(float(d[i]))])
pd.DataFrame(rows, columns=["design", "cluster", "y", "x", "d"]).to_csv(os.path.join(root, "wild_data.csv"), index=False)
data = pd.read_csv(os.path.join(root, "wild_data.csv"))
out = []
for design, part in data.groupby("design"):
    X = sm.add_constant(part[["x", "d"]])
    model = sm.OLS(part["y"].to_numpy(), X)
    for param in ["x", "d"]:
        r = wildboottest(model, param=param, cluster=part["cluster"].to_numpy(), B=99999, seed=1, show=False)
        out.append([design, param, repr(float(r["statistic"].iloc[0])), repr(float(r["p-value"].iloc[0]))])
pd.DataFrame(out, columns=["design", "param", "statistic", "p_value"]).to_csv(os.path.join(root, "wild_reference.csv"), index=False)
print(pd.DataFrame(out, columns=["design", "param", "statistic", "p_value"]))
