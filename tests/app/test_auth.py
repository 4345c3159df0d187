"""Signing in (browser and token), throttling, CSRF, tokens and the audit log."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import ApiToken, AuditEvent, LoginThrottle, Role
from app.auth.services import UserError
from app.db_types import utcnow
from app.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_from


def events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def ask_token(client, username, password):
    return client.post("/api/v1/auth/tokens",
                       json={"username": username, "password": password, "device": "phone"})


def test_password_is_stored_as_argon2id(app, make_user):
    user = make_user(Role.ENUMERATOR, area_code="65010201")
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_token_sign_in_and_me(client, make_user):
    make_user(Role.DISTRICT_OFFICER, username="somchai", area_code="6501")
    response = ask_token(client, "somchai", TEST_PASSWORD)
    assert response.status_code == 201
    token = response.json["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["role"] == "district_officer" and me["scope_area"]["code"] == "6501"
    assert me["scope_area"]["name_th"] == "เมืองพิษณุโลก"
    assert "household.write" not in me["actions"]
    assert db.session.scalar(select(ApiToken.token_hash)) != token  # only a hash is kept


def test_wrong_password_is_401_and_audited(client, make_user):
    make_user(Role.ENUMERATOR, username="malee", area_code="65010201")
    response = ask_token(client, "malee", "wrong-password")
    assert response.status_code == 401
    assert response.json["error_code"] == "INVALID_CREDENTIALS"
    unknown = ask_token(client, "nobody", "wrong-password")
    assert unknown.json["error_code"] == "INVALID_CREDENTIALS"
    assert [e.username for e in events("login.failure")] == ["malee", "nobody"]
    assert all("wrong-password" not in str(e.detail) for e in events("login.failure"))


def test_repeated_failures_lock_the_account(client, make_user, app):
    make_user(Role.ENUMERATOR, username="malee", area_code="65010201")
    for _ in range(app.config["BMN_LOGIN_MAX_FAILURES"]):
        assert ask_token(client, "malee", "wrong-password").status_code == 401
    locked = ask_token(client, "malee", TEST_PASSWORD)
    assert locked.status_code == 429
    assert locked.json["error_code"] == "ACCOUNT_LOCKED"
    assert int(locked.headers["Retry-After"]) > 60
    assert events("login.lock") and events("login.locked")
    throttle = db.session.get(LoginThrottle, "user:malee")
    # the lock runs out (and the failures that caused it are older than the lock period)
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    throttle.updated_at = utcnow() - timedelta(minutes=app.config["BMN_LOGIN_LOCK_MINUTES"])
    db.session.commit()
    assert ask_token(client, "malee", TEST_PASSWORD).status_code == 201


def test_expired_and_revoked_tokens_are_refused_with_their_reason(client, make_user,
                                                                  auth_header):
    user = make_user(Role.ENUMERATOR, area_code="65010201")
    headers = auth_header(user)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    record = db.session.scalars(select(ApiToken)).one()
    record.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get("/api/v1/auth/me", headers=headers)
    assert expired.status_code == 401 and expired.json["error_code"] == "TOKEN_EXPIRED"

    headers = auth_header(user)
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    revoked = client.get("/api/v1/auth/me", headers=headers)
    assert revoked.json["error_code"] == "TOKEN_REVOKED"
    bogus = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert bogus.json["error_code"] == "TOKEN_INVALID"


def test_browser_login_shows_home_with_area_in_thai(client, make_user, login):
    user = make_user(Role.DISTRICT_OFFICER, area_code="6501", display_name="สมชาย ใจดี")
    login(user)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)  # no round yet
    assert "สมชาย ใจดี" in page and "เจ้าหน้าที่ระดับอำเภอ" in page
    assert "อำเภอเมืองพิษณุโลก" in page and "จังหวัดพิษณุโลก" in page
    assert "ในเมือง" in page  # its subdistricts are listed
    assert "นำเข้าทะเบียน" in page


def test_session_cookie_is_secure_httponly_samesite(client, make_user):
    make_user(Role.VIEWER, username="viewer", area_code="65")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "viewer", "password": TEST_PASSWORD,
                                           "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_on_login_page_is_explained_in_thai(client, make_user):
    make_user(Role.VIEWER, username="viewer", area_code="65")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "viewer", "password": "nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)


def test_form_post_without_csrf_token_is_refused_and_changes_nothing(client, make_user, login):
    user = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    login(user)
    response = client.post("/logout")
    assert response.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)
    assert client.get("/?menu=1").status_code == 200  # still signed in
    missing_on_login = client.post("/login", data={"username": user.username,
                                                   "password": TEST_PASSWORD})
    assert missing_on_login.status_code == 400


def test_cookie_authenticated_api_write_needs_csrf_header(client, make_user, login):
    import io
    user = make_user(Role.PROVINCE_OFFICER, area_code="65")
    csrf = login(user)
    data = "village_code,kind,name_th,subdistrict_code,lao_code,lao_type,lao_name_th\n" \
           "65030150,village,บ้านก,650301,6650301,sao,อบต.ก\n"
    refused = client.post("/api/v1/area-register",
                          data={"file": (io.BytesIO(data.encode()), "r.csv")})
    assert refused.status_code == 400 and refused.json["error_code"] == "CSRF_MISSING"
    accepted = client.post("/api/v1/area-register", headers={"X-CSRFToken": csrf},
                           data={"file": (io.BytesIO(data.encode()), "r.csv")})
    assert accepted.status_code == 200


def test_login_redirects_only_within_the_site(client, make_user):
    make_user(Role.VIEWER, username="viewer", area_code="65")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/x",
                           data={"username": "viewer", "password": TEST_PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_pages_redirect_to_login_when_signed_out(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_session(client, make_user, login):
    csrf = login(make_user(Role.VIEWER, area_code="65"))
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role, scope, field", [
    (Role.DISTRICT_OFFICER, {"area_code": "65"}, "scope"),
    (Role.ENUMERATOR, {}, "scope"),
    (Role.LAO_CERTIFIER, {"lao_code": "0000000"}, "lao_code"),
    (Role.PROVINCE_OFFICER, {"area_code": "99"}, "area_code"),
    (Role.VIEWER, {"area_code": "65", "lao_code": "6650102"}, "scope"),
])
def test_user_scope_must_fit_the_role(make_user, role, scope, field):
    with pytest.raises(UserError) as error:
        make_user(role, **scope)
    assert error.value.field == field


def test_short_passwords_are_refused(make_user):
    with pytest.raises(UserError) as error:
        make_user(Role.VIEWER, area_code="65", password="short")
    assert error.value.field == "password"
