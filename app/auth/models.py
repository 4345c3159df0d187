"""Users, their bearer tokens, and the audit log of logins and denials."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import TZDateTime, utcnow
from app.extensions import db


class Role(str, enum.Enum):
    ENUMERATOR = "enumerator"
    SUBDISTRICT_COORDINATOR = "subdistrict_coordinator"
    LAO_CERTIFIER = "lao_certifier"
    DISTRICT_OFFICER = "district_officer"
    PROVINCE_OFFICER = "province_officer"
    DEPARTMENT_ADMIN = "department_admin"
    VIEWER = "viewer"


ROLE_TH = {
    Role.ENUMERATOR: "อาสาสมัครจัดเก็บข้อมูล",
    Role.SUBDISTRICT_COORDINATOR: "พัฒนากรผู้ประสานงานตำบล",
    Role.LAO_CERTIFIER: "ผู้รับรองข้อมูลระดับ อปท.",
    Role.DISTRICT_OFFICER: "เจ้าหน้าที่ระดับอำเภอ",
    Role.PROVINCE_OFFICER: "เจ้าหน้าที่ระดับจังหวัด",
    Role.DEPARTMENT_ADMIN: "ผู้ดูแลระบบระดับกรม",
    Role.VIEWER: "ผู้ชมข้อมูลภาพรวม",
}


class User(db.Model):
    """A person who signs in. Exactly one scope: an area code, an LAO, or (admins and
    viewers only) the whole nation when both are empty."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    scope_area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    scope_lao_code: Mapped[str | None] = mapped_column(ForeignKey("laos.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing it signs the user out of every browser session.
    session_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    scope_area = relationship("Area", lazy="joined")
    scope_lao = relationship("Lao", lazy="joined")

    # Flask-Login protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_th(self) -> str:
        return ROLE_TH[self.role_enum]


class ApiToken(db.Model):
    """A bearer token for the phone app or a script. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class EnrolmentLink(db.Model):
    """A one-time, short-lived link that signs a phone in as a volunteer (shown as a QR
    code). Only its hash is stored; redeeming it marks it used in the same statement."""

    __tablename__ = "enrolment_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id",
                                                            ondelete="SET NULL"))


class LoginThrottle(db.Model):
    """Recent failed sign-ins per username (known or not) and per client address, and the
    lock they caused. Counted with one atomic statement per attempt, so parallel guesses
    cannot outrun the limit."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:…" or "addr:…"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TZDateTime)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class AuditEvent(db.Model):
    """Append-only record of logins, lockouts, token changes and permission denials.
    Holds usernames and area codes, never passwords, tokens or personal data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)
