#!/usr/bin/env bash
# Merging field stores beside a bare bulk INSERT into SQLite, same machine, same run.
# Usage: Scripts/bench_merge.sh [FIELD_STORES] [INTERVIEWS]   (default 411 and 75000; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product PantauMergeBenchmark >&2
.build/release/PantauMergeBenchmark "${1:-411}" "${2:-75000}"
