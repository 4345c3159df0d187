"""The round's plan from the top down: the department allocates target households (and the
budget, households × the round's payment rate) to provinces, each province to its
districts, and each district sets its villages' targets (``planning.import_targets``).

An allocation is set as a whole: the provinces' figures must add up to the national
target, a province's districts to the province's allocation; otherwise nothing changes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.areas.models import LEVEL_TH, VILLAGE_LEVELS, Area, AreaLevel
from app.csv_import import RowError, read_rows
from app.errors import Problem
from app.extensions import db
from app.units import Unit, code_prefix
from survey.models import Allocation, SurveyRound, Target, VillageRollup
from survey.planning import TargetReport

ALLOCATION_COLUMNS = ["area_code", "target_households"]
MAX_ALLOCATION = 20_000_000  # households: above the whole country's
ERRORS_TH = {
    "UNKNOWN_AREA": "รหัสนี้ไม่ใช่{level_th}ในพื้นที่ที่จัดสรร",
    "NOT_A_COUNT": "จำนวนครัวเรือนต้องเป็นจำนวนเต็ม 0 ถึง 20,000,000",
    "DUPLICATE_CODE": "รหัสซ้ำกับบรรทัดก่อนหน้า",
    "BELOW_COLLECTED": "น้อยกว่าจำนวนครัวเรือนที่จัดเก็บแล้ว ({collected:,} ครัวเรือน)",
    "TOTAL_MISMATCH": "ยอดรวมที่จัดสรร {total:,} ครัวเรือน ไม่เท่ากับ{expected_th} {expected:,} "
                      "ครัวเรือน (ต่างกัน {difference:+,})",
}


@dataclass
class AllocationReport(TargetReport):
    total: int = 0      # the allocations after this change
    expected: int = 0   # what they must add up to
    rows: dict[str, int] = field(default_factory=dict)


def to_share(round_: SurveyRound, unit: Unit) -> tuple[int, str, str]:
    """What the unit's children share out — (households, its Thai name, the children's
    level) — or a Problem when the unit has nothing to share yet."""
    if unit.kind == "nation":
        if not round_.national_target:
            raise Problem("NO_NATIONAL_TARGET", year=round_.year)
        return round_.national_target, "เป้าหมายทั้งประเทศ", AreaLevel.PROVINCE.value
    area = db.session.get(Area, unit.code) if unit.kind == "area" else None
    if area is None or area.level != AreaLevel.PROVINCE.value:
        raise Problem("NOT_ALLOCATED_HERE")
    own = db.session.get(Allocation, (round_.year, area.code))
    if own is None:
        raise Problem("NO_PROVINCE_ALLOCATION", name=area.name_th)
    return own.households, f"ยอดที่จังหวัด{area.name_th}ได้รับ", AreaLevel.DISTRICT.value


def _children(unit: Unit, level: str):
    query = select(Area).where(Area.level == level, Area.in_survey.is_(True))
    if unit.kind == "area":
        query = query.where(Area.parent_code == unit.code)
    return {a.code: a for a in db.session.scalars(query.order_by(Area.code))}


def collected_by_area(round_year: int, codes: list[str]) -> dict[str, int]:
    """Households collected in each area (by its code prefix), from the village rollups."""
    out = {}
    for code in codes:
        out[code] = db.session.scalar(select(func.coalesce(func.sum(
            VillageRollup.households), 0)).where(
            VillageRollup.round_year == round_year,
            VillageRollup.province_code == code[:2],
            code_prefix(VillageRollup.area_code, code))) or 0
    return out


def set_allocations(round_: SurveyRound, unit: Unit, lines, *, dry_run: bool = False
                    ) -> AllocationReport:
    """Allocate households to the unit's children (the nation's provinces, a province's
    districts) from ``lines`` of ``(line, {"area_code", "target_households"})``. Every row
    valid, none below what is already collected there, and the children's allocations
    (these with the ones not listed) adding up to the unit's own figure — or nothing
    changes. The budget is households × the round's payment rate. Flushes."""
    expected, expected_th, level = to_share(round_, unit)
    children = _children(unit, level)
    report = AllocationReport(expected=expected, dry_run=dry_run)
    rows: dict[str, tuple[int, int]] = {}
    for line, raw in lines:
        before = len(report.errors)

        def error(field_name, code, message, **params):
            report.errors.append(RowError(line, field_name, code, message,
                                          ERRORS_TH[code].format(**params)))
        code, count = (raw.get("area_code") or "").strip(), (raw.get("target_households")
                                                              or "").strip().replace(",", "")
        if code in rows:
            error("area_code", "DUPLICATE_CODE", f"{code} is already on line {rows[code][0]}")
        elif code not in children:
            error("area_code", "UNKNOWN_AREA", f"{code[:20]!r} is not a {level} here",
                  level_th=LEVEL_TH[AreaLevel(level)])
        if not re.fullmatch(r"[0-9]{1,8}", count) or int(count) > MAX_ALLOCATION:
            error("target_households", "NOT_A_COUNT",
                  f"{count[:20]!r} is not a whole number from 0 to {MAX_ALLOCATION:,}")
        if len(report.errors) == before:
            rows[code] = (line, int(count))
    for code, collected in collected_by_area(round_.year, list(rows)).items():
        line, count = rows[code]
        if count < collected:
            report.errors.append(RowError(
                line, "target_households", "BELOW_COLLECTED",
                f"{count} is below the {collected} households already collected",
                ERRORS_TH["BELOW_COLLECTED"].format(collected=collected)))
    current = dict(db.session.execute(select(Allocation.area_code, Allocation.households)
                                      .where(Allocation.round_year == round_.year,
                                             Allocation.area_code.in_(list(children)))).all())
    merged = {**current, **{code: count for code, (_, count) in rows.items()}}
    report.total = sum(merged.values())
    if not report.errors and report.total != expected:
        params = dict(total=report.total, expected=expected, expected_th=expected_th,
                      difference=report.total - expected)
        report.errors.append(RowError(
            0, "target_households", "TOTAL_MISMATCH",
            f"the allocations add up to {report.total:,}, not {expected:,}",
            ERRORS_TH["TOTAL_MISMATCH"].format(**params)))
    report.errors.sort(key=lambda e: e.line)
    report.rows = {code: count for code, (_, count) in rows.items()}
    report.saved = len(rows) if not report.errors else 0
    if report.errors or dry_run:
        return report
    for code, (_, count) in rows.items():
        allocation = db.session.get(Allocation, (round_.year, code)) or Allocation(
            round_year=round_.year, area_code=code)
        allocation.households, allocation.budget = count, count * round_.payment_rate
        db.session.add(allocation)
    db.session.flush()
    return report


