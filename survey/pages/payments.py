"""The payment report for a district's finance officer: accepted households × the round's
rate per enumerator, per LAO and per district, split by certified / not yet certified, as a
page and one XLSX workbook."""
from __future__ import annotations

from flask import render_template, request

from app.areas.queries import get_area
from app.auth.policy import Action, may
from survey import exports, payments
from survey.pages import bp
from survey.pages.common import page_round, page_unit, trail

HEADER = ["จำนวนครัวเรือนที่รับ", "รับรองแล้ว", "ยังไม่รับรอง", "ค่าตอบแทนรวม (บาท)",
          "ส่วนที่รับรองแล้ว (บาท)", "ส่วนที่ยังไม่รับรอง (บาท)"]


def _values(line) -> list:
    return [line.households, line.certified, line.pending, line.amount,
            line.certified_amount, line.pending_amount]


def _labels(line, key: str) -> list:
    """What names the line: its code and name (and an enumerator's phone)."""
    return [line.code, line.name_th, line.phone] if key == "enumerator" else \
        [line.code, line.name_th]


@bp.get("/payments/", endpoint="payments")
def payments_page():
    round_ = page_round()
    unit, user = page_unit()
    area = get_area(unit.code) if unit.kind == "area" else None
    tables = []
    if unit.kind == "nation" or (area is not None and area.level == "province"):
        tables.append(("district", "รายอำเภอ", ["รหัสอำเภอ", "อำเภอ"],
                       payments.by_district(round_, unit)))
    tables.append(("lao", "ราย อปท.", ["รหัส อปท.", "อปท."], payments.by_lao(round_, unit)))
    # Who is paid what names people: only for roles allowed personal data here.
    names = may(user, Action.PERSONAL_DATA_READ, unit=unit)
    if names and (unit.kind == "lao" or (area is not None and area.level != "province")):
        tables.append(("enumerator", "รายอาสาสมัคร", ["ชื่อผู้ใช้", "ชื่อ-สกุล", "โทรศัพท์"],
                       payments.by_enumerator(round_, unit)))
    total = payments.total(tables[0][3], round_.payment_rate)
    if request.args.get("format") == "xlsx":
        sheets = [(title, [*columns, *HEADER],
                   [[*_labels(line, key), *_values(line)] for line in lines])
                  for key, title, columns, lines in tables]
        return exports.xlsx_book_response(f"payments-{round_.year}-{unit.code or 'TH'}",
                                          sheets)
    return render_template("survey/payments.html", round=round_, unit=unit, tables=tables,
                           total=total, trail=trail(user, unit), labels=_labels)
