"""Households in the browser: a filtered list of the households in scope, one household
(personal data only for roles allowed it) with its return-for-correction form, and the
standard reports as pages with their CSV/XLSX downloads."""
from __future__ import annotations

import itertools
import re
from urllib.parse import urlencode

from flask import redirect, render_template, request, url_for
from sqlalchemy import exists, func, select

from app.api_base import committed
from app.areas.models import VILLAGE_LEVELS, Area
from app.areas.queries import get_area
from app.auth.guard import require
from app.auth.policy import Action, may, scope_clause
from app.errors import Problem
from app.extensions import db
from survey import access, reports
from survey import household_views as views
from survey import households as service
from survey.models import (
    ACTION_TH,
    STATUS_TH,
    Household,
    HouseholdStatus,
    QualityIssue,
)
from survey.pages import bp
from survey.pages.common import page_round, page_unit, trail

PAGE_SIZE = 50
VILLAGE_SELECT_LIMIT = 300  # above this many villages in scope, the filter is a code field
ISSUE_TH = {"duplicate_national_id": "เลขประจำตัวประชาชนซ้ำกับครัวเรือนอื่น",
            "gps_outside_village": "พิกัดอยู่นอกเขตหมู่บ้าน/ชุมชน",
            "gps_inaccurate": "พิกัดคลาดเคลื่อนเกินเกณฑ์"}


def _filters() -> dict:
    args = request.args
    village = args.get("village", "")
    status = args.get("status", "")
    return {"village": village if re.fullmatch(r"[0-9]{8}", village) else "",
            "status": status if status in {s.value for s in HouseholdStatus} else "",
            "warnings": args.get("warnings") == "1", "issues": args.get("issues") == "1",
            "house_code": re.sub(r"[^0-9]", "", args.get("house_code", ""))[:11]}


@bp.get("/households/", endpoint="households")
def households():
    user = require(Action.HOUSEHOLD_READ)
    round_ = page_round()
    chosen = _filters()
    query = select(Household).where(Household.round_year == round_.year,
                                    access.households_clause(user))
    if chosen["village"]:
        query = query.where(Household.village_code == chosen["village"])
    if chosen["status"]:
        query = query.where(Household.status == chosen["status"])
    if chosen["warnings"]:
        query = query.where(Household.warning_count > 0)
    if chosen["house_code"]:
        query = query.where(Household.house_code == chosen["house_code"])
    if chosen["issues"]:
        query = query.where(exists().where(QualityIssue.household_id == Household.id,
                                           QualityIssue.resolved_at.is_(None)))
    offset = max(request.args.get("offset", 0, type=int), 0)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.scalars(query.order_by(Household.updated_at.desc(), Household.id)
                               .limit(PAGE_SIZE).offset(offset)).all()
    ids = [h.id for h in found]
    issues = dict(db.session.execute(
        select(QualityIssue.household_id, func.count()).where(
            QualityIssue.household_id.in_(ids), QualityIssue.resolved_at.is_(None))
        .group_by(QualityIssue.household_id)).all()) if ids else {}
    village_count = db.session.scalar(select(func.count()).select_from(Area).where(
        Area.level.in_(VILLAGE_LEVELS), scope_clause(user, Action.HOUSEHOLD_READ, Area.code)))
    villages = db.session.scalars(select(Area).where(
        Area.level.in_(VILLAGE_LEVELS), scope_clause(user, Action.HOUSEHOLD_READ, Area.code))
        .order_by(Area.code)).all() if village_count <= VILLAGE_SELECT_LIMIT else None
    names = {code: name for code, name in db.session.execute(select(Area.code, Area.name_th)
             .where(Area.code.in_({h.village_code for h in found})))}
    return render_template(
        "survey/households.html", round=round_, households=found, total=total,
        offset=offset, page_size=PAGE_SIZE, chosen=chosen, villages=villages,
        village_names=names, issues=issues, status_th={s.value: t for s, t in STATUS_TH.items()},
        personal=may(user, Action.PERSONAL_DATA_READ))


