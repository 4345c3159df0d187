"""A coordinator's volunteers: create one (name, phone, villages), change their villages,
put their account on a phone with a QR code, sign a lost phone out, deactivate."""
from __future__ import annotations

import segno
from flask import current_app, redirect, render_template, request, url_for

from app.api_base import committed
from app.auth import enrolment
from app.auth.guard import client_ip, require
from app.auth.policy import Action
from app.auth.services import revoke_user_tokens
from app.errors import Problem
from survey import volunteers as service
from survey.pages import bp
from survey.pages.common import form_errors, page_round

DONE_TH = {"created": "สร้างบัญชีอาสาสมัครเรียบร้อย ลงทะเบียนโทรศัพท์ได้ด้านล่าง",
           "saved": "บันทึกข้อมูลอาสาสมัครเรียบร้อย",
           "revoked": "ยกเลิกการเข้าใช้งานของโทรศัพท์ทุกเครื่องของอาสาสมัครนี้แล้ว",
           "deactivated": "ระงับการใช้งานอาสาสมัครแล้ว (ข้อมูลครัวเรือนที่ส่งแล้วยังอยู่ครบ)",
           "activated": "เปิดใช้งานอาสาสมัครอีกครั้งแล้ว"}


def _list_page(round_, user, *, form=None, errors=None, message=None, status=200):
    return render_template(
        "survey/volunteers.html", round=round_, volunteers=service.list_volunteers(user, round_),
        villages=service.villages_to_assign(user), form=form or {}, errors=errors or {},
        message=message), status


@bp.get("/volunteers/", endpoint="volunteers")
def volunteers():
    user = require(Action.ASSIGNMENT_MANAGE)
    return _list_page(page_round(), user)


@bp.post("/volunteers/", endpoint="volunteer_create")
def volunteer_create():
    user = require(Action.ASSIGNMENT_MANAGE)
    round_ = page_round()
    form = request.form
    try:
        volunteer = committed(lambda: service.create_volunteer(
            user, round_, name=form.get("display_name", ""), phone=form.get("phone", ""),
            village_codes=form.getlist("villages")))
    except Problem as problem:
        return _list_page(round_, user, form=form, errors=form_errors(problem),
                          message=problem.message_th, status=problem.status)
    return redirect(url_for("survey_pages.volunteer", user_id=volunteer.id, round=round_.year,
                            done="created"))


def _volunteer_page(round_, user, volunteer, *, form=None, errors=None, message=None,
                    enrol=None, status=200):
    view = service.views(round_, [volunteer])[0]
    form = form or {"display_name": volunteer.display_name, "phone": volunteer.phone or ""}
    chosen = (set(form.getlist("villages")) if hasattr(form, "getlist")
              else {v.area.code for v in view.villages})
    return render_template(
        "survey/volunteer.html", round=round_, view=view, volunteer=volunteer,
        villages=service.villages_to_assign(user), chosen=chosen, form=form,
        errors=errors or {}, message=message, enrol=enrol,
        done=DONE_TH.get(request.args.get("done", ""))), status


@bp.get("/volunteers/<int(max=2147483647):user_id>", endpoint="volunteer")
def volunteer(user_id):
    user = require(Action.ASSIGNMENT_MANAGE)
    return _volunteer_page(page_round(), user, service.get_volunteer(user, user_id))


@bp.post("/volunteers/<int(max=2147483647):user_id>", endpoint="volunteer_update")
def volunteer_update(user_id):
    user = require(Action.ASSIGNMENT_MANAGE)
    round_ = page_round()
    volunteer = service.get_volunteer(user, user_id)
    form = request.form
    try:
        committed(lambda: service.update_volunteer(
            user, round_, service.get_volunteer(user, user_id),
            name=form.get("display_name", ""), phone=form.get("phone", ""),
            village_codes=form.getlist("villages")))
    except Problem as problem:
        return _volunteer_page(round_, user, volunteer, form=form, errors=form_errors(problem),
                               message=problem.message_th, status=problem.status)
    return redirect(url_for("survey_pages.volunteer", user_id=user_id, round=round_.year,
                            done="saved"))


@bp.post("/volunteers/<int(max=2147483647):user_id>/enrol", endpoint="volunteer_enrol")
def volunteer_enrol(user_id):
    """A one-time link for the volunteer's phone, as a QR code (15 minutes)."""
    user = require(Action.ASSIGNMENT_MANAGE)
    round_ = page_round()
    volunteer = service.get_volunteer(user, user_id)
    try:
        link = committed(lambda: enrolment.create_link(
            user, service.get_volunteer(user, user_id), ip=client_ip()))
    except Problem as problem:
        return _volunteer_page(round_, user, volunteer, message=problem.message_th,
                               status=problem.status)
    base = current_app.config["BMN_PUBLIC_URL"]
    shell = base + url_for("pwa.shell") if base else url_for("pwa.shell", _external=True)
    url = shell + "#enrol/" + link.code
    qr = segno.make(url, error="m").svg_inline(scale=5, title="QR ลงทะเบียนโทรศัพท์")
    return _volunteer_page(round_, user, volunteer, enrol={
        "url": url, "qr": qr, "expires_at": link.link.expires_at})


@bp.post("/volunteers/<int(max=2147483647):user_id>/revoke", endpoint="volunteer_revoke")
def volunteer_revoke(user_id):
    """Sign every phone of the volunteer out (a lost or replaced phone)."""
    user = require(Action.ASSIGNMENT_MANAGE)
    round_ = page_round()
    committed(lambda: revoke_user_tokens(service.get_volunteer(user, user_id), by=user,
                                         ip=client_ip()))
    return redirect(url_for("survey_pages.volunteer", user_id=user_id, round=round_.year,
                            done="revoked"))


@bp.post("/volunteers/<int(max=2147483647):user_id>/active", endpoint="volunteer_active")
def volunteer_active(user_id):
    user = require(Action.ASSIGNMENT_MANAGE)
    round_ = page_round()
    active = request.form.get("active") == "1"
    committed(lambda: service.set_active(user, service.get_volunteer(user, user_id), active,
                                         ip=client_ip()))
    return redirect(url_for("survey_pages.volunteer", user_id=user_id, round=round_.year,
                            done="activated" if active else "deactivated"))
