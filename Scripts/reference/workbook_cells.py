"""Writes the spreadsheet fixtures of Tests/SpreadsheetTests/Fixtures: the same cells as an Excel 97-2003 .xls
(xlwt, BIFF8) and as an .xlsx (openpyxl), with dates and times in several number formats, whole and fractional
numbers (RK and NUMBER records), booleans, a formula with a text result, text in Indonesian and Chinese, and
enough distinct strings that the .xls shared-string table runs on into CONTINUE records.

Usage: python3 Scripts/reference/workbook_cells.py   (pip install xlwt openpyxl)
"""
import datetime
import pathlib

import openpyxl
import xlwt

out = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "SpreadsheetTests" / "Fixtures"
rows = [
    ["type", "name", "label", "default", "when"],
    ["date", "visit", "Tanggal kunjungan", datetime.date(2021, 6, 30), datetime.datetime(2021, 6, 30, 14, 5, 9)],
    ["integer", "staff", "Jumlah staf 职员", 12, 0.25],
    ["decimal", "budget", "Anggaran (Rp)", 1234567.5, -3],
    ["acknowledge", "ok", "Setuju?", True, datetime.time(7, 30)],
]
long_strings = [f"pilihan nomor {i} " + "x" * 40 for i in range(400)]

book = xlwt.Workbook(encoding="utf-8")
survey = book.add_sheet("survey")
styles = {
    "date": xlwt.easyxf(num_format_str="yyyy-mm-dd"),
    "datetime": xlwt.easyxf(num_format_str="dd/mm/yyyy hh:mm:ss"),
    "time": xlwt.easyxf(num_format_str="h:mm"),
}
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        if isinstance(value, datetime.datetime):
            survey.write(r, c, value, styles["datetime"])
        elif isinstance(value, datetime.date):
            survey.write(r, c, value, styles["date"])
        elif isinstance(value, datetime.time):
            survey.write(r, c, value, styles["time"])
        else:
            survey.write(r, c, value)
survey.write(5, 0, xlwt.Formula('"te"&"xt"'))
choices = book.add_sheet("choices")
choices.write(0, 0, "list_name")
choices.write(0, 1, "name")
choices.write(0, 2, "label")
for i, text in enumerate(long_strings):
    choices.write(i + 1, 0, "many")
    choices.write(i + 1, 1, f"c{i}")
    choices.write(i + 1, 2, text)
book.save(out / "cells.xls")

workbook = openpyxl.Workbook()
sheet = workbook.active
sheet.title = "survey"
for row in rows:
    sheet.append(row)
sheet["E2"].number_format = "dd/mm/yyyy hh:mm:ss"
sheet["E5"].number_format = "h:mm"
workbook.save(out / "cells.xlsx")
