"""Setting a round up: its settings (department), the allocation of target households and
budget to provinces (department) and to districts (province), and the villages' targets
(district) — each with a dry run that lists every row error before anything is saved."""
from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from app.api_base import committed
from app.areas import queries
from app.auth.guard import authenticated_user, require, require_unit
from app.auth.policy import Action, may
from app.csv_import import CsvFileError
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey import allocation, planning
from survey.models import Allocation, SurveyRound
from survey.pages import bp
from survey.pages.common import form_errors, page_round
from survey.questionnaires import available_versions
from survey.validation import format_be_date, parse_be_date

SETTINGS_TH = {
    "income_line": "เส้นรายได้ (บาท/คน/ปี)",
    "coverage_threshold_pct": "ร้อยละความครอบคลุมที่ต้องมีก่อนรับรอง",
    "min_area_households": "จำนวนครัวเรือนขั้นต่ำของพื้นที่ที่เผยแพร่ตัวเลขได้",
    "payment_rate": "ค่าตอบแทนต่อครัวเรือน (บาท)",
    "households_per_volunteer": "จำนวนครัวเรือนต่ออาสาสมัคร 1 คน",
    "national_target": "เป้าหมายครัวเรือนทั้งประเทศ",
}
LIMITS = {"income_line": (1, 10_000_000), "coverage_threshold_pct": (0, 100),
          "min_area_households": (1, 1000), "payment_rate": (0, 10_000),
          "households_per_volunteer": (1, 1000), "national_target": (0, 20_000_000)}


@bp.get("/rounds/", endpoint="rounds")
def rounds():
    require(Action.ROUND_MANAGE)
    found = db.session.scalars(select(SurveyRound).order_by(SurveyRound.year.desc())).all()
    return render_template("survey/rounds.html", rounds=found)


def _settings_form(form) -> tuple[dict, dict]:
    """The round form's values and its errors by field, in Thai."""
    values, errors = {}, {}
    year = form.get("year", "").strip()
    if not re.fullmatch(r"25[0-9]{2}|26[0-9]{2}", year):
        errors["year"] = ["ปี พ.ศ. 4 หลัก เช่น 2569"]
    else:
        values["year"] = int(year)
    version = form.get("questionnaire_version", "")
    if version not in available_versions():
        errors["questionnaire_version"] = ["กรุณาเลือกแบบสอบถาม"]
    values["questionnaire_version"] = version
    for name in ("collection_start", "collection_end"):
        try:
            values[name] = parse_be_date(form.get(name, "").strip())
        except ValueError:
            errors[name] = ["วันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 01/01/2569"]
    for name, (low, high) in LIMITS.items():
        text = form.get(name, "").strip().replace(",", "")
        if not text and name == "national_target":
            values[name] = None
            continue
        if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
            errors[name] = [f"จำนวนเต็ม {low:,} ถึง {high:,}"]
        else:
            values[name] = int(text)
    return values, errors


@bp.route("/rounds/edit", methods=["GET", "POST"], endpoint="round_form")
def round_form():
    """Open a round, or change one (``?year=``)."""
    require(Action.ROUND_MANAGE)
    year = request.args.get("year", type=int)
    existing = db.session.get(SurveyRound, year) if year else None
    status, errors, message = 200, {}, None
    if request.method == "POST":
        values, errors = _settings_form(request.form)
        if not errors:
            year = values.pop("year")
            try:
                committed(lambda: planning.create_round(
                    year, values.pop("questionnaire_version"), values.pop("collection_start"),
                    values.pop("collection_end"), values.pop("income_line"), **values))
            except Problem as problem:
                message, errors, status = problem.message_th, form_errors(problem), \
                    problem.status
            else:
                return redirect(url_for("survey_pages.rounds", saved=year))
        else:
            message, status = "กรุณาแก้ไขช่องที่มีข้อความสีแดง", 422
        form = request.form
    elif existing is not None:
        form = {"year": existing.year, "questionnaire_version": existing.questionnaire_version,
                "collection_start": format_be_date(existing.collection_start),
                "collection_end": format_be_date(existing.collection_end),
                **{name: getattr(existing, name) if getattr(existing, name) is not None else ""
                   for name in LIMITS}}
    else:
        form = {"income_line": 38_000, "coverage_threshold_pct": 90, "min_area_households": 5,
                "payment_rate": 20, "households_per_volunteer": 40}
    return render_template("survey/round_form.html", form=form, errors=errors,
                           message=message, existing=existing, labels=SETTINGS_TH,
                           versions=available_versions()), status


