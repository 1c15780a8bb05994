#!/usr/bin/env bash
# The main job, for now: validate every bundled questionnaire and print its codebook.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build -c release --product pantau >&2
PANTAU=.build/release/pantau
mapfile -t forms < <(find Questionnaires -name '*.yaml' | sort)
echo "== validating ${#forms[@]} questionnaires" >&2
"$PANTAU" validate --brief "${forms[@]}"
for form in "${forms[@]}"; do
    echo
    "$PANTAU" codebook "$form" --format md
done
