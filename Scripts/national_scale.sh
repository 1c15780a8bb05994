#!/usr/bin/env bash
# Simulates the village survey at national scale: 75,000 villages x 10 rounds (750,000 interviews through the
# engine), and prints the time and peak memory. Slow (tens of minutes): a benchmark, not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
swift build -c release --product pantau >&2
work=$(mktemp -d)
python3 - "$work/frame.csv" "${VILLAGES:-75000}" <<'PY'
import sys
# 34 provinces x 15 districts x 10 sub-districts x 15 villages = 76,500 villages; the first VILLAGES (75,000) are kept.
rows = [["code", "name", "level", "parent_code", "kompak", "sekar_desa", "papua"]]
villages = 0
for p in range(11, 45):
    rows.append([str(p), f"Provinsi {p}", "province", "", "0", "0", "0"])
    for d in range(1, 16):
        dcode = f"{p}{d:02d}"
        rows.append([dcode, f"Kabupaten {dcode}", "district", str(p), "1" if d <= 3 else "0", "0", "0"])
        for s in range(1, 11):
            scode = f"{dcode}{s * 10:03d}"
            rows.append([scode, f"Kecamatan {scode}", "subdistrict", dcode, "0", "0", "0"])
            for v in range(1, 16):
                if villages == int(sys.argv[2]):
                    break
                villages += 1
                rows.append([f"{scode}{v:03d}", f"Desa {villages}", "village", scode, "0", "1" if villages % 100 == 0 else "0", "0"])
with open(sys.argv[1], "w") as handle:
    handle.write("\n".join(",".join(r) for r in rows) + "\n")
print(f"frame: {villages} villages", file=sys.stderr)
PY
rounds="2020-H2,2021-H1,2021-H2,2022-H1,2022-H2,2023-H1,2023-H2,2024-H1,2024-H2,2025-H1"
/usr/bin/time -v .build/release/pantau simulate --frame "$work/frame.csv" --questionnaire Questionnaires/kompak/desa.yaml \
    --rounds "$rounds" --paradata minimal --db "$work/national.sqlite" --manifest "$work/manifest.json" 2> "$work/time.txt" \
    | tee "$work/summary.txt"
grep -E "Elapsed|Maximum resident" "$work/time.txt"
ls -l "$work/national.sqlite"
if [ "${KEEP:-0}" = 1 ]; then echo "store kept: $work/national.sqlite"; else rm -rf "$work"; fi
