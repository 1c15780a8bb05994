#!/usr/bin/env bash
# DiD performance, beside the peers: a synthetic balanced panel of 75,000 units × 10 periods (750,000 rows),
# three adoption cohorts and a never-treated group, 500 clusters, written to CSV. Times the whole
# `pantau did --data` command and its phases (--timing: read, estimate TWFE with CR1, the event study and Callaway & Sant'Anna with its
# aggregations, write JSON) with peak memory, beside pyfixest (TWFE) and csdid (Callaway & Sant'Anna), installed
# from PyPI into a virtual environment, whole process and warm fit, on the same file in the same run; then the
# two-stage, imputation and Sun & Abraham estimators beside pyfixest's did2s, did-imputation and pyfixest's saturated
# event study, whole process against whole process; Callaway & Sant'Anna on the panel with rows dropped, every unit
# kept, beside csdid's allow_unbalanced_panel; DID_M and the dynamic effects DID_l on a panel whose treatment
# switches, beside diff-diff's; and Rambachan & Roth's sensitivity analysis beside honestdid's.
# Usage: Scripts/bench_did.sh [UNITS]   (default 75000)
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-75000}
source Scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
swift build -c release --product pantau >&2
work=$(mktemp -d)
venv="${PANTAU_BENCH_VENV:-.build-bench-venv}"
source Scripts/python_venv.sh
python_venv "$venv" pyfixest csdid
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
echo "pantau did (whole command: read CSV, TWFE + event study + Callaway & Sant'Anna, write JSON), best of 3:"
best=""
for run in 1 2 3; do
    /usr/bin/time -o "$work/time.$run" -f "%e %M" .build/release/pantau did --data "$work/panel.csv" --outcome y --unit unit --time period \
        --cohort cohort --cluster cluster --format json --timing --no-sensitivity > "$work/pantau.json" 2> "$work/phases.$run"
    sed 's/^/  /' "$work/phases.$run"
    if [ -z "$best" ] || awk "BEGIN{exit !($(cut -d' ' -f1 "$work/time.$run") < $(cut -d' ' -f1 "$work/time.$best"))}"; then best=$run; fi
done
cp "$work/time.$best" "$work/pantau.time"
cp "$work/phases.$best" "$work/pantau.phases"
awk '{printf "  whole command: %s s wall, %d MB peak\n", $1, $2 / 1024}' "$work/pantau.time"
cat > "$work/peers.py" <<'PY'
import sys, time, contextlib, io, warnings
warnings.simplefilter("ignore")
import pandas as pd
which, path, fits = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = pd.read_csv(path)
for label in ["cold", "warm"][:fits]:
    start = time.perf_counter()
    if which == "pyfixest":
        import pyfixest as pf
        fit = pf.feols("y ~ d | unit + period", data=data, vcov={"CRV1": "cluster"})
        estimate, se = float(fit.coef()["d"]), float(fit.se()["d"])
    else:
        from csdid.att_gt import ATTgt
        with contextlib.redirect_stdout(io.StringIO()):
            out = ATTgt(yname="y", gname="cohort", idname="unit", tname="period", xformla=None, data=data,
                        control_group="notyettreated").fit(est_method="reg", bstrap=False)
            out.aggte(typec="simple", bstrap=False)
        estimate, se = float(out.atte["overall_att"]), float(out.atte["overall_se"])
    print(f"{label} {time.perf_counter() - start:.3f}")
print(f"estimate {estimate!r} {se!r}")
PY
for peer in pyfixest csdid; do
    # The whole process as a user runs it (read the CSV, fit once), best of 3 as for pantau; then a second
    # process for the warm fit.
    for run in 1 2 3; do
        /usr/bin/time -o "$work/$peer.time.$run" -f "%e %M" "$venv/bin/python" "$work/peers.py" $peer "$work/panel.csv" 1 > /dev/null
    done
    sort -n "$work/$peer.time".? | head -1 > "$work/$peer.time"
    "$venv/bin/python" "$work/peers.py" $peer "$work/panel.csv" 2 > "$work/$peer.fits"
    awk -v p=$peer '{printf "%s whole process (read CSV, fit once): %s s wall, %d MB peak\n", p, $1, $2 / 1024}' "$work/$peer.time"
    grep -v "^estimate" "$work/$peer.fits" | sed "s/^/  $peer fit /; s/\$/ s/"
