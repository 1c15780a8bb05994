#!/usr/bin/env bash
# DiD performance, beside the peers: a synthetic balanced panel of 75,000 units × 10 periods (750,000 rows),
# three adoption cohorts and a never-treated group, 500 clusters, written to CSV. Times the whole
# `pantau did --data` command and its phases (--timing: read, estimate TWFE with CR1, the event study and Callaway & Sant'Anna with its
# aggregations, write JSON) with peak memory, beside pyfixest (TWFE) and csdid (Callaway & Sant'Anna), installed
# from PyPI into a virtual environment, whole process and warm fit, on the same file in the same run.
# Usage: Scripts/bench_did.sh [UNITS]   (default 75000)
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-75000}
Scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
swift build -c release --product pantau >&2
work=$(mktemp -d)
venv="${PANTAU_BENCH_VENV:-.build-bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q pyfixest csdid >&2
fi
"$venv/bin/python" - "$work/panel.csv" "$units" <<'PY'
import sys, numpy as np, pandas as pd
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
unit = np.repeat(np.arange(n), 10); period = np.tile(np.arange(2011, 2021), n)
cohort_of = rng.choice([0, 2014, 2016, 2018], size=n, p=[0.4, 0.2, 0.2, 0.2])
cluster_of = rng.integers(0, 500, size=n)
g = np.repeat(cohort_of, 10)
y = np.repeat(rng.normal(size=n), 10) + 0.1 * (period - 2011) + ((g > 0) & (period >= g)) * 1.0 + rng.normal(size=n * 10)
pd.DataFrame({"unit": unit, "period": period, "cohort": g, "cluster": np.repeat(cluster_of, 10), "y": y,
              "d": ((g > 0) & (period >= g)).astype(int)}).to_csv(path, index=False)
print(f"panel: {n} units x 10 periods", file=sys.stderr)
PY
echo "pantau did (whole command: read CSV, TWFE + event study + Callaway & Sant'Anna, write JSON):"
/usr/bin/time -o "$work/time" -f "  %e s wall, %M KB peak" .build/release/pantau did --data "$work/panel.csv" --outcome y --unit unit --time period \
    --cohort cohort --cluster cluster --format json --timing > "$work/pantau.json" 2> "$work/phases"
cat "$work/time"
sed 's/^/  /' "$work/phases"
cat > "$work/peers.py" <<'PY'
import sys, time, contextlib, io, warnings
warnings.simplefilter("ignore")
import pandas as pd
which, path = sys.argv[1], sys.argv[2]
data = pd.read_csv(path)
if which == "pyfixest":
    import pyfixest as pf
    for label in ["cold", "warm"]:
        start = time.perf_counter()
        pf.feols("y ~ d | unit + period", data=data, vcov={"CRV1": "cluster"}).se()
        print(f"  pyfixest fit ({label}): {time.perf_counter() - start:.2f} s")
else:
    from csdid.att_gt import ATTgt
    for label in ["cold", "warm"]:
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            out = ATTgt(yname="y", gname="cohort", idname="unit", tname="period", xformla=None, data=data,
                        control_group="notyettreated").fit(est_method="reg", bstrap=False)
            out.aggte(typec="simple", bstrap=False)
        print(f"  csdid fit ({label}): {time.perf_counter() - start:.2f} s")
PY
for peer in pyfixest csdid; do
    echo "$peer (whole process: read CSV, fit twice):"
    /usr/bin/time -o "$work/time" -f "  %e s wall, %M KB peak" "$venv/bin/python" "$work/peers.py" $peer "$work/panel.csv"
    cat "$work/time"
done
rm -rf "$work"
