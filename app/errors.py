"""One error shape for every error.

API responses are JSON: ``{"code", "status", "message", "errors", "error_code"}`` where
``error_code`` is a stable English identifier clients can switch on. Pages get the same
information as a Thai HTML page.
"""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

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
    413: "ไฟล์มีขนาดใหญ่เกินไป",
    422: "ข้อมูลไม่ถูกต้อง",
    429: "พยายามหลายครั้งเกินไป",
    500: "เกิดข้อผิดพลาดในระบบ",
}


class ApiError(HTTPException):
    """An HTTP error that carries a stable ``error_code``, a message and per-field errors."""

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


def error_payload(error: HTTPException) -> dict:
    """The JSON body for any HTTP error, including webargs validation errors."""
    status = error.code or 500
    payload = {"code": status, "status": HTTPStatus(status).phrase}
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or HTTPStatus(status).description
    errors = getattr(error, "errors", None) or data.get("errors") or data.get("messages")
    payload["message"] = message
    if errors:
        payload["errors"] = errors
    payload["error_code"] = (getattr(error, "error_code", None) or data.get("error_code")
                             or DEFAULT_ERROR_CODES.get(status, "HTTP_%d" % status))
    return payload


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_http_exception(error: HTTPException):
    if error.response is not None:  # abort(redirect(...)) and the like
        return error.response
    payload = error_payload(error)
    headers = dict(getattr(error, "extra_headers", {}) or {})
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    if _wants_json():
        response = jsonify(payload)
    else:
        title = THAI_TITLES.get(payload["code"], payload["status"])
        message_th = getattr(error, "message_th", None)
        response = render_template("error.html", title=title, message=message_th,
                                   payload=payload)
    return response, payload["code"], headers


def handle_unexpected(error: Exception):
    """Unexpected exceptions: log them (Flask does) and answer with the common shape."""
    return handle_http_exception(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
