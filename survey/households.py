"""The household lifecycle as operations: submit (idempotent by the phone's UUID), correct
(optimistic locking), move to another village, return for correction, lock.

Each operation checks the state, validates and scores, stores the household, updates the
village rollup and the quality issues, and writes a household history row (who, role, when,
what, why) — then *flushes*. The caller (a route or a certification) commits, so a change
and whatever caused it commit together or not at all. Errors are catalogue ``Problem``s.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections import Counter
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, literal, or_, select, update

from app.areas.models import VILLAGE_LEVELS, Area, AreaLevel
from app.auth.models import User
from app.auth.policy import Action, may
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db
from app.geometry import THAILAND_BBOX
from app.personal_data import encrypt, id_hash
from app.text import has_letter, normalise_text
from app.thai import BANGKOK
from app.units import Unit
from survey import rollup
from survey.access import in_unit, require_assignment
from survey.indicators import (
    Outcome,
    evaluate,
    household_expense,
    household_income,
    income_per_person,
    results_as_json,
    rules_version,
    to_masks,
)
from survey.models import (
    Household,
    HouseholdAction,
    HouseholdHistory,
    HouseholdStatus,
    Member,
    QualityIssue,
    SurveyRound,
)
from survey.questionnaires import as_version
from survey.validation import (
    HOUSE_CODE,
    Issue,
    age_in_years,
    mask_national_id,
    parse_be_date,
    validate_household,
)

GPS_ACCURACY_WARNING_M = 100
SIGNATURE_MAX_BYTES = 300_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DUPLICATE_NATIONAL_ID = "DUPLICATE_NATIONAL_ID"
EDITABLE = {HouseholdStatus.SUBMITTED.value, HouseholdStatus.RETURNED.value,
            HouseholdStatus.RESUBMITTED.value}


def get_round(year: int) -> SurveyRound:
    round_ = db.session.get(SurveyRound, year)
    if round_ is None:
        raise Problem("UNKNOWN_ROUND", year=year)
    return round_


def submission_hash(payload: dict) -> str:
    """SHA-256 of the canonical JSON payload: equal payloads (whatever the key order or
    spacing the phone used), equal hashes."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _invalid(issues: list[Issue]) -> Problem:
    errors: dict[str, list] = {}
    for issue in issues:
        errors.setdefault(issue.field or "_", []).append(
            {"error_code": issue.error_code, "message": issue.message_th})
    return Problem("VALIDATION_ERROR", errors=errors)


def _check_envelope(payload: dict, village: Area, today: date, round_: SurveyRound
                    ) -> tuple[list[Issue], list[Issue]]:
    """What the questionnaire's validation does not know: house-code office, GPS, sign-off,
    interview date."""
    errors, warnings = [], []
    house_code = payload.get("house_code")
    if isinstance(house_code, str) and HOUSE_CODE.fullmatch(house_code):
        if not _is_registration_office(house_code[:4], village.province_code):
            errors.append(Issue("house_code", "HOUSE_CODE_OFFICE",
                                f"รหัสบ้าน 4 หลักแรก ({house_code[:4]}) ไม่ใช่สำนักทะเบียนใน"
                                f"จังหวัดของหมู่บ้านนี้ ({village.province_code})"))
    gps = payload.get("gps")
    if gps is None:
        if not (payload.get("gps_missing_reason") or "").strip():
            errors.append(Issue("gps_missing_reason", "GPS_REASON_REQUIRED",
                                "ไม่มีพิกัด GPS กรุณาระบุเหตุผล"))
    else:
        min_lon, min_lat, max_lon, max_lat = THAILAND_BBOX
        if not (min_lat <= gps["lat"] <= max_lat and min_lon <= gps["lon"] <= max_lon):
            errors.append(Issue("gps", "GPS_OUTSIDE_THAILAND", "พิกัด GPS อยู่นอกประเทศไทย"))
        elif (gps.get("accuracy_m") or 0) > GPS_ACCURACY_WARNING_M:
            warnings.append(Issue("gps.accuracy_m", "GPS_INACCURATE",
                                  f"พิกัดคลาดเคลื่อนได้ถึง {gps['accuracy_m']:,.0f} เมตร"))
    signoff = payload.get("head_signoff")
    if not signoff:
        errors.append(Issue("head_signoff", "SIGNOFF_REQUIRED",
                            "ต้องมีลายมือชื่อหัวหน้าครัวเรือนหรือผู้แทนก่อนส่งข้อมูล"))
    else:
        if not has_letter(signoff["name"]):
            errors.append(Issue("head_signoff.name", "NAME_NOT_TEXT",
                                "ชื่อผู้ลงนามต้องมีตัวอักษร"))
        if signature_bytes(signoff.get("signature_png")) is None:
            errors.append(Issue("head_signoff.signature_png", "SIGNATURE_INVALID",
                                "ลายมือชื่อต้องเป็นภาพ PNG (base64) ขนาดไม่เกิน 300 KB"))
    if today > datetime.now(BANGKOK).date():
        errors.append(Issue("interviewed_on", "INTERVIEW_DATE_FUTURE",
                            "วันที่สัมภาษณ์อยู่ในอนาคต"))
    elif not round_.collection_start <= today <= round_.collection_end:
        warnings.append(Issue("interviewed_on", "INTERVIEW_OUTSIDE_WINDOW",
                              "วันที่สัมภาษณ์อยู่นอกช่วงเวลาจัดเก็บของรอบนี้"))
    return errors, warnings


