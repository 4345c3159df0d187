"""Free text as every form and import accepts it: Unicode NFC, no control characters, no
bidirectional overrides (which make a name display as something else), within its column,
and a name holds at least one letter."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

ANY_TEXT_LIMIT = 500  # a string with no column of its own (address parts, "other" inputs)

# Control characters (C0, C1, DEL) and the bidirectional overrides and isolates
# (U+202A-U+202E, U+2066-U+2069).
_BAD_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def normalise_text(value: Any) -> Any:
    """The payload with every string in Unicode NFC (Thai typed on different keyboards
    compares equal), keys and nesting unchanged."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [normalise_text(v) for v in value]
    if isinstance(value, Mapping):
        return {k: normalise_text(v) for k, v in value.items()}
    return value


def text_problem(value: str, limit: int = ANY_TEXT_LIMIT) -> tuple[str, str] | None:
    """``(error_code, Thai message)`` when a text field holds characters no form should
    accept, or is longer than its column; ``None`` when it is fine."""
    if _BAD_CHARACTERS.search(value):
        return "TEXT_INVALID_CHARACTER", "มีอักขระควบคุมหรืออักขระกลับทิศทางที่ไม่อนุญาต"
    if len(value) > limit:
        return "TEXT_TOO_LONG", f"ยาวเกิน {limit:,} ตัวอักษร"
    return None


def has_letter(value: str) -> bool:
    """At least one letter or digit: a name of only marks or zero-width characters is empty."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in value)
