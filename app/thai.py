"""Thai presentation: Buddhist-Era dates and numbers with thousands separators."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]


def be_date(value: date | datetime | None, *, with_time: bool = False) -> str:
    """``27 พ.ย. 2569`` (and ``14:05 น.``), in Bangkok time for datetimes."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        local = value.astimezone(BANGKOK) if value.tzinfo else value
        text = f"{local.day} {MONTHS_SHORT[local.month - 1]} {local.year + BE_OFFSET}"
        return text + (f" {local:%H:%M} น." if with_time else "")
    return f"{value.day} {MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"


def number(value, decimals: int = 0) -> str:
    """``12,900,000`` or ``38,000.50``; ``-`` for no value."""
    if value is None:
        return "-"
    return f"{value:,.{decimals}f}"


def register(app) -> None:
    app.jinja_env.filters["be_date"] = be_date
    app.jinja_env.filters["be_datetime"] = lambda v: be_date(v, with_time=True)
    app.jinja_env.filters["number"] = number
