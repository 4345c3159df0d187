"""Certification operations. Each checks the transition table and the unit's state, does
the work through survey's services (lock, unlock, return), stores the decision, and
appends to the tamper-evident log — then flushes; the route commits, so a certification
and its lock commit together or not at all."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.areas.queries import get_area
from app.auth.models import ROLE_TH, Role, User
from app.auth.policy import Action, may
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db
from app.text import has_letter, text_problem
from app.thai import BANGKOK, be_date
from certification import log, packs, snapshot
from certification.models import Decision
from certification.units import UnitStatus, unit_status
from certification.workflow import MEETING_TIERS, Decide, State, Tier, transition
from survey import access, quality, reports
from survey import households as survey
from survey.models import Household, HouseholdStatus, QualityIssue, SurveyRound

PDF_MAGIC = b"%PDF-"


def find_unit(round_: SurveyRound, tier: Tier, code: str) -> UnitStatus:
    status = unit_status(round_, tier, code)
    if status is None:
        raise Problem("UNKNOWN_UNIT", tier=tier.value, code=code, year=round_.year)
    return status


def may_see(user: User, status: UnitStatus) -> bool:
    """The unit lies in the user's scope (the department tier: the province)."""
    return may(user, Action.AGGREGATE_READ, unit=status.unit)


def may_decide(user: User, decide: Decide, status: UnitStatus) -> bool:
    """What the transition table and the scope allow, whatever the state."""
    rule = transition(decide, status.tier)
    if rule is None or user.role_enum not in rule.roles:
        return False
    action = Action.CERTIFY if decide is Decide.CERTIFY else Action.RETURN_FOR_CORRECTION
    if status.tier is Tier.DEPARTMENT:
        return may(user, action, nation=True)
    return may(user, action, unit=status.unit)


def _authorise(user: User, decide: Decide, status: UnitStatus) -> None:
    if not may_decide(user, decide, status):
        raise Problem("WRONG_TIER", tier=status.tier.value)


def check_revision(status: UnitStatus, if_match: str | None) -> None:
    """A committee's decision refers to exactly the data it saw."""
    if not if_match:
        raise Problem("REVISION_REQUIRED", headers={"ETag": status.etag})
    if if_match.strip() != status.etag:
        raise Problem("REVISION_CHANGED", headers={"ETag": status.etag})


def _next_seq(status: UnitStatus) -> int:
    return (status.decision.seq + 1) if status.decision is not None else 1


@dataclass
class Meeting:
    date: date
    place: str
    participants: list[dict]

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "place": self.place,
                "participants": self.participants}


def check_meeting(round_: SurveyRound, tier: Tier, meeting: dict) -> Meeting:
    """422 naming each problem: too few participants for the tier (a round setting), a
    date outside the round (before collection began, or in the future), unusable names."""
    errors: dict[str, list] = {}

    def problem(field: str, code: str, message_th: str) -> None:
        errors.setdefault(field, []).append({"error_code": code, "message": message_th})
    today = datetime.now(BANGKOK).date()
    if not round_.collection_start <= meeting["date"] <= today:
        problem("date", "MEETING_DATE_OUTSIDE_ROUND",
                f"วันที่ประชุมต้องอยู่ระหว่าง {be_date(round_.collection_start)} ถึงวันนี้")
    participants = meeting["participants"]
    fewest = round_.min_participants.get(tier.value, 20)
    if len(participants) < fewest:
        problem("participants", "TOO_FEW_PARTICIPANTS",
                f"ผู้เข้าร่วมประชุม {len(participants)} คน ต้องไม่น้อยกว่า {fewest} คน")
    for i, person in enumerate(participants):
        for field in ("name", "position"):
            value = person[field].strip()
            trouble = text_problem(value, 200)
            if trouble or not has_letter(value):
                problem(f"participants[{i}].{field}", trouble[0] if trouble else
                        "NAME_NOT_TEXT", trouble[1] if trouble else "ต้องมีตัวอักษร")
    for field in ("place",):
        trouble = text_problem(meeting[field], 200)
        if trouble or not has_letter(meeting[field]):
            problem(field, "TEXT_INVALID", "กรุณาระบุสถานที่ประชุม")
    if errors:
        raise Problem("MEETING_INVALID", errors=errors)
    return Meeting(meeting["date"], meeting["place"].strip(),
                   [{"name": p["name"].strip(), "position": p["position"].strip()}
                    for p in participants])


