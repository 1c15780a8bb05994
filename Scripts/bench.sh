#!/usr/bin/env bash
# Builds in release mode and prints pantau's benchmark figures (engine, start-up, durable commits beside bare SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product pantau >&2
swift build -c release --product PantauBenchmarks >&2
.build/release/PantauBenchmarks
