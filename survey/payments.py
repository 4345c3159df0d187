"""What the volunteers are owed: accepted households (sent and not waiting for
correction) × the round's rate per household, split into those whose area is certified
(the figure is final) and those not yet — per enumerator, per LAO and per district, for
the district's finance officer."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.areas.models import Area, Lao
from app.auth.models import User
from app.extensions import db
from app.units import Unit
from survey.access import in_unit
from survey.models import Household, HouseholdStatus, SurveyRound


@dataclass
class PaymentLine:
    code: str
    name_th: str
    households: int   # accepted
    certified: int    # of which in a certified (locked) area
    rate: int
    phone: str | None = None  # an enumerator's (transfers are often to a phone number)

    @property
    def pending(self) -> int:
        return self.households - self.certified

    @property
    def amount(self) -> int:
        return self.households * self.rate

    @property
    def certified_amount(self) -> int:
        return self.certified * self.rate

    @property
    def pending_amount(self) -> int:
        return self.pending * self.rate


def _counts(round_: SurveyRound, unit: Unit, key, *joins):
    accepted = Household.status != HouseholdStatus.RETURNED.value
    statement = select(key, func.sum(case((accepted, 1), else_=0)), func.sum(case(
        (Household.status == HouseholdStatus.LOCKED.value, 1), else_=0))).select_from(
        Household)
    for target, onclause in joins:
        statement = statement.join(target, onclause)
    return db.session.execute(statement.where(
        Household.round_year == round_.year, in_unit(unit)).group_by(key)).all()


def by_enumerator(round_: SurveyRound, unit: Unit) -> list[PaymentLine]:
    """``code`` is the username, ``name_th`` the display name and ``phone`` the phone
    number (show those only to roles that may see personal data)."""
    rows = _counts(round_, unit, Household.enumerator_id)
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([uid for uid, *_ in rows])))} if rows else {}
    return sorted((PaymentLine(users[uid].username, users[uid].display_name, n or 0, done or 0,
                               round_.payment_rate, users[uid].phone) for uid, n, done in rows),
                  key=lambda line: (line.name_th, line.code))


def by_lao(round_: SurveyRound, unit: Unit) -> list[PaymentLine]:
    rows = _counts(round_, unit, Area.lao_code, (Area, Area.code == Household.village_code))
    names = {lao.code: lao.name_th for lao in db.session.scalars(select(Lao).where(
        Lao.code.in_([code for code, *_ in rows if code])))}
    return [PaymentLine(code or "-", names.get(code, "ไม่ระบุ อปท."), n or 0, done or 0,
                        round_.payment_rate) for code, n, done in sorted(
        rows, key=lambda r: r[0] or "")]


def by_district(round_: SurveyRound, unit: Unit) -> list[PaymentLine]:
    district = func.substr(Household.village_code, 1, 4)
    rows = _counts(round_, unit, district)
    names = {a.code: a.name_th for a in db.session.scalars(select(Area).where(
        Area.code.in_([code for code, *_ in rows])))}
    return [PaymentLine(code, names.get(code, code), n or 0, done or 0, round_.payment_rate)
            for code, n, done in sorted(rows)]


def total(lines: list[PaymentLine], rate: int) -> PaymentLine:
    return PaymentLine("", "รวม", sum(line.households for line in lines),
                       sum(line.certified for line in lines), rate)
