"""Protecting national IDs (PDPA): a keyed hash to find duplicates without the ID, and
encryption so that only roles that need the ID can see it.

Keys are derived from ``BMN_DATA_KEY`` (or ``SECRET_KEY`` when that is unset), so a
database dump alone reveals no ID. Rotating the key needs a re-encryption job; keep it
stable across the nodes of a deployment.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _key(purpose: bytes) -> bytes:
    master = (current_app.config.get("BMN_DATA_KEY") or current_app.config["SECRET_KEY"])
    return hmac.new(master.encode(), purpose, hashlib.sha256).digest()


def id_hash(national_id: str) -> str:
    """Same ID → same hash under the same key; the hash alone does not give the ID back."""
    return hmac.new(_key(b"national-id-hash"), national_id.encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"national-id-encryption")))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
