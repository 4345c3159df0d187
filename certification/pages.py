"""Committee screens (Thai, laptop projector and tablet): the units under me with state,
coverage and failing gates; a unit page with its gates, reports by child area, households
waiting for correction, history, and the certify / return forms. Forms post here with a
CSRF token; the rules are the API's (``services``)."""
from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from app.api_base import committed
from app.auth.guard import authenticated_user, require
from app.auth.models import ROLE_TH, Role
from app.auth.policy import Action
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from certification import committees, queries, services, snapshot
from certification.models import Decision
from certification.workflow import STATE_TH, TIER_TH, Decide, Tier
from survey.access import in_unit
from survey.models import Household, SurveyRound
from survey.pages.common import form_errors
from survey.planning import current_round
from survey.validation import format_be_date, parse_be_date

bp = Blueprint("certification_pages", __name__, url_prefix="/certification",
               template_folder="templates")

EVENT_TH = {"certified": "รับรองข้อมูล", "accepted": "กรมรับเข้าข้อมูลระดับประเทศ",
            "returned": "ส่งกลับให้แก้ไขทั้งหน่วย", "households_returned": "ส่งครัวเรือนกลับให้แก้ไข",
            "minutes_attached": "แนบบันทึกการประชุม", "issue_resolved": "แก้ไขปัญหาคุณภาพข้อมูล"}
DONE_TH = {"certified": "บันทึกการรับรองเรียบร้อย", "returned": "ส่งกลับให้แก้ไขเรียบร้อย",
           "minutes": "แนบบันทึกการประชุมเรียบร้อย",
           "committee": "บันทึกคำสั่งแต่งตั้งคณะทำงานเรียบร้อย"}


def _round() -> SurveyRound:
    return current_round(request.values.get("round", type=int))


@bp.get("/")
def units():
    user = require(Action.AGGREGATE_READ)
    round_ = _round()
    province = request.args.get("province") if re.fullmatch(
        r"[0-9]{2}", request.args.get("province", "")) else None
    progress, found = None, []
    if Unit.of_scope(user).kind == "nation" and province is None:
        progress = queries.national_progress(round_)
    else:
        found = queries.units_for(user, round_, province=province)
    return render_template("certification/units.html", round=round_, units=found,
                           progress=progress, province=province, **_labels())


def _labels() -> dict:
    """Thai labels by value, for templates."""
    return {"state_th": {**{s.value: t for s, t in STATE_TH.items()},
                         "not_certified": "ยังไม่รับรอง"},
            "tier_th": {t.value: label for t, label in TIER_TH.items()}}


def _page(round_, tier: str, code: str, *, error: str | None = None, errors=None,
          status: int = 200, form=None):
    user = require(Action.AGGREGATE_READ)
    unit = services.find_unit(round_, Tier(tier), code)
    if not services.may_see(user, unit):
        raise Problem("UNKNOWN_UNIT", tier=tier, code=code, year=round_.year)
    decisions = db.session.scalars(select(Decision).where(
        Decision.round_year == round_.year, Decision.tier == unit.tier.value,
        Decision.unit_code == unit.code).order_by(Decision.seq.desc())).all()
    return render_template(
        "certification/unit.html", round=round_, unit=unit, snap=snapshot.take(round_, unit),
        returned=queries.returned_households(user, round_, unit),
        events=queries.events_of(round_, unit), decisions=decisions,
        views={d.id: services.decision_view(d) for d in decisions},
        can_certify=services.may_decide(user, Decide.CERTIFY, unit),
        can_return=services.may_decide(user, Decide.RETURN, unit),
        can_return_households=user.role_enum in (Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER),
        event_th=EVENT_TH, **_labels(),
        role_of=lambda value: ROLE_TH.get(Role(value), value) if value else "",
        committee=committees.committee_of(round_, unit),
        done=DONE_TH.get(request.args.get("done", "")), error=error, errors=errors or {},
        form=form or {}), status


@bp.get("/<any(lao, district, province, department):tier>/<code>")
def unit_page(tier, code):
    return _page(_round(), tier, code)


SEPARATOR = re.compile(r"\s+[-–—]\s+|\t|,")


def _participants(text: str) -> list[dict]:
    """One participant a line: "name - position" (a dash, a comma or a tab between)."""
    people = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        parts = SEPARATOR.split(line, maxsplit=1)
        people.append({"name": parts[0].strip(),
                       "position": parts[1].strip() if len(parts) > 1 else ""})
    return people


def _chosen_members(round_, tier, code, form) -> list[dict]:
    """The committee members ticked on the meeting form."""
    committee = committees.committee_of(round_, services.find_unit(round_, Tier(tier), code))
    ticked = set(form.getlist("member"))
    return [{"name": m.name, "position": m.position} for m in (committee.members
            if committee else []) if str(m.line_no) in ticked]


