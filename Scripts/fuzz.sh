#!/usr/bin/env bash
# Fuzzes what analysts feed pantau: mutated `did --data` panels and two-by-two files and indicator specifications
# (100,000 inputs by default), read and estimated in process as the commands do. Exits 0 when nothing trapped; after
# a trap the input that caused it is left in .build/fuzz-current.csv or .yaml, to become a test.
# Usage: Scripts/fuzz.sh [INPUTS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product PantauFuzz >&2
.build/release/PantauFuzz "${1:-100000}" "${2:-1}"
