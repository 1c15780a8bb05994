#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
# Formatter findings fail the run; so does any compiler warning in pantau's own targets (Package.swift treats
# them as errors).
Scripts/format.sh --check
swift build --build-tests
# The central store's tests need PostgreSQL: a private cluster on loopback (installed when missing), stopped at the end.
PANTAU_TEST_POSTGRES="$(Scripts/postgres.sh start)"
export PANTAU_TEST_POSTGRES
PANTAU_TEST_POSTGRES_CERTIFICATE="$(Scripts/postgres.sh certificate)"
export PANTAU_TEST_POSTGRES_CERTIFICATE
trap 'Scripts/postgres.sh stop' EXIT
# A hung test fails the run after 40 minutes with its output, instead of holding CI until its own limit.
timeout --kill-after=60 2400 swift test --skip-build "$@"
