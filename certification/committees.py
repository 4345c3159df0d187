"""Working committees: the members a tier's unit appointed for the round (by an order with
its number and date). Whoever certifies at the tier records its committee; the meeting
form then picks the participants from it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.errors import Problem
from app.extensions import db
from app.text import has_letter, text_problem
from certification.models import Committee, CommitteeMember
from certification.services import may_decide
from certification.units import UnitStatus
from certification.workflow import Decide
from survey.models import SurveyRound

MAX_MEMBERS = 200


def committee_of(round_: SurveyRound, status: UnitStatus) -> Committee | None:
    return db.session.scalar(select(Committee).where(
        Committee.round_year == round_.year, Committee.tier == status.tier.value,
        Committee.unit_code == status.code))


def save_committee(user, round_: SurveyRound, status: UnitStatus, *, order_number: str,
                   order_date: date | None, members: list[dict]) -> Committee:
    """Record (or replace) the unit's committee. Every field is checked and each bad one
    named in Thai; nothing changes unless all are right. Flushes."""
    if not may_decide(user, Decide.CERTIFY, status):
        raise Problem("WRONG_TIER", tier=status.tier.value)
    errors: dict[str, list[str]] = {}
    order_number = " ".join(order_number.split())
    if not order_number or text_problem(order_number, 60):
        errors["order_number"] = ["กรุณากรอกเลขที่คำสั่ง (ไม่เกิน 60 ตัวอักษร)"]
    if order_date is None:
        errors["order_date"] = ["วันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.)"]
    bad = [n for n, m in enumerate(members, start=1)
           if not has_letter(m["name"]) or text_problem(m["name"], 200)
           or text_problem(m["position"], 200)]
    if not members or len(members) > MAX_MEMBERS:
        errors["members"] = [f"กรุณากรอกรายชื่อกรรมการ 1 ถึง {MAX_MEMBERS} คน"]
    elif bad:
        errors["members"] = [f"บรรทัดที่ {', '.join(map(str, bad))}: ชื่อไม่ถูกต้อง"]
    if errors:
        raise Problem("COMMITTEE_INVALID", errors=errors)
    committee = committee_of(round_, status) or Committee(
        round_year=round_.year, tier=status.tier.value, unit_code=status.code)
    committee.order_number, committee.order_date = order_number, order_date
    committee.members = [CommitteeMember(line_no=n, name=m["name"], position=m["position"])
                         for n, m in enumerate(members, start=1)]
    db.session.add(committee)
    db.session.flush()
    return committee