def _is_registration_office(office: str, province_code: str) -> bool:
    """A district of the province, or a municipal registration office (PP50–PP99)."""
    if office[:2] != province_code:
        return False
    return int(office[2:]) >= 50 or office in _district_codes(province_code)


@functools.lru_cache(maxsize=128)
def _district_codes(province_code: str) -> frozenset[str]:
    """The official districts of a province (reference data: fixed while the app runs)."""
    return frozenset(db.session.scalars(select(Area.code).where(
        Area.parent_code == province_code, Area.level == AreaLevel.DISTRICT.value)))


def signature_bytes(value) -> bytes | None:
    """The PNG bytes of a base64 signature (a ``data:image/png;base64,`` URL is accepted)."""
    if not isinstance(value, str):
        return None
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data.startswith(PNG_MAGIC) or len(data) > SIGNATURE_MAX_BYTES:
        return None
    return data


def get_village(code: str) -> Area:
    village = db.session.get(Area, code) if isinstance(code, str) else None
    if village is None or village.level not in VILLAGE_LEVELS:
        raise unknown_village(code)
    return village


def unknown_village(code) -> Problem:
    return _invalid([Issue("village_code", "UNKNOWN_VILLAGE",
                           f"ไม่พบหมู่บ้าน/ชุมชนรหัส {code} ในทะเบียน")])


def validated(payload: dict, round_: SurveyRound, village: Area) -> tuple[dict, list[Issue]]:
    """The payload as it will be stored (text in NFC, answers the household was not asked
    dropped, the reason for missing answers kept only when answers are missing) and the
    warnings; a 422 ``Problem`` with every error (an unanswered question without a reason
    is one)."""
    payload = normalise_text(payload)
    today = payload["interviewed_on"]
    report = validate_household(round_.questionnaire_version, payload, today=today)
    errors, warnings = _check_envelope(payload, village, today, round_)
    if report.errors or errors:
        raise _invalid(list(report.errors) + errors)
    if report.dropped:
        payload["answers"] = {k: v for k, v in payload["answers"].items()
                              if k not in report.dropped}
    note = (payload.get("incomplete_note") or "").strip()
    payload["incomplete_reason"] = payload.get("incomplete_reason") if report.partial else None
    payload["incomplete_note"] = (note or None) if report.partial else None
    return payload, list(report.warnings) + warnings


