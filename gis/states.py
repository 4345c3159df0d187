"""The certification state to show on each map feature: a province's or district's own
unit; for a subdistrict, the least advanced of the LAOs its villages belong to; for a
village, its LAO's. Only for maps within one province (a national map of subdistricts
would need 76 unit trees): a national map shows the provinces' states."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.models import VILLAGE_LEVELS, Area, AreaLevel
from app.extensions import db
from app.units import Unit
from certification.units import province_summaries, province_units
from certification.workflow import State, Tier
from survey.models import SurveyRound

# Least advanced first: a subdistrict shows the state of its furthest-behind LAO.
ORDER = [State.RETURNED, State.STALE, State.COLLECTING, State.READY, State.CERTIFIED]


def _province_of(unit: Unit) -> str | None:
    if unit.kind == "area":
        return unit.code[:2]
    if unit.kind == "lao":
        return db.session.scalar(select(Area.province_code).where(Area.lao_code == unit.code)
                                 .limit(1))
    return None


def by_area(round_: SurveyRound, unit: Unit, level: AreaLevel) -> dict[str, str]:
    if level is AreaLevel.PROVINCE:
        return {s.code: (s.state_of(s.province_decision) or State.COLLECTING).value
                if s.state_of(s.province_decision) else "not_certified"
                for s in province_summaries(round_)}
    province = _province_of(unit)
    if province is None:
        return {}
    units = province_units(round_, province)
    if level is AreaLevel.DISTRICT:
        return {code: u.state.value for (tier, code), u in units.items()
                if tier is Tier.DISTRICT}
    lao_state = {code: u.state for (tier, code), u in units.items() if tier is Tier.LAO}
    villages = db.session.execute(select(Area.code, Area.lao_code).where(
        Area.level.in_(VILLAGE_LEVELS), unit.village_filter(Area.code)))
    if level is AreaLevel.VILLAGE:
        return {code: lao_state[lao].value for code, lao in villages if lao in lao_state}
    worst: dict[str, State] = {}
    for code, lao in villages:
        state = lao_state.get(lao)
        if state is not None:
            current = worst.get(code[:6])
            worst[code[:6]] = state if current is None else min(current, state,
                                                                 key=ORDER.index)
    return {code: state.value for code, state in worst.items()}
