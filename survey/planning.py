"""Rounds, target household counts and enumerator assignments."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import func, select

from app.areas.models import VILLAGE_LEVELS, Area
from app.auth.models import Role, User
from app.csv_import import RowError, read_rows
from app.errors import Problem
from app.extensions import db
from survey import rollup
from survey.models import (
    DEFAULT_MIN_PARTICIPANTS,
    Assignment,
    Household,
    HouseholdStatus,
    SurveyRound,
    Target,
)
from survey.questionnaires import UnknownQuestionnaireVersion, get_version

TARGET_COLUMNS = ["village_code", "target_households"]
MAX_TARGET = 100_000  # households in one village/community: far above any real one
TARGET_ERRORS_TH = {
    "MALFORMED_CODE": "รหัสหมู่บ้าน/ชุมชนต้องเป็นตัวเลข 8 หลัก",
    "UNKNOWN_VILLAGE": "ไม่พบหมู่บ้าน/ชุมชนนี้ในทะเบียน",
    "OUT_OF_SCOPE": "หมู่บ้าน/ชุมชนนี้อยู่นอกพื้นที่ที่ท่านรับผิดชอบ",
    "NOT_A_COUNT": "จำนวนครัวเรือนเป้าหมายต้องเป็นจำนวนเต็ม 0 ถึง 100,000",
    "DUPLICATE_CODE": "รหัสซ้ำกับบรรทัดก่อนหน้า",
    "BELOW_COLLECTED": "เป้าหมายน้อยกว่าจำนวนครัวเรือนที่จัดเก็บแล้ว ({collected:,} ครัวเรือน)",
}


# Round settings that do not score households: they may change at any time (a new small-area
# threshold rebuilds the round's district rollups in the same transaction).
ROUND_SETTINGS = ("coverage_threshold_pct", "min_area_households", "national_target",
                  "payment_rate", "households_per_volunteer")


def create_round(year: int, questionnaire_version: str, start: date, end: date,
                 income_line: int | None = None, *, min_participants: dict | None = None,
                 **settings) -> SurveyRound:
    """Open a round, or change an open one (``settings``: any of ``ROUND_SETTINGS``; None
    keeps the current value). What scores households (the questionnaire and the income
    line) cannot change once the round has households: their stored results would no
    longer agree with the round (409 ``ROUND_HAS_HOUSEHOLDS``); a new small-area threshold
    rebuilds the round's district rollups, whose small-village sums follow it. Flushes."""
    try:
        version = get_version(questionnaire_version)
    except UnknownQuestionnaireVersion as exc:
        raise Problem("INVALID_ROUND", reason=f"unknown questionnaire version "
                                              f"{questionnaire_version!r}",
                      reason_th="ไม่รู้จักแบบสอบถามรุ่นนี้") from exc
    if end < start:
        raise Problem("INVALID_ROUND", reason="the collection window ends before it starts",
                      reason_th="วันสิ้นสุดการจัดเก็บอยู่ก่อนวันเริ่ม",
                      errors={"collection_end": ["วันสิ้นสุดต้องไม่ก่อนวันเริ่ม"]})
    income_line = income_line or version.thresholds["income_line_baht_per_person_year"]
    round_ = db.session.get(SurveyRound, year)
    threshold = round_.min_area_households if round_ is not None else None
    if round_ is None:
        round_ = SurveyRound(year=year)
        db.session.add(round_)
    else:
        changed = [name for name, value in (("questionnaire_version", version.id),
                                            ("income_line", income_line))
                   if getattr(round_, name) != value]
        if changed and db.session.scalar(select(Household.id).where(
                Household.round_year == year).limit(1)) is not None:
            raise Problem("ROUND_HAS_HOUSEHOLDS", year=year, setting=", ".join(changed))
    round_.questionnaire_version = version.id
    round_.collection_start, round_.collection_end = start, end
    round_.income_line = income_line
    for name, value in settings.items():
        if name not in ROUND_SETTINGS:
            raise TypeError(f"unknown round setting {name!r}")
        if value is not None:
            setattr(round_, name, value)
    if min_participants is not None:
        round_.min_participants = {**DEFAULT_MIN_PARTICIPANTS, **min_participants}
    db.session.flush()
    if threshold is not None and round_.min_area_households != threshold:
        rollup.rebuild_districts(year)  # their small-village sums follow the new threshold
    return round_


def has_rounds() -> bool:
    return db.session.scalar(select(SurveyRound.year).limit(1)) is not None


def current_round(year: int | None = None) -> SurveyRound:
    """Round ``year``, or the newest one (the pages' default)."""
    round_ = db.session.get(SurveyRound, year) if year else db.session.scalar(
        select(SurveyRound).order_by(SurveyRound.year.desc()).limit(1))
    if round_ is None:
        raise Problem("UNKNOWN_ROUND", year=year or "-")
    return round_


@dataclass
class TargetReport:
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0  # rows saved, or that would be saved (dry run)
    encoding: str | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"ok": self.ok, "saved": self.saved, "encoding": self.encoding,
                "dry_run": self.dry_run,
                "errors": [e.as_dict() for e in self.errors]}


IN_CHUNK = 5_000  # codes per IN (…) list: SQLite allows 32,766 bound values


def _chunks(codes) -> list[list[str]]:
    codes = list(codes)
    return [codes[i:i + IN_CHUNK] for i in range(0, len(codes), IN_CHUNK)]