def household_values(payload: dict, round_: SurveyRound, village: Area,
                     warnings: list[Issue] = ()) -> dict:
    """The columns a validated payload gives its household: the answers as stored, the
    scores (stored with it: every later view reads them) and its warnings. Shared by the
    ORM operations (``_fill``) and the set-based submission (``survey.submission``)."""
    version = as_version(round_.questionnaire_version)
    today = payload["interviewed_on"]
    results = evaluate(version, payload, as_of=today, income_line=round_.income_line)
    applicable, passed = to_masks(results)
    gps = payload.get("gps") or {}
    signoff = payload["head_signoff"]
    per_person = income_per_person(version, payload)
    stored_warnings = [{"field": w.field, "code": w.error_code, "message_th": w.message_th}
                       for w in warnings]
    return dict(
        round_year=round_.year, province_code=village.province_code, village_code=village.code,
        house_code=payload.get("house_code"), house_number=payload.get("house_number"),
        address=payload.get("address"), residence_land=payload.get("residence_land"),
        occupation_land=payload.get("occupation_land"), answers=payload.get("answers") or {},
        happiness=payload.get("happiness"), incomplete_reason=payload["incomplete_reason"],
        incomplete_note=payload["incomplete_note"], gps_lat=gps.get("lat"),
        gps_lon=gps.get("lon"), gps_accuracy_m=gps.get("accuracy_m"),
        gps_missing_reason=None if gps else payload.get("gps_missing_reason"),
        interviewed_on=today, signed_by=signoff["name"], signed_at=signoff["signed_at"],
        enumerator_confirmed_at=signoff.get("enumerator_confirmed_at"),
        signature_png=signature_bytes(signoff["signature_png"]),
        member_count=len(payload["members"]), indicator_results=results_as_json(results),
        rules_version=rules_version(version), applicable_mask=applicable, passed_mask=passed,
        incomplete_mask=sum(1 << (r.number - 1) for r in results
                            if r.outcome is Outcome.INCOMPLETE),
        income_total=household_income(version, payload),
        expense_total=household_expense(version, payload), income_per_person=per_person,
        below_income_line=per_person is not None and per_person < round_.income_line,
        warnings=stored_warnings, warning_count=len(stored_warnings), updated_at=utcnow())


def member_rows(payload: dict) -> list[dict]:
    """The household's members as rows (line numbers from 1, in the order sent)."""
    today = payload["interviewed_on"]
    return [_member_row(line, m, today) for line, m in enumerate(payload["members"], start=1)]


def _fill(household: Household, payload: dict, round_: SurveyRound, village: Area,
          warnings: list[Issue] = ()) -> None:
    """Copy a validated payload onto the household object and rebuild its members."""
    for name, value in household_values(payload, round_, village, warnings).items():
        setattr(household, name, value)
    household.members = [Member(**row) for row in member_rows(payload)]


PERSONAL_MEMBER_FIELDS = {"prefix", "first_name", "last_name", "national_id", "birth_date",
                          "sex", "is_head"}


def _member_row(line: int, data: dict, today: date) -> dict:
    birth = parse_be_date(data["birth_date"])
    national_id = data["national_id"]
    return dict(line_no=line, is_head=bool(data.get("is_head")), prefix=data.get("prefix"),
                first_name=data["first_name"], last_name=data["last_name"], sex=data["sex"],
                birth_date=birth, age_years=age_in_years(birth, today),
                national_id_hash=id_hash(national_id),
                national_id_masked=mask_national_id(national_id),
                national_id_encrypted=encrypt(national_id),
                attributes={k: v for k, v in data.items() if k not in PERSONAL_MEMBER_FIELDS})


def _refresh_duplicate_ids(household: Household) -> None:
    """After a correction: clear the household's open shared-ID flags and flag (both ways)
    every other household of the round holding one of its people now."""
    db.session.execute(delete(QualityIssue).where(
        QualityIssue.kind == DUPLICATE_NATIONAL_ID, QualityIssue.resolved_at.is_(None),
        or_(QualityIssue.household_id == household.id,
            QualityIssue.other_household_id == household.id)))
    if household.status == HouseholdStatus.LOCKED.value:
        return
    flag_duplicate_ids(household.round_year, {household.id: (
        household.village_code, {m.national_id_hash: m.line_no for m in household.members})})


@functools.cache
def _holders_query():
    """Who holds these ID hashes, in any round (the round is filtered after: led by the
    hash index alone, the plan stays an index lookup whatever the table statistics say,
    where a filter on the round made PostgreSQL scan the round's households first)."""
    members, households = Member.__table__, Household.__table__
    return (select(members.c.household_id, members.c.line_no, members.c.national_id_hash,
                   households.c.village_code, households.c.round_year)
            .join(households, households.c.id == members.c.household_id)
            .where(members.c.national_id_hash.in_(bindparam("hashes", expanding=True))))


