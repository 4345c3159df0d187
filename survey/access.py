"""Which households a user may see and change: the area policy (``app.auth.policy``) plus
the survey's own rule that an enumerator works only in the villages assigned to them.

Every household read (a list, one record, the indicator-22 list) and every write asks here,
so no path answers more than another.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, select

from app.areas.queries import get_area
from app.auth.models import Role, User
from app.auth.policy import Action, may, scope_clause
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey.models import Assignment, Household


def _is_enumerator(user: User) -> bool:
    return user.role == Role.ENUMERATOR.value


def in_unit(unit: Unit):
    """WHERE clause: the households of a unit, by village — and by province where the unit
    names one, since that column is indexed on every database while a code-prefix LIKE
    cannot use the village index everywhere."""
    clause = unit.village_filter(Household.village_code)
    if unit.kind == "area":
        clause = and_(Household.province_code == unit.code[:2], clause)
    return clause


def households_clause(user: User, action: Action = Action.HOUSEHOLD_READ):
    """WHERE clause: the households ``user`` may ``action``."""
    clause = scope_clause(user, action, Household.village_code)
    if _is_enumerator(user):
        clause = and_(clause, exists().where(
            Assignment.round_year == Household.round_year,
            Assignment.area_code == Household.village_code,
            Assignment.user_id == user.id))
    return clause


def is_assigned(user: User, round_year: int, village_code: str) -> bool:
    return db.session.get(Assignment, (round_year, village_code, user.id)) is not None


def may_see(user: User, household: Household) -> bool:
    """The single-record form of ``households_clause`` (read)."""
    area = get_area(household.village_code)
    if not may(user, Action.HOUSEHOLD_READ, area=area):
        return False
    return not _is_enumerator(user) or is_assigned(user, household.round_year,
                                                   household.village_code)


def assigned_column(user: User, round_year, village_code):
    """A column saying whether ``user`` is assigned to the village in the round (the round
    and village may be columns or values), to fetch with other lookups in one query."""
    return exists().where(Assignment.round_year == round_year,
                          Assignment.area_code == village_code,
                          Assignment.user_id == user.id).label("assigned")


def require_assignment(user: User, round_year: int, village_code: str, *,
                       assigned: bool | None = None) -> None:
    """Enumerators write only in the villages/communities they are assigned to
    (``assigned``: already looked up, e.g. by ``assigned_column``)."""
    if not _is_enumerator(user):
        return
    if not (is_assigned(user, round_year, village_code) if assigned is None else assigned):
        raise Problem("NOT_ASSIGNED", year=round_year)


def enumerator_in_scope(manager: User, username: str) -> User | None:
    """The enumerator ``username`` if ``manager`` may assign them (their scope lies inside
    the manager's); None otherwise, whatever the reason, so the answer does not tell which
    usernames exist elsewhere or what role they have."""
    candidate = db.session.scalar(select(User).where(User.username == username,
                                                     User.role == Role.ENUMERATOR.value))
    if candidate is None or candidate.scope_area is None:
        return None
    return candidate if may(manager, Action.ASSIGNMENT_MANAGE,
                            area=candidate.scope_area) else None
