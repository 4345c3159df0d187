"""Request authentication (browser session or bearer token), CSRF for cookie-authenticated
writes, and ``require``: the call every route makes before it reads or writes anything."""
from __future__ import annotations

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.auth import audit
from app.auth.models import User
from app.auth.policy import Action, may, role_allows
from app.auth.services import user_for_token
from app.errors import ApiError, Problem, handle_http_exception, is_api_request
from app.extensions import csrf, db, login_manager
from app.units import Unit

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Endpoints that authenticate by their own body (a password), not by an ambient cookie.
CSRF_EXEMPT_ENDPOINTS = {"auth_api.Tokens", "auth_api.Enrolments"}
# API endpoints anyone may call: signing in, and the API's own description.
PUBLIC_API_ENDPOINTS = {"auth_api.Tokens", "auth_api.Enrolments", "api-docs.openapi_json",
                        "api-docs.openapi_swagger_ui", "docs_assets"}

AUTH_MESSAGES_TH = {
    "UNAUTHENTICATED": "กรุณาเข้าสู่ระบบก่อน",
    "TOKEN_INVALID": "รหัสเข้าใช้งานของอุปกรณ์ไม่ถูกต้อง กรุณาเข้าสู่ระบบใหม่",
    "TOKEN_EXPIRED": "รหัสเข้าใช้งานของอุปกรณ์หมดอายุ กรุณาเข้าสู่ระบบใหม่",
    "TOKEN_REVOKED": "รหัสเข้าใช้งานของอุปกรณ์ถูกยกเลิกแล้ว กรุณาเข้าสู่ระบบใหม่",
    "ACCOUNT_DISABLED": "บัญชีผู้ใช้ถูกระงับ",
}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@login_manager.user_loader
def _load_session_user(session_id: str) -> User | None:
    if "Authorization" in request.headers:
        return None  # a request that names its credentials is judged by them alone
    user_id, _, nonce = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce or not user.active:
        return None
    return user


@login_manager.request_loader
def _load_token_user(req) -> User | None:
    token = bearer_token()
    if token is None:
        return None
    user, reason = user_for_token(token)
    g.auth_error = reason
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if is_api_request():
        code = g.get("auth_error") or "UNAUTHENTICATED"
        raise ApiError(401, code, AUTH_MESSAGES_TH.get(code, code),
                       headers={"WWW-Authenticate": 'Bearer realm="bmn"'},
                       message_th=AUTH_MESSAGES_TH.get(code))
    abort(redirect(url_for("web.login", next=request.full_path)))


def client_ip() -> str | None:
    return request.remote_addr


def authenticated_user() -> User:
    """The signed-in user, or a 401 (API) / redirect to the login page."""
    if not current_user.is_authenticated:
        login_manager.unauthorized()  # raises: 401 for the API, a redirect for pages
    return current_user._get_current_object()


_NOT_GIVEN = object()


def require(action: Action, *, area=_NOT_GIVEN, lao=_NOT_GIVEN, nation: bool = False,
            unit: Unit | None = None) -> User:
    """Return the current user if they may do ``action`` on the target (an area, an LAO,
    the nation or a unit); with no target, if their role may do it anywhere. Else audit
    the denial and answer 403. This is the only authorisation check routes make.

    An area or LAO that is None is a programming error, never "anywhere": a route that
    looked up an unknown code must answer 404 before asking here."""
    if area is None or lao is None:
        raise TypeError(f"require({action.value}) got None as its target")
    area = None if area is _NOT_GIVEN else area
    lao = None if lao is _NOT_GIVEN else lao
    user = authenticated_user()
    if not may(user, action, area=area, lao=lao, nation=nation, unit=unit):
        target = (unit.code or "TH") if unit is not None else area.code if area is not None \
            else lao.code if lao is not None else ("TH" if nation else None)
        deny(user, action, target)
    return user


def require_unit(action: Action, unit: Unit) -> User:
    """``require`` for a whole unit. An LAO only partly inside the caller's scope (it spans
    subdistricts) is refused with its own code, so the caller knows to ask for their area
    instead: an answer never covers villages outside the scope."""
    user = authenticated_user()
    if unit.kind == "lao" and not may(user, action, unit=unit) \
            and role_allows(user, action) and may(user, Action.AREA_READ, unit=unit):
        deny(user, action, unit.code, error_code="LAO_PARTLY_OUTSIDE_SCOPE")
    return require(action, unit=unit)


def audit_denial(user: User, action: Action, target: str | None) -> None:
    """Keep a refusal in the audit log (committed: the error response rolls nothing back)."""
    audit.record("permission.denied", user=user, ip=client_ip(), action=action.value,
                 target=target, path=request.path, method=request.method)
    db.session.commit()


def deny(user: User, action: Action, target: str | None, *, error_code: str | None = None):
    """Audit a refusal and answer 403 (or the catalogue's ``error_code``). The answer names
    the action, never the target (the audit log keeps it): a refusal must not tell what
    exists where."""
    audit_denial(user, action, target)
    if error_code is not None:
        raise Problem(error_code)
    by_scope = target is not None and role_allows(user, action)
    raise ApiError(403, "OUT_OF_SCOPE" if by_scope else "ROLE_NOT_ALLOWED",
                   f"not allowed: {action.value}" + (" here" if by_scope else ""),
                   message_th="คุณไม่มีสิทธิ์" + ("เข้าถึงพื้นที่นี้" if by_scope
                                                 else "ทำรายการนี้"))


def _authenticate_api_first():
    """Every API request but sign-in and the API description is authenticated before its
    body or query is even parsed: an anonymous caller learns nothing (no field list, no
    404 that tells an id exists)."""
    if is_api_request() and request.endpoint is not None \
            and request.endpoint not in PUBLIC_API_ENDPOINTS:
        authenticated_user()


def _csrf_for_cookie_writes():
    if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
        return
    if "Authorization" in request.headers:
        return  # judged by its credentials alone, never by the cookie: no CSRF risk
    csrf.protect()


def _csrf_error(error: CSRFError):
    code = "CSRF_MISSING" if "missing" in (error.description or "").lower() else "CSRF_INVALID"
    return handle_http_exception(ApiError(
        400, code, error.description,
        message_th="แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.before_request(_authenticate_api_first)
    app.before_request(_csrf_for_cookie_writes)
    app.register_error_handler(CSRFError, _csrf_error)
