"""One error shape for every error, one catalogue of domain errors, and request ids.

API responses are JSON: ``{"code", "status", "message", "message_th", "errors",
"error_code", "request_id"}`` where ``error_code`` is a stable English identifier clients
can switch on. Pages get the same information as a Thai HTML page.

Services raise :class:`Problem` with a code from :data:`CATALOGUE` (HTTP status, English
and Thai text); they never import HTTP classes. Only this module turns a problem into a
response. Unexpected exceptions are logged with the request id (returned to the caller in
the body and the ``X-Request-ID`` header) but never with the request body.
"""
from __future__ import annotations

import logging
import re
import traceback
import uuid
from dataclasses import dataclass
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("bmn.errors")

# The error_code used when the raiser did not name a more specific one.
DEFAULT_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    428: "PRECONDITION_REQUIRED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}

# Thai titles for the HTML error page.
THAI_TITLES = {
    400: "คำขอไม่ถูกต้อง",
    401: "กรุณาเข้าสู่ระบบ",
    403: "ไม่มีสิทธิ์เข้าถึง",
    404: "ไม่พบข้อมูลที่ต้องการ",
    405: "วิธีการเรียกใช้ไม่ถูกต้อง",
    409: "ข้อมูลขัดแย้งกับที่มีอยู่แล้ว",
    412: "ข้อมูลถูกแก้ไขไปแล้ว",
    413: "ไฟล์มีขนาดใหญ่เกินไป",
    422: "ข้อมูลไม่ถูกต้อง",
    428: "ต้องระบุรุ่นของข้อมูล",
    429: "พยายามหลายครั้งเกินไป",
    500: "เกิดข้อผิดพลาดในระบบ",
}


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    en: str
    th: str


