"""The one place that answers "may this user do this action on this area or LAO".

Every route asks here (``require``); nothing is filtered ad hoc in views. Two questions
are combined:

1. *Role*: is the action one the user's role may do at all (``ROLE_ACTIONS``)?
2. *Scope*: does the target lie inside the user's scope? Area scopes cover their code
   prefix (``6501`` covers ``650101`` and ``65010105``); an LAO scope covers the villages
   and communities registered to that LAO; a nation scope covers everything. Read actions
   also reach the *ancestors* of a scope (a district officer sees the name of their
   province), but never its siblings.
"""
from __future__ import annotations

import enum

from sqlalchemy import false, or_, select, true

from app.areas.models import Area, Lao
from app.areas.queries import lao_village_codes
from app.auth.models import Role, User
from app.extensions import db
from app.units import Unit, code_prefix


class Action(str, enum.Enum):
    AREA_READ = "area.read"
    AGGREGATE_READ = "aggregate.read"
    HOUSEHOLD_READ = "household.read"
    HOUSEHOLD_WRITE = "household.write"
    # Moving a household to another village/community: an explicit, logged change, never
    # a side effect of a correction.
    HOUSEHOLD_MOVE = "household.move"
    PERSONAL_DATA_READ = "personal.read"
    REGISTER_IMPORT = "register.import"  # the register of villages, LAOs and targets
    ASSIGNMENT_MANAGE = "assignment.manage"
    CERTIFY = "certify"
    QUALITY_RESOLVE = "quality.resolve"  # settle a quality issue (e.g. a duplicate ID)
    RETURN_FOR_CORRECTION = "return"
    USER_MANAGE = "user.manage"
    ROUND_MANAGE = "round.manage"


# Actions that may also be done on an ancestor of the user's scope.
READ_UP_ACTIONS = {Action.AREA_READ}

_OFFICER = {Action.AREA_READ, Action.AGGREGATE_READ, Action.HOUSEHOLD_READ}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ENUMERATOR: frozenset({Action.AREA_READ, Action.HOUSEHOLD_READ,
                                Action.HOUSEHOLD_WRITE, Action.HOUSEHOLD_MOVE,
                                Action.PERSONAL_DATA_READ}),
    Role.SUBDISTRICT_COORDINATOR: frozenset(_OFFICER | {Action.PERSONAL_DATA_READ,
                                                        Action.ASSIGNMENT_MANAGE,
                                                        Action.HOUSEHOLD_MOVE,
                                                        Action.QUALITY_RESOLVE}),
    Role.LAO_CERTIFIER: frozenset(_OFFICER | {Action.PERSONAL_DATA_READ, Action.CERTIFY,
                                              Action.QUALITY_RESOLVE}),
    Role.DISTRICT_OFFICER: frozenset(_OFFICER | {Action.PERSONAL_DATA_READ,
                                                 Action.REGISTER_IMPORT, Action.ASSIGNMENT_MANAGE,
                                                 Action.CERTIFY, Action.RETURN_FOR_CORRECTION,
                                                 Action.QUALITY_RESOLVE}),
    Role.PROVINCE_OFFICER: frozenset(_OFFICER | {Action.REGISTER_IMPORT, Action.CERTIFY,
                                                 Action.RETURN_FOR_CORRECTION}),
    Role.DEPARTMENT_ADMIN: frozenset(_OFFICER | {Action.REGISTER_IMPORT, Action.CERTIFY,
                                                 Action.USER_MANAGE, Action.ROUND_MANAGE}),
    Role.VIEWER: frozenset({Action.AREA_READ, Action.AGGREGATE_READ}),
}

# Which scope each role may hold.
ROLE_SCOPE_LEVELS: dict[Role, set[str]] = {
    Role.ENUMERATOR: {"village", "community", "subdistrict"},
    Role.SUBDISTRICT_COORDINATOR: {"subdistrict"},
    Role.LAO_CERTIFIER: {"lao"},
    Role.DISTRICT_OFFICER: {"district"},
    Role.PROVINCE_OFFICER: {"province"},
    Role.DEPARTMENT_ADMIN: {"nation"},
    Role.VIEWER: {"nation", "province", "district", "subdistrict", "lao"},
}


