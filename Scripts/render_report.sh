#!/usr/bin/env bash
# Renders an HTML report to PNG in headless Chromium (Debian's chromium package, installed when missing), so
# that what a reader sees can be looked at. Usage: Scripts/render_report.sh REPORT.html [OUT.png] [WIDTH]
set -euo pipefail
report=${1:?usage: Scripts/render_report.sh REPORT.html [OUT.png] [WIDTH]}
png=${2:-${report%.html}.png}
width=${3:-1100}
if ! command -v chromium >/dev/null; then
    echo "render: installing chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
# A tall window: the whole report in one image. --no-sandbox because CI runs as root.
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,6000" \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$report")" 2>/dev/null
echo "$png"