# Every domain error: code → status, English text, Thai text ({name} fields are filled from
# the raiser's parameters). Codes are stable; clients switch on them.
CATALOGUE: dict[str, ErrorSpec] = {
    # rounds, targets, assignments
    "UNKNOWN_ROUND": ErrorSpec(404, "no survey round {year}", "ไม่มีรอบการจัดเก็บปี {year}"),
    "INVALID_ROUND": ErrorSpec(422, "{reason}", "ข้อมูลรอบการจัดเก็บไม่ถูกต้อง: {reason_th}"),
    "ROUND_HAS_HOUSEHOLDS": ErrorSpec(
        409, "round {year} already has households; {setting} affects their scores and can "
             "no longer change",
        "รอบนี้มีข้อมูลครัวเรือนแล้ว ไม่สามารถเปลี่ยนค่าที่มีผลต่อการประเมินตัวชี้วัดได้"),
    "NO_NATIONAL_TARGET": ErrorSpec(
        409, "round {year} has no national target to allocate yet",
        "กรุณากำหนดเป้าหมายครัวเรือนทั้งประเทศของรอบนี้ก่อนจัดสรรให้จังหวัด"),
    "NO_PROVINCE_ALLOCATION": ErrorSpec(
        409, "the province has no allocation from the department yet",
        "จังหวัด{name}ยังไม่ได้รับการจัดสรรเป้าหมายจากกรม"),
    "NOT_ALLOCATED_HERE": ErrorSpec(
        422, "allocations are made by the department to provinces and by a province to its "
             "districts", "การจัดสรรทำได้ระดับกรม (ให้จังหวัด) และระดับจังหวัด (ให้อำเภอ) เท่านั้น"),
    "UNKNOWN_ENUMERATOR": ErrorSpec(
        422, "no enumerator {username!r} in your area",
        "ไม่พบอาสาสมัครจัดเก็บข้อมูลชื่อผู้ใช้นี้ในพื้นที่ของท่าน"),
    "NOT_A_VILLAGE": ErrorSpec(422, "{code} is not a village or community",
                               "มอบหมายได้เฉพาะหมู่บ้านหรือชุมชน"),
    "OUTSIDE_ENUMERATOR_SCOPE": ErrorSpec(422, "{code} is outside the enumerator's area",
                                          "หมู่บ้าน/ชุมชนนี้อยู่นอกพื้นที่ของอาสาสมัคร"),
    # volunteers and their phones
    "VOLUNTEER_INVALID": ErrorSpec(422, "the volunteer's details are incomplete or invalid",
                                   "ข้อมูลอาสาสมัครไม่ครบถ้วนหรือไม่ถูกต้อง"),
    "UNKNOWN_VOLUNTEER": ErrorSpec(404, "no volunteer {id} in your area",
                                   "ไม่พบอาสาสมัครนี้ในพื้นที่ของท่าน"),
    "VILLAGE_OUTSIDE_SCOPE": ErrorSpec(
        403, "village/community {code} is outside your area",
        "หมู่บ้าน/ชุมชนรหัส {code} อยู่นอกพื้นที่ที่ท่านรับผิดชอบ"),
    "VILLAGES_SPAN_SUBDISTRICTS": ErrorSpec(
        422, "a volunteer's villages must lie in one subdistrict",
        "หมู่บ้าน/ชุมชนของอาสาสมัครหนึ่งคนต้องอยู่ในตำบลเดียวกัน"),
    "ASSIGNMENT_HAS_HOUSEHOLDS": ErrorSpec(
        409, "the volunteer already has households in {code}; that village stays assigned",
        "อาสาสมัครมีข้อมูลครัวเรือนในหมู่บ้าน/ชุมชนรหัส {code} แล้ว จึงถอนหมู่บ้านนี้ออกไม่ได้"),
    "VOLUNTEER_INACTIVE": ErrorSpec(409, "the volunteer is deactivated",
                                    "อาสาสมัครคนนี้ถูกระงับการใช้งานแล้ว"),
    "ENROLMENT_NOT_ALLOWED": ErrorSpec(
        409, "only an active volunteer enumerator can enrol a phone",
        "ลงทะเบียนโทรศัพท์ได้เฉพาะอาสาสมัครที่ยังใช้งานอยู่"),
    "ENROLMENT_UNKNOWN": ErrorSpec(404, "this enrolment link is not valid",
                                   "ลิงก์ลงทะเบียนนี้ไม่ถูกต้อง กรุณาสแกน QR ใหม่จากผู้ประสานงานตำบล"),
    "ENROLMENT_USED": ErrorSpec(
        409, "this enrolment link was already used by a phone",
        "ลิงก์ลงทะเบียนนี้ถูกใช้กับโทรศัพท์เครื่องอื่นไปแล้ว กรุณาขอ QR ใหม่จากผู้ประสานงานตำบล"),
    "ENROLMENT_EXPIRED": ErrorSpec(
        410, "this enrolment link has expired",
        "ลิงก์ลงทะเบียนหมดอายุแล้ว (ใช้ได้ 15 นาที) กรุณาขอ QR ใหม่จากผู้ประสานงานตำบล"),
    "ACCOUNT_DISABLED_ENROLMENT": ErrorSpec(
        403, "the volunteer's account is deactivated",
        "บัญชีอาสาสมัครนี้ถูกระงับการใช้งาน ลงทะเบียนโทรศัพท์ไม่ได้"),
    # committees
    "COMMITTEE_INVALID": ErrorSpec(422, "the committee's appointment is incomplete",
                                   "ข้อมูลคำสั่งแต่งตั้งคณะทำงานไม่ครบถ้วน"),
    # areas
    "UNKNOWN_AREA": ErrorSpec(404, "no area {code!r}", "ไม่พบพื้นที่รหัส {code}"),
    "UNKNOWN_LAO": ErrorSpec(404, "no LAO {code!r}", "ไม่พบ อปท. รหัส {code}"),
    "UNKNOWN_QUESTIONNAIRE": ErrorSpec(404, "no questionnaire {version!r}",
                                       "ไม่พบแบบสอบถามฉบับนี้"),
    # households
    "UNKNOWN_HOUSEHOLD": ErrorSpec(404, "no household {id}", "ไม่พบข้อมูลครัวเรือนนี้"),
    "VALIDATION_ERROR": ErrorSpec(422, "the household has invalid fields",
                                  "ข้อมูลครัวเรือนไม่ถูกต้อง"),
    "NOT_ASSIGNED": ErrorSpec(403, "not assigned to this village/community in round {year}",
                              "ท่านไม่ได้รับมอบหมายให้จัดเก็บข้อมูลในหมู่บ้าน/ชุมชนนี้"),
    "UUID_CONFLICT": ErrorSpec(409, "client_uuid {id} is already used by other content",
                               "มีข้อมูลครัวเรือนอื่นใช้รหัสอ้างอิงนี้แล้ว"),
    "SUBMISSION_RETRY": ErrorSpec(503, "the household met a concurrent write; send it again",
                                  "ระบบกำลังบันทึกข้อมูลอื่นที่ซ้ำกัน กรุณาส่งอีกครั้ง"),
    "DUPLICATE_HOUSE_CODE": ErrorSpec(409, "house code {house_code} is already recorded in "
                                           "round {year}", "รหัสบ้านนี้ถูกบันทึกแล้วในรอบนี้"),
    "HOUSEHOLD_LOCKED": ErrorSpec(409, "the household's area is certified; it can no longer "
                                       "change", "พื้นที่นี้รับรองข้อมูลแล้ว ไม่สามารถแก้ไขได้"),
    "IF_MATCH_REQUIRED": ErrorSpec(428, "send If-Match with the ETag of the version you edited",
                                   "ต้องระบุรุ่นของข้อมูลที่แก้ไข (If-Match)"),
    "VERSION_MISMATCH": ErrorSpec(412, "the household changed since you read it (its "
                                       "current ETag is in the ETag header)",
                                  "ข้อมูลถูกแก้ไขไปแล้วโดยผู้อื่น กรุณาโหลดข้อมูลล่าสุด"),
    "ALREADY_RETURNED": ErrorSpec(409, "the household is already returned",
                                  "ครัวเรือนนี้ถูกส่งกลับให้แก้ไขอยู่แล้ว"),
    "RETURNS_OUTSTANDING": ErrorSpec(
        409, "{count} household(s) are still returned for correction",
        "ยังมีครัวเรือนที่ส่งกลับให้แก้ไข {count:,} ครัวเรือน"),
    "VILLAGE_CHANGE_NOT_ALLOWED": ErrorSpec(
        422, "a correction cannot change the village; move the household instead",
        "การแก้ไขข้อมูลเปลี่ยนหมู่บ้านไม่ได้ ให้ใช้การย้ายครัวเรือน"),
    "SAME_VILLAGE": ErrorSpec(422, "the household is already in {code}",
                              "ครัวเรือนอยู่ในหมู่บ้าน/ชุมชนนี้แล้ว"),
    # certification
    "UNKNOWN_UNIT": ErrorSpec(404, "no {tier} unit {code} in round {year}",
                              "ไม่พบหน่วยรับรองนี้ในรอบการจัดเก็บ"),
    "WRONG_TIER": ErrorSpec(403, "your role does not decide at the {tier} tier",
                            "บทบาทของท่านไม่ได้เป็นผู้ตัดสินในระดับนี้"),
    "GATES_FAILED": ErrorSpec(409, "{count} quality gate(s) fail; nothing was certified",
                              "ยังไม่ผ่านเกณฑ์คุณภาพ {count} ข้อ จึงยังรับรองไม่ได้"),
    "ALREADY_CERTIFIED": ErrorSpec(409, "the unit is already certified on this data",
                                   "หน่วยนี้รับรองข้อมูลชุดนี้แล้ว"),
    "NOT_CERTIFIED": ErrorSpec(409, "only a certified unit can be returned (it is {state})",
                               "ส่งกลับได้เฉพาะหน่วยที่รับรองแล้ว"),
    "REVISION_REQUIRED": ErrorSpec(
        428, "send If-Match with the unit's revision (its ETag) you looked at",
        "ต้องระบุรุ่นของข้อมูลที่ที่ประชุมพิจารณา (If-Match)"),
    "REVISION_CHANGED": ErrorSpec(
        412, "the unit's data changed since you looked at it (current revision in ETag)",
        "ข้อมูลของหน่วยนี้เปลี่ยนไปหลังจากที่ท่านเปิดดู กรุณาตรวจสอบใหม่ก่อนรับรอง"),
    "MEETING_INVALID": ErrorSpec(422, "the meeting record is incomplete",
                                 "ข้อมูลการประชุมไม่ครบถ้วน"),
    "NOT_A_PDF": ErrorSpec(422, "the minutes must be a PDF file",
                           "บันทึกการประชุมต้องเป็นไฟล์ PDF"),
    "MINUTES_ATTACHED": ErrorSpec(409, "this decision already has its minutes",
                                  "แนบบันทึกการประชุมของการรับรองนี้แล้ว"),
    "UNKNOWN_DECISION": ErrorSpec(404, "no decision {id}", "ไม่พบการรับรองนี้"),
    "UNKNOWN_ISSUE": ErrorSpec(404, "no quality issue {id}", "ไม่พบปัญหาคุณภาพข้อมูลนี้"),
    "ISSUE_RESOLVED": ErrorSpec(409, "the issue is already resolved",
                                "ปัญหานี้ได้รับการแก้ไขแล้ว"),
    "NOT_RETURNABLE": ErrorSpec(409, "household {id} is {status}: it cannot be returned",
                                "ครัวเรือนนี้ส่งกลับให้แก้ไขไม่ได้ในสถานะปัจจุบัน"),
    # maps
    "NOT_A_MAP_UNIT": ErrorSpec(422, "{code} has no areas below it to map",
                                "พื้นที่นี้ไม่มีพื้นที่ย่อยให้แสดงบนแผนที่"),
    "LEVEL_NOT_BELOW": ErrorSpec(422, "{level} is not a level below {code}",
                                 "ระดับพื้นที่ที่เลือกไม่ได้อยู่ภายใต้พื้นที่นี้"),
    # reports
    "LAO_PARTLY_OUTSIDE_SCOPE": ErrorSpec(
        403, "this LAO has villages outside your area; ask for your area instead",
        "อปท. นี้มีหมู่บ้าน/ชุมชนอยู่นอกพื้นที่ของท่าน กรุณาเรียกดูตามพื้นที่ของท่าน"),
}


