"""Survey data: rounds, targets, assignments, households and members, quality issues, and
the per-village and per-district rollups every report is answered from.

Household rows carry their village and province codes, and rollups are keyed by round and
village (or district, whose code starts with its province's), so that a later move to a distributed PostgreSQL (Citus, by province) keeps its keys.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import TZDateTime, utcnow
from app.extensions import db
from survey.validation import TEXT_LIMITS

DEFAULT_MIN_PARTICIPANTS = {"lao": 20, "district": 20, "province": 20}


class SurveyRound(db.Model):
    """One yearly collection: which questionnaire, when, the income line it uses, and what
    its certification asks (coverage of the target households, meeting sizes)."""

    __tablename__ = "survey_rounds"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # Buddhist Era, e.g. 2565
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    collection_start: Mapped[date] = mapped_column(Date)
    collection_end: Mapped[date] = mapped_column(Date)
    income_line: Mapped[int] = mapped_column(Integer)  # baht per person per year
    # A unit can be certified once this share of its target households is collected.
    coverage_threshold_pct: Mapped[int] = mapped_column(Integer, default=90)
    # A household GPS fix less accurate than this (metres) is a quality issue.
    gps_accuracy_limit_m: Mapped[int] = mapped_column(Integer, default=100)
    # For roles without personal-data rights, villages with fewer households are left out
    # of aggregates and maps.
    min_area_households: Mapped[int] = mapped_column(Integer, default=5)
    # The department's plan: households to collect nationwide, the budget, and what an
    # enumerator is paid per accepted household (baht).
    national_target: Mapped[int | None] = mapped_column(Integer)
    payment_rate: Mapped[int] = mapped_column(Integer, default=20)
    # About one volunteer per this many target households (a load above it is flagged).
    households_per_volunteer: Mapped[int] = mapped_column(Integer, default=40)
    # Fewest meeting participants per tier: {"lao": 20, "district": 20, "province": 20}.
    min_participants: Mapped[dict] = mapped_column(
        JSON, default=lambda: dict(DEFAULT_MIN_PARTICIPANTS))


class Target(db.Model):
    """Target number of households of a village/community in a round."""

    __tablename__ = "survey_targets"

    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)


class Allocation(db.Model):
    """Target households and budget the department gives a province, or a province gives a
    district, in a round (villages' own targets are ``Target``)."""

    __tablename__ = "survey_allocations"

    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int] = mapped_column(BigInteger)  # baht


class Assignment(db.Model):
    """An enumerator assigned to a village/community for a round."""

    __tablename__ = "survey_assignments"

    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class HouseholdStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    RETURNED = "returned"        # sent back for correction, with a reason
    RESUBMITTED = "resubmitted"  # corrected after a return
    LOCKED = "locked"            # its area is certified: no more changes


STATUS_TH = {
    HouseholdStatus.SUBMITTED: "ส่งแล้ว",
    HouseholdStatus.RETURNED: "ส่งกลับให้แก้ไข",
    HouseholdStatus.RESUBMITTED: "แก้ไขแล้วส่งใหม่",
    HouseholdStatus.LOCKED: "รับรองแล้ว (ล็อก)",
}


