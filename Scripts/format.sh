#!/usr/bin/env bash
# Formats the Swift sources in place with the toolchain's swift-format, then lints them strictly: any finding
# fails (exit 1). Pass --check to lint only (no changes), as Scripts/test.sh and so CI do.
set -euo pipefail
cd "$(dirname "$0")/.."
config=Scripts/swift-format.json
if [ "${1:-}" != "--check" ]; then
    swift format format --configuration "$config" --in-place --recursive Package.swift Sources Tests
fi
swift format lint --strict --configuration "$config" --recursive Package.swift Sources Tests