class ErrorSchema(ma.Schema):
    """The error body, as documented in the OpenAPI description of every operation."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status phrase"})
    message = ma.fields.String(required=True, metadata={"description": "English"})
    message_th = ma.fields.String(metadata={"description": "Thai, for people"})
    errors = ma.fields.Dict(metadata={
        "description": "Per field (or per CSV row): what is wrong, with an error_code"})
    error_code = ma.fields.String(required=True, metadata={
        "description": "Stable English code to switch on, e.g. OUT_OF_SCOPE"})
    request_id = ma.fields.String(required=True, metadata={
        "description": "Also in the X-Request-ID header; quote it when reporting a problem"})


class Problem(Exception):
    """A domain error: raised by services with a catalogue code, answered at the edge."""

    def __init__(self, error_code: str, *, errors: dict | None = None,
                 headers: dict | None = None, **params):
        spec = CATALOGUE[error_code]
        self.error_code = error_code
        self.status = spec.status
        self.message = spec.en.format(**params)
        self.message_th = spec.th.format(**params)
        self.errors = errors
        self.headers = headers or {}
        super().__init__(self.message)


class ApiError(HTTPException):
    """An HTTP error raised at the edge (authentication, parsing) with a stable
    ``error_code``, a message and per-field errors."""

    def __init__(self, status: int, error_code: str, message: str,
                 errors: dict | None = None, headers: dict | None = None,
                 message_th: str | None = None):
        super().__init__(description=message)
        self.code = status
        self.error_code = error_code
        self.errors = errors
        self.extra_headers = headers or {}
        self.message_th = message_th

    @property
    def name(self) -> str:  # Werkzeug uses this as the status phrase
        return HTTPStatus(self.code).phrase


def is_api_request() -> bool:
    """Requests answered in JSON: every prefix in ``BMN_API_PREFIXES``."""
    return request.path.startswith(tuple(current_app.config["BMN_API_PREFIXES"]))


def request_id() -> str:
    """The id of this request: the caller's ``X-Request-ID`` when it is a sane token, else
    a new one. It is in every response's headers and every error body."""
    rid = g.get("request_id")
    if rid is None:
        given = request.headers.get("X-Request-ID", "")
        rid = given if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", given) else uuid.uuid4().hex
        g.request_id = rid
    return rid


