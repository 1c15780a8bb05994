#!/usr/bin/env bash
# Loads a store (for example the national-scale one that Scripts/national_scale.sh keeps with KEEP=1) into a
# database of the repository's private PostgreSQL cluster, then times `pantau indicators --db postgres://…` with its
# peak memory and, in the same run, the plain-SQL floor: the village shares of the set as one GROUP BY each in psql.
# Usage: Scripts/bench_indicators_postgres.sh STORE.sqlite   (KEEP_PG=1 keeps the database for another run)
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: Scripts/bench_indicators_postgres.sh STORE.sqlite}
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
# PANTAU names a built binary to use instead of building the release one.
pantau=${PANTAU:-.build/release/pantau}
[ -n "${PANTAU:-}" ] || swift build -c release --product pantau >&2
base=$(Scripts/postgres.sh start | tail -1)
psql="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql"
database=pantau_bench_indicators
url="${base%/postgres}/$database"
out=$(mktemp -d)
trap 'rm -rf "$out"; [ "${KEEP_PG:-0}" = 1 ] || "$psql" "$base" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true' EXIT

if [ "$("$psql" "$base" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ] || [ "${RELOAD:-0}" = 1 ]; then
    "$psql" "$base" -qc "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
    "$pantau" server init --database "$url" >/dev/null
    echo "loading $store into PostgreSQL (COPY, keys added after):" >&2
    start=$(date +%s)
    "$psql" "$url" -qc "ALTER TABLE answer DROP CONSTRAINT answer_pkey" -c "ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey"
    for table in questionnaire round unit interview answer audit_log; do
        columns=$(sqlite3 "$store" "SELECT group_concat(name, ',') FROM pragma_table_info('$table')")
        # Replication role: the rows come from a store whose keys and references already hold.
        sqlite3 -csv -nullvalue '\N' "$store" "SELECT $columns FROM $table" \
            | "$psql" "$url" -qc "SET session_replication_role = replica" -c "\\copy $table ($columns) FROM pstdin WITH (FORMAT csv, NULL '\\N')"
        echo "  $table: $(sqlite3 "$store" "SELECT count(*) FROM $table") rows" >&2
    done
    "$psql" "$url" -qc "ALTER TABLE answer ADD PRIMARY KEY (interview_uuid, address)" -c "ALTER TABLE audit_log ADD PRIMARY KEY (interview_uuid, seq)" \
        -c "SELECT setval('questionnaire_id_seq', (SELECT max(id) FROM questionnaire))" -c "ANALYZE" >/dev/null
    echo "  loaded in $(( $(date +%s) - start )) s; database size $("$psql" "$url" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")" >&2
fi

# Only the instruments the store holds (the national-scale store has the village survey alone).
python3 Scripts/kompak_indicators_for_store.py "$store" "$out/indicators.yaml"
echo "pantau indicators on PostgreSQL (every indicator, every round for the charts, the latest round's table):"
/usr/bin/time -v "$pantau" indicators "$out/indicators.yaml" --db "$url" --format csv --out "$out/indicators.csv" \
    2> "$out/time.txt" || { cat "$out/time.txt"; exit 1; }
grep -E "Elapsed|Maximum resident" "$out/time.txt" | sed 's/^\s*/  /'
echo "plain SQL on PostgreSQL: the village shares of the set for every round, one GROUP BY per indicator:"
query() {
    echo "SELECT i.round_code, avg(($2)::int) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid"
    echo " WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = '$1' AND a.relevant <> 0 GROUP BY 1;"
}
{
    query sid_status "a.text_value = 'online'"
    query sid_status "a.text_value IN ('paper', 'none')"
    query apbdes_on_time "a.text_value = 'yes'"
    echo "SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid"
    echo " WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'share_health' AND a.relevant <> 0 AND a.kind = 'number' GROUP BY 1;"
    echo "SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid"
    echo " WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'share_education' AND a.relevant <> 0 AND a.kind = 'number' GROUP BY 1;"
    query budget_published "a.text_value = 'yes'"
    query posko_aspirasi "a.text_value = 'yes'"
    query bpd_meetings "a.kind = 'number' AND a.number_value >= 3"
    echo "SELECT i.round_code, avg(a.number_value) FROM answer a JOIN interview i ON i.uuid = a.interview_uuid"
    echo " WHERE i.form_id = 'desa' AND i.status = 'completed' AND a.name = 'women_share' AND a.relevant <> 0 AND a.kind = 'number' GROUP BY 1;"
    query labkd "a.text_value = 'yes'"
} > "$out/shares.sql"
# The floor is the faster of the statements with PostgreSQL's JIT compilation (its default) and without.
for jit in on off; do
    start=$(date +%s.%N)
    PGOPTIONS="-c jit=$jit" "$psql" "$url" -q -f "$out/shares.sql" > "$out/sql.txt"
    end=$(date +%s.%N)
    python3 -c "print(f'  wall clock for all $(grep -c "^SELECT" "$out/shares.sql") queries with jit=$jit: {float(\"$end\") - float(\"$start\"):.2f} s')"
done
