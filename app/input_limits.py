"""Input as this application accepts it, checked before any route sees it.

JSON bodies: bounded nesting, 64-bit integers, finite numbers and well-formed Unicode.
Python's ``json`` accepts a body nested 100,000 levels (and then fails with a
``RecursionError``), integers of any length (and fails on 5,000 digits), ``NaN`` and lone
surrogates (which the database then refuses). Every other input (path, query string, form):
no NUL character, which PostgreSQL cannot store or even compare. Each of these is a 400
with its own ``error_code``, never a 500.
"""
from __future__ import annotations

import json
import math
import re

import orjson
from flask import request
from flask.json.provider import DefaultJSONProvider

from app.errors import ApiError

MAX_DEPTH = 32
INT_MIN, INT_MAX = -2 ** 63, 2 ** 63 - 1


class JsonLimitError(ValueError):
    """The body is JSON this API refuses; ``error_code`` says which limit it broke."""

    def __init__(self, error_code: str, message: str):
        super().__init__(message)
        self.error_code = error_code


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise JsonLimitError("JSON_NUMBER_TOO_LARGE",
                             f"an integer of {len(text)} digits is out of range (64-bit)")
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise JsonLimitError("JSON_NUMBER_TOO_LARGE", f"{text} is out of range (64-bit)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonLimitError("JSON_NUMBER_TOO_LARGE", f"{text[:40]} is not a finite number")
    return value


def _constant(name: str):
    raise JsonLimitError("JSON_NUMBER_INVALID", f"{name} is not allowed in JSON")


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonLimitError("JSON_INVALID_STRING",
                             "a string holds a lone surrogate (invalid Unicode)") from exc
    if "\x00" in text:
        raise JsonLimitError("JSON_INVALID_STRING", "a string holds a NUL character")


def _check_tree(value) -> None:
    """Depth at most ``MAX_DEPTH`` and every string (keys too) encodable as UTF-8."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_string(node)
        elif isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise JsonLimitError("JSON_TOO_DEEP",
                                     f"the body is nested deeper than {MAX_DEPTH} levels")
            if isinstance(node, dict):
                for key, item in node.items():
                    _check_string(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)


def _check_nesting(node, depth: int = 1) -> None:
    """Depth at most ``MAX_DEPTH``, looking at containers only."""
    if depth > MAX_DEPTH:
        raise JsonLimitError("JSON_TOO_DEEP",
                             f"the body is nested deeper than {MAX_DEPTH} levels")
    for item in node.values() if type(node) is dict else node:
        if type(item) is dict or type(item) is list:
            _check_nesting(item, depth + 1)


# orjson parses a body several times faster than ``json`` with this module's hooks, but it
# turns an integer beyond 64 bits into a float and knows none of this module's error codes.
# So it parses only a body without a run of 19 digits, and a body it refuses is parsed
# again by ``json`` for the precise error. Its strings need no check unless the body holds
# an escape of a NUL or a surrogate: strict JSON refuses raw control characters, and valid
# UTF-8 holds no surrogates (a false match, such as an escaped backslash before "u0000", only
# costs the careful path).
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _fast(raw: bytes):
    """The body parsed by orjson, or ``None`` when it must take the careful path."""
    if _LONG_NUMBER in raw.translate(_DIGITS_AS_ZERO) or _RISKY_ESCAPE.search(raw):
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(value) is dict or type(value) is list:
        _check_nesting(value)
    return value


def loads(data: str | bytes):
    """Parse a request body within the limits; ``JsonLimitError`` or ``JSONDecodeError``."""
    if isinstance(data, (bytes, bytearray)):
        value = _fast(bytes(data))
        if value is not None:
            return value
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"the body is not UTF-8 ({exc.reason})",
                                       doc="?", pos=exc.start) from exc
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError as exc:
        raise JsonLimitError("JSON_TOO_DEEP",
                             f"the body is nested deeper than {MAX_DEPTH} levels") from exc
    _check_tree(value)
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` with the same limits as the API's argument parser; answers in
    UTF-8 as written (a Thai letter is 3 bytes, not a 6-byte ``\\u0e..`` escape)."""

    ensure_ascii = False

    def loads(self, s, **kwargs):
        return loads(s)


def reject_nul_characters() -> None:
    """``before_request``: a NUL in the path, the query string or a form field is a 400."""
    values = [request.path, *(request.view_args or {}).values()]
    for source in (request.args, request.form):
        for key, items in source.lists():
            values.append(key)
            values.extend(items)
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise ApiError(400, "NUL_CHARACTER", "the request holds a NUL character",
                       message_th="ข้อมูลที่ส่งมามีอักขระที่ไม่อนุญาต")
