"""The household lifecycle: submit (idempotent by the phone's UUID), correct (optimistic
locking), return for correction, lock. Each change validates, scores, stores, updates the
village rollup and the quality issues in one transaction.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update

from app.areas.models import Area, AreaLevel
from app.auth.models import Role, User
from app.db_types import utcnow
from app.errors import ApiError
from app.extensions import db
from app.personal_data import encrypt, id_hash
from app.thai import BANGKOK
from survey import rollup
from survey.indicators import (
    Outcome,
    evaluate,
    household_expense,
    household_income,
    income_per_person,
    to_masks,
)
from survey.models import (
    Assignment,
    Household,
    HouseholdStatus,
    Member,
    QualityIssue,
    SurveyRound,
)
from survey.questionnaires import as_version
from survey.validation import (
    Issue,
    age_in_years,
    format_be_date,
    mask_national_id,
    parse_be_date,
    validate_household,
)

# Thailand's extent (EPSG:4326), with a margin for islands and GPS error.
THAILAND_BBOX = (97.2, 5.5, 105.7, 20.5)  # min lon, min lat, max lon, max lat
GPS_ACCURACY_WARNING_M = 100
SIGNATURE_MAX_BYTES = 300_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DUPLICATE_NATIONAL_ID = "DUPLICATE_NATIONAL_ID"
EDITABLE = {HouseholdStatus.SUBMITTED.value, HouseholdStatus.RETURNED.value,
            HouseholdStatus.RESUBMITTED.value}


@dataclass
class WriteResult:
    household: Household
    created: bool
    warnings: list[Issue]
    indicators: list | None = None  # the results just computed, when there are any


def _round(year: int) -> SurveyRound:
    round_ = db.session.get(SurveyRound, year)
    if round_ is None:
        raise ApiError(422, "UNKNOWN_ROUND", f"no survey round {year}",
                       errors={"round": [{"error_code": "UNKNOWN_ROUND",
                                          "message": f"ไม่มีรอบการจัดเก็บปี {year}"}]})
    return round_


def submission_hash(payload: dict) -> str:
    """SHA-256 of the canonical JSON payload: equal payloads (whatever the key order or
    spacing the phone used), equal hashes."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _invalid(issues: list[Issue], message: str = "the household has invalid fields"):
    errors: dict[str, list] = {}
    for issue in issues:
        errors.setdefault(issue.field or "_", []).append(
            {"error_code": issue.error_code, "message": issue.message_th})
    return ApiError(422, "VALIDATION_ERROR", message, errors=errors,
                    message_th="ข้อมูลครัวเรือนไม่ถูกต้อง")


def _check_envelope(payload: dict, village: Area, today: date, round_: SurveyRound
                    ) -> tuple[list[Issue], list[Issue]]:
    """What the questionnaire's validation does not know: house-code office, GPS, sign-off,
    interview date."""
    errors, warnings = [], []
    house_code = payload.get("house_code")
    if isinstance(house_code, str) and len(house_code) == 11 and house_code.isdigit():
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
    elif signature_bytes(signoff.get("signature_png")) is None:
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


def _village(code: str) -> Area:
    village = db.session.get(Area, code) if isinstance(code, str) else None
    if village is None or village.level not in (AreaLevel.VILLAGE.value,
                                                AreaLevel.COMMUNITY.value):
        raise _invalid([Issue("village_code", "UNKNOWN_VILLAGE",
                              f"ไม่พบหมู่บ้าน/ชุมชนรหัส {code} ในทะเบียน")])
    return village


def require_assignment(user: User, round_year: int, village_code: str) -> None:
    """Enumerators write only in the villages/communities they are assigned to."""
    if user.role != Role.ENUMERATOR.value:
        return
    assigned = db.session.get(Assignment, (round_year, village_code, user.id))
    if assigned is None:
        raise ApiError(403, "NOT_ASSIGNED",
                       f"not assigned to {village_code} in round {round_year}",
                       message_th="ท่านไม่ได้รับมอบหมายให้จัดเก็บข้อมูลในหมู่บ้าน/ชุมชนนี้")


