"""What the survey pages share: the round and unit a page is about, sorting a table by a
column, and the same table as a CSV or XLSX download."""
from __future__ import annotations

import re
from datetime import date

from flask import request

from app.areas import queries
from app.auth.guard import require_unit
from app.auth.policy import Action, may
from app.db_types import utcnow
from app.thai import BANGKOK
from app.units import Unit
from survey import exports
from survey.models import SurveyRound
from survey.planning import current_round


def page_round() -> SurveyRound:
    return current_round(request.values.get("round", type=int))


def today() -> date:
    return utcnow().astimezone(BANGKOK).date()


def page_unit(action: Action = Action.AGGREGATE_READ):
    """The unit a page is about (``?area=`` or ``?lao=``, else the user's own scope) and
    the user, who must be allowed ``action`` on all of it."""
    area = request.args.get("area", "")
    lao = request.args.get("lao", "")
    area = area if re.fullmatch(r"[0-9]{2,8}", area) else None
    lao = lao if re.fullmatch(r"[0-9]{1,10}", lao) else None
    if area is None and lao is None:
        from app.auth.guard import authenticated_user
        user = authenticated_user()
        area, lao = user.scope_area_code, user.scope_lao_code
    unit = Unit.named(area=area, lao=lao)
    return unit, require_unit(action, unit)


def trail(user, unit: Unit) -> list[Unit]:
    """The units above ``unit`` the user may open, for a breadcrumb."""
    if unit.kind != "area":
        return []
    area = queries.get_area(unit.code)
    return [Unit.of_area(a) for a in queries.ancestors(area)
            if may(user, Action.AGGREGATE_READ, area=a)]


def sort_lines(lines: list, columns: dict[str, callable], default: str) -> tuple[list, str, bool]:
    """``lines`` sorted by ``?sort=`` (one of ``columns``) and ``?dir=desc``; empty values
    last either way."""
    key = request.args.get("sort", default)
    key = key if key in columns else default
    descending = request.args.get("dir") == "desc"
    getter = columns[key]
    present = [line for line in lines if getter(line) is not None]
    missing = [line for line in lines if getter(line) is None]
    return sorted(present, key=getter, reverse=descending) + missing, key, descending


def download(name: str, header: list[str], rows: list[list]):
    """The table as ``?format=csv`` or ``xlsx``; None when the page itself is wanted."""
    wanted = request.args.get("format")
    if wanted == "csv":
        return exports.csv_response(name, header, rows)
    if wanted == "xlsx":
        return exports.xlsx_response(name, header, rows)
    return None


def form_errors(problem) -> dict[str, list[str]]:
    """A Problem's per-field errors as Thai messages (for the form beside each field)."""
    return {field: [e.get("message_th") or e.get("message") if isinstance(e, dict) else str(e)
                    for e in items]
            for field, items in (problem.errors or {}).items() if isinstance(items, list)}