def flag_duplicate_ids(round_year: int, people: dict[str, tuple[str, dict[str, int]]]) -> None:
    """Flag, both ways, every household of the round that holds a person of ``people``
    (household id → its village and its members' ID hashes → line numbers), whose members
    are already written: one query for any number of households, one insert of the flags
    (two new households holding the same person are flagged once each way)."""
    hashes = {hashed for _, lines in people.values() for hashed in lines}
    if not hashes:
        return
    holders: dict[str, list] = {}
    for row in db.session.execute(_holders_query(), {"hashes": sorted(hashes)}):
        if row.round_year == round_year:
            holders.setdefault(row.national_id_hash, []).append(row)
    flags = {}
    for household_id, (village_code, lines) in people.items():
        for hashed, line in lines.items():
            for other_id, other_line, _, other_village, _ in holders.get(hashed, ()):
                if other_id == household_id:
                    continue
                pair = ((household_id, village_code, line), (other_id, other_village, other_line))
                for this, that in (pair, pair[::-1]):
                    flags[this[0], that[0], this[2], that[2]] = dict(
                        round_year=round_year, household_id=this[0], village_code=this[1],
                        kind=DUPLICATE_NATIONAL_ID, other_household_id=that[0],
                        detail={"line_no": this[2], "other_line_no": that[2],
                                "other_village_code": that[1]}, created_at=utcnow())
    if flags:
        db.session.execute(insert(QualityIssue.__table__), list(flags.values()))


def check_house_code_free(user: User, household_id: str, round_year: int,
                           house_code: str | None) -> None:
    """409 when another household of the round has this house code. The answer names the
    other household only to a caller who may see it."""
    if not house_code:
        return
    existing = db.session.execute(select(
        Household.id, Household.village_code, Household.house_number).where(
        Household.round_year == round_year, Household.house_code == house_code,
        Household.id != household_id)).first()
    if existing is None:
        return
    detail = {"error_code": "DUPLICATE_HOUSE_CODE", "message": "รหัสบ้านนี้ถูกบันทึกแล้วในรอบนี้"}
    village = db.session.get(Area, existing.village_code)
    if may(user, Action.HOUSEHOLD_READ, area=village):  # so the phone can show which one
        detail.update(existing_id=existing.id, existing_house_number=existing.house_number,
                      existing_village_code=village.code, existing_village_name_th=village.name_th)
    raise Problem("DUPLICATE_HOUSE_CODE", house_code=house_code, year=round_year,
                  errors={"house_code": [detail]})


def history_row(actor: User, household_id: str, round_year: int, village_code: str,
                action: HouseholdAction, version: int, *, reason: str | None = None,
                detail: dict | None = None) -> dict:
    """The history row of a change: who, in which role, when, what, why."""
    return dict(household_id=household_id, round_year=round_year, village_code=village_code,
                at=utcnow(), actor_id=actor.id, actor_role=actor.role, action=action.value,
                version=version, reason=reason, detail=detail)


def _record(actor: User, household: Household, action: HouseholdAction, *,
            reason: str | None = None, detail: dict | None = None) -> None:
    """The history row of a change to a household object (flushed with it by the caller's
    transaction)."""
    db.session.add(HouseholdHistory(**history_row(
        actor, household.id, household.round_year, household.village_code, action,
        household.version or 1, reason=reason, detail=detail)))


def partial_detail(incomplete_reason: str | None) -> dict:
    """What the history keeps of a partial household: its reason code (a code, never the
    note, whose free text stays out of the history like every value)."""
    return {} if incomplete_reason is None else {"incomplete_reason": incomplete_reason}


def replay(user: User, household_id: str, payload_hash: str) -> Household | None:
    """The stored household when a body of this ``submission_hash`` is a replay of the
    caller's own submission;
    None when nothing is stored under the UUID; 409 when the UUID holds other content or
    another user's household (which the answer does not describe)."""
    existing = db.session.get(Household, household_id)
    if existing is None:
        return None
    if existing.enumerator_id != user.id or existing.payload_hash != payload_hash:
        raise Problem("UUID_CONFLICT", id=household_id, errors={"client_uuid": [
            {"error_code": "UUID_CONFLICT", "message": "มีข้อมูลครัวเรือนอื่นใช้รหัสอ้างอิงนี้แล้ว"}]})
    return existing


def _editable(household: Household) -> None:
    if household.status == HouseholdStatus.LOCKED.value:
        raise Problem("HOUSEHOLD_LOCKED")


def check_version(household: Household, if_match: str | None) -> None:
    """Optimistic locking: 428 without If-Match, 412 when it names an older version."""
    if not if_match:
        raise Problem("IF_MATCH_REQUIRED")
    if if_match.strip() not in (etag(household), "*"):
        raise Problem("VERSION_MISMATCH", headers={"ETag": etag(household)})


