"""Volunteer enumerators, as a subdistrict coordinator (or district officer) manages them:
accounts with a name and phone number, the villages each one collects in a round, the load
that gives them, their phones' tokens, deactivation.

Volunteers never type a password: their account gets a random one nobody knows, and a
phone is signed in from a one-time enrolment link (``app.auth.enrolment``). A deactivated
volunteer's households stay theirs; only their sign-ins stop."""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from app.areas.models import VILLAGE_LEVELS, Area
from app.auth.models import ApiToken, Role, User
from app.auth.policy import Action, may, scope_clause
from app.auth.services import UserError, new_user, revoke_user_tokens
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db
from app.text import has_letter, text_problem
from survey.models import Assignment, Household, SurveyRound, Target

PHONE = re.compile(r"0[0-9]{8,9}")
NAME_LIMIT = 200


def volunteers_clause(manager: User):
    """WHERE clause: the volunteer accounts ``manager`` may manage."""
    return (User.role == Role.ENUMERATOR.value) & scope_clause(
        manager, Action.ASSIGNMENT_MANAGE, User.scope_area_code)


def get_volunteer(manager: User, user_id: int) -> User:
    """A volunteer of the manager's area; the same 404 for any other id, so the answer does
    not tell which accounts exist elsewhere."""
    volunteer = db.session.scalar(select(User).where(User.id == user_id,
                                                     volunteers_clause(manager)))
    if volunteer is None:
        raise Problem("UNKNOWN_VOLUNTEER", id=user_id)
    return volunteer


def _details(name: str, phone: str) -> tuple[str, str]:
    """The cleaned name and phone number, or a Problem naming each bad field in Thai."""
    errors = {}
    name = " ".join((name or "").split())
    problem = text_problem(name, NAME_LIMIT)
    if problem:
        errors["display_name"] = [problem[1]]
    elif not has_letter(name):
        errors["display_name"] = ["กรุณากรอกชื่อ-นามสกุลของอาสาสมัคร"]
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE.fullmatch(phone):
        errors["phone"] = ["หมายเลขโทรศัพท์ต้องเป็นตัวเลข 9 หรือ 10 หลัก ขึ้นต้นด้วย 0 เช่น 0812345678"]
    if errors:
        raise Problem("VOLUNTEER_INVALID", errors=errors)
    return name, phone


def _villages(manager: User, codes: list[str]) -> list[Area]:
    """The villages/communities asked for, each inside the manager's area, all in one
    subdistrict (a volunteer's scope). Refuses the first one that is not."""
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if not codes:
        raise Problem("VOLUNTEER_INVALID",
                      errors={"villages": ["กรุณาเลือกหมู่บ้าน/ชุมชนอย่างน้อย 1 แห่ง"]})
    areas = {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(codes)))}
    for code in codes:
        area = areas.get(code)
        if area is None or area.level not in VILLAGE_LEVELS \
                or not may(manager, Action.ASSIGNMENT_MANAGE, area=area):
            raise Problem("VILLAGE_OUTSIDE_SCOPE", code=code[:8],
                          errors={"villages": [f"รหัส {code[:8]} อยู่นอกพื้นที่ของท่าน"]})
    if len({area.parent_code for area in areas.values()}) > 1:
        raise Problem("VILLAGES_SPAN_SUBDISTRICTS",
                      errors={"villages": ["เลือกหมู่บ้าน/ชุมชนในตำบลเดียวกัน"]})
    return [areas[c] for c in codes]


def _username(subdistrict_code: str) -> str:
    """``v<subdistrict>-<n>``: readable in logs and lists, never a person's name. Two
    coordinators racing for the same number hit the unique key; the caller retries."""
    taken = db.session.scalar(select(func.count()).select_from(User).where(
        User.username.like(f"v{subdistrict_code}-%")))
    return f"v{subdistrict_code}-{taken + 1}"


def create_volunteer(manager: User, round_: SurveyRound, *, name: str, phone: str,
                     village_codes: list[str]) -> User:
    """A volunteer enumerator account in the subdistrict of their villages, assigned to
    them for the round. Flushes."""
    name, phone = _details(name, phone)
    villages = _villages(manager, village_codes)
    subdistrict = villages[0].parent_code
    try:
        volunteer = new_user(_username(subdistrict), secrets.token_urlsafe(32), Role.ENUMERATOR,
                             display_name=name, area_code=subdistrict, phone=phone)
    except UserError as exc:  # a scope that does not fit: a register without subdistricts
        raise Problem("VOLUNTEER_INVALID", errors={exc.field: [str(exc)]}) from exc
    for village in villages:
        db.session.add(Assignment(round_year=round_.year, area_code=village.code,
                                  user_id=volunteer.id))
    db.session.flush()
    return volunteer


