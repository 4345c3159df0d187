"""Reads the certification routes and pages need: the units a user works on, one unit as
shown, its log, the households waiting for correction, national progress."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.models import VILLAGE_LEVELS, Area, Lao
from app.auth.models import User
from app.extensions import db
from app.units import Unit
from certification.models import Event
from certification.services import may_see
from certification.units import UnitStatus, province_summaries, province_units
from certification.workflow import STATE_TH, State, Tier
from survey.access import households_clause, in_unit
from survey.models import Household, HouseholdStatus, SurveyRound

# The department's target: this share of the round's households in accepted provinces.
NATIONAL_GOAL_PCT = 90
TIER_ORDER = {Tier.DEPARTMENT: 0, Tier.PROVINCE: 1, Tier.DISTRICT: 2, Tier.LAO: 3}


def provinces_in_register() -> list[str]:
    return list(db.session.scalars(select(Area.province_code).where(
        Area.level.in_(VILLAGE_LEVELS))
        .distinct().order_by(Area.province_code)))


def provinces_of(user: User, province: str | None = None) -> list[str]:
    """The provinces whose units the user may see (one, unless nation-wide)."""
    scope = Unit.of_scope(user)
    if scope.kind == "area":
        return [scope.code[:2]]
    if scope.kind == "lao":
        lao = db.session.get(Lao, scope.code)
        return [lao.province_code] if lao else []
    return [province] if province else provinces_in_register()


def units_for(user: User, round_: SurveyRound, *, tier: Tier | None = None,
              state: State | None = None, province: str | None = None) -> list[UnitStatus]:
    """Every unit in the user's scope, highest tier first."""
    found = []
    for code in provinces_of(user, province):
        for unit in province_units(round_, code).values():
            if (tier is None or unit.tier is tier) and (state is None or unit.state is state) \
                    and may_see(user, unit):
                found.append(unit)
    return sorted(found, key=lambda u: (TIER_ORDER[u.tier], u.code))


def view(status: UnitStatus, *, detail: bool = False) -> dict:
    out = {"tier": status.tier.value, "code": status.code, "name_th": status.name_th,
           "state": status.state.value, "state_th": STATE_TH[status.state],
           "households": status.households, "target": status.target,
           "coverage_pct": round(status.coverage_pct, 2) if status.coverage_pct is not None
           else None, "revision": status.revision, "failing_gates": len(status.failing),
           "gates": [g.as_dict() for g in status.gates],
           "parent": {"tier": status.parent[0].value, "code": status.parent[1]}
           if status.parent else None, "decision": _decision_summary(status.decision)}
    if detail:
        out["children"] = [view(child) for child in status.children]
    return out


def _decision_summary(decision) -> dict | None:
    if decision is None:
        return None
    return {"id": decision.id, "kind": decision.kind, "at": decision.at.isoformat(),
            "data_revision": decision.data_revision, "pack_sha256": decision.pack_sha256}


def returned_households(user: User, round_: SurveyRound, status: UnitStatus) -> list[dict]:
    """The unit's households waiting for correction: who sent each back, when and why."""
    rows = db.session.execute(
        select(Household.id, Household.house_code, Household.village_code,
               Household.return_reason, Household.returned_at, User.display_name,
               User.role, Area.name_th)
        .join(Area, Area.code == Household.village_code)
        .outerjoin(User, User.id == Household.returned_by_id)
        .where(Household.round_year == round_.year,
               Household.status == HouseholdStatus.RETURNED.value,
               in_unit(status.unit), households_clause(user))
        .order_by(Household.returned_at.desc()).limit(500))
    return [{"household_id": r.id, "house_code": r.house_code, "village_code": r.village_code,
             "village_name_th": r.name_th, "reason": r.return_reason,
             "returned_at": r.returned_at.isoformat() if r.returned_at else None,
             "by_name": r.display_name, "by_role": r.role} for r in rows]


def events_of(round_: SurveyRound, status: UnitStatus) -> list[Event]:
    """The unit's log entries, oldest first (an LAO's also under its households' returns)."""
    return list(db.session.scalars(select(Event).where(
        Event.round_year == round_.year, Event.unit_code == status.code,
        Event.tier == (Tier.LAO.value if status.tier is Tier.LAO else status.tier.value))
        .order_by(Event.id)))


def national_progress(round_: SurveyRound) -> dict:
    """Per province: households, target, the province's state and whether the department
    accepted it (on current data); nationally, the share of the round's households in
    accepted provinces. From nation-wide set queries, not 76 unit trees."""
    provinces, total, accepted, target = [], 0, 0, 0
    for summary in province_summaries(round_):
        province_state = summary.state_of(summary.province_decision)
        is_accepted = summary.state_of(summary.department_decision) is State.CERTIFIED
        total += summary.households
        target += summary.target
        accepted += summary.households if is_accepted else 0
        provinces.append({"code": summary.code, "name_th": summary.name_th,
                          "households": summary.households, "target": summary.target,
                          "province_state": province_state.value if province_state
                          else "not_certified", "accepted": is_accepted})
    return {"round": round_.year, "households": total, "target": target,
            "accepted_households": accepted,
            "pct_accepted": round(100 * accepted / total, 2) if total else None,
            "pct_of_target": round(100 * accepted / target, 2) if target else None,
            "goal_pct": NATIONAL_GOAL_PCT, "provinces": provinces}
