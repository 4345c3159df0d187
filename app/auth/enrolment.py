"""Putting a volunteer's account on a phone without a password: a coordinator's page shows a
QR code holding a one-time link; the phone that opens it first gets a device token bound
to the volunteer. The link lives minutes, is stored only as a hash, and is spent by one
conditional UPDATE, so two phones racing for it cannot both win."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from app.auth import audit
from app.auth.models import EnrolmentLink, Role, User
from app.auth.services import IssuedToken, issue_token
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db

LINK_MINUTES = 15


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass
class NewLink:
    code: str  # shown once, in the QR code; only its hash is stored
    link: EnrolmentLink


def create_link(creator: User, volunteer: User, *, ip: str | None = None) -> NewLink:
    """A fresh enrolment link for ``volunteer`` (the caller has checked ``creator`` may
    manage them). Earlier unused links of the volunteer stop working. Flushes."""
    if volunteer.role != Role.ENUMERATOR.value or not volunteer.active:
        raise Problem("ENROLMENT_NOT_ALLOWED")
    now = utcnow()
    db.session.execute(update(EnrolmentLink).where(
        EnrolmentLink.user_id == volunteer.id, EnrolmentLink.used_at.is_(None),
        EnrolmentLink.expires_at > now).values(expires_at=now))
    code = secrets.token_urlsafe(24)
    link = EnrolmentLink(code_hash=_hash(code), user_id=volunteer.id,
                         created_by_id=creator.id, created_at=now,
                         expires_at=now + timedelta(minutes=LINK_MINUTES))
    db.session.add(link)
    audit.record("enrolment.link", user=volunteer, ip=ip, by=creator.id)
    db.session.flush()
    return NewLink(code, link)


def redeem(code: str, device: str, *, ip: str | None = None) -> IssuedToken:
    """Spend an enrolment link and issue the phone's token; commits. Refusals say why: an
    unknown code, one already used (by another phone), expired, or a volunteer no longer
    active — and change nothing."""
    now = utcnow()
    spent = db.session.execute(
        update(EnrolmentLink).where(EnrolmentLink.code_hash == _hash(code),
                                    EnrolmentLink.used_at.is_(None),
                                    EnrolmentLink.expires_at > now)
        .values(used_at=now).returning(EnrolmentLink.id, EnrolmentLink.user_id)).first()
    if spent is None:
        db.session.rollback()
        link = db.session.scalar(select(EnrolmentLink).where(
            EnrolmentLink.code_hash == _hash(code)))
        reason = ("ENROLMENT_UNKNOWN" if link is None else
                  "ENROLMENT_USED" if link.used_at is not None else "ENROLMENT_EXPIRED")
        audit.record("enrolment.refused", ip=ip, reason=reason)
        db.session.commit()
        raise Problem(reason)
    volunteer = db.session.get(User, spent.user_id)
    if not volunteer.active:
        db.session.rollback()
        raise Problem("ACCOUNT_DISABLED_ENROLMENT")
    issued = issue_token(volunteer, f"enrolled phone: {device}"[:200], ip=ip)  # commits
    db.session.execute(update(EnrolmentLink).where(EnrolmentLink.id == spent.id)
                       .values(token_id=issued.record.id))
    audit.record("enrolment.redeem", user=volunteer, ip=ip, token_id=issued.record.id)
    db.session.commit()
    return issued
