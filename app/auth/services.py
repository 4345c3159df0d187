"""Signing in, throttling, bearer tokens and user creation: the rules and transactions."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.areas.models import Area, Lao
from app.auth import audit
from app.auth.models import ApiToken, Role, User
from app.auth.passwords import hash_password, verify_password
from app.auth.policy import ROLE_SCOPE_LEVELS
from app.db_types import utcnow
from app.extensions import db


class LoginError(Exception):
    """Why a sign-in failed: ``code`` is the stable error code."""

    def __init__(self, code: str, locked_until: datetime | None = None):
        super().__init__(code)
        self.code = code
        self.locked_until = locked_until


class UserError(ValueError):
    """A user could not be created as asked; ``field`` says which input is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def authenticate(username: str, password: str, *, ip: str | None) -> User:
    """Check a username and password, locking the account after repeated failures.

    Every outcome is audited and committed, including failures (so that the failure
    counter and the audit trail survive the error response)."""
    user = db.session.scalar(select(User).where(User.username == username))
    now = utcnow()
    try:
        if user is not None and user.locked_until is not None and user.locked_until > now:
            verify_password(None, password)  # same cost as a real check
            audit.record("login.locked", user=user, ip=ip)
            raise LoginError("ACCOUNT_LOCKED", user.locked_until)
        if not verify_password(user.password_hash if user else None, password):
            _count_failure(user, username, ip, now)
            raise LoginError("INVALID_CREDENTIALS")
        if not user.active:
            audit.record("login.inactive", user=user, ip=ip)
            raise LoginError("ACCOUNT_DISABLED")
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        audit.record("login.success", user=user, ip=ip)
        return user
    finally:
        db.session.commit()


def _count_failure(user: User | None, username: str, ip: str | None, now: datetime) -> None:
    audit.record("login.failure", user=user, username=username, ip=ip)
    if user is None:
        return
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["BMN_LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["BMN_LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        audit.record("login.lock", user=user, ip=ip)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class IssuedToken:
    token: str  # shown once; only its hash is stored
    record: ApiToken


def issue_token(user: User, label: str, *, days: int | None = None,
                ip: str | None = None) -> IssuedToken:
    days = days or current_app.config["BMN_TOKEN_DAYS"]
    token = "bmn_" + secrets.token_urlsafe(32)
    record = ApiToken(user=user, token_hash=_token_hash(token), label=label[:200],
                      expires_at=utcnow() + timedelta(days=days))
    db.session.add(record)
    audit.record("token.issue", user=user, ip=ip, label=label[:200])
    db.session.commit()
    return IssuedToken(token, record)


def user_for_token(token: str) -> tuple[User | None, str | None]:
    """The active user a bearer token belongs to, or None and the reason it is refused."""
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if record is None:
        return None, "TOKEN_INVALID"
    if record.revoked_at is not None:
        return None, "TOKEN_REVOKED"
    now = utcnow()
    if record.expires_at <= now:
        return None, "TOKEN_EXPIRED"
    if not record.user.active:
        return None, "ACCOUNT_DISABLED"
    # Write last use at most hourly, so that reads don't all turn into writes.
    if record.last_used_at is None or now - record.last_used_at > timedelta(hours=1):
        record.last_used_at = now
        db.session.commit()
    return record.user, None


def revoke_token(token: str, *, ip: str | None = None) -> bool:
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    audit.record("token.revoke", user=record.user, ip=ip, token_id=record.id)
    db.session.commit()
    return True


def create_user(username: str, password: str, role: Role, *, display_name: str | None = None,
                area_code: str | None = None, lao_code: str | None = None) -> User:
    """Create a user whose scope fits the role (e.g. a district officer needs a district)."""
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError("username", f"username {username!r} is taken")
    if area_code and lao_code:
        raise UserError("scope", "a user has one scope: an area or an LAO, not both")
    if lao_code:
        if db.session.get(Lao, lao_code) is None:
            raise UserError("lao_code", f"unknown LAO {lao_code!r}")
        level = "lao"
    elif area_code:
        area = db.session.get(Area, area_code)
        if area is None:
            raise UserError("area_code", f"unknown area {area_code!r}")
        level = area.level
    else:
        level = "nation"
    allowed = ROLE_SCOPE_LEVELS[role]
    if level not in allowed:
        raise UserError("scope", f"a {role.value} needs a scope of level "
                                 f"{' or '.join(sorted(allowed))}, not {level}")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError("password", str(exc)) from exc
    user = User(username=username, display_name=display_name or username,
                password_hash=password_hash, role=role.value, scope_area_code=area_code or None,
                scope_lao_code=lao_code or None, session_nonce=secrets.token_hex(8),
                failed_logins=0, active=True)
    db.session.add(user)
    db.session.commit()
    return user
