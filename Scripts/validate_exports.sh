#!/usr/bin/env bash
# Checks pantau's exports with established readers: pyreadstat (ReadStat, as pandas uses) and R's haven (from
# Debian's r-cran-haven, installed when missing) for Stata files, openpyxl for the workbook. Python packages go
# into .build-validate-venv/. Exports the demo's sub-district survey and compares every cell with the wide CSV.
# Usage: Scripts/validate_exports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build --product pantau >&2
venv=.build-validate-venv
source Scripts/python_venv.sh
python_venv "$venv" pandas pyreadstat openpyxl
work=$(mktemp -d)
.build/debug/pantau demo --out "$work/demo" > /dev/null 2>&1
for format in csv dta xlsx; do
    .build/debug/pantau export --questionnaire kecamatan --format $format --out "$work/$format" --db "$work/demo/pantau.sqlite" > /dev/null 2>&1
done
"$venv/bin/python" - "$work" <<'PY'
import csv, sys, math
import pyreadstat, openpyxl
work = sys.argv[1]
rows = list(csv.DictReader(open(f"{work}/csv/kecamatan.csv", encoding="utf-8")))
df, meta = pyreadstat.read_dta(f"{work}/dta/kecamatan.dta", user_missing=True)
assert len(df) == len(rows), (len(df), len(rows))
letters = {"dont_know": "a", "refused": "b", "not_applicable": "c"}
problems = 0
pairs = {}
def problem(message):
    global problems
    problems += 1
    if problems <= 10: print(message)
for index, row in enumerate(rows):
    for name, text in row.items():
        value = df.at[index, name]
        missing = isinstance(value, float) and math.isnan(value)
        if text in letters:
            if value != letters[text]: problem(f"row {index} {name}: {text} should be .{letters[text]}, is {value!r}")
        elif name in meta.variable_value_labels:
            if text == "":
                if not missing: problem(f"row {index} {name}: empty should be ., is {value!r}")
            else:
                pairs.setdefault(name, set()).add((text, int(value)))
        elif isinstance(value, str):
            if value != text: problem(f"row {index} {name}: csv {text!r} dta {value!r}")
        elif text == "":
            if not missing: problem(f"row {index} {name}: empty should be ., is {value!r}")
        elif name == "visit" or meta.readstat_variable_types.get(name) == "double" and meta.original_variable_types.get(name) == "%td":
            pass
        elif abs(float(text) - float(value)) > 1e-9 * max(1.0, abs(float(value))):
            problem(f"row {index} {name}: csv {text!r} dta {value!r}")
for name, seen in pairs.items():
    codes, numbers = {c for c, _ in seen}, {n for _, n in seen}
    if len(seen) != len(codes) or len(seen) != len(numbers): problem(f"{name}: codes and numbers do not match one to one: {sorted(seen)}")
    if not numbers <= set(meta.variable_value_labels[name]): problem(f"{name}: numbers without a label")
print(f"pyreadstat: {len(df)} rows x {len(df.columns)} columns; label {meta.file_label!r}; {len(meta.variable_value_labels)} value label sets; "
      f"user missing in {len(meta.missing_user_values)} variables; {problems} mismatches against the CSV")
book = openpyxl.load_workbook(f"{work}/xlsx/kecamatan.xlsx", read_only=True)
sheet = book["data"]
cells = [[("" if c is None else c) for c in r] for r in sheet.iter_rows(values_only=True)]
header = cells[0]
cells = [r + [""] * (len(header) - len(r)) for r in cells]  # trailing empty cells are not stored
mismatches = 0
for index, row in enumerate(rows):
    for position, name in enumerate(header):
        read, text = cells[index + 1][position], row[name]
        if isinstance(read, (int, float)) and text != "":
            if abs(float(text) - read) > 1e-9 * max(1, abs(read)): mismatches += 1
        elif str(read) != text:
            mismatches += 1
print(f"openpyxl: sheets {book.sheetnames}; {len(cells) - 1} rows x {len(header)} columns; {mismatches} mismatches against the CSV")
sys.exit(1 if problems or mismatches else 0)
PY
command -v Rscript >/dev/null && Rscript -e 'library(haven)' >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-haven >/dev/null
}
Rscript - "$work" <<'R'
library(haven)
work <- commandArgs(trailingOnly = TRUE)[1]
d <- read_dta(file.path(work, "dta", "kecamatan.dta"))
csv <- read.csv(file.path(work, "csv", "kecamatan.csv"), colClasses = "character", na.strings = character(0))
problems <- 0
codes <- c(a = "dont_know", b = "refused", c = "not_applicable")
for (name in names(csv)) {
  column <- d[[name]]
  if (is.numeric(column)) {
    tags <- na_tag(column)
    for (i in seq_len(nrow(csv))) {
      text <- csv[[name]][i]
      if (text %in% codes) {
        if (is.na(tags[i]) || codes[[tags[i]]] != text) problems <- problems + 1
      } else if (text == "") {
        if (!is.na(column[i]) || !is.na(tags[i])) problems <- problems + 1
      } else if (is.null(attr(column, "labels")) && name != "visit" && abs(as.numeric(text) - column[i]) > 1e-9 * max(1, abs(column[i]))) {
        problems <- problems + 1
      }
    }
  } else if (any(column != csv[[name]])) {
    problems <- problems + 1
  }
}
cat(sprintf("haven: %d rows x %d columns; label '%s'; %d value label sets; %d mismatches against the CSV\n", nrow(d), ncol(d), attr(d, "label"),
            sum(sapply(d, function(x) !is.null(attr(x, "labels")))), problems))
quit(status = if (problems > 0) 1 else 0)
R
rm -rf "$work"
