"""The tamper-evident log: every certification transition as an append-only event, each
carrying the SHA-256 of the one before it.

Writing: ``append`` reads the last hash and inserts the next event in the caller's
transaction; ``prev_hash`` is unique, so two concurrent appends cannot both chain to the
same event (the loser's transaction fails and is retried by the route). The database
refuses UPDATE and DELETE of events (triggers). Checking: ``verify`` recomputes the chain
from the first event and names the first entry whose hash or link does not hold.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from certification.models import Event

GENESIS = "0" * 64


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def event_hash(event: Event) -> str:
    """SHA-256 over everything the event says, its predecessor's hash included."""
    return hashlib.sha256(canonical({
        "round": event.round_year, "tier": event.tier, "unit": event.unit_code,
        "event": event.event, "actor_id": event.actor_id, "actor_role": event.actor_role,
        "at": event.at.isoformat(), "detail": event.detail,
        "document_sha256": event.document_sha256, "prev_hash": event.prev_hash,
    })).hexdigest()


def append(event: str, *, round_year: int, tier: str, unit_code: str, actor: User,
           detail: dict | None = None, document_sha256: str | None = None) -> Event:
    """Add the next event to the chain (flushed; the caller commits)."""
    last = db.session.scalar(select(Event.hash).order_by(Event.id.desc()).limit(1))
    entry = Event(round_year=round_year, tier=tier, unit_code=unit_code, event=event,
                  actor_id=actor.id, actor_role=actor.role,
                  at=utcnow().replace(microsecond=0), detail=detail or {},
                  document_sha256=document_sha256, prev_hash=last or GENESIS)
    entry.hash = event_hash(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class Verification:
    events: int
    broken_at: int | None = None  # id of the first event that does not hold
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify() -> Verification:
    """Recompute the whole chain, oldest first, streaming."""
    previous, count = GENESIS, 0
    for entry in db.session.scalars(select(Event).order_by(Event.id)
                                    .execution_options(yield_per=1000)):
        count += 1
        if entry.prev_hash != previous:
            return Verification(count, entry.id, "its link does not name the event before it")
        if event_hash(entry) != entry.hash:
            return Verification(count, entry.id, "its content does not match its hash")
        previous = entry.hash
    return Verification(count)