@bp.route("/<any(lao, district, province):tier>/<code>/committee", methods=["GET", "POST"])
def committee_form(tier, code):
    """The unit's working committee: the appointment order and its members."""
    round_ = _round()
    user = require(Action.AGGREGATE_READ)
    unit = services.find_unit(round_, Tier(tier), code)
    if not services.may_see(user, unit):
        raise Problem("UNKNOWN_UNIT", tier=tier, code=code, year=round_.year)
    committee = committees.committee_of(round_, unit)
    form, errors, message, status = {}, {}, None, 200
    if request.method == "POST":
        form = request.form
        try:
            order_date = parse_be_date(form.get("order_date", "").strip())
        except ValueError:
            order_date = None
        try:
            committed(lambda: committees.save_committee(
                authenticated_user(), round_, services.find_unit(round_, Tier(tier), code),
                order_number=form.get("order_number", ""), order_date=order_date,
                members=_participants(form.get("members", ""))))
        except Problem as problem:
            message, errors, status = problem.message_th, form_errors(problem), problem.status
        else:
            return _redirect(tier, code, round_, "committee")
    elif committee is not None:
        form = {"order_number": committee.order_number,
                "order_date": format_be_date(committee.order_date),
                "members": "\n".join(f"{m.name} - {m.position}" if m.position else m.name
                                     for m in committee.members)}
    return render_template(
        "certification/committee.html", round=round_, unit=unit, committee=committee,
        form=form, errors=errors, message=message,
        can_edit=services.may_decide(user, Decide.CERTIFY, unit), **_labels()), status


def _redirect(tier, code, round_, done):
    return redirect(url_for("certification_pages.unit_page", tier=tier, code=code,
                            round=round_.year, done=done))


@bp.post("/<any(lao, district, province, department):tier>/<code>/certify")
def certify_form(tier, code):
    round_ = _round()
    form = request.form
    meeting = None
    if Tier(tier) is not Tier.DEPARTMENT:
        try:
            held_on = parse_be_date(form.get("date", "").strip())
        except ValueError:
            return _page(round_, tier, code, error="วันที่ประชุมต้องอยู่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.)",
                         errors={"date": ["เช่น 01/06/2565"]}, status=422, form=form)
        meeting = {"date": held_on, "place": form.get("place", "").strip(),
                   "participants": _chosen_members(round_, tier, code, form)
                   + _participants(form.get("participants", ""))}

    def operation():
        user = authenticated_user()
        status = services.find_unit(round_, Tier(tier), code)
        if not services.may_see(user, status):
            raise Problem("UNKNOWN_UNIT", tier=tier, code=code, year=round_.year)
        return services.certify(user, round_, status, if_match=f'"{form.get("revision")}"',
                                meeting=meeting)
    try:
        committed(operation)
    except Problem as problem:
        return _page(round_, tier, code, error=problem.message_th,
                     errors=form_errors(problem), status=problem.status, form=form)
    return _redirect(tier, code, round_, "certified")


@bp.post("/<any(lao, district, province, department):tier>/<code>/return")
def return_form(tier, code):
    round_ = _round()
    reason = request.form.get("reason", "").strip()
    house_code = request.form.get("house_code", "").strip()

    def operation():
        user = authenticated_user()
        status = services.find_unit(round_, Tier(tier), code)
        if not services.may_see(user, status):
            raise Problem("UNKNOWN_UNIT", tier=tier, code=code, year=round_.year)
        if len(reason) < 3:
            raise Problem("MEETING_INVALID", errors={"reason": ["กรุณาระบุเหตุผล"]})
        if not house_code:
            return services.return_unit(user, round_, status, reason)
        household = db.session.scalar(select(Household).where(
            Household.round_year == round_.year, Household.house_code == house_code,
            in_unit(status.unit)))
        if household is None:
            raise Problem("UNKNOWN_HOUSEHOLD", id=house_code,
                          errors={"house_code": ["ไม่พบรหัสบ้านนี้ในหน่วยนี้"]})
        return services.return_households(user, round_, [(household.id, reason)])
    try:
        committed(operation)
    except Problem as problem:
        return _page(round_, tier, code, error=problem.message_th,
                     errors=form_errors(problem), status=problem.status, form=request.form)
    return _redirect(tier, code, round_, "returned")


@bp.post("/decisions/<int(max=2147483647):decision_id>/minutes")
def minutes_form(decision_id):
    user = require(Action.AGGREGATE_READ)
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise Problem("UNKNOWN_DECISION", id=decision_id)
    round_ = db.session.get(SurveyRound, decision.round_year)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        committed(lambda: services.attach_minutes(user, decision, data))
    except Problem as problem:
        return _page(round_, decision.tier, decision.unit_code, error=problem.message_th,
                     status=problem.status)
    return _redirect(decision.tier, decision.unit_code, round_, "minutes")