done
python3 - "$work" <<'PY'
import sys, re
work = sys.argv[1]
def pair(name):
    wall, kb = open(f"{work}/{name}.time").read().split()
    return float(wall), int(kb) / 1024
pantau, pantau_mb = pair("pantau")
estimate = float(re.search(r"estimate ([0-9.]+) s", open(f"{work}/pantau.phases").read()).group(1))
print("ratios (peer / pantau; above 1: pantau is faster or smaller):")
for peer in ["pyfixest", "csdid"]:
    wall, mb = pair(peer)
    fits = open(f"{work}/{peer}.fits").read()
    warm = float(fits.split("warm")[1].split()[0])
    print(f"  {peer}: whole process {wall / pantau:.1f}x (target 10x), warm fit against pantau's whole command {warm / pantau:.2f}x "
          f"(target above 1), warm fit against pantau's estimation alone {warm / estimate:.2f}x, peak memory {mb / pantau_mb:.2f}x (target above 1)")
PY
python3 - "$work" <<'PY'
# The same numbers: pyfixest's TWFE coefficient and CR1 standard error, csdid's simple ATT (pantau's standard
# error is clustered by the cluster column, csdid's here by unit, so only the estimate is compared).
import sys, json
work = sys.argv[1]
report = {e["estimator"]: {t["term"]: t for t in e["terms"]} for e in json.load(open(f"{work}/pantau.json"))["estimators"]}
def peer(name):
    line = [l for l in open(f"{work}/{name}.fits") if l.startswith("estimate")][0].split()
    return float(line[1]), float(line[2])
twfe, cs = report["twfe"]["treated"], report["callaway_santanna"]["overall ATT (simple)"]
checks = [("TWFE coefficient, pyfixest", twfe["estimate"], peer("pyfixest")[0]), ("TWFE CR1 s.e., pyfixest", twfe["std_error"], peer("pyfixest")[1]),
          ("C&S simple ATT, csdid", cs["estimate"], peer("csdid")[0])]
print("the same numbers (relative difference):")
for label, ours, theirs in checks:
    print(f"  {label}: pantau {ours:.10g}, peer {theirs:.10g}, {abs(ours - theirs) / abs(theirs):.1e}")
if any(abs(ours - theirs) > 1e-6 * abs(theirs) for _, ours, theirs in checks):
    sys.exit("the estimates differ by more than 1e-6")
PY
# The heterogeneity-robust estimators beside their Python peers, whole process against whole process (a peer taking
# longer than PEER_TIMEOUT seconds, default 1800, is stopped and reported as slower than that).
python_venv "$venv" did-imputation
cat > "$work/robust.py" <<'PY'
import sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
which, path = sys.argv[1], sys.argv[2]
data = pd.read_csv(path)
if which == "did2s":
    import pyfixest as pf
    data["treat"] = data["d"].astype(bool)
    fit = pf.did2s(data, yname="y", first_stage="~0|unit+period", second_stage="~treat", treatment="treat", cluster="cluster")
    print("estimate", float(fit.coef().iloc[0]))
elif which == "did_imputation":
    import importlib
    module = importlib.import_module("did_imputation.did_imputation")
    data["Ei"] = data.cohort.where(data.cohort > 0, np.nan)
    out = module.did_imputation(data, y="y", i="unit", t="period", Ei="Ei", cluster="cluster")
    print("estimate", float(out.estimates["tau_ate"]))
else:
    import pyfixest as pf
    fit = pf.event_study(data, yname="y", idname="unit", tname="period", gname="cohort", cluster="cluster", estimator="saturated")
    print("estimate", float(fit.aggregate(agg="period")["Estimate"].iloc[-1]))
