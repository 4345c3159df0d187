"""Auth API: bearer tokens for the phone app and scripts, and who am I."""
from __future__ import annotations

from flask.views import MethodView

from app.api_base import Blueprint
from app.auth import enrolment
from app.auth.guard import authenticated_user, bearer_token, client_ip
from app.auth.policy import ROLE_ACTIONS
from app.auth.schemas import (
    EnrolmentRequestSchema,
    MeSchema,
    TokenRequestSchema,
    TokenSchema,
)
from app.auth.services import LoginError, authenticate, issue_token, revoke_token
from app.db_types import utcnow
from app.errors import ApiError, ErrorSchema

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth",
                description="Sign-in for devices and scripts")

LOGIN_MESSAGES_TH = {
    "INVALID_CREDENTIALS": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
    "ACCOUNT_LOCKED": "บัญชีถูกระงับชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง กรุณารอแล้วลองใหม่",
    "ACCOUNT_DISABLED": "บัญชีผู้ใช้ถูกระงับ",
    "TOO_MANY_ATTEMPTS": "มีการเข้าสู่ระบบไม่สำเร็จจากเครื่องนี้หลายครั้งเกินไป กรุณารอแล้วลองใหม่",
}


def login_error(exc: LoginError) -> ApiError:
    """The HTTP form of a failed sign-in (shared by the API and the login page)."""
    status = {"ACCOUNT_LOCKED": 429, "TOO_MANY_ATTEMPTS": 429,
              "ACCOUNT_DISABLED": 403}.get(exc.code, 401)
    headers = {}
    if exc.locked_until is not None:
        headers["Retry-After"] = str(max(1, int((exc.locked_until - utcnow()).total_seconds())))
    return ApiError(status, exc.code, exc.code.replace("_", " ").lower(), headers=headers,
                    message_th=LOGIN_MESSAGES_TH[exc.code])


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
    @blp.alt_response(429, schema=ErrorSchema, description="Locked: too many failures")
    @blp.doc(security=[])
    def post(self, args):
        """Exchange a username and password for a long-lived, revocable bearer token."""
        try:
            user = authenticate(args["username"], args["password"], ip=client_ip())
        except LoginError as exc:
            raise login_error(exc) from exc
        issued = issue_token(user, args["device"], ip=client_ip())
        return {"token": issued.token, "token_type": "Bearer",
                "expires_at": issued.record.expires_at}


@blp.route("/enrolments")
class Enrolments(MethodView):
    @blp.arguments(EnrolmentRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown link")
    @blp.alt_response(409, schema=ErrorSchema, description="Link already used by a phone")
    @blp.alt_response(410, schema=ErrorSchema, description="Link expired")
    @blp.doc(security=[])
    def post(self, args):
        """Exchange a one-time enrolment link's code (from the coordinator's QR code) for
        the volunteer's device token. The first phone wins; the link is then spent."""
        issued = enrolment.redeem(args["code"], args["device"], ip=client_ip())
        return {"token": issued.token, "token_type": "Bearer",
                "expires_at": issued.record.expires_at, "username": issued.record.user.username}


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @blp.response(204)
    def delete(self):
        """Revoke the bearer token this request is made with (sign the device out)."""
        authenticated_user()
        token = bearer_token()
        if token is None:
            raise ApiError(400, "TOKEN_REQUIRED", "call this with the token to revoke")
        revoke_token(token, ip=client_ip())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in user, their role, scope and allowed actions."""
        user = authenticated_user()
        return {"username": user.username, "display_name": user.display_name,
                "role": user.role, "role_th": user.role_th, "scope_area": user.scope_area,
                "scope_lao": user.scope_lao,
                "actions": sorted(a.value for a in ROLE_ACTIONS[user.role_enum])}