def _household_page(household_id: str, *, error: str | None = None, status: int = 200):
    household, user = views.household_for(household_id, Action.HOUSEHOLD_READ)
    village = get_area(household.village_code)
    view = views.household_view(household, user)
    open_issues = db.session.scalars(select(QualityIssue).where(
        QualityIssue.household_id == household.id, QualityIssue.resolved_at.is_(None))).all()
    returnable = (may(user, Action.RETURN_FOR_CORRECTION, area=village)
                  and household.status in (HouseholdStatus.SUBMITTED.value,
                                           HouseholdStatus.RESUBMITTED.value))
    return render_template(
        "survey/household.html", h=household, view=view, village=village,
        personal=may(user, Action.PERSONAL_DATA_READ, area=village),
        history=views.history(household), issues=open_issues, issue_th=ISSUE_TH,
        returnable=returnable, error=error, done=request.args.get("done"),
        sex_th=reports.SEX_TH,
        action_th={a.value: label for a, label in ACTION_TH.items()}), status


@bp.get("/households/<household_id>", endpoint="household")
def household(household_id):
    return _household_page(household_id)


@bp.post("/households/<household_id>/return", endpoint="household_return")
def household_return(household_id):
    """Send the household back to its village's enumerators, with the reason."""
    reason = " ".join(request.form.get("reason", "").split())
    if len(reason) < 3:
        return _household_page(household_id, error="กรุณาระบุเหตุผลที่ส่งกลับให้แก้ไข",
                               status=422)

    def operation():
        found, user = views.household_for(household_id, Action.RETURN_FOR_CORRECTION)
        return service.return_for_correction(user, found, reason[:1000])
    try:
        committed(operation)
    except Problem as problem:
        if problem.error_code == "UNKNOWN_HOUSEHOLD":
            raise
        return _household_page(household_id, error=problem.message_th, status=problem.status)
    return redirect(url_for("survey_pages.household", household_id=household_id,
                            done="returned"))


REPORTS_TH = {"population": "ประชากรจำแนกตามเพศและช่วงอายุ",
              "indicators": "ตัวชี้วัดที่ผ่านและไม่ผ่านเกณฑ์",
              "income-expense": "รายได้และรายจ่ายเฉลี่ย",
              "income-failing": "ครัวเรือนที่มีรายได้ต่ำกว่าเกณฑ์ (ตัวชี้วัดที่ 22)"}
TABLES = {"population": reports.population_table, "indicators": reports.indicators_table,
          "income-expense": reports.income_expense_table}
FAILING_PAGE_ROWS = 500  # the page shows this many; the download has them all


@bp.get("/reports/", endpoint="reports")
def report_page():
    """A standard report for a unit, broken down by child area, as a page; its CSV and
    XLSX buttons fetch the same report from the API."""
    round_ = page_round()
    kind = request.args.get("kind", "indicators")
    kind = kind if kind in REPORTS_TH else "indicators"
    action = Action.HOUSEHOLD_READ if kind == "income-failing" else Action.AGGREGATE_READ
    unit, user = page_unit(action)
    more = False
    if kind == "income-failing":
        personal = may(user, Action.PERSONAL_DATA_READ, unit=unit)
        items = reports.failing_income_households(round_, unit, personal=personal,
                                                  visible=access.households_clause(user))
        # The head's name for roles allowed it; never the national ID on a screen.
        columns = reports.FAILING_COLUMNS + (reports.PERSONAL_COLUMNS[:1] if personal else [])
        header = [label for _, label in columns]
        rows = [[item.get(key) for key, _ in columns]
                for item in itertools.islice(items, FAILING_PAGE_ROWS + 1)]
        more = len(rows) > FAILING_PAGE_ROWS
        rows = rows[:FAILING_PAGE_ROWS]
        threshold = 0
    else:
        threshold = reports.small_area_threshold(user, unit, round_)
        whole, children = reports.totals(round_, unit, breakdown=True,
                                         min_households=threshold, parts=(kind,))
        header, rows = TABLES[kind](round_, unit, whole, children)
    api = {"round": round_.year, "area": unit.code if unit.kind == "area" else None,
           "lao": unit.code if unit.kind == "lao" else None}
    if kind != "income-failing":
        api["breakdown"] = "true"
    api = {k: v for k, v in api.items() if v is not None}
    return render_template(
        "survey/report.html", round=round_, unit=unit, kind=kind, titles=REPORTS_TH,
        header=header, rows=rows, more=more, threshold=threshold, trail=trail(user, unit),
        csv_url=f"/api/v1/reports/{kind}?" + urlencode({**api, "format": "csv"}),
        xlsx_url=f"/api/v1/reports/{kind}?" + urlencode({**api, "format": "xlsx"}))
