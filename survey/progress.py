"""How collection is going: per village/community, per enumerator, and rolled up to any
unit's children — target, collected, waiting for correction, households with warnings,
partial households, the last time an enumerator sent data, and when the unit will be done
at its pace so far.

A partial household (stored with the reason its required answers are missing, e.g. it
refused part of the interview) is collected: the interview happened, the head signed, and
asking again would not fill the gap, so it counts toward the target, the coverage and the
completion estimate like any other. It is also counted apart (``Line.partial``) so that
coordinators and committees see how many households are behind the incomplete indicator
results.

Counts come from grouped queries on households, targets and the household history (one
each per table), so a province's page costs the same few statements as a village's."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from app.areas.models import LEVEL_TH, VILLAGE_LEVELS, Area, AreaLevel, Lao
from app.auth.models import Role, User
from app.extensions import db
from app.units import Unit
from survey.access import in_unit
from survey.models import (
    Assignment,
    Household,
    HouseholdHistory,
    HouseholdStatus,
    SurveyRound,
    Target,
)

# A child of each kind of unit: the code length that groups villages into it.
CHILD_CODE_LENGTH = {"nation": 2, AreaLevel.PROVINCE.value: 4,
                     AreaLevel.DISTRICT.value: 6, AreaLevel.SUBDISTRICT.value: 8}


@dataclass
class Line:
    """One row of a progress table (a village, an area, an LAO or an enumerator)."""
    code: str
    name_th: str
    kind_th: str = ""
    target: int = 0
    has_target: bool = False
    collected: int = 0
    returned: int = 0
    warnings: int = 0
    partial: int = 0  # of collected: submitted with a reason for missing answers
    last_sync: datetime | None = None
    enumerators: int = 0
    eta: date | None = None
    extra: dict = field(default_factory=dict)

    @property
    def pct(self) -> float | None:
        return 100 * self.collected / self.target if self.has_target and self.target else None

    @property
    def remaining(self) -> int:
        return max(self.target - self.collected, 0)

    def add(self, other: "Line") -> None:
        self.target += other.target
        self.has_target |= other.has_target
        self.collected += other.collected
        self.returned += other.returned
        self.warnings += other.warnings
        self.partial += other.partial
        self.enumerators += other.enumerators
        if other.last_sync and (self.last_sync is None or other.last_sync > self.last_sync):
            self.last_sync = other.last_sync


def estimate(round_: SurveyRound, line: Line, today: date) -> date | None:
    """When the remaining households will be in at the pace since the window opened:
    today when nothing remains; None with no target or no pace yet."""
    if not line.has_target:
        return None
    if line.remaining == 0:
        return today
    elapsed = (min(today, round_.collection_end) - round_.collection_start).days + 1
    if elapsed <= 0 or line.collected == 0:
        return None
    per_day = line.collected / elapsed
    return today + timedelta(days=math.ceil(line.remaining / per_day))


def _counts():
    """The household counts of a progress line, for a grouped query: collected, waiting
    for correction, with warnings, partial."""
    return (func.count(),
            func.sum(case((Household.status == HouseholdStatus.RETURNED.value, 1), else_=0)),
            func.sum(case((Household.warning_count > 0, 1), else_=0)),
            func.sum(case((Household.incomplete_reason.is_not(None), 1), else_=0)))


def _set_counts(line: Line, n, returned, warned, partial) -> None:
    line.collected, line.returned = n, returned or 0
    line.warnings, line.partial = warned or 0, partial or 0


def _child_key(unit: Unit, by_lao: bool):
    """The SQL expression grouping a village code into the unit's children, and what the
    children are: "village", an area level, or "lao"."""
    if unit.kind == "lao":
        return None, "village"
    level = "nation" if unit.kind == "nation" else db.session.get(Area, unit.code).level
    if by_lao and level in (AreaLevel.DISTRICT.value, AreaLevel.SUBDISTRICT.value,
                            AreaLevel.PROVINCE.value):
        return Area.lao_code, "lao"
    length = CHILD_CODE_LENGTH.get(level)
    return (None, "village") if length in (None, 8) else (length, "area")


def _grouped(statement, entity, column, key):
    """``statement`` on ``entity`` grouped by the child key of ``column`` (its village
    code): the code itself, its first digits, or its village's LAO."""
    if key is None:
        return statement.add_columns(column).group_by(column)
    if isinstance(key, int):
        expression = func.substr(column, 1, key)
        return statement.add_columns(expression).group_by(expression)
    return (statement.select_from(entity).join(Area, Area.code == column)
            .add_columns(key).group_by(key))


