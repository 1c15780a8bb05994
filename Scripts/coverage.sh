#!/usr/bin/env bash
# A Monte Carlo study of the DiD specifications in Analysis/kompak/ on the simulated KOMPAK panel: REPLICATIONS
# panels with different seeds (500 by default), each estimated as `pantau did SPEC` estimates it, and for every
# estimator and aggregation the mean bias against the simulation's true effect for that estimand (also in Monte
# Carlo standard errors), the ratio of the mean standard error to the estimates' spread, and the coverage of the
# pointwise 95% intervals and of the uniform bands. The truths come from the manifest: a constant effect is the
# truth of every post-treatment estimand; the districts' effect grows by round, so the 2×2 (first against last
# round) and the regression (the average over treated unit-periods) have different truths.
# Usage: Scripts/coverage.sh [REPLICATIONS]   (1,000 replications took 55 minutes on 2 cores, one per core)
set -euo pipefail
cd "$(dirname "$0")/.."
replications=${1:-500}
source Scripts/setup.sh
swift build -c release --product pantau >&2
# COVERAGE_WORK keeps the replications' JSON in a folder of your choosing for further analysis; run again with
# more replications and the ones already there are reused.
if [ -n "${COVERAGE_WORK:-}" ]; then
    work=$COVERAGE_WORK
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
# One replication: simulate a panel, estimate every specification on it, keep the JSON and the manifest.
replicate() {
    local seed=$1 work=$2 db="$2/s-$1.sqlite"
    # A replication already in COVERAGE_WORK is kept, so a longer run extends a shorter one.
    [ -s "$work/manifest-$seed.json" ] && [ -s "$work/did-sid-$seed.json" ] && return 0
    .build/release/pantau simulate --plan Questionnaires/kompak/kompak.plan.yaml --seed "$seed" --db "$db" \
        --manifest "$work/manifest-$seed.json" > /dev/null 2>&1
    for spec in Analysis/kompak/did-*.yaml; do
        .build/release/pantau did "$spec" --db "$db" --format json > "$work/$(basename "$spec" .yaml)-$seed.json" 2> /dev/null || true
    done
    rm -f "$db"*
    [ $((seed % 10)) -eq 0 ] && echo "coverage: $seed" >&2
    return 0
}
export -f replicate
# Replications run side by side, one per core unless JOBS says otherwise.
seq 1 "$replications" | xargs -P "${JOBS:-$(nproc)}" -I{} bash -c 'replicate "$@"' _ {} "$work"
python3 - "$work" "$replications" <<'PY'
import glob, json, math, sys
work, reps = sys.argv[1], int(sys.argv[2])
manifest = json.load(open(f"{work}/manifest-1.json"))
effects = {e["name"]: e for e in manifest["true_effects"]}
sid, sekar = effects["online_sid_on_basic_services_share"]["att"], effects["sekar_desa_on_budget_published"]["att"]
growth = effects["kompak_on_funds_ptpd"]["att_by_round"]
rounds = manifest["rounds"]
def truth(spec, estimator, term):
    """The estimand's true value, or None for rows that are no estimand of the effect (intercepts, group levels)."""
    if spec == "did-sid":
        if term.startswith("overall ATT") or term in ("treated", "average post-period effect"): return sid
        if term.startswith("event time "):
            # "event time -2", or "event time 3 (binned)" at the window's ends
            return sid if int(term.split()[2]) >= 0 else 0.0
        return None
    if spec == "did-sekar-desa":
        return sekar if term in ("difference-in-differences", "group × post", "treated") else None
    if spec == "did-kompak-districts":
        if term == "difference-in-differences": return growth[rounds[-1]] - growth[rounds[0]]
        if term == "group × post": return sum(growth[r] for r in rounds[1:]) / (len(rounds) - 1) - growth[rounds[0]]
    return None
rows, bands, wild, influence = {}, {}, {}, {}
for path in sorted(glob.glob(f"{work}/did-*-*.json")):
    spec, seed = path.split("/")[-1][:-5].rsplit("-", 1)
    if int(seed) > reps: continue  # a longer run's replications in the same folder
    try:
        report = json.load(open(path))
    except ValueError:
        continue
    for table in report["estimators"]:
        covered_all, banded = True, False
        for term in table["terms"]:
            value = truth(spec, table["estimator"], term["term"])
            if value is None or term["estimate"] is None: continue
            key = (spec, table["estimator"], term["term"])
            rows.setdefault(key, []).append((term["estimate"], term["std_error"], term["conf_low"], term["conf_high"], value))
            if term.get("influence_function_std_error") is not None:
                se = term["influence_function_std_error"]
                influence.setdefault(key, []).append((se, abs(term["estimate"] - value) <= 1.959964 * se))
            boot = term.get("wild_bootstrap")
            if boot and boot.get("conf_low") is not None:
                wild.setdefault(key, []).append(boot["conf_low"] <= value <= boot["conf_high"])
            if term.get("conf_low_uniform") is not None:
                banded = True
                covered_all &= term["conf_low_uniform"] <= value <= term["conf_high_uniform"]
        if banded: bands.setdefault((spec, table["estimator"]), []).append(covered_all)
print(f"{reps} simulated KOMPAK panels (seeds 1–{reps}); truths from the manifest")
print("| specification | estimator | estimand | truth | mean bias | bias / MC s.e. | mean s.e. / sd | 95% coverage |")
print("|---|---|---|---|---|---|---|---|")
for (spec, estimator, term), values in sorted(rows.items()):
    n = len(values)
    estimates = [v[0] for v in values]
    mean = sum(estimates) / n
    sd = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (n - 1)) if n > 1 else float("nan")
    bias = mean - values[0][4]
    mcse = sd / math.sqrt(n) if n > 1 else float("nan")
    ses = [v[1] for v in values if v[1] is not None]
    ratio = (sum(ses) / len(ses)) / sd if ses and sd > 0 else float("nan")
    coverage = sum(1 for v in values if v[2] is not None and v[2] <= v[4] <= v[3]) / n
    print(f"| {spec} | {estimator} | {term} | {values[0][4]:.3g} | {bias:+.4f} | {bias / mcse:+.2f} | {ratio:.2f} | {100 * coverage:.1f}% (n={n}) |")
for (spec, estimator, term), covered in sorted(wild.items()):
    print(f"| {spec} | {estimator} | {term}: bootstrap interval | | | | | {100 * sum(covered) / len(covered):.1f}% (n={len(covered)}) |")
# R did's own intervals, for comparison: the influence-function standard error with the normal.
for (spec, estimator, term), values in sorted(influence.items()):
    estimates = [v[0] for v in rows[(spec, estimator, term)]]
    n, mean = len(estimates), sum(estimates) / len(estimates)
    sd = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (n - 1)) if n > 1 else float("nan")
    ratio = (sum(v[0] for v in values) / len(values)) / sd if sd > 0 else float("nan")
    print(f"| {spec} | {estimator} | {term}: influence-function s.e., normal (R did) | | | | {ratio:.2f} | {100 * sum(v[1] for v in values) / len(values):.1f}% (n={len(values)}) |")
for (spec, estimator), covered in sorted(bands.items()):
    print(f"| {spec} | {estimator} | uniform band, all event times | | | | | {100 * sum(covered) / len(covered):.1f}% (n={len(covered)}) |")
PY