def update_volunteer(manager: User, round_: SurveyRound, volunteer: User, *, name: str,
                     phone: str, village_codes: list[str]) -> None:
    """Change a volunteer's name, phone number and villages for the round. A village in
    which the volunteer already has households stays assigned (they may still have to
    correct them). Flushes."""
    name, phone = _details(name, phone)
    villages = _villages(manager, village_codes)
    if villages[0].parent_code != volunteer.scope_area_code:
        raise Problem("VILLAGES_SPAN_SUBDISTRICTS",
                      errors={"villages": ["เลือกหมู่บ้าน/ชุมชนในตำบลของอาสาสมัคร"]})
    wanted = {v.code for v in villages}
    current = {a.area_code for a in db.session.scalars(select(Assignment).where(
        Assignment.round_year == round_.year, Assignment.user_id == volunteer.id))}
    dropped = sorted(current - wanted)
    if dropped:
        busy = db.session.scalar(select(Household.village_code).where(
            Household.round_year == round_.year, Household.enumerator_id == volunteer.id,
            Household.village_code.in_(dropped)).limit(1))
        if busy is not None:
            raise Problem("ASSIGNMENT_HAS_HOUSEHOLDS", code=busy)
        db.session.execute(delete(Assignment).where(
            Assignment.round_year == round_.year, Assignment.user_id == volunteer.id,
            Assignment.area_code.in_(dropped)))
    for code in sorted(wanted - current):
        db.session.add(Assignment(round_year=round_.year, area_code=code,
                                  user_id=volunteer.id))
    volunteer.display_name, volunteer.phone = name, phone
    db.session.flush()


def set_active(manager: User, volunteer: User, active: bool, *, ip: str | None = None) -> None:
    """Deactivate (every phone is signed out at once) or reactivate a volunteer. Their
    households and assignments stay. Flushes."""
    volunteer.active = active
    if not active:
        volunteer.session_nonce = secrets.token_hex(8)
        revoke_user_tokens(volunteer, by=manager, ip=ip)
    db.session.flush()


@dataclass
class VillageLoad:
    area: Area
    target: int | None
    volunteers: int     # assigned to the village in the round, this one included
    share: int | None   # target households per volunteer there
    collected: int      # by this volunteer


@dataclass
class Phone:
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass
class VolunteerView:
    user: User
    villages: list[VillageLoad]
    phones: list[Phone]
    load_limit: int

    @property
    def load(self) -> int:
        return sum(v.share or 0 for v in self.villages)

    @property
    def overloaded(self) -> list[VillageLoad]:
        """Villages where this volunteer's share is above the round's households per
        volunteer (about 40 in the guideline)."""
        return [v for v in self.villages if v.share is not None and v.share > self.load_limit]

    @property
    def collected(self) -> int:
        return sum(v.collected for v in self.villages)


def views(round_: SurveyRound, volunteers: list[User]) -> list[VolunteerView]:
    """Each volunteer's villages, load and phones, in a few set-based queries."""
    ids = [v.id for v in volunteers]
    if not ids:
        return []
    assigned = db.session.execute(select(Assignment.user_id, Area).join(
        Area, Area.code == Assignment.area_code).where(
        Assignment.round_year == round_.year, Assignment.user_id.in_(ids))
        .order_by(Area.code)).all()
    codes = sorted({area.code for _, area in assigned})
    targets = dict(db.session.execute(select(Target.area_code, Target.households).where(
        Target.round_year == round_.year, Target.area_code.in_(codes))).all())
    crowd = dict(db.session.execute(select(Assignment.area_code, func.count()).where(
        Assignment.round_year == round_.year, Assignment.area_code.in_(codes))
        .group_by(Assignment.area_code)).all())
    collected = {(uid, code): n for uid, code, n in db.session.execute(
        select(Household.enumerator_id, Household.village_code, func.count()).where(
            Household.round_year == round_.year, Household.enumerator_id.in_(ids))
        .group_by(Household.enumerator_id, Household.village_code))}
    now = utcnow()
    phones: dict[int, list[Phone]] = {}
    for token in db.session.scalars(select(ApiToken).where(
            ApiToken.user_id.in_(ids), ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now).order_by(ApiToken.created_at)):
        phones.setdefault(token.user_id, []).append(
            Phone(token.id, token.label, token.created_at, token.last_used_at))
    loads: dict[int, list[VillageLoad]] = {}
    for uid, area in assigned:
        target, n = targets.get(area.code), crowd.get(area.code, 1)
        loads.setdefault(uid, []).append(VillageLoad(
            area, target, n, math.ceil(target / n) if target is not None else None,
            collected.get((uid, area.code), 0)))
    return [VolunteerView(v, loads.get(v.id, []), phones.get(v.id, []),
                          round_.households_per_volunteer) for v in volunteers]


def list_volunteers(manager: User, round_: SurveyRound) -> list[VolunteerView]:
    return views(round_, list(db.session.scalars(select(User).where(
        volunteers_clause(manager)).order_by(User.active.desc(), User.display_name))))


def villages_to_assign(manager: User) -> list[Area]:
    """The villages/communities a manager may give volunteers (a district has a few
    hundred)."""
    return list(db.session.scalars(select(Area).where(
        Area.level.in_(VILLAGE_LEVELS),
        scope_clause(manager, Action.ASSIGNMENT_MANAGE, Area.code)).order_by(Area.code)))
