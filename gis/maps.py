"""Choropleth map data: for a round, a unit (the nation, an area or an LAO) and a level
below it, one feature per area with its figures from the village rollups, the class it
falls in and its colour, and a Thai legend.

Figures are summed in SQL from the rollups (one indicator's counts are read out of the
rollup arrays by the database), so a national map of 7,425 subdistricts reads 83,526 rows
without decoding them in Python. For callers without personal-data rights, villages with
fewer households than the small-area threshold are left out of every figure (as in the
reports), and an area with nothing left is drawn hatched as "too few households".
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass

import numpy
from sqlalchemy import case, func, literal, select

from app.areas.models import CODE_LENGTH, AreaLevel
from app.extensions import db
from app.units import Unit
from gis import geometry_cache
from survey.models import SurveyRound, Target, VillageRollup, indicator_column
from survey.questionnaires import as_version

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Numba not installed": the pure-Python path is used
    import mapclassify

import palettable.colorbrewer.sequential as brewer

LEVELS = [AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT, AreaLevel.VILLAGE]
METHODS = {"quantiles": "Quantiles", "natural_breaks": "FisherJenksSampled",
           "equal_interval": "EqualInterval"}
METHOD_TH = {"quantiles": "ควอนไทล์ (จำนวนพื้นที่เท่ากันในแต่ละช่วง)",
             "natural_breaks": "ช่วงธรรมชาติ (Fisher-Jenks)",
             "equal_interval": "ช่วงเท่ากัน"}
NO_DATA_COLOUR = "#d9d9d9"
SUPPRESSED_TH = "ครัวเรือนน้อยเกินไป (ไม่แสดงตัวเลข)"
NO_DATA_TH = "ยังไม่มีข้อมูล"


@dataclass(frozen=True)
class Measure:
    label_th: str
    ramp: str       # a colour-blind-safe ColorBrewer sequential ramp
    needs_indicator: bool = False
    unit_th: str = ""


MEASURES = {
    "pct_passed": Measure("ร้อยละครัวเรือนที่ผ่านเกณฑ์ตัวชี้วัดข้อ {n}", "YlGnBu", True, "%"),
    "pct_failed": Measure("ร้อยละครัวเรือนที่ไม่ผ่านเกณฑ์ตัวชี้วัดข้อ {n}", "OrRd", True, "%"),
    "coverage": Measure("ร้อยละการจัดเก็บเทียบเป้าหมาย", "YlGnBu", unit_th="%"),
    "income_per_person": Measure("รายได้เฉลี่ยต่อคนต่อปี", "YlGnBu", unit_th=" บาท"),
    "below_income_line": Measure("ร้อยละครัวเรือนที่รายได้ต่ำกว่าเกณฑ์ (ข้อ 22)", "OrRd",
                                 unit_th="%"),
    "households": Measure("จำนวนครัวเรือนที่จัดเก็บ", "Blues", unit_th=" ครัวเรือน"),
}


def child_level(unit: Unit) -> AreaLevel:
    if unit.kind == "lao":
        return AreaLevel.VILLAGE
    return {0: AreaLevel.PROVINCE, 2: AreaLevel.DISTRICT, 4: AreaLevel.SUBDISTRICT}.get(
        len(unit.code), AreaLevel.VILLAGE)


def allowed_levels(unit: Unit) -> list[AreaLevel]:
    """The levels a map of the unit may show: any level below it."""
    first = child_level(unit)
    return LEVELS[LEVELS.index(first):]


def _pct(part, whole):
    return round(100 * part / whole, 2) if whole else None


def figures(round_: SurveyRound, unit: Unit, level: AreaLevel, indicator: int | None,
            min_households: int, *, codes: list[str] | None = None,
            all_indicators: bool = False) -> dict[str, dict]:
    """Per area of ``level`` inside ``unit`` (only ``codes``, when given): households,
    target, coverage, the chosen indicator's share passing and failing (every indicator's,
    with ``all_indicators``), income per person, households below the income line, and
    how many households were left out as small areas."""
    length = 8 if level is AreaLevel.VILLAGE else CODE_LENGTH[level]
    code = func.substr(VillageRollup.area_code, 1, length).label("code")
    r = VillageRollup
    small = r.households < min_households if min_households else literal(False)

    def counted(column):
        return func.sum(case((small, 0), else_=column))
    columns = [code, counted(r.households), counted(r.income_sum), counted(r.income_people),
               counted(r.income_households), counted(r.below_income_line),
               func.sum(case((small, r.households), else_=0))]
    numbers = list(range(1, len(as_version(round_.questionnaire_version).indicators) + 1)) \
        if all_indicators else ([indicator] if indicator else [])
    for n in numbers:
        columns += [counted(getattr(r, indicator_column("applicable", n))),
                    counted(getattr(r, indicator_column("passed", n)))]
    where = [r.round_year == round_.year, unit.village_filter(r.area_code)]
    if codes is not None:
        where.append(code.in_(codes))
    out: dict[str, dict] = {}
    for row in db.session.execute(select(*columns).where(*where).group_by(code)):
        households, income, people, income_households, below, left_out = (
            int(v or 0) for v in row[1:7])
        item = {"households": households, "suppressed_households": left_out,
                "income_per_person": round(income / people, 2) if people else None,
                "below_income_line_pct": _pct(below, income_households)}
        shares = {}
        for i, n in enumerate(numbers):
            applicable, passed = int(row[7 + 2 * i] or 0), int(row[8 + 2 * i] or 0)
            shares[n] = (_pct(passed, applicable), _pct(applicable - passed, applicable))
        if indicator in shares:
            item.update(pct_passed=shares[indicator][0], pct_failed=shares[indicator][1])
        if all_indicators:
            item["indicators"] = shares
        out[row.code] = item
    targets = func.substr(Target.area_code, 1, length).label("code")
    target_where = [Target.round_year == round_.year, unit.village_filter(Target.area_code)]
    if codes is not None:
        target_where.append(targets.in_(codes))
    for code_, target in db.session.execute(
            select(targets, func.sum(Target.households)).where(*target_where)
            .group_by(targets)):
        out.setdefault(code_, {"households": 0, "suppressed_households": 0})["target"] = \
            int(target or 0)
    for item in out.values():
        item.setdefault("target", 0)
        item["coverage"] = _pct(item["households"], item["target"])
    return out


def value_of(item: dict | None, measure: str) -> float | None:
    if not item or (item["households"] == 0 and item["suppressed_households"]):
        return None
    return {"pct_passed": item.get("pct_passed"), "pct_failed": item.get("pct_failed"),
            "coverage": item.get("coverage"), "income_per_person": item.get("income_per_person"),
            "below_income_line": item.get("below_income_line_pct"),
            "households": item["households"] or None}[measure]


def classify(values: list[float], method: str, classes: int) -> list[float]:
    """Upper bounds of the classes (fewer when the values are few or alike)."""
    distinct = sorted(set(values))
    if not distinct:
        return []
    k = max(1, min(classes, len(distinct)))
    if k == 1:
        return [distinct[-1]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheme = getattr(mapclassify, METHODS[method])(numpy.array(values), k=k)
    return sorted(set(round(float(b), 2) for b in scheme.bins))


def ramp(name: str, n: int) -> list[str]:
    """``n`` colours of a ColorBrewer ramp, light to dark (ramps start at 3 classes: one
    class takes the middle colour, two the ends)."""
    if n < 3:
        three = getattr(brewer, f"{name}_3").hex_colors
        return [three[1]] if n == 1 else [three[0], three[2]]
    return getattr(brewer, f"{name}_{min(9, n)}").hex_colors


def _class_of(value: float, bins: list[float]) -> int:
    return next((i for i, upper in enumerate(bins) if value <= upper), len(bins) - 1)


def legend(measure: Measure, indicator: int | None, bins: list[float], colours: list[str],
           lowest: float | None, method: str) -> dict:
    title = measure.label_th.format(n=indicator)
    entries, low = [], lowest
    for upper, colour in zip(bins, colours):
        entries.append({"colour": colour, "from": low, "to": upper,
                        "label_th": f"{_fmt(low)} – {_fmt(upper)}{measure.unit_th}"})
        low = upper
    entries.append({"colour": NO_DATA_COLOUR, "label_th": NO_DATA_TH})
    entries.append({"colour": NO_DATA_COLOUR, "hatched": True, "label_th": SUPPRESSED_TH})
    return {"title_th": title, "method": method, "method_th": METHOD_TH[method],
            "entries": entries}


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


@dataclass
class MapData:
    body: str   # GeoJSON FeatureCollection, with "legend" and "meta" members
    etag: str
    features: int


def build(round_: SurveyRound, unit: Unit, level: AreaLevel, *, measure: str,
          indicator: int | None, method: str, classes: int, min_households: int,
          states: dict[str, str] | None = None) -> MapData:
    """The map as GeoJSON text. ``states``: certification state by feature code."""
    spec = MEASURES[measure]
    stats = figures(round_, unit, level, indicator if spec.needs_indicator or indicator
                    else None, min_households)
    areas, unplaced = geometry_cache.features(unit, level)
    values = [v for v in (value_of(stats.get(a.code), measure) for a in areas)
              if v is not None]
    bins = classify(values, method, classes)
    colours = ramp(spec.ramp, len(bins)) if bins else []
    parts = []
    for area in areas:
        item = stats.get(area.code)
        value = value_of(item, measure)
        suppressed = bool(item and item["households"] == 0 and item["suppressed_households"])
        props = {"code": area.code, "name_th": area.name_th, "level": area.level,
                 "households": item["households"] if item and not suppressed else None,
                 "target": item.get("target") if item else None,
                 "coverage": item.get("coverage") if item and not suppressed else None,
                 "income_per_person": item.get("income_per_person") if item and not suppressed
                 else None,
                 "below_income_line_pct": item.get("below_income_line_pct")
                 if item and not suppressed else None,
                 "pct_passed": item.get("pct_passed") if item and not suppressed else None,
                 "pct_failed": item.get("pct_failed") if item and not suppressed else None,
                 "suppressed": suppressed, "value": value,
                 "class": _class_of(value, bins) if value is not None and bins else None,
                 "colour": colours[_class_of(value, bins)] if value is not None and bins
                 else NO_DATA_COLOUR,
                 "certification": (states or {}).get(area.code),
                 "approximate": area.approximate}
        parts.append('{"type":"Feature","id":%s,"geometry":%s,"properties":%s}' % (
            json.dumps(area.code), area.geojson, json.dumps(props, ensure_ascii=False)))
    meta = {"round": round_.year, "unit": unit.as_dict(), "level": level.value,
            "measure": measure, "indicator": indicator, "classes": len(bins),
            "approximate": any(a.approximate for a in areas),
            "small_area_threshold": min_households,
            "attribution": geometry_cache.ATTRIBUTION,
            "without_position": unplaced}
    body = ('{"type":"FeatureCollection","features":[%s],"legend":%s,"meta":%s}' % (
        ",".join(parts),
        json.dumps(legend(spec, indicator, bins, colours, min(values) if values else None,
                          method), ensure_ascii=False),
        json.dumps(meta, ensure_ascii=False)))
    return MapData(body, '"%s"' % hashlib.sha256(body.encode()).hexdigest()[:32], len(parts))
