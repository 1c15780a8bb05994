#!/usr/bin/env bash
# Formats the Swift sources in place with the toolchain's swift-format, then lints them.
# Pass --check to lint only (no changes), e.g. before a commit.
set -euo pipefail
cd "$(dirname "$0")/.."
config=Scripts/swift-format.json
if [ "${1:-}" != "--check" ]; then
    swift format format --configuration "$config" --in-place --recursive Package.swift Sources Tests
fi
swift format lint --configuration "$config" --recursive Package.swift Sources Tests
