#!/usr/bin/env bash
# Bias and 95% coverage of the DiD estimators over repeated simulated panels with a known effect.
# Usage: Scripts/validate_did.sh [REPLICATIONS]   (default 300; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build -c release --product PantauValidation >&2
.build/release/PantauValidation "${1:-300}"
