#!/usr/bin/env bash
# pantau against pyxform's and ODK Validate's verdicts on a corpus of public XLSForms (by default
# ../shared/xlsform-corpus: forms with verdicts.json naming each one's source and verdicts). For every form:
# does pantau accept it, and does an accepted form run through scripted interviews (`pantau simulate`, every
# answer through the interview engine, on a two-unit frame)? Prints the forms where pantau and the references
# differ, with pantau's first error, the acceptance rate over the forms both references accept, and the
# conversion time of the largest form. Not part of `swift test`: the corpus is not in the repository.
# Usage: Scripts/validate_xlsform_corpus.sh [CORPUS]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/xlsform-corpus}
[ -f "$corpus/verdicts.json" ] || { echo "no verdicts.json in $corpus" >&2; exit 64; }
source Scripts/setup.sh
swift build -c release --product pantau >&2
python3 - "$corpus" "$PWD/.build/release/pantau" <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time
corpus, pantau = sys.argv[1], sys.argv[2]
verdicts = json.load(open(os.path.join(corpus, "verdicts.json")))
work = tempfile.mkdtemp()
frame = os.path.join(work, "frame.csv")
with open(frame, "w") as out:
    out.write("code,name,level,parent_code\nu1,Unit one,village,\nu2,Unit two,village,\n")
both = accepted = interviewed = stricter_rejects = 0
lines = []
for verdict in verdicts:
    form = os.path.join(corpus, verdict["form"])
    reference = verdict["pyxform"]["accept"] and bool(verdict["odk_validate"].get("accept"))
    run = subprocess.run([pantau, "validate", "--brief", form], capture_output=True, text=True, timeout=120)
    ok = run.returncode == 0
    ran = False
    if ok:
        db = os.path.join(work, "s.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix): os.remove(db + suffix)
        sim = subprocess.run([pantau, "simulate", "--frame", frame, "--questionnaire", form, "--rounds", "2021-H1", "--db", db, "--seed", "1"],
                             capture_output=True, text=True, timeout=300)
        ran = sim.returncode == 0 and "2/2 completed" in sim.stderr
        if not ran:
            lines.append(f"  {verdict['form']}: accepted but the scripted interviews failed: {(sim.stderr.strip().splitlines() or [''])[-1]}")
    if reference:
        both += 1
        accepted += ok
        interviewed += ran
    elif ok:
        lines.append(f"  {verdict['form']}: pantau accepts, pyxform/ODK reject ({verdict['pyxform']['message'][:100]})")
    else:
        stricter_rejects += 1
    if reference and not ok:
        errors = [l for l in run.stdout.splitlines() if ": error: " in l]
        first = errors[0].split(": error: ", 1)[1] if errors else run.stdout.strip().splitlines()[-1]
        lines.append(f"  {verdict['form']}: pantau rejects: {first}  (+{max(len(errors) - 1, 0)} more)")
print("\n".join(sorted(lines)))
print(f"forms pyxform and ODK Validate accept: {both}; pantau accepts {accepted} ({100 * accepted / max(both, 1):.0f}%), "
      f"and {interviewed} of them run through scripted interviews")
print(f"forms the references reject: {len(verdicts) - both}; pantau rejects {stricter_rejects} of them")
largest = max((v["form"] for v in verdicts), key=lambda f: os.path.getsize(os.path.join(corpus, f)))
times = []
for _ in range(5):
    start = time.perf_counter()
    subprocess.run([pantau, "convert", os.path.join(corpus, largest), "-o", os.path.join(work, "largest.yaml")], capture_output=True)
    times.append(time.perf_counter() - start)
size = os.path.getsize(os.path.join(corpus, largest))
print(f"largest form: {largest} ({size / 1024:.0f} KiB): convert takes {1000 * statistics.median(times):.0f} ms (median of 5, whole process)")
PY
