#!/usr/bin/env bash
# Times the whole KOMPAK indicator set on a store (for example the national-scale store that
# Scripts/national_scale.sh builds with KEEP=1) and, in the same run, the same village shares computed by
# plain SQL in sqlite3 (GROUP BY) as the floor. Usage: Scripts/bench_indicators.sh STORE.sqlite
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: Scripts/bench_indicators.sh STORE.sqlite}
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
swift build -c release --product pantau >&2
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
out=$(mktemp -d)
# Only the instruments the store holds (the national-scale store has the village survey alone).
python3 Scripts/kompak_indicators_for_store.py "$store" "$out/indicators.yaml"
echo "pantau indicators (every indicator, every round for the charts, the latest round's table):"
/usr/bin/time -v .build/release/pantau indicators "$out/indicators.yaml" --db "$store" --format csv --out "$out/indicators.csv" \
    2> "$out/time.txt" || { cat "$out/time.txt"; exit 1; }
grep -E "Elapsed|Maximum resident" "$out/time.txt" | sed 's/^\s*/  /'
echo "plain SQL: the village shares of the set for every round, one GROUP BY per indicator:"
cat > "$out/shares.sql" <<'SQL'
.timer on
SELECT i.round_code, avg(a.text_value = 'online') FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'sid_status' AND a.relevant GROUP BY 1;
SELECT i.round_code, avg(a.text_value IN ('paper', 'none')) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'sid_status' AND a.relevant GROUP BY 1;
SELECT i.round_code, avg(a.text_value = 'yes') FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'apbdes_on_time' AND a.relevant AND a.kind = 'string' GROUP BY 1;
SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'share_health' AND a.relevant AND a.kind = 'number' GROUP BY 1;
SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'share_education' AND a.relevant AND a.kind = 'number' GROUP BY 1;
SELECT i.round_code, avg(a.text_value = 'yes') FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'budget_published' AND a.relevant GROUP BY 1;
SELECT i.round_code, avg(a.text_value = 'yes') FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'posko_aspirasi' AND a.relevant GROUP BY 1;
SELECT i.round_code, avg(a.number_value >= 3) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'bpd_meetings' AND a.relevant AND a.kind = 'number' GROUP BY 1;
SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'women_share' AND a.relevant AND a.kind = 'number' GROUP BY 1;
SELECT i.round_code, avg(a.text_value = 'yes') FROM answer a JOIN interview i ON i.uuid = a.interview_uuid
 WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'labkd' AND a.relevant GROUP BY 1;
SQL
start=$(date +%s.%N)
sqlite3 "$store" < "$out/shares.sql" > "$out/sql.txt"
end=$(date +%s.%N)
grep -c "^Run Time" "$out/sql.txt" | sed 's/^/  queries: /'
python3 -c "print(f'  wall clock for all queries: {float(\"$end\") - float(\"$start\"):.2f} s')"
rm -rf "$out"
