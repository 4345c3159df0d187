"""Sessions end when the user signs out, a request naming credentials is judged by them
alone, guessing passwords is bounded exactly (in parallel too, for any username and from
any one address), and an anonymous caller learns nothing before authenticating."""
import pytest

from app.auth.models import Role
from tests.conftest import TEST_PASSWORD, IsolatedClient
from tests.fixtures.concurrency import parallel


def ask_token(client, username, password):
    return client.post("/api/v1/auth/tokens", json={"username": username,
                                                    "password": password})


def test_a_copied_session_cookie_stops_working_after_logout(app, client, make_user, login):
    csrf = login(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    copied = client.get_cookie("session").value
    thief = IsolatedClient(app, app.response_class)
    thief.set_cookie("session", copied)
    assert thief.get("/api/v1/auth/me").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert thief.get("/").status_code == 302


def test_a_bearer_header_is_never_topped_up_by_the_cookie(client, make_user, login,
                                                          auth_header):
    user = make_user(Role.PROVINCE_OFFICER, area_code="65")
    login(user)
    assert client.get("/api/v1/auth/me").status_code == 200  # the cookie alone works
    for header in ("Bearer x", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    # A cookie-authenticated write that adds a junk bearer header skips no CSRF check: it
    # is simply not authenticated.
    write = client.post("/api/v1/rounds", headers={"Authorization": "Bearer x"},
                        json={"year": 2566, "questionnaire_version": "2560-2564",
                              "collection_start": "2023-01-01",
                              "collection_end": "2023-05-31"})
    assert write.status_code == 401 and write.json["error_code"] == "TOKEN_INVALID"
    # A real token is judged as its own user.
    assert client.get("/api/v1/auth/me", headers=auth_header(user)).status_code == 200


@pytest.mark.parametrize("exists", [True, False])
def test_parallel_guesses_get_exactly_the_limit(app, make_user, exists):
    app.config["BMN_LOGIN_MAX_PER_ADDRESS"] = 1000  # this test is about the account
    if exists:
        make_user(Role.ENUMERATOR, username="malee", area_code="65010201")
    codes = [r.status_code for r in parallel(
        app, 40, lambda client, i: ask_token(client, "malee", "wrong-password"))]
    limit = app.config["BMN_LOGIN_MAX_FAILURES"]
    assert codes.count(401) == limit and codes.count(429) == 40 - limit, codes
    client = IsolatedClient(app, app.response_class)
    # Locked: even the right password waits; an unknown name looks exactly the same.
    locked = ask_token(client, "malee", TEST_PASSWORD)
    assert locked.status_code == 429 and locked.json["error_code"] == "ACCOUNT_LOCKED"
    assert int(locked.headers["Retry-After"]) > 60


def test_one_address_cannot_keep_the_workers_hashing(app, client, make_user):
    app.config["BMN_LOGIN_MAX_PER_ADDRESS"] = 6
    make_user(Role.ENUMERATOR, username="somsri", area_code="65010201")
    for n in range(6):  # a different username each time: no account lock applies
        assert ask_token(client, f"guess{n}", "wrong-password").status_code == 401
    refused = ask_token(client, "somsri", TEST_PASSWORD)
    assert refused.status_code == 429 and refused.json["error_code"] == "TOO_MANY_ATTEMPTS"
    assert int(refused.headers["Retry-After"]) > 60
    elsewhere = IsolatedClient(app, app.response_class)
    response = elsewhere.post("/api/v1/auth/tokens",
                              json={"username": "somsri", "password": TEST_PASSWORD},
                              environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 201  # another address is not affected


def test_a_successful_sign_in_clears_the_account_counter(client, make_user, app):
    make_user(Role.ENUMERATOR, username="malee", area_code="65010201")
    limit = app.config["BMN_LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert ask_token(client, "malee", "wrong-password").status_code == 401
    assert ask_token(client, "malee", TEST_PASSWORD).status_code == 201
    for _ in range(limit - 1):
        assert ask_token(client, "malee", "wrong-password").status_code == 401
    assert ask_token(client, "malee", TEST_PASSWORD).status_code == 201


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/v1/households", {}),
    ("PUT", "/api/v1/households/00000000-0000-4000-8000-000000000000", {}),
    ("GET", "/api/v1/reports/population?round=abc", None),
    ("POST", "/api/v1/rounds/2565/assignments", {"username": 1}),
])
def test_nothing_is_parsed_before_authentication(client, method, path, body):
    response = client.open(path, method=method, json=body,
                           headers={"Authorization": "Bearer junk"})
    assert response.status_code == 401 and response.json["error_code"] == "TOKEN_INVALID"
    assert "errors" not in response.json  # no field list for an anonymous caller