class Household(db.Model):
    """One interviewed household in a round. ``id`` is the UUID the phone generated, so a
    replayed submission finds the stored record instead of creating a second one."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("round_year", "house_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    # The household's LAO is its village's LAO in the register (never a stored copy, so a
    # register change moves it with its village).
    village_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    house_code: Mapped[str | None] = mapped_column(String(11))  # None: no house number
    house_number: Mapped[str | None] = mapped_column(String(TEXT_LIMITS["house_number"]))
    address: Mapped[dict | None] = mapped_column(JSON)
    residence_land: Mapped[dict | None] = mapped_column(JSON)
    occupation_land: Mapped[dict | None] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON)
    happiness: Mapped[int | None] = mapped_column(Integer)
    # A partial household: required answers are missing and the enumerator chose why (a
    # code of the questionnaire's ``incomplete_reason`` list, with a note where it asks for
    # one). None for a complete household. Counted apart by progress, rollups and reports.
    incomplete_reason: Mapped[str | None] = mapped_column(String(32))
    incomplete_note: Mapped[str | None] = mapped_column(String(TEXT_LIMITS["incomplete_note"]))
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float)
    gps_missing_reason: Mapped[str | None] = mapped_column(
        String(TEXT_LIMITS["gps_missing_reason"]))
    interviewed_on: Mapped[date] = mapped_column(Date)
    # The household head's (or representative's) sign-off.
    signed_by: Mapped[str] = mapped_column(String(TEXT_LIMITS["signed_by"]))
    signed_at: Mapped[datetime] = mapped_column(TZDateTime)
    # when the enumerator confirmed on the phone that the household saw its results (the
    # form's second signer); None for records sent before the phone asked
    enumerator_confirmed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    signature_png: Mapped[bytes] = mapped_column(LargeBinary)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    return_reason: Mapped[str | None] = mapped_column(Text)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Scores as computed at submission: every view of the household (its page, rollups,
    # reports, the indicator-22 list) reads these, never a re-scoring with today's code or
    # settings. ``indicator_results``: [{"number", "outcome", "reason_th"}, …];
    # the masks: bit i-1 stands for indicator i.
    member_count: Mapped[int] = mapped_column(Integer)
    indicator_results: Mapped[list] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(40))
    applicable_mask: Mapped[int] = mapped_column(BigInteger)
    passed_mask: Mapped[int] = mapped_column(BigInteger)
    incomplete_mask: Mapped[int] = mapped_column(BigInteger)
    # Baht over 12 months; None while an item is unanswered (never a partial sum).
    income_total: Mapped[int | None] = mapped_column(BigInteger)
    expense_total: Mapped[int | None] = mapped_column(BigInteger)
    income_per_person: Mapped[float | None] = mapped_column(Float)
    below_income_line: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The checks the household passed with a warning at its last write ([{field, code,
    # message_th}]) and how many (counted and filtered by the progress and household pages).
    warnings: Mapped[list | None] = mapped_column(JSON)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 of the canonical submitted payload: a replay with the same hash is the same
    # submission; a different hash under the same UUID is a conflict.
    payload_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    members: Mapped[list["Member"]] = relationship(
        back_populates="household", order_by="Member.line_no", cascade="all, delete-orphan",
        lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class Member(db.Model):
    """A person living in the household. The national ID is kept as a keyed hash (to find
    the same person in two households), masked, and encrypted (for roles that need it)."""

    __tablename__ = "household_members"

    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"),
                                              primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    is_head: Mapped[bool] = mapped_column(Boolean)
    prefix: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(TEXT_LIMITS["first_name"]))
    last_name: Mapped[str] = mapped_column(String(TEXT_LIMITS["last_name"]))
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    age_years: Mapped[int | None] = mapped_column(Integer)
    national_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    national_id_masked: Mapped[str] = mapped_column(String(20))
    national_id_encrypted: Mapped[str] = mapped_column(String(200))
    attributes: Mapped[dict] = mapped_column(JSON)  # relationship, education, occupation …

    household: Mapped[Household] = relationship(back_populates="members")


class HouseholdAction(str, enum.Enum):
    SUBMITTED = "submitted"
    CORRECTED = "corrected"
    MOVED = "moved"
    RETURNED = "returned"
    LOCKED = "locked"
    UNLOCKED = "unlocked"


ACTION_TH = {HouseholdAction.SUBMITTED: "ส่งข้อมูล", HouseholdAction.CORRECTED: "แก้ไขข้อมูล",
             HouseholdAction.MOVED: "ย้ายหมู่บ้าน/ชุมชน",
             HouseholdAction.RETURNED: "ส่งกลับให้แก้ไข",
             HouseholdAction.LOCKED: "ล็อกเมื่อรับรองข้อมูล",
             HouseholdAction.UNLOCKED: "ปลดล็อกเมื่อส่งกลับทั้งหน่วย"}

class HouseholdHistory(db.Model):
    """Every change to a household: who (and in which role), when, what, why. Written in
    the same transaction as the change; holds field names and codes, never personal data."""

    __tablename__ = "household_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    round_year: Mapped[int] = mapped_column(Integer)
    village_code: Mapped[str] = mapped_column(String(8), index=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)  # the household's version after the change
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)  # changed fields, villages moved between


class QualityIssue(db.Model):
    """Something to resolve before certification, e.g. the same person in two households."""

    __tablename__ = "quality_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"),
                                              index=True)
    village_code: Mapped[str] = mapped_column(String(8), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    other_household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    detail: Mapped[dict] = mapped_column(JSON)  # codes and line numbers, never the ID itself
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)  # how it was settled


# The counts a village rollup keeps per indicator, age band and money item are plain integer
# columns, not JSON, so that the database sums them (``SUM`` … ``GROUP BY``) for any area:
# decoding 83,526 JSON rows in Python took seconds on a worker's first national report.
# A questionnaire with more indicators or items adds columns by migration.
INDICATOR_SLOTS = 31                     # the 2560-2564 set
INDICATOR_COUNTS = ("applicable", "passed", "incomplete")
AGE_BANDS = 21                           # 0-4, 5-9, … 95-99, 100+
AGE_BAND_KEYS = tuple(str(b) for b in range(AGE_BANDS)) + ("unknown",)
SEXES = ("1", "2")                       # the questionnaire's sex code list
ITEM_SLOTS = 4                           # income and expense items of indicator 22
MONEY_KINDS = ("income", "expense")


def indicator_column(count: str, number: int) -> str:
    """``applicable_7``: households to which indicator 7 applies (``passed_7``, …)."""
    return f"{count}_{number}"


def people_column(sex: str, band: str) -> str:
    """``people_2_13``: women aged 65-69; ``people_1_unknown``: men without an age."""
    return f"people_{sex}_{band}"


def item_column(kind: str, position: int) -> str:
    """``income_item_2``: baht of the questionnaire's second income item."""
    return f"{kind}_item_{position}"


