"""Reference values for Sun & Abraham's interaction-weighted event study from pyfixest's saturated event study
(PyPI) on the did package's mpdta (Tests/ReferenceData/mpdta.csv): each event time's effect, the cohorts'
coefficients averaged by their shares, with delta-method CR1 standard errors clustered by county.
Usage: python sun_abraham_pyfixest.py MPDTA.csv REFERENCE.csv
"""
import sys
import warnings

import pandas as pd
import pyfixest as pf

warnings.simplefilter("ignore")
data = pd.read_csv(sys.argv[1]).rename(columns={"countyreal": "unit", "year": "period", "first_treat": "cohort", "lemp": "y"})
model = pf.event_study(data, yname="y", idname="unit", tname="period", gname="cohort", cluster="unit", estimator="saturated")
aggregated = model.aggregate(agg="period")
with open(sys.argv[2], "w") as handle:
    handle.write("term,estimate,std_error\n")
    for event_time, row in aggregated.iterrows():
        handle.write(f"event time {int(event_time)},{row['Estimate']:.10f},{row['Std. Error']:.10f}\n")