def etag(household: Household) -> str:
    return f'"{household.version}"'


# What a correction may change, compared before and after to say in the history which
# fields changed (names of fields, never their values).
_COMPARED = ("house_code", "house_number", "address", "residence_land", "occupation_land",
             "happiness", "incomplete_reason", "incomplete_note", "gps_lat", "gps_lon",
             "gps_accuracy_m", "gps_missing_reason", "interviewed_on", "signed_by",
             "signed_at", "signature_png")


def _snapshot(household: Household) -> dict:
    fields = {name: getattr(household, name) for name in _COMPARED}
    fields.update({f"answers.{k}": v for k, v in (household.answers or {}).items()})
    fields.update({f"members[{m.line_no - 1}]": (
        m.is_head, m.prefix, m.first_name, m.last_name, m.sex, m.birth_date,
        m.national_id_hash, m.attributes) for m in household.members})
    return fields


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def correct(user: User, household: Household, payload: dict, if_match: str | None
            ) -> Household:
    """Replace a household's content in its own village (moving is ``move``). A returned
    household becomes resubmitted; a locked one cannot change."""
    check_version(household, if_match)
    _editable(household)
    mismatches = [Issue(field, code, message) for field, code, message, wrong in (
        ("client_uuid", "UUID_MISMATCH", "รหัสอ้างอิงไม่ตรงกับครัวเรือนที่แก้ไข",
         str(payload["client_uuid"]) != household.id),
        ("round", "ROUND_MISMATCH", "ไม่สามารถย้ายครัวเรือนไปรอบอื่นได้",
         payload["round"] != household.round_year),
        ("village_code", "VILLAGE_CHANGE_NOT_ALLOWED",
         "การแก้ไขข้อมูลเปลี่ยนหมู่บ้านไม่ได้ ให้ใช้การย้ายครัวเรือน",
         payload["village_code"] != household.village_code)) if wrong]
    if mismatches:
        raise _invalid(mismatches)
    round_ = get_round(household.round_year)
    village = get_village(household.village_code)
    require_assignment(user, round_.year, village.code)
    payload, warnings = validated(payload, round_, village)
    check_house_code_free(user, household.id, round_.year, payload.get("house_code"))
    before, old = _snapshot(household), rollup.contribution(household, round_)
    if household.status == HouseholdStatus.RETURNED.value:
        household.status = HouseholdStatus.RESUBMITTED.value
    _fill(household, payload, round_, village, warnings)
    household.updated_by_id = user.id
    db.session.flush()  # bumps the version; a concurrent correction fails here (412)
    _refresh_duplicate_ids(household)
    rollup.apply_change(round_, village.code, old=old, new=rollup.contribution(household, round_))
    _record(user, household, HouseholdAction.CORRECTED,
            detail={"fields": _changed(before, _snapshot(household)),
                    **partial_detail(household.incomplete_reason)})
    db.session.flush()
    return household


def move(user: User, household: Household, village: Area, reason: str,
         if_match: str | None) -> Household:
    """Move a household to another village/community of the same round (it was recorded
    under the wrong one). An enumerator must be assigned to both; the move and its reason
    are in the history."""
    check_version(household, if_match)
    _editable(household)
    if village.code == household.village_code:
        raise Problem("SAME_VILLAGE", code=village.code)
    round_ = get_round(household.round_year)
    require_assignment(user, round_.year, household.village_code)
    require_assignment(user, round_.year, village.code)
    old_village, old = household.village_code, rollup.contribution(household, round_)
    household.village_code = village.code
    household.province_code = village.province_code
    household.updated_by_id = user.id
    household.updated_at = utcnow()
    db.session.flush()
    rollup.apply_many(round_.year, {  # together, in the one lock order (no deadlock)
        old_village: rollup.column_deltas(old, -1),
        village.code: rollup.column_deltas(rollup.contribution(household, round_), +1)})
    db.session.execute(update(QualityIssue).where(QualityIssue.household_id == household.id)
                       .values(village_code=village.code))
    _record(user, household, HouseholdAction.MOVED, reason=reason,
            detail={"from_village": old_village, "to_village": village.code})
    db.session.flush()
    return household


def return_for_correction(user: User, household: Household, reason: str) -> Household:
    """Send a household back to the enumerators of its village, with the reason (every
    return's reason stays in the history)."""
    rollup.apply_deltas(household.round_year, household.village_code,
                        _return(user, household, reason))
    db.session.flush()
    return household


