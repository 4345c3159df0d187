"""Writing the audit log. Callers pass usernames and codes only, never secrets or
personal data."""
from __future__ import annotations

from app.auth.models import AuditEvent, User
from app.extensions import db


def record(event: str, *, user: User | None = None, username: str | None = None,
           ip: str | None = None, **detail) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(AuditEvent(
        event=event,
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else username,
        ip=ip,
        detail=detail or None,
    ))
