#!/usr/bin/env bash
# A private PostgreSQL cluster on loopback for pantau's central store and its tests: installs PostgreSQL from
# Debian's packages when it is missing, creates the cluster under .build-pg/ (password authentication, a random
# password kept in .build-pg/password, mode 600), starts it, and prints its URL.
# Usage: Scripts/postgres.sh start|stop|url|certificate (the server's self-signed TLS certificate, for sslrootcert)
# Each checkout has its own cluster and port (derived from its path; PANTAU_PG_PORT overrides), so that a clone
# tested beside a working tree does not meet the working tree's server. Run as root, the cluster lives under
# /var/tmp (the postgres account may not be able to enter the checkout).
# POSTGRES_OPTIONS adds server settings when the cluster starts (the benchmarks give it a production-sized cache).
set -euo pipefail
cd "$(dirname "$0")/.."
# runuser lives in /usr/sbin, which a stripped environment (CI's) may leave off the PATH.
export PATH="$PATH:/usr/sbin:/sbin"
key="$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)"
root="$PWD/.build-pg"
[ "$(id -u)" -eq 0 ] && root="/var/tmp/pantau-pg-$key"
port="${PANTAU_PG_PORT:-$((54000 + key % 900))}"
action="${1:-start}"

bin=""
for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ]; then
    echo "postgres: installing PostgreSQL from Debian's packages" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# PostgreSQL refuses to run as root: then the cluster belongs to the postgres account Debian's package creates.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgres://pantau:$(cat "$root/password")@127.0.0.1:$port/postgres"; }

case "$action" in
start)
    if [ ! -f "$root/data/PG_VERSION" ]; then
        rm -rf "$root"
        mkdir -p "$root"
        chmod 755 "$root"
        head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$root/password"
        chmod 600 "$root/password"
        cp "$root/password" "$root/pwfile"
        if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$root"; chown root "$root/password"; fi
        as_owner "$bin/initdb" -D "$root/data" -U pantau --pwfile="$root/pwfile" -A scram-sha-256 -E UTF8 --no-locale >"$root/initdb.log"
        rm -f "$root/pwfile"
    fi
    # TLS with a self-signed certificate for 127.0.0.1 (ten years), so that sslmode=require and verify-full can be
    # tried; the certificate (public) is kept beside the cluster as server.crt for sslrootcert.
    if [ ! -f "$root/data/server.key" ]; then
        command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
        openssl req -new -x509 -days 3650 -nodes -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$root/server.key" -out "$root/server.crt" >/dev/null 2>&1
        cp "$root/server.key" "$root/server.crt" "$root/data/"
        chmod 600 "$root/data/server.key"
        [ "$(id -u)" -eq 0 ] && chown postgres "$root/data/server.key" "$root/data/server.crt"
        rm -f "$root/server.key"
        chmod 644 "$root/server.crt"
    fi
    if ! as_owner "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/data/server.log" -w -t 60 \
            -o "-p $port -c listen_addresses=127.0.0.1 -k $root/data -c fsync=on -c ssl=on ${POSTGRES_OPTIONS:-}" start >/dev/null
    fi
    url
    ;;
stop)
    [ -f "$root/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
url) url ;;
certificate) echo "$root/server.crt" ;;
*) echo "usage: Scripts/postgres.sh start|stop|url|certificate" >&2; exit 64 ;;
esac
