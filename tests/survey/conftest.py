"""Fixtures for the survey's database tests: a round, assigned enumerators and valid
submissions built with the payload factory."""
from __future__ import annotations

import base64
import random
import struct
import uuid
import zlib
from datetime import date

import pytest

from app.areas.queries import get_area
from app.auth.models import Role
from survey import planning
from survey.payload_factory import make_household

INTERVIEW_DAY = date(2022, 3, 15)
VILLAGE = "65010201"         # under the SAO 6650102 in the demo register
OTHER_VILLAGE = "65010202"


def tiny_png() -> str:
    """A real 1×1 PNG, base64, standing in for a drawn signature."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


@pytest.fixture
def survey_round(app):
    return planning.create_round(2565, "2560-2564", date(2022, 1, 1), date(2022, 5, 31))


@pytest.fixture
def enumerator(make_user, survey_round):
    user = make_user(Role.ENUMERATOR, area_code="650102")
    for code in (VILLAGE, OTHER_VILLAGE):
        planning.assign(survey_round, user, get_area(code))
    return user


@pytest.fixture
def household_payload():
    """``household_payload(seed, **overrides)`` → a complete valid submission body."""
    def build(seed: int = 1, village_code: str = VILLAGE, **overrides) -> dict:
        rng = random.Random(seed)
        body = make_household(rng, village_code=village_code, as_of=INTERVIEW_DAY,
                              house_code=f"6501{seed:07d}")
        body.update(client_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    round=2565, interviewed_on=INTERVIEW_DAY.isoformat(),
                    gps={"lat": 16.82, "lon": 100.26, "accuracy_m": 8.0},
                    head_signoff={"name": body["members"][0]["first_name"],
                                  "signed_at": "2022-03-15T10:30:00+07:00",
                                  "signature_png": tiny_png()})
        body.update(overrides)
        return body
    return build
