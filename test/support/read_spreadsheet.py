"""Reads a spreadsheet the platform wrote with libraries other than the ones that wrote it, and
prints what a user's tools see, as JSON: an .xlsx through openpyxl (the sheet, its header, every
cell's value and type, the autofilter range and the frozen panes), a .csv through Python's csv
module (RFC 4180)."""
import csv
import datetime
import json
import sys


def cell(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    return value


def read_xlsx(path):
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    rows = [[cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    return {
        "sheets": book.sheetnames,
        "title": sheet.title,
        "autofilter": sheet.auto_filter.ref,
        "freeze": sheet.freeze_panes,
        "bold_header": all(c.font.bold for c in sheet[1]),
        "rows": rows,
        # openpyxl's data types: s text, n number, d date, f formula.
        "types": [[c.data_type for c in row] for row in sheet.iter_rows()],
    }


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return {"rows": list(csv.reader(handle))}


path = sys.argv[1]
print(json.dumps(read_xlsx(path) if path.endswith(".xlsx") else read_csv(path), ensure_ascii=False))