def import_allocations(round_: SurveyRound, unit: Unit, data: bytes, *,
                       dry_run: bool = False) -> AllocationReport:
    """``set_allocations`` from a CSV file (``area_code,target_households``)."""
    encoding, lines = read_rows(data, ALLOCATION_COLUMNS)
    report = set_allocations(round_, unit, list(lines), dry_run=dry_run)
    report.encoding = encoding
    return report


@dataclass
class PlanRow:
    code: str
    name_th: str
    planned: int | None     # its allocation (province, district) or target (village)
    shared_out: int | None  # what its own children were given (None for a village)
    collected: int
    budget: int | None


def plan(round_: SurveyRound, unit: Unit) -> list[PlanRow]:
    """The plan one level down from ``unit``: each child's allocation or target, what it
    has shared out to its own children, and what is collected there — so that a figure
    that does not add up shows where."""
    area = db.session.get(Area, unit.code) if unit.kind == "area" else None
    level = area.level if area else "nation"
    if level not in ("nation", AreaLevel.PROVINCE.value, AreaLevel.DISTRICT.value):
        return []
    if level == AreaLevel.DISTRICT.value:
        villages = db.session.execute(
            select(Area.code, Area.name_th, Target.households)
            .outerjoin(Target, (Target.area_code == Area.code)
                       & (Target.round_year == round_.year))
            .where(code_prefix(Area.code, area.code), Area.level.in_(VILLAGE_LEVELS))
            .order_by(Area.code)).all()
        collected = dict(db.session.execute(
            select(VillageRollup.area_code, VillageRollup.households).where(
                VillageRollup.round_year == round_.year,
                VillageRollup.province_code == area.code[:2],
                code_prefix(VillageRollup.area_code, area.code))).all())
        return [PlanRow(code, name, target, None, collected.get(code, 0),
                        target * round_.payment_rate if target is not None else None)
                for code, name, target in villages]
    child_level = (AreaLevel.PROVINCE if level == "nation" else AreaLevel.DISTRICT).value
    children = _children(unit, child_level)
    allocations = {a.area_code: a for a in db.session.scalars(select(Allocation).where(
        Allocation.round_year == round_.year, Allocation.area_code.in_(list(children))))}
    collected = collected_by_area(round_.year, list(children))
    rows = []
    for code, child in children.items():
        if child_level == AreaLevel.PROVINCE.value:
            below = db.session.scalar(select(func.sum(Allocation.households)).join(
                Area, Area.code == Allocation.area_code).where(
                Allocation.round_year == round_.year, Area.parent_code == code))
        else:
            below = db.session.scalar(select(func.sum(Target.households)).where(
                Target.round_year == round_.year, code_prefix(Target.area_code, code)))
        own = allocations.get(code)
        rows.append(PlanRow(code, child.name_th, own.households if own else None, below,
                            collected[code], own.budget if own else None))
    return rows
