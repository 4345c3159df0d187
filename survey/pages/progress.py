"""The officers' home page: how collection is going in their unit, child by child and
enumerator by enumerator, sortable, and downloadable as CSV/XLSX."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.areas import queries
from app.auth.policy import Action, may
from app.thai import be_date
from survey import planning, progress
from survey.pages import bp
from survey.pages.common import (
    download,
    page_round,
    page_unit,
    sort_lines,
    today,
    trail,
)

COLUMNS = {
    "code": lambda line: line.code, "name": lambda line: line.name_th,
    "target": lambda line: line.target if line.has_target else None,
    "collected": lambda line: line.collected, "pct": lambda line: line.pct,
    "returned": lambda line: line.returned, "warnings": lambda line: line.warnings,
    "partial": lambda line: line.partial, "last_sync": lambda line: line.last_sync,
    "eta": lambda line: line.eta,
    "enumerators": lambda line: line.enumerators,
}
PARTIAL_TH = "ไม่สมบูรณ์ (มีเหตุผล)"  # of the collected: see survey.progress
HEADER = ["รหัส", "ชื่อ", "ประเภท", "เป้าหมาย", "จัดเก็บแล้ว", "ร้อยละ", "รอแก้ไข",
          "มีคำเตือน", PARTIAL_TH, "ส่งข้อมูลล่าสุด", "คาดว่าจะเสร็จ"]


def _row(line, kind_th: str) -> list:
    return [line.code, line.name_th, kind_th or line.kind_th,
            line.target if line.has_target else None, line.collected,
            round(line.pct, 1) if line.pct is not None else None, line.returned,
            line.warnings, line.partial,
            be_date(line.last_sync, with_time=True) if line.last_sync else "",
            be_date(line.eta) if line.eta else ""]


@bp.get("/progress/", endpoint="progress")
def progress_page():
    """(With no round opened yet, the home page's list of areas instead.)"""
    if request.args.get("round") is None and not planning.has_rounds():
        return redirect(url_for("web.home", menu=1))
    round_ = page_round()
    unit, user = page_unit()
    by_lao = request.args.get("by") == "lao"
    total, children = progress.rows(round_, unit, by_lao=by_lao, today=today())
    enumerators = []
    area = queries.get_area(unit.code) if unit.kind == "area" else None
    village_level = unit.kind == "lao" or (area is not None and area.level in (
        "district", "subdistrict", "village", "community"))
    if village_level:
        enumerators = progress.by_enumerator(round_, unit, today=today())
    names = may(user, Action.PERSONAL_DATA_READ, unit=unit)
    table = request.args.get("table", "areas")
    lines, sort, descending = sort_lines(enumerators if table == "enumerators" else children,
                                         COLUMNS, "code")
    name = f"progress-{round_.year}-{unit.code or 'TH'}-{table}"
    if table == "enumerators":
        header = ["ชื่อผู้ใช้", "ชื่อ-สกุล" if names else "-", "หมู่บ้าน/ชุมชน", *HEADER[3:]]
        file = download(name, header, [
            [line.code, line.name_th if names else "", " ".join(line.extra["villages"]),
             *_row(line, "")[3:]] for line in lines])
    else:
        file = download(name, HEADER, [_row(line, "") for line in [*lines, total]])
    if file is not None:
        return file
    if table == "enumerators":
        enumerators = lines
    else:
        children = lines
    return render_template(
        "survey/progress.html", round=round_, unit=unit, area=area, total=total,
        children=children, enumerators=enumerators, show_names=names, by_lao=by_lao,
        trail=trail(user, unit), sort=sort, descending=descending, table=table,
        village_level=village_level, may_manage=may(user, Action.ASSIGNMENT_MANAGE, unit=unit))