def _validate(payload: dict, round_: SurveyRound, village: Area) -> list[Issue]:
    """Raise 422 with every error; return the warnings."""
    today = payload["interviewed_on"]
    report = validate_household(round_.questionnaire_version, payload, today=today)
    errors, warnings = _check_envelope(payload, village, today, round_)
    if report.errors or errors:
        raise _invalid(list(report.errors) + errors)
    return list(report.warnings) + warnings


def _fill(household: Household, payload: dict, round_: SurveyRound, village: Area) -> list:
    """Copy the payload onto the household, score it, and rebuild its members. Returns the
    indicator results."""
    version = as_version(round_.questionnaire_version)
    today = payload["interviewed_on"]
    results = evaluate(version, payload, as_of=today, income_line=round_.income_line)
    applicable, passed = to_masks(results)
    gps = payload.get("gps") or {}
    signoff = payload["head_signoff"]
    household.round_year = round_.year
    household.province_code = village.province_code
    household.village_code = village.code
    household.lao_code = village.lao_code
    household.house_code = payload.get("house_code")
    household.house_number = payload.get("house_number")
    household.address = payload.get("address")
    household.residence_land = payload.get("residence_land")
    household.occupation_land = payload.get("occupation_land")
    household.answers = payload.get("answers") or {}
    household.happiness = payload.get("happiness")
    household.gps_lat, household.gps_lon = gps.get("lat"), gps.get("lon")
    household.gps_accuracy_m = gps.get("accuracy_m")
    household.gps_missing_reason = None if gps else payload.get("gps_missing_reason")
    household.interviewed_on = today
    household.signed_by = signoff["name"]
    household.signed_at = signoff["signed_at"]
    household.signature_png = signature_bytes(signoff["signature_png"])
    household.member_count = len(payload["members"])
    household.applicable_mask, household.passed_mask = applicable, passed
    household.incomplete_mask = sum(1 << (r.number - 1) for r in results
                                    if r.outcome is Outcome.INCOMPLETE)
    household.income_total = household_income(version, payload) or 0
    household.expense_total = household_expense(version, payload) or 0
    household.income_per_person = income_per_person(version, payload)
    household.updated_at = utcnow()
    household.members = [_member(line, m, today) for line, m in
                         enumerate(payload["members"], start=1)]
    return results


PERSONAL_MEMBER_FIELDS = {"prefix", "first_name", "last_name", "national_id", "birth_date",
                          "sex", "is_head"}


def _member(line: int, data: dict, today: date) -> Member:
    birth = parse_be_date(data["birth_date"])
    national_id = data["national_id"]
    return Member(line_no=line, is_head=bool(data.get("is_head")), prefix=data.get("prefix"),
                  first_name=data["first_name"], last_name=data["last_name"], sex=data["sex"],
                  birth_date=birth, age_years=age_in_years(birth, today),
                  national_id_hash=id_hash(national_id),
                  national_id_masked=mask_national_id(national_id),
                  national_id_encrypted=encrypt(national_id),
                  attributes={k: v for k, v in data.items()
                              if k not in PERSONAL_MEMBER_FIELDS})


def _refresh_duplicate_ids(household: Household, *, new: bool = False) -> None:
    """Flag (both ways) every other household of the round holding one of these people.
    A ``new`` household has no flags yet to clear."""
    if not new:
        db.session.execute(delete(QualityIssue).where(
            QualityIssue.kind == DUPLICATE_NATIONAL_ID, QualityIssue.resolved_at.is_(None),
            or_(QualityIssue.household_id == household.id,
                QualityIssue.other_household_id == household.id)))
    if household.status == HouseholdStatus.LOCKED.value:
        return
    lines = {m.national_id_hash: m.line_no for m in household.members}
    clashes = db.session.execute(
        select(Member.household_id, Member.line_no, Member.national_id_hash,
               Household.village_code)
        .join(Household, Household.id == Member.household_id)
        .where(Member.national_id_hash.in_(list(lines)), Household.id != household.id,
               Household.round_year == household.round_year)).all()
    for other_id, other_line, hashed, other_village in clashes:
        db.session.add(QualityIssue(
            round_year=household.round_year, household_id=household.id,
            village_code=household.village_code, kind=DUPLICATE_NATIONAL_ID,
            other_household_id=other_id,
            detail={"line_no": lines[hashed], "other_line_no": other_line,
                    "other_village_code": other_village}))
        db.session.add(QualityIssue(
            round_year=household.round_year, household_id=other_id,
            village_code=other_village, kind=DUPLICATE_NATIONAL_ID,
            other_household_id=household.id,
            detail={"line_no": other_line, "other_line_no": lines[hashed],
                    "other_village_code": household.village_code}))