def _allocation_unit(user) -> Unit:
    """The unit whose allocation the page shows: ``?area=`` (a province) or the user's
    own; the nation for the department."""
    code = request.args.get("area", "")
    if re.fullmatch(r"[0-9]{2}", code):
        return Unit.named(area=code)
    return Unit.named(area=user.scope_area_code, lao=user.scope_lao_code)


@bp.route("/rounds/allocations", methods=["GET", "POST"], endpoint="allocations")
def allocations():
    """The nation's allocation to provinces (department), a province's to its districts
    (province); a district goes on to its villages' targets."""
    user = authenticated_user()
    round_ = page_round()
    unit = _allocation_unit(user)
    area = queries.get_area(unit.code) if unit.kind == "area" else None
    if area is not None and area.level != "province":
        return redirect(url_for("survey_pages.targets", round=round_.year, area=unit.code))
    action = Action.ROUND_MANAGE if unit.kind == "nation" else Action.REGISTER_IMPORT
    require_unit(action, unit)
    report, problem, status = None, None, 200
    if request.method == "POST":
        dry_run = request.form.get("action") != "save"
        try:
            report = _allocate(round_, unit, dry_run)
        except CsvFileError as exc:
            problem, status = f"{exc.message_th} ({exc})", 422
        except Problem as exc:
            problem, status = exc.message_th, exc.status
        else:
            status = 200 if report.ok else 422
    editable = True
    try:
        expected = allocation.to_share(round_, unit)[0]
    except Problem as exc:
        expected, editable, problem = None, False, problem or exc.message_th
    return render_template(
        "survey/allocations.html", round=round_, unit=unit, rows=allocation.plan(round_, unit),
        report=report, problem=problem, expected=expected, editable=editable,
        form=request.form), status


def _allocate(round_, unit, dry_run):
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        run = lambda: allocation.import_allocations(round_, unit, upload.read(),  # noqa: E731
                                                    dry_run=dry_run)
    else:
        lines = [(n, {"area_code": key[len("alloc-"):], "target_households": value})
                 for n, (key, value) in enumerate(request.form.items(), start=1)
                 if key.startswith("alloc-") and value.strip()]
        run = lambda: allocation.set_allocations(round_, unit, lines,  # noqa: E731
                                                 dry_run=dry_run)
    return run() if dry_run else committed(run)


@bp.route("/rounds/targets", methods=["GET", "POST"], endpoint="targets")
def targets():
    """A district's villages with their targets, and the targets import (CSV) with a
    dry run."""
    user = authenticated_user()
    round_ = page_round()
    code = request.args.get("area", "")
    unit = Unit.named(area=code) if re.fullmatch(r"[0-9]{4}", code) else \
        Unit.named(area=user.scope_area_code, lao=user.scope_lao_code)
    require_unit(Action.REGISTER_IMPORT, unit)
    report, problem, status = None, None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = request.form.get("action") != "save"
        if upload is None or not upload.filename:
            problem, status = "กรุณาเลือกไฟล์ CSV", 400
        else:
            data = upload.read()
            run = lambda: planning.import_targets(  # noqa: E731
                round_, data, dry_run=dry_run,
                allowed=lambda area: may(user, Action.REGISTER_IMPORT, area=area))
            try:
                report = run() if dry_run else committed(run)
            except CsvFileError as exc:
                problem, status = f"{exc.message_th} ({exc})", 422
            else:
                status = 200 if report.ok else 422
    area = queries.get_area(unit.code) if unit.kind == "area" else None
    district = area if area is not None and area.level == "district" else None
    own = None
    if district is not None:
        own = db.session.get(Allocation, (round_.year, district.code))
    return render_template(
        "survey/targets.html", round=round_, unit=unit, district=district,
        rows=allocation.plan(round_, unit) if district else [], allocated=own,
        report=report, problem=problem), status
