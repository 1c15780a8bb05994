#!/usr/bin/env python3
"""Writes pyfixest's OLS DiD estimates with iid, HC1 and CR1 standard errors to
Tests/AnalysisTests/Fixtures/ols_reference.csv: kielmc (rprice ~ y81 + nearinc + y81nrinc) and Card & Krueger
(fte ~ nj + post + nj_post, CR1 by store). Installs pyfixest from PyPI when missing."""
import os, subprocess, sys
try:
    import pyfixest  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "pyfixest"])
import pandas as pd
import pyfixest as pf

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
reference = os.path.join(root, "Tests", "ReferenceData")
rows = []
kielmc = pd.read_csv(os.path.join(reference, "kielmc.csv"))
for vcov in ["iid", "hetero"]:
    fit = pf.feols("rprice ~ y81 + nearinc + y81nrinc", data=kielmc, vcov=vcov)
    for term in fit.coef().index:
        rows.append(["kielmc", vcov, term, repr(float(fit.coef()[term])), repr(float(fit.se()[term]))])
ck = pd.read_csv(os.path.join(reference, "card_krueger.csv")).dropna(subset=["fte"])
for vcov in ["iid", "hetero", {"CRV1": "store"}]:
    fit = pf.feols("fte ~ nj + post + nj_post", data=ck, vcov=vcov)
    name = vcov if isinstance(vcov, str) else "cr1_store"
    for term in fit.coef().index:
        rows.append(["card_krueger", name, term, repr(float(fit.coef()[term])), repr(float(fit.se()[term]))])
out = os.path.join(root, "Tests", "AnalysisTests", "Fixtures", "ols_reference.csv")
pd.DataFrame(rows, columns=["data", "vcov", "term", "estimate", "std_error"]).to_csv(out, index=False)
print(pd.DataFrame(rows, columns=["data", "vcov", "term", "estimate", "std_error"]))