def rows(round_: SurveyRound, unit: Unit, *, by_lao: bool = False,
         today: date) -> tuple[Line, list[Line]]:
    """The unit's total and one line per child (villages for a subdistrict or an LAO,
    subdistricts — or LAOs — for a district, districts for a province, provinces for the
    nation), each with its estimated completion date."""
    key, kind = _child_key(unit, by_lao)
    lines: dict[str, Line] = {}

    def line(code) -> Line:
        return lines.setdefault(code or "-", Line(code or "-", ""))

    base = select(*_counts()).where(Household.round_year == round_.year, in_unit(unit))
    for *counts, code in db.session.execute(
            _grouped(base, Household, Household.village_code, key)):
        _set_counts(line(code), *counts)
    targets = select(func.sum(Target.households)).where(
        Target.round_year == round_.year, unit.village_filter(Target.area_code))
    for total, code in db.session.execute(_grouped(targets, Target, Target.area_code, key)):
        entry = line(code)
        entry.target, entry.has_target = total or 0, True
    synced = select(func.max(HouseholdHistory.at)).where(
        HouseholdHistory.round_year == round_.year,
        HouseholdHistory.actor_role == Role.ENUMERATOR.value,
        unit.village_filter(HouseholdHistory.village_code))
    for at, code in db.session.execute(_grouped(synced, HouseholdHistory,
                                                HouseholdHistory.village_code, key)):
        line(code).last_sync = at
    crowd = select(func.count(func.distinct(Assignment.user_id))).where(
        Assignment.round_year == round_.year, unit.village_filter(Assignment.area_code))
    for n, code in db.session.execute(_grouped(crowd, Assignment, Assignment.area_code, key)):
        line(code).enumerators = n
    _name(lines, kind, unit)
    total = Line(unit.code, unit.name_th)
    for entry in lines.values():
        total.add(entry)
        entry.eta = estimate(round_, entry, today)
    total.enumerators = db.session.scalar(crowd) or 0  # one volunteer may work in two
    total.eta = estimate(round_, total, today)
    return total, sorted(lines.values(), key=lambda e: e.code)


def _name(lines: dict[str, Line], kind: str, unit: Unit) -> None:
    """Names of the children (every village of a village-level unit is listed, even one
    with nothing yet)."""
    if kind == "lao":
        for lao in db.session.scalars(select(Lao).where(Lao.code.in_(list(lines)))):
            lines[lao.code].name_th, lines[lao.code].kind_th = lao.name_th, lao.type_th
        for entry in lines.values():
            entry.name_th = entry.name_th or "ไม่ระบุ อปท."
        return
    if kind == "village":
        query = select(Area).where(Area.level.in_(VILLAGE_LEVELS), unit.village_filter(Area.code))
        for area in db.session.scalars(query):
            entry = lines.setdefault(area.code, Line(area.code, ""))
            entry.name_th, entry.kind_th = area.name_th, f"{LEVEL_TH[AreaLevel(area.level)]} " \
                                                         f"{area.moo or ''}".strip()
        return
    for area in db.session.scalars(select(Area).where(Area.code.in_(list(lines)))):
        lines[area.code].name_th = area.name_th
        lines[area.code].kind_th = LEVEL_TH[AreaLevel(area.level)]


def by_enumerator(round_: SurveyRound, unit: Unit, *, today: date) -> list[Line]:
    """One line per enumerator assigned in the unit (or with households there): their
    share of their villages' targets, what they collected, waiting for correction,
    warnings, partial households, their last sync and their completion estimate.
    ``name_th`` is the display name; ``code`` the username."""
    assigned = db.session.execute(select(Assignment.user_id, Assignment.area_code).where(
        Assignment.round_year == round_.year, unit.village_filter(Assignment.area_code))).all()
    codes = sorted({code for _, code in assigned})
    targets = dict(db.session.execute(select(Target.area_code, Target.households).where(
        Target.round_year == round_.year, Target.area_code.in_(codes))).all()) if codes else {}
    crowd: dict[str, int] = {}
    for _, code in assigned:
        crowd[code] = crowd.get(code, 0) + 1
    lines: dict[int, Line] = {}
    for uid, code in assigned:
        entry = lines.setdefault(uid, Line("", ""))
        entry.extra.setdefault("villages", []).append(code)
        if code in targets:
            entry.target += math.ceil(targets[code] / crowd[code])
            entry.has_target = True
    for uid, *counts in db.session.execute(
            select(Household.enumerator_id, *_counts())
            .where(Household.round_year == round_.year, in_unit(unit))
            .group_by(Household.enumerator_id)):
        _set_counts(lines.setdefault(uid, Line("", "")), *counts)
    for uid, at in db.session.execute(
            select(HouseholdHistory.actor_id, func.max(HouseholdHistory.at)).where(
                HouseholdHistory.round_year == round_.year,
                HouseholdHistory.actor_role == Role.ENUMERATOR.value,
                unit.village_filter(HouseholdHistory.village_code))
            .group_by(HouseholdHistory.actor_id)):
        if uid in lines:
            lines[uid].last_sync = at
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(list(lines))))} if lines else {}
    for uid, entry in lines.items():
        user = users[uid]
        entry.code, entry.name_th = user.username, user.display_name
        entry.extra.update(active=user.active, user_id=uid, phone=user.phone)
        entry.eta = estimate(round_, entry, today)
    return sorted(lines.values(), key=lambda e: (e.name_th, e.code))
