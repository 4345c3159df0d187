"""Certification data: each committee decision on a unit (certified, returned, accepted),
and the append-only, hash-chained log of every transition.

A unit's state is derived, never stored: its latest decision, compared with the data
revision of its villages now (see ``certification.units``)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
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


class Decision(db.Model):
    """One committee decision on a unit of a round. ``seq`` numbers a unit's decisions;
    (round, tier, unit, seq) is unique, so of two concurrent decisions on the same state
    exactly one is stored."""

    __tablename__ = "certification_decisions"
    __table_args__ = (UniqueConstraint("round_year", "tier", "unit_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(10), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # certified, returned, accepted
    # The data revision of the unit's villages the committee decided on (see units.py).
    data_revision: Mapped[str] = mapped_column(String(32))
    gates: Mapped[list | None] = mapped_column(JSON)
    snapshot: Mapped[dict | None] = mapped_column(JSON)  # the four reports, no personal data
    meeting: Mapped[dict | None] = mapped_column(JSON)   # date, place, participants
    reason: Mapped[str | None] = mapped_column(Text)
    pack_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pack_sha256: Mapped[str | None] = mapped_column(String(64))
    minutes_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    minutes_sha256: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Event(db.Model):
    """An append-only log entry. ``hash`` is SHA-256 over the entry's canonical JSON,
    including ``prev_hash``, the hash of the entry before it; ``prev_hash`` is unique, so
    the chain cannot fork. The database refuses UPDATE and DELETE (triggers)."""

    __tablename__ = "certification_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    round_year: Mapped[int] = mapped_column(Integer, index=True)
    tier: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(10), index=True)
    event: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives users
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(TZDateTime)
    detail: Mapped[dict] = mapped_column(JSON)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Committee(db.Model):
    """A working committee appointed for a tier's unit in a round (the LAO meeting, the
    district or province working group), by an order with its number and date."""

    __tablename__ = "certification_committees"
    __table_args__ = (UniqueConstraint("round_year", "tier", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("survey_rounds.year"))
    tier: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(10), index=True)
    order_number: Mapped[str] = mapped_column(String(60))
    order_date: Mapped[date] = mapped_column(Date)
    members: Mapped[list["CommitteeMember"]] = relationship(
        order_by="CommitteeMember.line_no", cascade="all, delete-orphan", lazy="selectin")


class CommitteeMember(db.Model):
    __tablename__ = "certification_committee_members"

    committee_id: Mapped[int] = mapped_column(
        ForeignKey("certification_committees.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))  # in the committee, e.g. ประธาน
