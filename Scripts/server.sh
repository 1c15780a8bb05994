#!/usr/bin/env bash
# A central server on this machine in one command: PostgreSQL from Debian's packages when missing, a private
# cluster on loopback (Scripts/postgres.sh), a `pantau` database in it, the schema, and `pantau serve`.
# Usage: Scripts/server.sh [--listen HOST:PORT] [--frame FRAME.csv]
# Then add people with: .build/release/pantau server user add NAME --role enumerator --database "$(Scripts/postgres.sh url | sed 's#/postgres$#/pantau#')"
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
listen="127.0.0.1:8080"
frame=()
while (($#)); do
    case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --frame) frame=(--frame "$2"); shift 2 ;;
    *) echo "usage: Scripts/server.sh [--listen HOST:PORT] [--frame FRAME.csv]" >&2; exit 64 ;;
    esac
done
swift build -c release --product pantau >&2
server="$(Scripts/postgres.sh start)"
database="${server%/postgres}/pantau"
if ! psql "$server" -qtA -c "SELECT 1 FROM pg_database WHERE datname = 'pantau'" | grep -q 1; then
    psql "$server" -q -c "CREATE DATABASE pantau"
fi
.build/release/pantau server init --database "$database" "${frame[@]}"
echo "server: the central store is $(echo "$database" | sed 's#://\([^:]*\):[^@]*@#://\1@#') (password in Scripts/postgres.sh's cluster)" >&2
exec .build/release/pantau serve --database "$database" --listen "$listen"
