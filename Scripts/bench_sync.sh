#!/usr/bin/env bash
# Fifty devices syncing the KOMPAK panel at once to a central server on loopback, on PostgreSQL and on an SQLite
# file, side by side in one run: throughput (interviews a second, first interview sent to last acknowledged) and
# each device's sync time (median, p99), then a check that the central store holds every interview exactly once.
# Usage: Scripts/bench_sync.sh [DEVICES] [ROUNDS]     (default 50 devices, rounds 2021-H1,2021-H2; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product pantau >&2
server="$(Scripts/postgres.sh start)"
python3 - "${1:-50}" "${2:-2021-H1,2021-H2}" "$PWD/.build/release/pantau" "$server" <<'PY'
import csv, json, os, re, statistics, subprocess, sys, tempfile, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

devices, rounds, pantau, server = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
work = tempfile.mkdtemp(prefix="pantau-bench-sync-")
frame = list(csv.DictReader(open("Questionnaires/kompak/frame.csv")))
header = list(frame[0].keys())
villages = sorted((u for u in frame if u["level"] == "village"), key=lambda u: u["code"])
others = [u for u in frame if u["level"] != "village"]
groups = [villages[i::devices] for i in range(devices)]

def write_frame(path, units):
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(units)

def simulate(i):
    folder = os.path.join(work, f"device-{i}")
    os.makedirs(folder)
    write_frame(os.path.join(folder, "frame.csv"), others + groups[i])
    subprocess.run([pantau, "simulate", "--frame", "frame.csv", "--questionnaire", os.path.abspath("Questionnaires/kompak/desa.yaml"),
                    "--rounds", rounds, "--seed", str(i + 1), "--db", "device.sqlite"], cwd=folder, check=True, capture_output=True)
    return os.path.join(folder, "device.sqlite")

started = time.perf_counter()
with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    stores = list(pool.map(simulate, range(devices)))
print(f"{devices} devices, {len(villages)} villages, rounds {rounds}: simulated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
write_frame(os.path.join(work, "frame.csv"), frame)

def run_backend(name, database):
    def cli(*args):
        return subprocess.run([pantau, *args], capture_output=True, text=True, check=True).stdout.strip()
    cli("server", "init", "--database", database, "--frame", os.path.join(work, "frame.csv"))
    tokens = []
    for i in range(devices):
        tokens.append(cli("server", "user", "add", f"device{i}", "--role", "enumerator", "--database", database))
        cli("server", "assign", f"device{i}", "--units", ",".join(u["code"] for u in groups[i]), "--database", database)
    supervisor = cli("server", "user", "add", "supervisor", "--role", "supervisor", "--database", database)
    log = open(os.path.join(work, f"serve-{name}.out"), "w")
    serve = subprocess.Popen([pantau, "serve", "--database", database, "--listen", "127.0.0.1:0"], stdout=log,
                             stderr=open(os.path.join(work, f"serve-{name}.err"), "w"))
    url = None
    for _ in range(600):
        text = open(log.name).read()
        match = re.search(r"listening on (http://[0-9.]+:[0-9]+) \(store", text)
        if match:
            url = match.group(1)
            break
        time.sleep(0.05)
    assert url, "the server did not start"
    # A fresh copy of every device for each backend: acknowledgements are per server address.
    copies = []
    for i, store in enumerate(stores):
        copy = os.path.join(work, f"{name}-device-{i}.sqlite")
        subprocess.run(["cp", store, copy], check=True)
        copies.append(copy)
    def sync(i):
        start = time.perf_counter()
        run = subprocess.run([pantau, "sync", "--server", url, "--token", tokens[i], "--db", copies[i]], capture_output=True, text=True)
        return time.perf_counter() - start, run.returncode, run.stdout + run.stderr
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=devices) as pool:
        results = list(pool.map(sync, range(devices)))
    wall = time.perf_counter() - started
    failed = [r for r in results if r[1] != 0]
    sent = sum(int(re.search(r"sent (\d+)", r[2]).group(1)) for r in results if r[1] == 0)
    request = urllib.request.Request(f"{url}/v1/interviews", headers={"Authorization": f"Bearer {supervisor}"})
    held = json.load(urllib.request.urlopen(request))
    serve.terminate()
    serve.wait()
    times = sorted(r[0] for r in results)
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    exactly_once = len(held) == len({h["uuid"] for h in held}) == sent
    print(f"{name:10}  {sent:6} interviews from {devices} devices in {wall:6.1f} s: {sent / wall:6.1f} interviews/s; "
          f"sync time median {statistics.median(times):5.1f} s, p99 {p99:5.1f} s; failed {len(failed)}; "
          f"central holds {len(held)} ({'each exactly once' if exactly_once else 'MISMATCH'})")
    for r in failed[:3]:
        print(f"  failed: {[line for line in r[2].splitlines() if not line.startswith('[')][-1:]}")
    return sent / wall

database = server.rsplit("/", 1)[0] + f"/bench_sync_{int(time.time())}"
subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {database.rsplit('/', 1)[1]}"], check=True)
postgres = run_backend("postgresql", database)
sqlite = run_backend("sqlite", os.path.join(work, "central.sqlite"))
print(f"PostgreSQL / SQLite throughput: {postgres / sqlite:.2f}")
print(f"(work folder, with each server's request log: {work})", file=sys.stderr)
PY