INDICATOR_COLUMNS = tuple(indicator_column(c, n) for n in range(1, INDICATOR_SLOTS + 1)
                          for c in INDICATOR_COUNTS)
PEOPLE_COLUMNS = tuple(people_column(s, b) for s in SEXES for b in AGE_BAND_KEYS)
ITEM_COLUMNS = tuple(item_column(k, p) for k in MONEY_KINDS for p in range(1, ITEM_SLOTS + 1))


class VillageRollup(db.Model):
    """Exact totals of one village/community in one round, changed in the same transaction
    as every submission, correction and return. Every higher area sums these rows in SQL.
    Besides the columns below: one integer column per indicator count
    (``INDICATOR_COLUMNS``), per sex and age band (``PEOPLE_COLUMNS``) and per income or
    expense item (``ITEM_COLUMNS``, baht)."""

    __tablename__ = "village_rollups"

    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    returned_households: Mapped[int] = mapped_column(Integer, default=0)
    # Of ``households``, those submitted partial (with an ``incomplete_reason``).
    partial_households: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    # Income and expense only of the households whose items are all answered; their count
    # and people are the denominators of every average.
    income_households: Mapped[int] = mapped_column(Integer, default=0)
    income_people: Mapped[int] = mapped_column(Integer, default=0)
    income_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    expense_households: Mapped[int] = mapped_column(Integer, default=0)
    expense_people: Mapped[int] = mapped_column(Integer, default=0)
    expense_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    below_income_line: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)


for _name in INDICATOR_COLUMNS + PEOPLE_COLUMNS:
    setattr(VillageRollup, _name, Column(_name, Integer, nullable=False, default=0,
                                         server_default="0"))
for _name in ITEM_COLUMNS:
    setattr(VillageRollup, _name, Column(_name, BigInteger, nullable=False, default=0,
                                         server_default="0"))


def small_column(name: str) -> str:
    """``small_households``: the district's sum of ``households`` over its villages that
    are small areas."""
    return f"small_{name}"


class DistrictRollup(db.Model):
    """Exact sums of a district's village rollups in one round, changed by the same delta
    and in the same transaction as the village row, so that the nation and a province sum
    878 and about 12 rows instead of 83,526 and 1,100. Every total of a village row is here
    twice: summed over all the district's villages (same name), and over only those that
    are small areas under the round's ``min_area_households`` (``small_…``, see
    ``survey.rollup.small``; ``small_villages`` counts them). A caller without
    personal-data rights sees the difference. The small part is kept, not the published
    one, because most changes are in villages that stay published: they touch only the
    first set. ``revision`` is the sum of the villages' revisions."""

    __tablename__ = "district_rollups"

    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    small_villages: Mapped[int] = mapped_column(Integer, default=0)


# Every total of a village row (all its columns but the key and the revision), twice.
for _village_column in VillageRollup.__table__.columns:
    if _village_column.name in ("round_year", "area_code", "province_code", "revision"):
        continue
    for _name in (_village_column.name, small_column(_village_column.name)):
        setattr(DistrictRollup, _name, Column(_name, _village_column.type, nullable=False,
                                              default=0, server_default="0"))
