#!/usr/bin/env bash
# Installs what pantau needs on a fresh Debian machine: the system SQLite library and headers
# (GRDB.swift builds over them), and tmux for the terminal test. Safe to run again; it installs only what is missing.
# Sourced by the other scripts (`source Scripts/setup.sh`), so that Swift at /opt/swift is found even when the
# user's PATH does not name it.
set -euo pipefail

need=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
# tmux drives the interview runner's terminal mode in the end-to-end tests.
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# curl speaks to the central server in its end-to-end tests.
command -v curl >/dev/null 2>&1 || need+=(curl)
if ((${#need[@]})); then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "setup: swift is neither on PATH nor at /opt/swift/usr/bin" >&2; exit 1; }