def _conflict(field: str, code: str, existing_id: str, message: str, message_th: str):
    """A 409 that names the field and the stored household it clashes with."""
    return ApiError(409, code, message, message_th=message_th,
                    errors={field: [{"error_code": code, "message": message_th,
                                     "existing_id": existing_id}]})


def _check_house_code_free(household_id: str, round_year: int, house_code: str | None):
    if not house_code:
        return
    existing = db.session.scalar(select(Household.id).where(
        Household.round_year == round_year, Household.house_code == house_code,
        Household.id != household_id))
    if existing is not None:
        raise _conflict("house_code", "DUPLICATE_HOUSE_CODE", existing,
                        f"house code {house_code} is already recorded in round {round_year}",
                        "รหัสบ้านนี้ถูกบันทึกแล้วในรอบนี้")


def submit(user: User, payload: dict, raw: dict) -> WriteResult:
    """Store a new household, or return the stored one when this is a replay.

    ``payload`` is the parsed body, ``raw`` the JSON as sent (for the replay check)."""
    household_id = str(payload["client_uuid"])
    digest = submission_hash(raw)
    existing = db.session.get(Household, household_id)
    if existing is not None:
        if existing.payload_hash != digest:
            raise _conflict("client_uuid", "UUID_CONFLICT", household_id,
                            f"household {household_id} exists with different content",
                            "มีข้อมูลครัวเรือนอื่นใช้รหัสอ้างอิงนี้แล้ว")
        return WriteResult(existing, created=False, warnings=[])
    round_ = _round(payload["round"])
    village = _village(payload["village_code"])
    require_assignment(user, round_.year, village.code)
    warnings = _validate(payload, round_, village)
    _check_house_code_free(household_id, round_.year, payload.get("house_code"))
    household = Household(id=household_id, enumerator_id=user.id, payload_hash=digest,
                          status=HouseholdStatus.SUBMITTED.value, created_at=utcnow())
    results = _fill(household, payload, round_, village)
    db.session.add(household)
    db.session.flush()
    _refresh_duplicate_ids(household, new=True)
    rollup.apply_change(round_, village.code, old=None, new=rollup.contribution(household, round_))
    db.session.commit()
    return WriteResult(household, created=True, warnings=warnings, indicators=results)


def _editable(household: Household) -> None:
    if household.status == HouseholdStatus.LOCKED.value:
        raise ApiError(409, "HOUSEHOLD_LOCKED",
                       "the household's area is certified; it can no longer change",
                       message_th="พื้นที่นี้รับรองข้อมูลแล้ว ไม่สามารถแก้ไขได้")


def check_version(household: Household, if_match: str | None) -> None:
    """Optimistic locking: 428 without If-Match, 412 when it names an older version."""
    if not if_match:
        raise ApiError(428, "IF_MATCH_REQUIRED",
                       "send If-Match with the ETag of the version you edited",
                       message_th="ต้องระบุรุ่นของข้อมูลที่แก้ไข (If-Match)")
    if if_match.strip() not in (etag(household), "*"):
        raise ApiError(412, "VERSION_MISMATCH",
                       f"the household changed since you read it (now {etag(household)})",
                       message_th="ข้อมูลถูกแก้ไขไปแล้วโดยผู้อื่น กรุณาโหลดข้อมูลล่าสุด")


def etag(household: Household) -> str:
    return f'"{household.version}"'