def certify(user: User, round_: SurveyRound, status: UnitStatus, *, if_match: str | None,
            meeting: dict | None) -> Decision:
    """Certify a unit (accept a province, at the department tier): the gates pass, the
    committee saw this revision, the meeting is recorded. Certifying an LAO locks its
    households. The decision keeps the gates, a snapshot of the reports and the meeting
    pack, whose hash is in the log."""
    _authorise(user, Decide.CERTIFY, status)
    if status.state is State.CERTIFIED:
        raise Problem("ALREADY_CERTIFIED")
    check_revision(status, if_match)
    if status.failing or status.state not in transition(Decide.CERTIFY,
                                                        status.tier).from_states:
        raise Problem("GATES_FAILED", count=len(status.failing), errors={
            "gates": [g.as_dict() for g in status.failing]})
    held = check_meeting(round_, status.tier, meeting) if status.tier in MEETING_TIERS \
        else None
    if status.tier is Tier.LAO:
        survey.lock_area(user, round_.year, status.unit)
    kind = "accepted" if status.tier is Tier.DEPARTMENT else "certified"
    taken = snapshot.take(round_, status)
    decision = Decision(round_year=round_.year, tier=status.tier.value,
                        unit_code=status.code, seq=_next_seq(status), kind=kind,
                        data_revision=status.revision, gates=taken["gates"], snapshot=taken,
                        meeting=held.as_dict() if held else None, actor_id=user.id,
                        actor_role=user.role)
    decision.at = utcnow()
    decision.pack_pdf = packs.pdf(round_, status, taken, decision=decision_view(decision))
    decision.pack_sha256 = packs.sha256(decision.pack_pdf)
    db.session.add(decision)
    db.session.flush()
    log.append(kind, round_year=round_.year, tier=status.tier.value, unit_code=status.code,
               actor=user, document_sha256=decision.pack_sha256,
               detail={"decision": decision.id, "revision": status.revision,
                       "households": status.households,
                       "participants": len(held.participants) if held else 0})
    return decision


def decision_view(decision: Decision) -> dict:
    """A decision as the pack and the pages show it."""
    meeting = dict(decision.meeting or {})
    if meeting:
        meeting["date_th"] = be_date(date.fromisoformat(meeting["date"]))
    return {"id": decision.id, "kind": decision.kind, "meeting": meeting,
            "actor_role_th": ROLE_TH[Role(decision.actor_role)], "at": decision.at,
            "reason": decision.reason, "revision": decision.data_revision}


def return_unit(user: User, round_: SurveyRound, status: UnitStatus, reason: str) -> Decision:
    """A district or province sends a certified LAO unit back to the LAO tier: its
    households are unlocked for the enumerators, and every village's revision moves on,
    so the LAO's certification and those above it up to the returning tier are stale.
    The LAO must certify again, then each tier above."""
    _authorise(user, Decide.RETURN, status)
    if status.state not in transition(Decide.RETURN, status.tier).from_states:
        raise Problem("NOT_CERTIFIED", state=status.state.value)
    unlocked = survey.unlock_area(user, round_.year, status.unit, reason)
    decision = Decision(round_year=round_.year, tier=status.tier.value,
                        unit_code=status.code, seq=_next_seq(status), kind="returned",
                        data_revision=status.revision, reason=reason, actor_id=user.id,
                        actor_role=user.role, at=utcnow())
    db.session.add(decision)
    db.session.flush()
    log.append("returned", round_year=round_.year, tier=status.tier.value,
               unit_code=status.code, actor=user,
               detail={"decision": decision.id, "unlocked": unlocked,
                       "reason_sha256": packs.sha256(reason.encode())})
    return decision


