"""Signing in, throttling, bearer tokens and user creation: the rules and transactions."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, delete, null, or_, select, update

from app.areas.models import Area, Lao
from app.auth import audit
from app.auth.models import ApiToken, LoginThrottle, Role, User
from app.auth.passwords import hash_password, verify_password
from app.auth.policy import ROLE_SCOPE_LEVELS
from app.db_types import TZDateTime, upsert_insert, utcnow
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
    """Check a username and password.

    Five failed attempts on a username within the lock period lock it, whether or not the
    user exists (so the answer never tells which names are real); the attempt is counted
    *before* the password is checked, in one atomic statement, so parallel guesses get no
    more tries than the limit. A client address with too many failures is refused before
    any password hashing. Every outcome is audited and committed."""
    config = current_app.config
    now = utcnow()
    lock = timedelta(minutes=config["BMN_LOGIN_LOCK_MINUTES"])
    address_key = f"addr:{ip or '-'}"
    user_key = "user:" + username[:180]
    try:
        address_locked = _locked_until(address_key, now)
        if address_locked is not None:
            audit.record("login.throttled", username=username[:80], ip=ip)
            raise LoginError("TOO_MANY_ATTEMPTS", address_locked)
        if not _count_attempt(user_key, config["BMN_LOGIN_MAX_FAILURES"], lock, now):
            audit.record("login.locked", username=username[:80], ip=ip)
            raise LoginError("ACCOUNT_LOCKED", _locked_until(user_key, now))
        user = db.session.scalar(select(User).where(User.username == username))
        if not verify_password(user.password_hash if user else None, password):
            audit.record("login.failure", user=user, username=username[:80], ip=ip)
            _count_attempt(address_key, config["BMN_LOGIN_MAX_PER_ADDRESS"], lock, now)
            if _locked_until(user_key, now) is not None:
                audit.record("login.lock", user=user, username=username[:80], ip=ip)
            raise LoginError("INVALID_CREDENTIALS")
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == user_key))
        if not user.active:
            audit.record("login.inactive", user=user, ip=ip)
            raise LoginError("ACCOUNT_DISABLED")
        user.last_login_at = now
        audit.record("login.success", user=user, ip=ip)
        return user
    finally:
        db.session.commit()


def _count_attempt(key: str, limit: int, lock: timedelta, now: datetime) -> bool:
    """Count one attempt on ``key`` unless it is locked; the attempt that reaches ``limit``
    locks it for ``lock``. Attempts older than ``lock`` are forgotten. False when ``key`` was
    already locked (nothing counted). One statement: concurrent attempts cannot interleave."""
    insert = upsert_insert(db.session)
    table = LoginThrottle.__table__
    at = bindparam("now", now, type_=TZDateTime())
    stale = bindparam("stale", now - lock, type_=TZDateTime())
    until = bindparam("until", now + lock, type_=TZDateTime())
    counted = case((table.c.updated_at <= stale, 1), else_=table.c.attempts + 1)
    statement = insert(table).values(
        key=key, attempts=1, updated_at=now, locked_until=now + lock if limit <= 1 else None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"attempts": counted,
              "locked_until": case((counted >= limit, until), else_=null()),
              "updated_at": at},
        where=or_(table.c.locked_until.is_(None), table.c.locked_until <= at),
    ).returning(table.c.attempts)
    return db.session.execute(statement).first() is not None


def _locked_until(key: str, now: datetime) -> datetime | None:
    until = db.session.scalar(select(LoginThrottle.locked_until).where(
        LoginThrottle.key == key))
    return until if until is not None and until > now else None


def end_sessions(user: User, *, ip: str | None = None) -> None:
    """Sign the user out of every browser session: a copied session cookie stops working
    (sessions carry the nonce, which changes here). Bearer tokens are revoked separately."""
    user.session_nonce = secrets.token_hex(8)
    audit.record("logout", user=user, ip=ip)
    db.session.commit()


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


def revoke_user_tokens(user: User, *, by: User | None = None, ip: str | None = None) -> int:
    """Revoke every device token of ``user`` (a lost phone, a deactivated volunteer): the
    next sync from those phones is refused. Flushes; returns how many were revoked."""
    revoked = db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())).rowcount
    audit.record("token.revoke_all", user=user, ip=ip, count=revoked,
                 by=by.id if by is not None else None)
    db.session.flush()
    return revoked


def create_user(username: str, password: str, role: Role, **details) -> User:
    """``new_user``, committed (for the CLI and scripts)."""
    user = new_user(username, password, role, **details)
    db.session.commit()
    return user


def new_user(username: str, password: str, role: Role, *, display_name: str | None = None,
             area_code: str | None = None, lao_code: str | None = None,
             phone: str | None = None) -> User:
    """Add a user whose scope fits the role (e.g. a district officer needs a district).
    Flushes."""
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
                active=True, phone=phone)
    db.session.add(user)
    db.session.flush()
    return user
