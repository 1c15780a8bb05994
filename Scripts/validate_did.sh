#!/usr/bin/env bash
# Bias and 95% coverage of the DiD estimators over repeated simulated panels with a known effect; then R's
# clubSandwich (Debian's r-cran-clubsandwich, installed when missing) recomputes the CR2 reference fixtures, which
# must be what the tests hold; and each Python peer (pyfixest, did-imputation, csdid, diff-diff, honestdid) recomputes
# the reference fixture of its estimator.
# Usage: Scripts/validate_did.sh [REPLICATIONS]   (default 300; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product PantauValidation >&2
.build/release/PantauValidation "${1:-300}"
command -v Rscript >/dev/null && Rscript -e 'library(clubSandwich)' >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-clubsandwich >/dev/null
}
reference=$(mktemp)
trap 'rm -f "$reference"' EXIT
Rscript Scripts/reference/cr2_clubsandwich.R "$reference" 2>/dev/null
if cmp -s "$reference" Tests/AnalysisTests/Fixtures/cr2_reference.csv; then
    echo "CR2: clubSandwich $(Rscript -e 'cat(format(packageVersion("clubSandwich")))' 2>/dev/null) gives the fixture the tests compare with"
else
    echo "CR2: clubSandwich's values differ from Tests/AnalysisTests/Fixtures/cr2_reference.csv:" >&2
    diff "$reference" Tests/AnalysisTests/Fixtures/cr2_reference.csv >&2
    exit 1
fi
# The same for TWFE and Sun & Abraham's contrasts on the dummy regressions of the did2s panel.
Rscript Scripts/reference/cr2_panel_clubsandwich.R "$reference" 2>/dev/null
if cmp -s "$reference" Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv; then
    echo "CR2 (panel): clubSandwich gives the fixture the tests compare with"
else
    echo "CR2 (panel): clubSandwich's values differ from Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv:" >&2
    diff "$reference" Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv >&2
    exit 1
