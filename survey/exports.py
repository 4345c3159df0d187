"""Streaming CSV and XLSX files: constant memory, no row cap.

CSV is generated row by row as the response is sent (UTF-8 with a BOM so Thai opens
correctly in Excel); text that a spreadsheet would run as a formula is neutralised. XLSX is written by XlsxWriter in constant-memory mode to a temporary
file, row by row, then streamed from disk.
"""
from __future__ import annotations

import csv
import io
import tempfile
from typing import Iterable

import xlsxwriter
from flask import Response, send_file, stream_with_context

# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP, "CSV
# injection"): such text gets a leading apostrophe, which shows it as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([csv_cell(v) for v in header])
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def xlsx_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    return xlsx_book_response(filename, [(filename[:31], header, rows)])


def xlsx_book_response(filename: str, sheets: list[tuple[str, list[str], Iterable[list]]]
                       ) -> Response:
    """One workbook, a sheet per ``(name, header, rows)``, streamed from a temporary file."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    # Text is always written as text: a name like "=HYPERLINK(…)" must never become a live
    # formula (or a link) in another user's spreadsheet.
    workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "font_name": "Sarabun"})
    cell = workbook.add_format({"font_name": "Sarabun", "num_format": "#,##0.##"})
    for name, header, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, ["" if v is None else v for v in row], cell)
    workbook.close()
    spool.seek(0)
    return send_file(spool, download_name=f"{filename}.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
