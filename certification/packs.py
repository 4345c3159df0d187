"""Meeting packs: the documents a committee works from and signs. A Thai PDF (WeasyPrint,
the bundled Sarabun font, Buddhist-Era dates) with the four reports for the unit and its
child breakdown, the gate results, the returned and corrected households and a signature
block; and the same tables as an XLSX workbook.

Thai text and PDF text extraction: HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA, and
WeasyPrint then maps the NIKHAHIT glyph to no character, so copied text loses it. The
PDF is therefore written with SARA AM in its compatibility decomposition (U+0E4D U+0E32):
it looks the same, and copied text is NFKD-equal to the original.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Callable

import fontpkg_sarabun
from flask import render_template

from app.db_types import utcnow
from app.thai import be_date
from certification.units import UnitStatus
from certification.workflow import STATE_TH, TIER_TH
from survey import reports
from survey.models import SurveyRound

FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
# Pictures higher packages add to every pack (gis: the unit's map). Each provider takes
# the round and the unit and returns (Thai caption, PNG bytes), or None.
FIGURES: list[Callable[[SurveyRound, UnitStatus], tuple[str, bytes] | None]] = []


def add_figure(provider) -> None:
    if provider not in FIGURES:
        FIGURES.append(provider)
SARA_AM, NIKHAHIT_AA = "\u0e33", "\u0e4d\u0e32"


def pdf(round_: SurveyRound, status: UnitStatus, snapshot: dict, *,
        failing: list[dict] | None = None, decision=None) -> bytes:
    """The pack as PDF bytes. ``failing``: the indicator-22 list (with names only when the
    reader may see them); ``decision``: the certification it documents, if any."""
    pictures = [(caption, base64.b64encode(png).decode()) for caption, png in
                filter(None, (provider(round_, status) for provider in FIGURES))]
    html = render_template(
        "certification/pack.html", round=round_, status=status, snap=snapshot,
        pictures=pictures,
        failing=failing, decision=decision, tier_th=TIER_TH[status.tier],
        state_th=STATE_TH[status.state], made_at=be_date(utcnow(), with_time=True),
        fonts={"regular": (FONT_DIR / "Sarabun-Regular.ttf").as_uri(),
               "bold": (FONT_DIR / "Sarabun-SemiBold.ttf").as_uri()},
        bands=reports.BAND_LABELS)
    from weasyprint import (
        HTML,  # here: the app starts (and serves all else) without Pango
    )
    return HTML(string=html.replace(SARA_AM, NIKHAHIT_AA)).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sheets(round_: SurveyRound, status: UnitStatus, snapshot: dict,
           failing: list[dict] | None) -> list[tuple[str, list[str], list[list]]]:
    """The pack's tables for an XLSX workbook."""
    whole, children = reports.totals(round_, status.unit, breakdown=True)
    out = [("เกณฑ์คุณภาพ", ["เกณฑ์", "ค่าที่วัดได้", "เกณฑ์ที่กำหนด", "ผ่าน"],
            [[g["label_th"], g["value"], g["threshold"], "ผ่าน" if g["passed"] else "ไม่ผ่าน"]
             for g in snapshot["gates"]])]
    for name, table in (("ประชากร", reports.population_table),
                        ("ตัวชี้วัด", reports.indicators_table),
                        ("รายได้รายจ่าย", reports.income_expense_table)):
        header, rows = table(round_, status.unit, whole, children)
        out.append((name, header, rows))
    out.append(("ครัวเรือนที่แก้ไข", ["รหัสหมู่บ้าน/ชุมชน", "หมู่บ้าน/ชุมชน", "รหัสบ้าน", "การดำเนินการ",
                                   "วันที่", "โดย", "เหตุผล"],
                [[c["village_code"], c["village_name_th"], c["house_code"], c["action"],
                  c["at"][:10], c["actor_role"], c["reason"]]
                 for c in snapshot["corrections"]]))
    if failing is not None:
        header, rows = reports.failing_table(iter(failing),
                                             personal=bool(failing and "head_name" in failing[0]))
        out.append(("ไม่ผ่านเกณฑ์ข้อ 22", header, list(rows)))
    return out
