#!/usr/bin/env bash
# The main job: builds pantau and runs the six-monthly job on a simulated KOMPAK panel in an embedded SQLite
# store under out/: frame, four rounds of village, sub-district and district interviews, and the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product pantau >&2
.build/release/pantau validate --brief $(find Questionnaires -name '*.yaml' | sort) > /dev/null
.build/release/pantau demo --out out "$@"