def _return(user: User, household: Household, reason: str) -> Counter:
    """Mark a household returned and write its history row; what the return changes in
    its village's rollup (applied by the caller, with those of other returns)."""
    _editable(household)
    if household.status == HouseholdStatus.RETURNED.value:
        raise Problem("ALREADY_RETURNED")
    round_ = get_round(household.round_year)
    old = rollup.contribution(household, round_)
    household.status = HouseholdStatus.RETURNED.value
    household.return_reason = reason
    household.returned_by_id = user.id
    household.returned_at = household.updated_at = utcnow()
    household.updated_by_id = user.id
    db.session.flush()
    _record(user, household, HouseholdAction.RETURNED, reason=reason)
    return rollup.column_deltas(old, -1) + rollup.column_deltas(
        rollup.contribution(household, round_), +1)


def _set_status(actor: User, round_year: int, unit: Unit, which, *, status: str,
                action: HouseholdAction, reason: str | None = None) -> int:
    """Set-based status change of the unit's households that match ``which``: one
    INSERT … SELECT of history rows and one UPDATE. Returns how many changed."""
    where = (Household.round_year == round_year, in_unit(unit),
             which)
    now = utcnow()
    db.session.execute(insert(HouseholdHistory).from_select(
        ["household_id", "round_year", "village_code", "at", "actor_id", "actor_role",
         "action", "version", "reason"],
        select(Household.id, Household.round_year, Household.village_code,
               literal(now, HouseholdHistory.at.type), literal(actor.id),
               literal(actor.role), literal(action.value), Household.version + 1,
               literal(reason, HouseholdHistory.reason.type)).where(*where)))
    result = db.session.execute(
        update(Household).where(*where)
        .values(status=status, version=Household.version + 1, updated_at=now,
                updated_by_id=actor.id)
        .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()  # loaded households now have other statuses and versions
    return result.rowcount


def lock_area(actor: User, round_year: int, unit: Unit) -> int:
    """Lock every household of the unit (it is certified). Refused while a household there
    is still returned for correction. Figures do not change, so rollup revisions stay as
    they are. Returns the number locked."""
    outstanding = db.session.scalar(select(func.count()).where(
        Household.round_year == round_year, in_unit(unit),
        Household.status == HouseholdStatus.RETURNED.value))
    if outstanding:
        raise Problem("RETURNS_OUTSTANDING", count=outstanding)
    return _set_status(actor, round_year, unit,
                       Household.status != HouseholdStatus.LOCKED.value,
                       status=HouseholdStatus.LOCKED.value, action=HouseholdAction.LOCKED)


def unlock_area(actor: User, round_year: int, unit: Unit, reason: str) -> int:
    """Reopen a certified unit that a higher tier returned: its households can be edited
    again, and every village's revision moves on, so that every certification covering
    them (the unit's and those above it) is stale. Returns the number unlocked."""
    round_ = get_round(round_year)
    count = _set_status(actor, round_year, unit,
                        Household.status == HouseholdStatus.LOCKED.value,
                        status=HouseholdStatus.SUBMITTED.value,
                        action=HouseholdAction.UNLOCKED, reason=reason)
    villages = db.session.scalars(select(Area.code).where(
        Area.level.in_(VILLAGE_LEVELS),
        unit.village_filter(Area.code)).order_by(Area.code))
    rollup.apply_many(round_.year, dict.fromkeys(villages, Counter()))  # revisions + 1
    return count


def return_households(actor: User, items: list[tuple[Household, str]]) -> list[Household]:
    """Return chosen households for correction, each with its reason; a locked one (its
    LAO was certified) is unlocked first. Each return moves its village's revision on, so
    the certifications covering it become stale."""
    returned, changes = [], {}
    for household, reason in items:
        if household.status == HouseholdStatus.LOCKED.value:
            household.status = HouseholdStatus.SUBMITTED.value
            household.updated_by_id = actor.id
            db.session.flush()
            _record(actor, household, HouseholdAction.UNLOCKED, reason=reason)
        village = changes.setdefault(household.round_year, {}).setdefault(
            household.village_code, Counter())
        village.update(_return(actor, household, reason))
        returned.append(household)
    for year, villages in sorted(changes.items()):  # after all: in the one lock order
        rollup.apply_many(year, villages)
    db.session.flush()
    return returned