def correct(user: User, household: Household, payload: dict, if_match: str | None
            ) -> WriteResult:
    """Replace a household's content. A returned household becomes resubmitted."""
    check_version(household, if_match)
    _editable(household)
    if str(payload["client_uuid"]) != household.id:
        raise _invalid([Issue("client_uuid", "UUID_MISMATCH",
                              "รหัสอ้างอิงไม่ตรงกับครัวเรือนที่แก้ไข")])
    round_ = _round(household.round_year)
    if payload["round"] != household.round_year:
        raise _invalid([Issue("round", "ROUND_MISMATCH", "ไม่สามารถย้ายครัวเรือนไปรอบอื่นได้")])
    village = _village(payload["village_code"])
    require_assignment(user, round_.year, village.code)
    warnings = _validate(payload, round_, village)
    _check_house_code_free(household.id, round_.year, payload.get("house_code"))
    old_village, old = household.village_code, rollup.contribution(household, round_)
    if household.status == HouseholdStatus.RETURNED.value:
        household.status = HouseholdStatus.RESUBMITTED.value
    results = _fill(household, payload, round_, village)
    db.session.flush()
    _refresh_duplicate_ids(household)
    new = rollup.contribution(household, round_)
    if old_village == village.code:
        rollup.apply_change(round_, village.code, old=old, new=new)
    else:
        rollup.apply_change(round_, old_village, old=old, new=None)
        rollup.apply_change(round_, village.code, old=None, new=new)
    db.session.commit()
    return WriteResult(household, created=False, warnings=warnings, indicators=results)


def return_for_correction(user: User, household: Household, reason: str) -> Household:
    """Send a household back to the enumerators of its village, with the reason."""
    _editable(household)
    if household.status == HouseholdStatus.RETURNED.value:
        raise ApiError(409, "ALREADY_RETURNED", "the household is already returned",
                       message_th="ครัวเรือนนี้ถูกส่งกลับให้แก้ไขอยู่แล้ว")
    round_ = _round(household.round_year)
    old = rollup.contribution(household, round_)
    household.status = HouseholdStatus.RETURNED.value
    household.return_reason = reason
    household.returned_by_id = user.id
    household.returned_at = utcnow()
    household.updated_at = utcnow()
    rollup.apply_change(round_, household.village_code, old=old,
                        new=rollup.contribution(household, round_))
    db.session.commit()
    return household


def lock_villages(round_year: int, village_codes: list[str]) -> int:
    """Lock every household of these villages (their area is certified). Refused while a
    household there is still returned for correction. Figures do not change, so rollup
    revisions stay as they are. Returns the number locked."""
    outstanding = db.session.scalar(select(func.count()).where(
        Household.round_year == round_year, Household.village_code.in_(village_codes),
        Household.status == HouseholdStatus.RETURNED.value))
    if outstanding:
        raise ApiError(409, "RETURNS_OUTSTANDING",
                       f"{outstanding} household(s) are still returned for correction",
                       message_th=f"ยังมีครัวเรือนที่ส่งกลับให้แก้ไข {outstanding:,} ครัวเรือน")
    result = db.session.execute(
        update(Household)
        .where(Household.round_year == round_year, Household.village_code.in_(village_codes),
               Household.status != HouseholdStatus.LOCKED.value)
        .values(status=HouseholdStatus.LOCKED.value, version=Household.version + 1,
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def household_as_payload(household: Household) -> dict:
    """The stored household in the payload shape the indicators read (without personal
    data), so results and reasons can be shown again without storing them."""
    members = [{**m.attributes, "sex": m.sex, "is_head": m.is_head,
                "birth_date": format_be_date(m.birth_date) if m.birth_date else None}
               for m in household.members]
    return {"house_code": household.house_code, "village_code": household.village_code,
            "members": members, "answers": household.answers, "happiness": household.happiness,
            "residence_land": household.residence_land,
            "occupation_land": household.occupation_land}


def indicator_results(household: Household):
    round_ = db.session.get(SurveyRound, household.round_year)
    return evaluate(round_.questionnaire_version, household_as_payload(household),
                    as_of=household.interviewed_on, income_line=round_.income_line)
