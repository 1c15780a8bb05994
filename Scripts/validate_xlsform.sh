#!/usr/bin/env bash
# Compares pantau with pyxform, the reference XLSForm converter, on a set of small test forms: forms pyxform
# accepts should be accepted, forms it rejects rejected. Installs pyxform and openpyxl from PyPI into
# .build-validate-venv/ and writes the forms with openpyxl. Prints a line per form and the agreement.
# Usage: Scripts/validate_xlsform.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build --product pantau >&2
venv=.build-validate-venv
source Scripts/python_venv.sh
python_venv "$venv" pyxform openpyxl
# pyxform runs ODK Validate, a Java program, to check the expressions.
command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
work=$(mktemp -d)
"$venv/bin/python" - "$work" "$PWD/.build/debug/pantau" <<'PY'
import os, subprocess, sys
import openpyxl
from pyxform.xls2xform import convert
work, pantau = sys.argv[1], sys.argv[2]
base = [["type", "name", "label"], ["integer", "staff", "Staff"], ["text", "head", "Head"]]
yn = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
forms = {
    "valid": (base, yn),
    "select with or_other": (base + [["select_one yn or_other", "q", "Q"]], yn),
    "group and repeat": (base + [["begin group", "g", "G"], ["integer", "a", "A"], ["end group", "", ""],
                                 ["begin repeat", "r", "R"], ["text", "b", "B"], ["end repeat", "", ""]], yn),
    "relevance and constraint": ([base[0] + ["relevant", "constraint"], ["integer", "staff", "Staff", "", ". >= 0"],
                                  ["text", "head", "Head", "${staff} > 0", ""]], yn),
    "translated labels": ([["type", "name", "label::English (en)", "label::Bahasa (id)"], ["integer", "staff", "Staff", "Staf"]],
                          [["list_name", "name", "label::English (en)", "label::Bahasa (id)"], ["yn", "yes", "Yes", "Ya"], ["yn", "no", "No", "Tidak"]]),
    "calculate": (base + [["calculate", "double", "", ""]], yn),
    "unknown type": (base + [["integr", "x", "X"]], yn),
    "unknown choice list": (base + [["select_one nolist", "q", "Q"]], yn),
    "duplicate name": (base + [["integer", "staff", "Again"]], yn),
    "unmatched end group": (base + [["end group", "", ""]], yn),
    "begin group never ended": (base + [["begin group", "g", "G"], ["integer", "a", "A"]], yn),
    "unknown reference": ([base[0] + ["relevant"], ["integer", "staff", "Staff", ""], ["text", "head", "Head", "${staf} > 1"]], yn),
    "bad expression": ([base[0] + ["constraint"], ["integer", "staff", "Staff", ". >"]], yn),
    "missing name": (base + [["integer", "", "No name"]], yn),
}
# calculate needs a calculation column
forms["calculate"] = ([["type", "name", "label", "calculation"], ["integer", "staff", "Staff", ""], ["calculate", "double", "", "${staff} * 2"]], yn)
agree = 0
for title, (survey, choices) in forms.items():
    path = os.path.join(work, title.replace(" ", "_") + ".xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey: sheet.append(row)
    chosen = book.create_sheet("choices")
    for row in choices: chosen.append(row)
    book.save(path)
    try:
        convert(xlsform=path, validate=True)  # ODK Validate (Java, bundled with pyxform) checks the expressions too
        pyxform_ok = True
    except Exception:
        pyxform_ok = False
    pantau_ok = subprocess.run([pantau, "validate", "--brief", path], capture_output=True).returncode == 0
    agree += pyxform_ok == pantau_ok
    print(f"  {title:28} pyxform {'accepts' if pyxform_ok else 'rejects'}, pantau {'accepts' if pantau_ok else 'rejects'}"
          + ("" if pyxform_ok == pantau_ok else "   <- differ"))
print(f"agreement: {agree} of {len(forms)} forms")
# pantau's own XLSForms: each valid form read by pantau, written back by pantau, must be accepted by pyxform.
written_ok = 0
valid = [title for title in forms if title in ("valid", "select with or_other", "group and repeat", "relevance and constraint",
                                               "translated labels", "calculate")]
for title in valid:
    source = os.path.join(work, title.replace(" ", "_") + ".xlsx")
    yaml = os.path.join(work, title.replace(" ", "_") + ".yaml")
    back = os.path.join(work, title.replace(" ", "_") + "-pantau.xlsx")
    subprocess.run([pantau, "convert", source, "-o", yaml], check=True, capture_output=True)
    subprocess.run([pantau, "convert", yaml, "-o", back], check=True, capture_output=True)
    try:
        convert(xlsform=back, validate=True)
        written_ok += 1
    except Exception as error:
        print(f"  pyxform rejects pantau's XLSForm of '{title}': {error}")
print(f"pantau's written XLSForms accepted by pyxform: {written_ok} of {len(valid)}")
sys.exit(0 if agree == len(forms) and written_ok == len(valid) else 1)
PY
rm -rf "$work"
