"""Column types shared by every package's models."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TZDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both databases (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value




def on_postgresql(session) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite, the embedded default)."""
    return session.get_bind().dialect.name == "postgresql"


def upsert_insert(session):
    """The dialect's INSERT that knows ``ON CONFLICT`` (PostgreSQL and SQLite alike)."""
    return postgresql.insert if on_postgresql(session) else sqlite.insert