def role_allows(user: User, action: Action) -> bool:
    return action in ROLE_ACTIONS[user.role_enum]


def _lao_area_codes(lao_code: str) -> list[str]:
    return list(db.session.scalars(select(Area.code).where(Area.lao_code == lao_code)))


def covers_area(scope: Unit, area: Area) -> bool:
    """True when the area lies inside the scope."""
    if scope.kind == "nation":
        return True
    if scope.kind == "area":
        return area.code.startswith(scope.code)
    return area.lao_code is not None and area.lao_code == scope.code


def is_ancestor_of_scope(scope: Unit, area: Area) -> bool:
    """True when the area encloses (part of) the scope, e.g. the province of a district."""
    if scope.kind == "area":
        return scope.code.startswith(area.code) and scope.code != area.code
    if scope.kind == "lao":
        return any(code.startswith(area.code) and code != area.code
                   for code in _lao_area_codes(scope.code))
    return False


def may(user: User | None, action: Action, *, area: Area | None = None,
        lao: Lao | None = None, nation: bool = False, unit: Unit | None = None) -> bool:
    """May ``user`` do ``action`` on ``area``, on ``lao``, on the whole ``nation``, on a
    ``unit`` (any of the three), or (no target) anywhere at all?"""
    if user is None or not user.is_active or not role_allows(user, action):
        return False
    if unit is not None:
        area, lao, nation = _target_of(unit)
    scope = Unit.of_scope(user)
    if nation:
        return scope.kind == "nation"
    if lao is not None:
        return _covers_lao(scope, lao, action)
    if area is None:
        return True
    if covers_area(scope, area):
        return True
    return action in READ_UP_ACTIONS and is_ancestor_of_scope(scope, area)


def _target_of(unit: Unit) -> tuple[Area | None, Lao | None, bool]:
    """The registry object a unit names (a unit that names nothing known covers nothing)."""
    if unit.kind == "nation":
        return None, None, True
    if unit.kind == "lao":
        return None, db.session.get(Lao, unit.code) or _NOWHERE_LAO, False
    return db.session.get(Area, unit.code) or _NOWHERE_AREA, None, False


# Stand-ins for unknown codes: inside no scope but the nation's.
_NOWHERE_AREA = Area(code="-", level="none", lao_code=None)
_NOWHERE_LAO = Lao(code="-", district_code="-", province_code="-")


def _covers_lao(scope: Unit, lao: Lao, action: Action) -> bool:
    """An area scope covers an LAO only when every village/community of the LAO lies inside
    it (an LAO may span subdistricts: a coordinator of one of them must not read the other's
    people through the LAO). Reading the LAO itself (its name, its villages) needs less: it
    touches the scope, or its district encloses the scope."""
    if scope.kind == "nation":
        return True
    if scope.kind == "lao":
        return scope.code == lao.code
    villages = _lao_area_codes(lao.code)
    if villages:
        inside = all(code.startswith(scope.code) for code in villages)
    else:
        inside = lao.district_code.startswith(scope.code)
    if inside or action not in READ_UP_ACTIONS:
        return inside
    return (any(code.startswith(scope.code) for code in villages)
            or scope.code.startswith(lao.district_code))


def scope_clause(user: User, action: Action, code_column):
    """A WHERE clause selecting the rows (areas, households, rollups …) whose area code lies
    where ``may(user, action, …)`` allows, so that lists and searches are scoped in the
    database, not in Python."""
    if not role_allows(user, action):
        return false()
    scope = Unit.of_scope(user)
    if scope.kind == "nation":
        return true()
    if scope.kind == "area":
        inside = code_prefix(code_column, scope.code)
        if action not in READ_UP_ACTIONS:
            return inside
        ancestors = [scope.code[:n] for n in (2, 4, 6) if n < len(scope.code)]
        return or_(inside, code_column.in_(ancestors))
    inside = code_column.in_(lao_village_codes(scope.code))
    if action not in READ_UP_ACTIONS:
        return inside
    ancestors = {code[:n] for code in _lao_area_codes(scope.code) for n in (2, 4, 6)}
    return or_(inside, code_column.in_(sorted(ancestors)))


def visible_areas_clause(user: User, action: Action = Action.AREA_READ):
    """``scope_clause`` for the ``areas`` table."""
    return scope_clause(user, action, Area.code)
