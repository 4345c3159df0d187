"""Maps for print: PNG or PDF of any map (geopandas + matplotlib, Sarabun for Thai labels)
with title, legend, scale bar, north arrow, source and date in the Buddhist Era; and a
one-page subdistrict profile (its village map and key figures, WeasyPrint).

Maps are drawn in UTM (zone 47 or 48 by the map's centre) so that the scale bar measures
metres."""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import fontpkg_sarabun
import geopandas
import matplotlib
from flask import render_template

matplotlib.use("Agg")  # no display: draw to files
from matplotlib import font_manager, pyplot  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib_scalebar.scalebar import ScaleBar  # noqa: E402

from app.db_types import utcnow  # noqa: E402
from app.thai import be_date  # noqa: E402
from app.units import Unit  # noqa: E402
from survey import reports  # noqa: E402
from survey.models import SurveyRound  # noqa: E402

FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
for _font in ("Sarabun-Regular.ttf", "Sarabun-SemiBold.ttf"):
    font_manager.fontManager.addfont(str(FONT_DIR / _font))
STYLE = {"font.family": "Sarabun", "pdf.fonttype": 42}  # embed TrueType: Thai stays text
LEVEL_TH = {"province": "จังหวัด", "district": "อำเภอ", "subdistrict": "ตำบล",
            "village": "หมู่บ้าน/ชุมชน"}
SOURCE_TH = "ข้อมูล: จปฐ. กรมการพัฒนาชุมชน"


def _frame(body: str) -> tuple[geopandas.GeoDataFrame, dict]:
    data = json.loads(body)
    frame = geopandas.GeoDataFrame.from_features(data["features"], crs=4326)
    return frame, data


def _utm(frame: geopandas.GeoDataFrame) -> int:
    lon = frame.total_bounds[[0, 2]].mean() if len(frame) else 100.5
    return 32647 if lon < 102 else 32648


def draw(body: str, title: str, *, size=(8.27, 11.69), text: bool = True
         ) -> tuple[pyplot.Figure, dict]:
    """The map as a matplotlib figure (A4 portrait by default); without its title, legend
    and notes when ``text`` is False (a PDF sets those as real text around the image)."""
    frame, data = _frame(body)
    with pyplot.rc_context(STYLE):
        fig, ax = pyplot.subplots(figsize=size)
        ax.set_axis_off()
        if len(frame):
            projected = frame.to_crs(_utm(frame))
            shown = projected[~projected["suppressed"].astype(bool)]
            if len(shown):
                shown.plot(ax=ax, color=shown["colour"], edgecolor="white", linewidth=0.3)
            hidden = projected[projected["suppressed"].astype(bool)]
            if len(hidden):
                hidden.plot(ax=ax, facecolor="#d9d9d9", edgecolor="#777777", hatch="////",
                            linewidth=0.3)
            ax.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.7,
                                   font_properties={"family": "Sarabun"}))
        legend = data["legend"]
        ax.annotate("N", xy=(0.96, 0.97), xytext=(0.96, 0.89), xycoords="axes fraction",
                    ha="center", va="center", fontsize=12, fontweight="bold",
                    arrowprops={"facecolor": "black", "width": 3, "headwidth": 10})
        if not text:
            fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
            return fig, data
        handles = [Patch(facecolor=e["colour"], edgecolor="#777777",
                         hatch="////" if e.get("hatched") else None, label=e["label_th"])
                   for e in legend["entries"]]
        ax.legend(handles=handles, title=legend["title_th"], loc="upper left",
                  bbox_to_anchor=(0, -0.02), frameon=False, fontsize=8, title_fontsize=9)
        fig.suptitle(title, fontsize=13, fontweight="bold", y=0.98)
        fig.text(0.5, 0.015, " · ".join(notes_of(data)), ha="center", fontsize=7,
                 color="#444444", wrap=True)
        fig.subplots_adjust(left=0.04, right=0.96, top=0.93, bottom=0.22)
    return fig, data


def notes_of(data: dict) -> list[str]:
    notes = [data["meta"]["attribution"], SOURCE_TH,
             f"จัดทำเมื่อ {be_date(utcnow(), with_time=True)}",
             f"แบ่งช่วงแบบ{data['legend']['method_th']}"]
    if data["meta"].get("approximate"):
        notes.append("ขอบเขตหมู่บ้าน/ชุมชนเป็นค่าประมาณ (แบ่งตำบลตามตำแหน่งหมู่บ้าน)")
    return notes


def _png(fig) -> bytes:
    out = io.BytesIO()
    with pyplot.rc_context(STYLE):
        fig.savefig(out, format="png", dpi=150)
    pyplot.close(fig)
    return out.getvalue()


def _pdf(template: str, **context) -> bytes:
    """An HTML page as PDF (WeasyPrint, Sarabun): Thai text stays searchable text."""
    from weasyprint import HTML  # here: the app starts without Pango
    html = render_template(template, fonts={
        "regular": (FONT_DIR / "Sarabun-Regular.ttf").as_uri(),
        "bold": (FONT_DIR / "Sarabun-SemiBold.ttf").as_uri()}, **context)
    return HTML(string=html.replace("\u0e33", "\u0e4d\u0e32")).write_pdf()


def title_of(data_title: str, round_: SurveyRound, unit: Unit, level: str) -> str:
    return f"{data_title}\nราย{LEVEL_TH[level]} · {unit.name_th} · ปี {round_.year}"


def render(body: str, round_: SurveyRound, unit: Unit, level, fmt: str) -> bytes:
    """The map as PNG (everything drawn) or PDF (the map drawn, its words as text)."""
    data = json.loads(body)
    title = title_of(data["legend"]["title_th"], round_, unit, level.value)
    if fmt == "png":
        return _png(draw(body, title)[0])
    picture = _png(draw(body, "", size=(7.5, 8.2), text=False)[0])
    return _pdf("gis/print.html", title=title, legend=data["legend"], notes=notes_of(data),
                picture=base64.b64encode(picture).decode())


def profile(body: str, round_: SurveyRound, unit: Unit, user) -> bytes:
    """A one-page subdistrict profile: its village map and key figures (PDF)."""
    picture = _png(draw(body, "", size=(7.5, 6.0), text=False)[0])
    data = json.loads(body)
    threshold = reports.small_area_threshold(user, unit, round_)
    whole, _ = reports.totals(round_, unit, min_households=threshold)
    figures = {"population": reports.population(whole),
               "income": reports.income_expense(round_, whole),
               "indicators": sorted((i for i in reports.indicators(round_, whole)
                                     if i["pct_failed"] is not None),
                                    key=lambda i: -i["pct_failed"])[:5]}
    return _pdf("gis/profile.html", round=round_, unit=unit, figures=figures, totals=whole,
                legend=data["legend"], notes=notes_of(data),
                picture=base64.b64encode(picture).decode())


def pack_map(round_: SurveyRound, status) -> tuple[str, bytes] | None:
    """The certification pack's map: households failing indicator 22 across the unit's
    areas, small areas withheld (a pack is read by many). None without boundaries."""
    from gis import maps
    unit = status.unit
    level = maps.allowed_levels(unit)[0]
    data = maps.build(round_, unit, level, measure="pct_failed", indicator=22,
                      method="quantiles", classes=5,
                      min_households=round_.min_area_households)
    if not data.features:
        return None
    title = json.loads(data.body)["legend"]["title_th"]
    return f"แผนที่{title}", _png(draw(data.body, "", size=(7.5, 8.5))[0])