def return_households(user: User, round_: SurveyRound, items: list[tuple[str, str]]
                      ) -> list[Household]:
    """A district or province returns chosen households, each with its reason (a locked
    one is unlocked). Each lands with the enumerators of its village; each LAO concerned
    gets a log entry."""
    if user.role_enum not in transition(Decide.RETURN, Tier.LAO).roles:
        raise Problem("WRONG_TIER", tier=Tier.LAO.value)
    chosen = []
    for household_id, reason in items:
        household = db.session.get(Household, household_id)
        if household is None or household.round_year != round_.year \
                or not access.may_see(user, household) or not may(
                    user, Action.RETURN_FOR_CORRECTION, area=get_area(household.village_code)):
            raise Problem("UNKNOWN_HOUSEHOLD", id=household_id)
        if household.status == HouseholdStatus.RETURNED.value:
            raise Problem("NOT_RETURNABLE", id=household_id, status=household.status)
        chosen.append((household, reason))
    returned = survey.return_households(user, chosen)
    by_lao: dict[str, list[dict]] = {}
    for household, reason in chosen:
        lao = get_area(household.village_code).lao_code
        by_lao.setdefault(lao or "-", []).append({
            "household": household.id, "reason_sha256": packs.sha256(reason.encode())})
    for lao_code, entries in sorted(by_lao.items()):
        log.append("households_returned", round_year=round_.year, tier=Tier.LAO.value,
                   unit_code=lao_code, actor=user, detail={"households": entries})
    return returned


def attach_minutes(user: User, decision: Decision, data: bytes) -> Decision:
    """The signed minutes of the meeting, once, as PDF; its hash goes into the log."""
    if decision.actor_id != user.id and not may(user, Action.CERTIFY, nation=True):
        raise Problem("WRONG_TIER", tier=decision.tier)
    if decision.minutes_pdf is not None:
        raise Problem("MINUTES_ATTACHED")
    if not data.startswith(PDF_MAGIC):
        raise Problem("NOT_A_PDF", errors={"file": [{"error_code": "NOT_A_PDF",
                                                     "message": "ไฟล์ต้องเป็น PDF"}]})
    decision.minutes_pdf, decision.minutes_sha256 = data, packs.sha256(data)
    db.session.flush()
    log.append("minutes_attached", round_year=decision.round_year, tier=decision.tier,
               unit_code=decision.unit_code, actor=user,
               document_sha256=decision.minutes_sha256, detail={"decision": decision.id})
    return decision


def failing_list(user: User, round_: SurveyRound, status: UnitStatus) -> list[dict]:
    """The indicator-22 list of the unit as this reader may see it (names only for roles
    allowed personal data), for the pack."""
    personal = may(user, Action.PERSONAL_DATA_READ, unit=status.unit)
    return list(reports.failing_income_households(
        round_, status.unit, personal=personal, visible=access.households_clause(user)))


def resolve_issue(user: User, issue: QualityIssue, note: str) -> list[QualityIssue]:
    """Settle a quality issue (and its twin) with a note; the log keeps which issues, by
    whom, and a hash of the note (free text stays out of the immutable log)."""
    resolved = quality.resolve(user, issue, note)
    lao = get_area(issue.village_code).lao_code
    log.append("issue_resolved", round_year=issue.round_year, tier=Tier.LAO.value,
               unit_code=lao or "-", actor=user,
               detail={"issues": [i.id for i in resolved], "kind": issue.kind,
                       "note_sha256": packs.sha256(note.encode())})
    return resolved


def issue_households(user: User, issue: QualityIssue) -> list[dict]:
    """The households an issue concerns, as the caller may see them: id, village, house
    code, status (names stay on the household's own page)."""
    out = []
    for household_id in (issue.household_id, issue.other_household_id):
        household = db.session.get(Household, household_id) if household_id else None
        if household is not None and access.may_see(user, household):
            out.append({"id": household.id, "village_code": household.village_code,
                        "house_code": household.house_code, "status": household.status})
    return out