fi
# Gardner's two-stage DiD: pyfixest's did2s (PyPI) recomputes the panel and reference the tests compare with.
venv="${PANTAU_BENCH_VENV:-.build-bench-venv}"
source Scripts/python_venv.sh
python_venv "$venv" pyfixest
work=$(mktemp -d)
trap 'rm -f "$reference"; rm -rf "$work"' EXIT
# same_as_fixtures LABEL FILE…: each file the peer just wrote in $work must be the fixture the tests compare with:
# the same rows and text, and every number equal to 1e-10 relative to its size or 1e-3, whichever is larger (the
# last bits of a float move with the machine's numpy and BLAS; the tests compare at 1e-6 to 1e-8); `tolerance=T`
# before the call loosens it for a peer whose numbers come from randomised integration.
same_as_fixtures() {
    local label=$1 file
    shift
    for file in "$@"; do
        if ! python3 - "$work/$file" "Tests/AnalysisTests/Fixtures/$file" "${tolerance:-1e-10}" <<'PY'; then
import csv, sys
def number(text):
    try:
        return float(text)
    except ValueError:
        return None
ours, fixture = (list(csv.reader(open(path))) for path in sys.argv[1:3])
tolerance = float(sys.argv[3])
if len(ours) != len(fixture):
    sys.exit(f"{len(ours)} rows against the fixture's {len(fixture)}")
for line, (a_row, b_row) in enumerate(zip(ours, fixture), 1):
    if len(a_row) != len(b_row):
        sys.exit(f"line {line}: {a_row} against {b_row}")
    for a, b in zip(a_row, b_row):
        x, y = number(a), number(b)
        same = a == b if x is None or y is None else (x == y or x != x and y != y or abs(x - y) <= tolerance * max(abs(x), abs(y), 1e-3))
        if not same:
            sys.exit(f"line {line}: {a} against {b}")
PY
            echo "$label: the peer's $file differs from Tests/AnalysisTests/Fixtures/$file (above)" >&2
            exit 1
        fi
    done
}
"$venv/bin/python" Scripts/reference/did2s_pyfixest.py "$work/did2s_panel.csv" "$work/did2s_reference.csv"
same_as_fixtures "two-stage DiD" did2s_panel.csv did2s_reference.csv
echo "two-stage DiD: pyfixest $("$venv/bin/python" -c 'import pyfixest; print(pyfixest.__version__)') did2s gives the fixture the tests compare with"
# Borusyak–Jaravel–Spiess imputation: PyPI's did-imputation recomputes its reference on the same panel.
python_venv "$venv" did-imputation
"$venv/bin/python" Scripts/reference/imputation_did.py Tests/AnalysisTests/Fixtures/did2s_panel.csv "$work/imputation_reference.csv"
same_as_fixtures "imputation DiD" imputation_reference.csv
echo "imputation DiD: did-imputation $("$venv/bin/pip" show did-imputation | sed -n 's/^Version: //p') gives the fixture the tests compare with"
# Sun & Abraham: pyfixest's saturated event study, aggregated by event time, recomputes its reference on mpdta.
"$venv/bin/python" Scripts/reference/sun_abraham_pyfixest.py Tests/ReferenceData/mpdta.csv "$work/sun_abraham_reference.csv"
same_as_fixtures "Sun & Abraham" sun_abraham_reference.csv
echo "Sun & Abraham: pyfixest's saturated event study gives the fixture the tests compare with"
# Callaway & Sant'Anna on an unbalanced panel and on repeated cross-sections: csdid (allow_unbalanced_panel,
# panel = False) recomputes the dropped-rows panel and the reference the tests compare with.
python_venv "$venv" csdid
"$venv/bin/python" Scripts/reference/cs_unbalanced_mpdta.py Tests/ReferenceData/mpdta.csv "$work/mpdta_unbalanced.csv" "$work/cs_unbalanced_reference.csv"
same_as_fixtures "Callaway & Sant'Anna (rows)" mpdta_unbalanced.csv cs_unbalanced_reference.csv
echo "Callaway & Sant'Anna on an unbalanced panel and repeated cross-sections: csdid $("$venv/bin/pip" show csdid | sed -n 's/^Version: //p') gives the fixture the tests compare with"
# de Chaisemartin & D'Haultfœuille's DID_M: diff-diff recomputes the switching panel and its reference.
python_venv "$venv" diff-diff==3.13.0
"$venv/bin/python" Scripts/reference/dcdh_diffdiff.py "$work/dcdh_panel.csv" "$work/dcdh_reference.csv"
same_as_fixtures "DID_M" dcdh_panel.csv dcdh_reference.csv
echo "de Chaisemartin & D'Haultfœuille: diff-diff $("$venv/bin/pip" show diff-diff | sed -n 's/^Version: //p') gives the fixture the tests compare with"
# Callaway & Sant'Anna with the universal base period: diff-diff recomputes its reference on mpdta.
"$venv/bin/python" Scripts/reference/cs_universal_mpdta.py Tests/ReferenceData/mpdta.csv "$work/cs_universal_reference.csv"
same_as_fixtures "Callaway & Sant'Anna (universal base period)" cs_universal_reference.csv
echo "Callaway & Sant'Anna with the universal base period: diff-diff $("$venv/bin/pip" show diff-diff | sed -n 's/^Version: //p') gives the fixture the tests compare with"
# Rambachan & Roth: honestdid recomputes the seeded event studies, its decisions near the ends of its confidence sets,
# the ends, and scipy the pre-test's power (about 15 minutes: honestdid solves an LP per grid point).
python_venv "$venv" honestdid==0.1.1
"$venv/bin/python" Scripts/reference/honestdid_sensitivity.py "$work/honestdid_cases.csv" "$work/honestdid_reference.csv"
# The pre-test's power comes from scipy's multivariate normal (Genz's randomised quasi-Monte Carlo), which moves in
# the eighth digit between scipy versions; the tests compare it at 2e-5.
tolerance=1e-6 same_as_fixtures "Rambachan & Roth" honestdid_cases.csv honestdid_reference.csv
echo "Rambachan & Roth: honestdid $("$venv/bin/pip" show honestdid | sed -n 's/^Version: //p') gives the fixture the tests compare with"
# The FLCI for smoothness: honestdid's find_optimal_flci (with the exact folded-normal quantile) on the same cases.
"$venv/bin/python" Scripts/reference/honestdid_flci.py "$work/honestdid_flci_reference.csv"
# The FLCI's weights are an optimiser's solution (honestdid's convex program), equal between machines to the solver's
# tolerance; the tests compare the half-length at 1e-6.
tolerance=1e-6 same_as_fixtures "Rambachan & Roth's FLCI" honestdid_flci_reference.csv
echo "Rambachan & Roth's FLCI: honestdid gives the fixture the tests compare with"
# Sun & Abraham with a covariate and with survey weights: pyfixest's feols on the saturated regression written out.
"$venv/bin/python" Scripts/reference/sun_abraham_covariates_pyfixest.py Tests/AnalysisTests/Fixtures/did2s_panel.csv "$work/sun_abraham_covariates_reference.csv"
same_as_fixtures "Sun & Abraham with covariates and weights" sun_abraham_covariates_reference.csv
echo "Sun & Abraham with a covariate and survey weights: pyfixest's feols gives the fixture the tests compare with"