def collected_by_village(round_year: int, codes) -> dict[str, int]:
    """Households already collected in each of these villages/communities."""
    return {code: n for chunk in _chunks(codes) for code, n in db.session.execute(
        select(Household.village_code, func.count()).where(
            Household.round_year == round_year, Household.village_code.in_(chunk))
        .group_by(Household.village_code))}


def import_targets(round_: SurveyRound, data: bytes, *, dry_run: bool = False,
                   allowed: Callable[[Area], bool] = lambda area: True) -> TargetReport:
    """Set target household counts from a CSV (``village_code,target_households``):
    every row valid and inside ``allowed``, or nothing saved. A target below the households
    already collected in its village is a row error. ``dry_run`` checks without saving."""
    encoding, lines = read_rows(data, TARGET_COLUMNS)
    report = TargetReport(encoding=encoding, dry_run=dry_run)
    rows: dict[str, tuple[int, int]] = {}
    for line, raw in lines:
        before = len(report.errors)

        def error(field_name, code, message, **params):
            report.errors.append(RowError(line, field_name, code, message,
                                          TARGET_ERRORS_TH[code].format(**params)))
        code, count = raw.get("village_code") or "", raw.get("target_households") or ""
        if not re.fullmatch(r"[0-9]{8}", code):
            error("village_code", "MALFORMED_CODE", f"{code!r} is not an 8-digit code")
        elif code in rows:
            error("village_code", "DUPLICATE_CODE", f"{code} is already on line {rows[code][0]}")
        else:
            village = db.session.get(Area, code)
            if village is None or village.level not in VILLAGE_LEVELS:
                error("village_code", "UNKNOWN_VILLAGE", f"no village/community {code}")
            elif not allowed(village):
                error("village_code", "OUT_OF_SCOPE", f"{code} is outside your area")
        if not re.fullmatch(r"[0-9]{1,7}", count) or int(count) > MAX_TARGET:
            error("target_households", "NOT_A_COUNT",
                  f"{count[:20]!r} is not a whole number from 0 to {MAX_TARGET:,}")
        if len(report.errors) == before:
            rows[code] = (line, int(count))
    for code, collected in collected_by_village(round_.year, rows).items():
        line, count = rows[code]
        if count < collected:
            report.errors.append(RowError(
                line, "target_households", "BELOW_COLLECTED",
                f"{count} is below the {collected} households already collected in {code}",
                TARGET_ERRORS_TH["BELOW_COLLECTED"].format(collected=collected)))
    report.errors.sort(key=lambda e: e.line)
    report.saved = len(rows) if not report.errors else 0
    if report.errors or dry_run:
        return report
    existing = {t.area_code: t for chunk in _chunks(rows) for t in db.session.scalars(
        select(Target).where(Target.round_year == round_.year, Target.area_code.in_(chunk)))}
    for code, (_, count) in rows.items():
        target = existing.get(code) or Target(round_year=round_.year, area_code=code)
        target.households = count
        db.session.add(target)
    db.session.flush()
    return report


def assign(round_: SurveyRound, enumerator: User, area: Area) -> Assignment:
    """Assign an enumerator to a village/community inside the enumerator's own scope.
    Flushes."""
    if enumerator.role != Role.ENUMERATOR.value:
        raise Problem("UNKNOWN_ENUMERATOR", username=enumerator.username)
    if area.level not in VILLAGE_LEVELS:
        raise Problem("NOT_A_VILLAGE", code=area.code)
    if not area.code.startswith(enumerator.scope_area_code or "-"):
        raise Problem("OUTSIDE_ENUMERATOR_SCOPE", code=area.code)
    assignment = db.session.get(Assignment, (round_.year, area.code, enumerator.id))
    if assignment is None:
        assignment = Assignment(round_year=round_.year, area_code=area.code,
                                user_id=enumerator.id)
        db.session.add(assignment)
        db.session.flush()
    return assignment


def assignments_of(user: User, round_year: int) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_year == round_year, Assignment.user_id == user.id)
        .order_by(Assignment.area_code)))


def my_villages(user: User, round_year: int) -> list[dict]:
    """An enumerator's assigned villages/communities with their LAO and progress."""
    codes = [a.area_code for a in assignments_of(user, round_year)]
    if not codes:
        return []
    areas = db.session.scalars(select(Area).where(Area.code.in_(codes)).order_by(Area.code))
    targets = dict(db.session.execute(select(Target.area_code, Target.households).where(
        Target.round_year == round_year, Target.area_code.in_(codes))).all())
    counts: dict[str, list[int]] = {}
    for code, status, n in db.session.execute(
            select(Household.village_code, Household.status, func.count())
            .where(Household.round_year == round_year, Household.village_code.in_(codes))
            .group_by(Household.village_code, Household.status)):
        entry = counts.setdefault(code, [0, 0])
        entry[0] += n
        if status == HouseholdStatus.RETURNED.value:
            entry[1] += n
    return [{"code": a.code, "name_th": a.name_th, "level": a.level, "lao_code": a.lao_code,
             "lao_name_th": a.lao.name_th if a.lao else None, "target": targets.get(a.code),
             "collected": counts.get(a.code, [0, 0])[0],
             "returned": counts.get(a.code, [0, 0])[1]} for a in areas]