# OGC API exception codes (an OGC client reads "code" and "description").
OGC_CODES = {400: "InvalidParameterValue", 401: "Unauthorized", 403: "Forbidden",
             404: "NotFound", 405: "MethodNotAllowed", 500: "ServerError"}


def _ogc_payload(status: int, error_code: str | None, message: str, errors) -> dict:
    payload = {"code": OGC_CODES.get(status, HTTPStatus(status).phrase.replace(" ", "")),
               "description": message, "status": status,
               "error_code": error_code or DEFAULT_ERROR_CODES.get(status, "HTTP_%d" % status),
               "request_id": request_id()}
    if errors:
        payload["errors"] = errors
    return payload


def _payload(status: int, error_code: str | None, message: str, message_th: str | None,
             errors) -> dict:
    if request.path.startswith(tuple(current_app.config.get("BMN_OGC_PREFIXES", ()))):
        return _ogc_payload(status, error_code, message, errors)
    payload = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if message_th:
        payload["message_th"] = message_th
    if errors:
        payload["errors"] = errors
    payload["error_code"] = error_code or DEFAULT_ERROR_CODES.get(status, "HTTP_%d" % status)
    payload["request_id"] = request_id()
    return payload


def error_payload(error: HTTPException) -> dict:
    """The JSON body for any HTTP error, including webargs validation errors."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or HTTPStatus(status).description
    errors = getattr(error, "errors", None) or data.get("errors") or data.get("messages")
    return _payload(status, getattr(error, "error_code", None) or data.get("error_code"),
                    message, getattr(error, "message_th", None), errors)


def _respond(payload: dict, headers: dict):
    status = payload["code"] if isinstance(payload["code"], int) else payload["status"]
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        return jsonify(payload), status, headers
    title = THAI_TITLES.get(status, HTTPStatus(status).phrase)
    return render_template("error.html", title=title, message=payload.get("message_th"),
                           payload=payload), status, headers


def handle_http_exception(error: HTTPException):
    if error.response is not None:  # abort(redirect(...)) and the like
        return error.response
    # Werkzeug's own headers (Allow on a 405, WWW-Authenticate …), then the raiser's.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(getattr(error, "extra_headers", {}) or {})
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    return _respond(error_payload(error), headers)


def problem_payload(problem: Problem) -> dict:
    """The JSON body of a domain error (also one item's answer in a batch)."""
    return _payload(problem.status, problem.error_code, problem.message, problem.message_th,
                    problem.errors)


def handle_problem(problem: Problem):
    return _respond(problem_payload(problem), problem.headers)


# What may identify a person in an exception's message: long digit runs (national IDs,
# phone numbers, house codes) and Thai text (names, addresses). Database errors carry no
# row values at all (the engine runs with hide_parameters).
_PERSONAL = re.compile(r"\d{5,}|[\u0e00-\u0e7f]+")


def _redacted(error: Exception) -> str:
    """The exception's type and message, with whatever may identify a person masked."""
    message = _PERSONAL.sub(lambda m: "#" * len(m.group()), str(error))[:500]
    return f"{type(error).__module__}.{type(error).__qualname__}: {message}"


def handle_unexpected(error: Exception):
    """Unexpected exceptions: log them with the request id, the method, the path and the
    stack (never the body), and answer 500 in the common shape."""
    rid = request_id()
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled error request_id=%s %s %s\n%s%s", rid, request.method, request.path,
              stack, _redacted(error))
    return handle_http_exception(InternalServerError())


def _add_request_id(response):
    response.headers["X-Request-ID"] = request_id()
    return response


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(Exception, handle_unexpected)
    app.after_request(_add_request_id)