PY
echo "heterogeneity-robust estimators, whole process, pantau against its Python peer:"
for pair in two_stage:did2s imputation:did_imputation sun_abraham:saturated; do
    ours=${pair%%:*} theirs=${pair##*:}
    /usr/bin/time -o "$work/$ours.time" -f "%e %M" .build/release/pantau did --data "$work/panel.csv" --outcome y --unit unit --time period \
        --cohort cohort --cluster cluster --estimator "$ours" --leads 9 --lags 9 --format json --no-sensitivity > "$work/$ours.json" 2>/dev/null
    status=0
    timeout "${PEER_TIMEOUT:-1800}" /usr/bin/time -o "$work/$theirs.time" -f "%e %M" "$venv/bin/python" "$work/robust.py" "$theirs" \
        "$work/panel.csv" > "$work/$theirs.out" 2> "$work/$theirs.err" || status=$?
    if [ "$status" -eq 0 ]; then
        python3 - "$work" "$ours" "$theirs" <<'PY'
import sys
work, ours, theirs = sys.argv[1:]
a, b = (open(f"{work}/{n}.time").read().split() for n in (ours, theirs))
print(f"  {ours}: pantau {float(a[0]):.2f} s ({int(a[1]) // 1024} MB), {theirs} {float(b[0]):.2f} s ({int(b[1]) // 1024} MB): "
      f"{float(b[0]) / float(a[0]):.1f}x (target 10x)")
PY
    elif [ "$status" -eq 124 ]; then
        echo "  $ours: pantau $(cut -d' ' -f1 "$work/$ours.time") s; $theirs did not finish within ${PEER_TIMEOUT:-1800} s"
    else
        echo "  $ours: pantau $(cut -d' ' -f1 "$work/$ours.time") s; $theirs failed after $(head -c 10 "$work/$theirs.time" | cut -d' ' -f1) s: $(grep -v '^Command exited' "$work/$theirs.err" | tail -1)"
    fi
done
# side_by_side NAME LABEL PEER PEER_SCRIPT CSV -- PANTAU_OPTIONS…: `pantau did --data CSV` and the peer's script on the
# same file, best of 3 whole processes each, their ratio, and every estimate the peer prints (a JSON object by term)
# against pantau's, to 1e-6.
side_by_side() {
    local name=$1 label=$2 peer=$3 script=$4 csv=$5
    shift 6
    for run in 1 2 3; do
        /usr/bin/time -o "$work/$name.pantau.$run" -f "%e %M" .build/release/pantau did --data "$csv" "$@" --format json --no-sensitivity \
            > "$work/$name.json" 2>/dev/null
        /usr/bin/time -o "$work/$name.peer.$run" -f "%e %M" "$venv/bin/python" "$script" "$csv" > "$work/$name.peer.json"
    done
    python3 - "$work" "$name" "$label" "$peer" <<'PY'
import sys, json, glob
work, name, label, peer_name = sys.argv[1:]
best = lambda side: min((tuple(map(float, open(f).read().split())) for f in glob.glob(f"{work}/{name}.{side}.?")))
(ours, our_kb), (theirs, their_kb) = best("pantau"), best("peer")
print(f"{label}, whole process, best of 3: pantau {ours:.2f} s ({int(our_kb) // 1024} MB), {peer_name} {theirs:.2f} s "
      f"({int(their_kb) // 1024} MB): {theirs / ours:.1f}x (target 10x)")
mine = {t["term"]: t["estimate"] for t in json.load(open(f"{work}/{name}.json"))["estimators"][0]["terms"]}
peer = json.load(open(f"{work}/{name}.peer.json"))
worst = max(abs(mine[k] - v) / max(abs(v), 1e-3) for k, v in peer.items())
print(f"  every estimate {peer_name} gives ({len(peer)}) against pantau's: largest relative difference {worst:.1e}")
if worst > 1e-6:
    sys.exit(f"{label}: the estimates differ from {peer_name}'s by more than 1e-6")
PY
}
# Callaway & Sant'Anna on an unbalanced panel: the same panel without one row in ten (at random, seeded), every unit
# kept (pantau --keep-unbalanced, csdid allow_unbalanced_panel), best of 3 whole processes each; every ATT(g,t) compared.
"$venv/bin/python" - "$work/panel.csv" "$work/unbalanced.csv" <<'PY'
import sys, numpy as np, pandas as pd
data = pd.read_csv(sys.argv[1])
data[np.random.default_rng(2).random(len(data)) >= 0.1].to_csv(sys.argv[2], index=False)
PY
cat > "$work/csdid_unbalanced.py" <<'PY'
import sys, contextlib, io, json, warnings
warnings.simplefilter("ignore")
import pandas as pd
from csdid.att_gt import ATTgt
data = pd.read_csv(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()):
    out = ATTgt(yname="y", gname="cohort", idname="unit", tname="period", xformla=None, data=data, control_group="notyettreated",
                allow_unbalanced_panel=True).fit(est_method="reg", bstrap=False)
r = out.results
print(json.dumps({f"ATT({int(g)}, {int(t)})": float(a) for g, t, a in zip(r["group"], r["year"], r["att"])}))
PY
side_by_side unbalanced "Callaway & Sant'Anna on the panel with one row in ten dropped, every unit kept" csdid \
    "$work/csdid_unbalanced.py" "$work/unbalanced.csv" -- --outcome y --unit unit --time period --cohort cohort --cluster cluster \
    --estimator callaway_santanna --keep-unbalanced
# de Chaisemartin & D'Haultfœuille's DID_M on a panel of the same size whose treatment switches on and off (15% of
# unit-periods flip it), beside diff-diff's, best of 3 whole processes each; the four estimates compared.
"$venv/bin/python" - "$work/switching.csv" "$units" <<'PY'
import sys, numpy as np, pandas as pd
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(3)
start = (rng.random(n) < 0.3).astype(int)
flips = rng.random((n, 10)) < 0.15
flips[:, 0] = False
d = (start[:, None] + np.cumsum(flips, axis=1)) % 2
period = np.tile(np.arange(2011, 2021), n)
y = np.repeat(rng.normal(size=n), 10) + 0.1 * (period - 2011) + 1.0 * d.ravel() + rng.normal(size=n * 10)
pd.DataFrame({"unit": np.repeat(np.arange(n), 10), "period": period, "y": y, "d": d.ravel()}).to_csv(path, index=False)
PY
cat > "$work/dcdh.py" <<'PY'
import sys, json, warnings
warnings.simplefilter("ignore")
import pandas as pd
from diff_diff.chaisemartin_dhaultfoeuille import ChaisemartinDHaultfoeuille
data = pd.read_csv(sys.argv[1])
r = ChaisemartinDHaultfoeuille(placebo=True, twfe_diagnostic=False, drop_larger_lower=False).fit(
    data, outcome="y", unit="unit", time="period", treatment="d")
print(json.dumps({"DID_M (switchers)": r.overall_att, "DID_+ (joiners)": r.joiners_att, "DID_- (leavers)": r.leavers_att,
                  "placebo DID_M (one period before)": r.placebo_effect}))
PY
python_venv "$venv" diff-diff==3.13.0
side_by_side dcdh "de Chaisemartin & D'Haultfœuille (DID_M) on the switching panel" diff-diff "$work/dcdh.py" "$work/switching.csv" -- \
    --outcome y --unit unit --time period --treat d --reversible --estimator chaisemartin_dhaultfoeuille
# The dynamic effects DID_1 … DID_3 and their three placebos (diff-diff's L_max = 3; pantau's --lags 2 --leads 4).
cat > "$work/dcdh_dynamic.py" <<'PY'
import json, sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from diff_diff.chaisemartin_dhaultfoeuille import ChaisemartinDHaultfoeuille
data = pd.read_csv(sys.argv[1])
r = ChaisemartinDHaultfoeuille(placebo=True, twfe_diagnostic=False, drop_larger_lower=False).fit(
    data, outcome="y", unit="unit", time="period", treatment="d", L_max=3)
terms = {f"event time {l - 1} (DID_{l})": r.event_study_effects[l]["effect"] for l in range(1, 4)}
terms.update({f"event time -{l + 1} (placebo {l})": r.placebo_event_study[-l]["effect"] for l in range(1, 4)})
print(json.dumps(terms))
PY
side_by_side dcdh_dynamic "de Chaisemartin & D'Haultfœuille's dynamic effects (DID_1 … DID_3 and three placebos)" diff-diff \
    "$work/dcdh_dynamic.py" "$work/switching.csv" -- \
    --outcome y --unit unit --time period --treat d --reversible --estimator chaisemartin_dhaultfoeuille --leads 4 --lags 2
# Rambachan & Roth beside honestdid: the event study on the same panel with and without the sensitivity analysis
# (best of 3 each; the difference is what the analysis costs: both targets, 9 values of M-bar and 10 of M with the
# C-LF test, both breakdown values and the pre-test's power), and honestdid's C-LF intervals on the same estimates and
# covariance (read from pantau's JSON) for the first target only, over the same M-bar and M; every interval compared.
python_venv "$venv" honestdid
for run in 1 2 3; do
    for mode in with without; do
        flag=""
        [ "$mode" = without ] && flag="--no-sensitivity"
        /usr/bin/time -o "$work/sensitivity.$mode.$run" -f "%e %M" .build/release/pantau did --data "$work/panel.csv" --outcome y --unit unit \
            --time period --cohort cohort --cluster cluster --estimator event_study --leads 4 --lags 4 --format json $flag \
            > "$work/sensitivity.$mode.json" 2>/dev/null
    done
done
cat > "$work/honestdid_bench.py" <<'PY'
import json, sys, time, warnings
warnings.simplefilter("ignore")
started = time.time()
import numpy as np, honestdid
s = json.load(open(sys.argv[1]))["estimators"][0]["sensitivity"]
beta, sigma = np.array(s["estimates"]), np.array(s["covariance"])
pre, post = len(s["pre_event_times"]), len(s["post_event_times"])
target = s["targets"][0]
l_vec = np.eye(post)[0]
# honestdid's default grids are centred on zero (+-20 standard errors), which misses an effect far from zero: its
# 1,000 points here span the estimate +-60 standard errors instead.
sd = float(np.sqrt(sigma[pre, pre]))
lb, ub = float(beta[pre]) - 60 * sd, float(beta[pre]) + 60 * sd
def ends(frame):
    accepted = frame["grid"][frame["accept"] == 1]
    return [float(accepted.min()), float(accepted.max())] if len(accepted) else [None, None]
rm = [ends(honestdid.computeConditionalCS_DeltaRM(beta, sigma, pre, post, l_vec=l_vec, Mbar=r["mbar"], hybrid_flag="LF", grid_lb=lb, grid_ub=ub))
      for r in target["relative_magnitudes"]]
sd_ = [ends(honestdid.computeConditionalCS_DeltaSD(beta, sigma, pre, post, l_vec=l_vec, M=r["m"], hybrid_flag="LF", grid_lb=lb, grid_ub=ub))
       for r in target["smoothness"]]
print(json.dumps({"seconds": time.time() - started, "step": (ub - lb) / 999, "rm": rm, "sd": sd_}))
PY
/usr/bin/time -o "$work/honestdid.time" -f "%e %M" "$venv/bin/python" "$work/honestdid_bench.py" "$work/sensitivity.with.json" > "$work/honestdid.json"
python3 - "$work" <<'PY'
import sys, json, glob
work = sys.argv[1]
best = lambda mode: min(float(open(f).read().split()[0]) for f in glob.glob(f"{work}/sensitivity.{mode}.?"))
cost = best("with") - best("without")
peer = float(open(f"{work}/honestdid.time").read().split()[0])
print(f"Rambachan & Roth sensitivity (event study, leads 4, lags 4), whole process: pantau's analysis {cost:.2f} s "
      f"(event study with it {best('with'):.2f} s, without {best('without'):.2f} s; both targets, breakdowns, pre-test power), "
      f"honestdid {peer:.2f} s for the first target's C-LF intervals alone: {peer / cost:.0f}x")
target = json.load(open(f"{work}/sensitivity.with.json"))["estimators"][0]["sensitivity"]["targets"][0]
theirs = json.load(open(f"{work}/honestdid.json"))
worst = 0.0
for key, name in [("rm", "relative_magnitudes"), ("sd", "smoothness")]:
    for (lb, ub), mine in zip(theirs[key], target[name]):
        if lb is None:
            sys.exit(f"honestdid rejected every value on its grid for {name} {mine}")
        worst = max(worst, abs(mine["conf_int"][0] - lb), abs(mine["conf_int"][1] - ub))
print(f"  every interval against honestdid's (C-LF, each with its own first-stage draws; its ends are grid points "
      f"{theirs['step']:.2g} apart): ends differ by at most {worst / theirs['step']:.2f} grid steps")
PY
rm -rf "$work"
