#!/usr/bin/env bash
# Renders HTML reports to PNG in headless Chromium (Debian's chromium package, installed when missing), so that
# what a reader sees can be looked at.
#   Scripts/render_report.sh REPORT.html [OUT.png] [WIDTH]   one report
#   Scripts/render_report.sh --demo [OUT_DIR]                 every report of a demo run (Scripts/demo.sh first):
#       the indicators in Indonesian and English, each DiD specification, and the codebooks, into OUT_DIR/png/
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
    echo "render: installing chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
render() {
    # A tall window: the whole report in one image. --no-sandbox because CI runs as root.
    chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size="${3:-1100},6000" \
        --screenshot="$(realpath -m "$2")" "file://$(realpath "$1")" 2>/dev/null
    echo "$2"
}
if [ "${1:-}" = "--demo" ]; then
    out=${2:-out}
    [ -f "$out/pantau.sqlite" ] || { echo "render: no demo store in $out; run Scripts/demo.sh first" >&2; exit 1; }
    swift build --product pantau >&2
    pantau=.build/debug/pantau
    mkdir -p "$out/png" "$out/html"
    for lang in id en; do
        "$pantau" indicators Analysis/kompak/indicators.yaml --db "$out/pantau.sqlite" --lang "$lang" --format html \
            --out "$out/html/indicators-$lang.html" 2>&1 | grep -v '^indicators: ' >&2 || true
        render "$out/html/indicators-$lang.html" "$out/png/indicators-$lang.png"
    done
    for spec in Analysis/kompak/did-*.yaml; do
        name=$(basename "$spec" .yaml)
        "$pantau" did "$spec" --db "$out/pantau.sqlite" --format html > "$out/html/$name.html"
        render "$out/html/$name.html" "$out/png/$name.png"
    done
    for codebook in "$out"/codebooks/*.html; do render "$codebook" "$out/png/$(basename "$codebook" .html).png"; done
    exit 0
fi
report=${1:?usage: Scripts/render_report.sh REPORT.html [OUT.png] [WIDTH] | --demo [OUT_DIR]}
render "$report" "${2:-${report%.html}.png}" "${3:-1100}"
