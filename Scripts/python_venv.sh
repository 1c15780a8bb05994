#!/usr/bin/env bash
# Sourced by the validation and benchmark scripts: `python_venv DIR PACKAGE...` makes a Python virtual
# environment in DIR (installing python3-venv from Debian when missing) and installs the packages from PyPI.
python_venv() {
    local venv=$1
    shift
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" >&2 || {
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"
        }
    fi
    "$venv/bin/pip" install -q "$@" >&2
}
