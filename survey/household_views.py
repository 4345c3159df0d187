"""One household as a caller may see it: the lookup that answers a household the caller may
not see exactly like a missing one, the view with personal data only for roles allowed it,
and its history. The API and the household pages both use these."""
from __future__ import annotations

from sqlalchemy import select

from app.areas.queries import get_area
from app.auth.guard import audit_denial, authenticated_user, deny, require
from app.auth.models import User
from app.auth.policy import Action, may, role_allows
from app.errors import Problem
from app.extensions import db
from app.personal_data import decrypt
from survey import access
from survey.models import (
    STATUS_TH,
    Household,
    HouseholdHistory,
    HouseholdStatus,
    SurveyRound,
)
from survey.questionnaires import as_version
from survey.validation import INCOMPLETE_REASONS, format_be_date

# Coordinates shown to roles without personal-data rights: about 1 km, enough for a map.
COARSE_GPS_DECIMALS = 2


def household_for(household_id: str, action: Action) -> tuple[Household, User]:
    """The household and the caller, if the caller may do ``action`` on it. A household
    the caller may not see is answered exactly like one that does not exist (404)."""
    user = authenticated_user()
    if not role_allows(user, Action.HOUSEHOLD_READ) or not role_allows(user, action):
        deny(user, action, None)
    household = db.session.get(Household, household_id)
    if household is None or not access.may_see(user, household):
        if household is not None:
            audit_denial(user, action, household.village_code)
        raise Problem("UNKNOWN_HOUSEHOLD", id=household_id)
    return household, require(action, area=get_area(household.village_code))


def household_view(household: Household, user) -> dict:
    """The household as the caller may see it. Whatever identifies a person — names,
    national IDs, birth dates, the signer, the address and the exact GPS point — only for
    roles allowed personal data; others get coordinates rounded to about a kilometre."""
    village = get_area(household.village_code)
    personal = may(user, Action.PERSONAL_DATA_READ, area=village)
    members = []
    for m in household.members:
        member = {"line_no": m.line_no, "is_head": m.is_head, "sex": m.sex,
                  "age_years": m.age_years, "national_id_masked": m.national_id_masked,
                  "attributes": m.attributes}
        if personal:
            member.update(prefix=m.prefix, first_name=m.first_name, last_name=m.last_name,
                          national_id=decrypt(m.national_id_encrypted),
                          birth_date=format_be_date(m.birth_date))
        members.append(member)
    returned = None
    if household.returned_at is not None:
        by = db.session.get(User, household.returned_by_id)
        returned = {"reason": household.return_reason, "by": household.returned_by_id,
                    "by_name": by.display_name if by else None, "by_role_th": by.role_th
                    if by else None, "at": household.returned_at.isoformat()}
    gps = None
    if household.gps_lat is not None:
        gps = {"lat": household.gps_lat, "lon": household.gps_lon,
               "accuracy_m": household.gps_accuracy_m}
        if not personal:
            gps = {"lat": round(household.gps_lat, COARSE_GPS_DECIMALS),
                   "lon": round(household.gps_lon, COARSE_GPS_DECIMALS), "accuracy_m": None,
                   "coarse": True}
    names = ["id", "round_year", "village_code", "house_code", "status", "version",
             "interviewed_on", "gps_missing_reason", "signed_at", "enumerator_confirmed_at",
             "member_count", "answers",
             "happiness", "incomplete_reason", "incomplete_note", "residence_land",
             "occupation_land", "income_total", "expense_total", "income_per_person",
             "rules_version", "created_at", "updated_at"]
    if personal:
        names += ["house_number", "address", "signed_by"]
    fields = {name: getattr(household, name) for name in names}
    return {**fields, "lao_code": village.lao_code,
            "status_th": STATUS_TH[HouseholdStatus(household.status)], "gps": gps,
            "incomplete_reason_th": incomplete_reason_th(household),
            "members": members, "indicators": household.indicator_results,
            "returned": returned, "warnings": household.warnings or []}


def incomplete_reason_th(household: Household) -> str | None:
    """The Thai label of a partial household's reason, from its round's questionnaire."""
    if household.incomplete_reason is None:
        return None
    version = as_version(db.session.get(SurveyRound, household.round_year).questionnaire_version)
    entry = version.code_lists[INCOMPLETE_REASONS].entry(household.incomplete_reason)
    return entry["label_th"] if entry else household.incomplete_reason


def history(household: Household) -> list[dict]:
    """Every change to the household, oldest first, with the actor's name and role."""
    rows = db.session.execute(
        select(HouseholdHistory, User.display_name)
        .outerjoin(User, User.id == HouseholdHistory.actor_id)
        .where(HouseholdHistory.household_id == household.id)
        .order_by(HouseholdHistory.id)).all()
    return [{"at": h.at, "action": h.action, "version": h.version, "reason": h.reason,
             "detail": h.detail, "actor_id": h.actor_id, "actor_name": name,
             "actor_role": h.actor_role} for h, name in rows]
