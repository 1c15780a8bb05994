"""Writes the KOMPAK indicator set restricted to the instruments a store holds (the national-scale store has the
village survey alone), for the indicator benchmarks. Usage: python3 kompak_indicators_for_store.py STORE.sqlite OUT.yaml
"""
import sqlite3
import sys

import yaml

forms = {row[0] for row in sqlite3.connect(sys.argv[1]).execute("SELECT DISTINCT form_id FROM interview")}
spec = yaml.safe_load(open("Analysis/kompak/indicators.yaml"))
spec["indicators"] = [i for i in spec["indicators"] if i["instrument"] in forms]
yaml.safe_dump(spec, open(sys.argv[2], "w"), allow_unicode=True, sort_keys=False)
print(f"{len(spec['indicators'])} indicators over {', '.join(sorted(forms))}")
