"""What a committee saw: the four standard reports for a unit and its child breakdown,
its gates, and the households returned or corrected since collection began — figures
only, no personal data (names appear only in packs made for roles allowed them)."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.models import Area
from app.extensions import db
from certification.units import UnitStatus
from survey import reports
from survey.access import in_unit
from survey.models import Household, HouseholdHistory, SurveyRound


def _reports_of(round_: SurveyRound, t: reports.Totals) -> dict:
    return {"population": reports.population(t),
            "indicators": reports.indicators(round_, t),
            "income_expense": reports.income_expense(round_, t),
            "below_income_line": t.below_income_line}


def take(round_: SurveyRound, status: UnitStatus) -> dict:
    whole, children = reports.totals(round_, status.unit, breakdown=True)
    return {"round": round_.year, "tier": status.tier.value, "code": status.code,
            "name_th": status.name_th, "revision": status.revision,
            "households": status.households, "target": status.target,
            "reports": _reports_of(round_, whole),
            "breakdown": [{"code": area.code, "name_th": area.name_th,
                           **_reports_of(round_, t)} for area, t in children],
            "gates": [g.as_dict() for g in status.gates],
            "corrections": corrections(round_, status)}


def corrections(round_: SurveyRound, status: UnitStatus, limit: int = 500) -> list[dict]:
    """Households of the unit that were returned or corrected: when, by whom (role), why.
    House codes and villages, never names."""
    rows = db.session.execute(
        select(HouseholdHistory.household_id, HouseholdHistory.action,
               HouseholdHistory.at, HouseholdHistory.actor_role, HouseholdHistory.reason,
               Household.house_code, Household.village_code, Household.status,
               Area.name_th)
        .join(Household, Household.id == HouseholdHistory.household_id)
        .join(Area, Area.code == Household.village_code)
        .where(HouseholdHistory.round_year == round_.year,
               HouseholdHistory.action.in_(["returned", "corrected", "moved"]),
               in_unit(status.unit))
        .order_by(HouseholdHistory.at.desc(), HouseholdHistory.id.desc()).limit(limit))
    return [{"household_id": r.household_id, "action": r.action, "at": r.at.isoformat(),
             "actor_role": r.actor_role, "reason": r.reason, "house_code": r.house_code,
             "village_code": r.village_code, "village_name_th": r.name_th,
             "status": r.status} for r in rows]
