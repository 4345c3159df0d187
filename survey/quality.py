"""Quality issues (e.g. the same national ID in two households of a round): listed by area
and kind within the caller's scope, opened with the households concerned, resolved with a
note (who, when, how). Correcting a household clears and re-flags its issues by itself
(``households._refresh_duplicate_ids``)."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, or_, select

from app.auth.models import User
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey.access import households_clause
from survey.models import Household, QualityIssue

KIND_TH = {"DUPLICATE_NATIONAL_ID": "เลขประจำตัวประชาชนซ้ำกับครัวเรือนอื่น",
           "GPS_OUTSIDE_SUBDISTRICT": "พิกัด GPS อยู่นอกตำบลของครัวเรือน",
           "GPS_INACCURATE": "พิกัด GPS คลาดเคลื่อนเกินเกณฑ์ของรอบ"}


def _visible(user: User):
    """Issues whose household the user may see."""
    return QualityIssue.household_id.in_(select(Household.id).where(households_clause(user)))


def list_issues(user: User, round_year: int, unit: Unit, *, kind: str | None = None,
                open_only: bool = True, limit: int = 100, offset: int = 0
                ) -> tuple[list[QualityIssue], int]:
    query = select(QualityIssue).where(
        QualityIssue.round_year == round_year, unit.village_filter(QualityIssue.village_code),
        _visible(user))
    if kind:
        query = query.where(QualityIssue.kind == kind)
    if open_only:
        query = query.where(QualityIssue.resolved_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(QualityIssue.village_code, QualityIssue.id)
                               .limit(limit).offset(offset)).all()
    return list(items), total


def get_issue(user: User, issue_id: int) -> QualityIssue:
    issue = db.session.scalar(select(QualityIssue).where(QualityIssue.id == issue_id,
                                                        _visible(user)))
    if issue is None:
        raise Problem("UNKNOWN_ISSUE", id=issue_id)
    return issue


def resolve(user: User, issue: QualityIssue, note: str) -> list[QualityIssue]:
    """Settle an issue with a note; a duplicate ID is flagged on both households, and both
    flags are settled together. Flushes; returns the issues resolved."""
    if issue.resolved_at is not None:
        raise Problem("ISSUE_RESOLVED")
    twins = db.session.scalars(select(QualityIssue).where(
        QualityIssue.kind == issue.kind, QualityIssue.resolved_at.is_(None),
        or_(QualityIssue.id == issue.id,
            (QualityIssue.household_id == issue.other_household_id)
            & (QualityIssue.other_household_id == issue.household_id)))).all()
    now = utcnow()
    for item in twins:
        item.resolved_at, item.resolved_by_id, item.resolution = now, user.id, note
    db.session.flush()
    return list(twins)


def clear_flags(round_year: int, kind: str, unit: Unit) -> set[str]:
    """Remove the open issues of ``kind`` in the unit (a fresh check replaces the last
    one's); the households whose issue of this kind was resolved are returned, to be left
    alone (a resolved flag is a decision). Flushes."""
    db.session.execute(delete(QualityIssue).where(
        QualityIssue.round_year == round_year, QualityIssue.kind == kind,
        QualityIssue.resolved_at.is_(None), unit.village_filter(QualityIssue.village_code)))
    db.session.flush()
    return set(db.session.scalars(select(QualityIssue.household_id).where(
        QualityIssue.round_year == round_year, QualityIssue.kind == kind,
        QualityIssue.resolved_at.is_not(None), unit.village_filter(QualityIssue.village_code))))


def add_flags(round_year: int, kind: str, rows: list[tuple[str, str, dict]]) -> int:
    """Open an issue of ``kind`` per ``(household id, village code, detail)``, in one
    multi-row INSERT. Flushes."""
    if rows:
        now = utcnow()
        db.session.execute(insert(QualityIssue), [
            {"round_year": round_year, "household_id": hid, "village_code": village,
             "kind": kind, "detail": detail, "created_at": now} for hid, village, detail in rows])
        db.session.flush()
    return len(rows)


def add_flags_from(round_year: int, kind: str, found) -> int:
    """Open an issue of ``kind`` for every row of ``found`` (a SELECT of household id,
    village code and detail JSON), set-based: INSERT … SELECT. Flushes."""
    columns = ["round_year", "household_id", "village_code", "kind", "detail", "created_at"]
    source = select(literal(round_year), found.c.household_id, found.c.village_code,
                    literal(kind), found.c.detail, literal(utcnow(), QualityIssue.created_at.type))
    added = db.session.execute(insert(QualityIssue).from_select(columns, source)
                               .returning(QualityIssue.id)).all()
    db.session.flush()
    return len(added)
