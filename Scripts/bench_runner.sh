#!/usr/bin/env bash
# The interview runner as an enumerator meets it: time to the first question and per answer through the real
# binary (the line protocol, the same code path as the terminal screens), on the KOMPAK village survey.
# Usage: Scripts/bench_runner.sh [OTHER_PANTAU_BINARY]  (a second binary, e.g. an earlier build, is measured
# beside this one in the same run, interleaved)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product pantau >&2
binaries=(.build/release/pantau)
[ $# -ge 1 ] && binaries+=("$1")
python3 - "${binaries[@]}" <<'PY'
import os, statistics, subprocess, sys, tempfile, time

def answer_for(prompt):
    """A plausible answer for a `? ADDRESS TYPE` line of the line protocol."""
    kind = prompt.split()[2] if len(prompt.split()) > 2 else ""
    return {"integer": "3", "decimal": "2", "text": "catatan", "date": "2021-01-15", "time": "09:30", "select_one": "1",
            "select_multiple": "1", "acknowledge": "y", "repeat": "n", "geopoint": "-4.1 96.1"}.get(kind, "")

def run(binary, folder, unit):
    db = os.path.join(folder, "bench.sqlite")
    started = time.perf_counter()
    child = subprocess.Popen([binary, "interview", "Questionnaires/kompak/desa.yaml", "--unit", unit, "--round", "2021-H1",
                              "--enumerator", "bench", "--lang", "id", "--db", db],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    first, answers = None, []
    while True:
        line = child.stdout.readline()
        if not line:
            break
        if line.startswith("? "):
            now = time.perf_counter()
            if first is None:
                first = now - started
            elif asked is not None:
                answers.append(now - asked)
            if line.startswith("? :end") or len(answers) >= 150:
                child.stdin.write(":save\n")
                child.stdin.flush()
                break
            asked = time.perf_counter()
            child.stdin.write(answer_for(line) + "\n")
            child.stdin.flush()
        elif first is None:
            asked = None
    child.communicate()
    return first, answers

units = [line.split(",")[0] for line in open("Questionnaires/kompak/frame.csv") if ",village," in line]
results = {binary: ([], []) for binary in sys.argv[1:]}
with tempfile.TemporaryDirectory() as folder:
    for binary in sys.argv[1:]:
        subprocess.run([binary, "frame", "import", "Questionnaires/kompak/frame.csv", "--db", os.path.join(folder, "bench.sqlite")],
                       check=True, stdout=subprocess.DEVNULL)
    for index, unit in enumerate(units[:12]):
        for binary in sys.argv[1:]:  # interleaved, so both see the same machine
            first, answers = run(binary, folder, unit if binary == sys.argv[1] else units[-1 - index])
            results[binary][0].append(first)
            results[binary][1].extend(answers)
print("pantau interview, KOMPAK village survey, line protocol, release builds; 12 interviews each, interleaved")
for binary, (firsts, answers) in results.items():
    answers.sort()
    print(f"  {binary}: first question median {statistics.median(firsts) * 1000:.1f} ms; per answer (line in → next question out) "
          f"median {statistics.median(answers) * 1000:.2f} ms, p99 {answers[int(len(answers) * 0.99)] * 1000:.2f} ms over {len(answers)} answers")
PY
