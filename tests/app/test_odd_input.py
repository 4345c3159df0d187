"""Odd input is a clear 4xx, never a 500; and the 500 that a bug still causes is logged
with a request id the caller also gets, without the body or personal data."""
import io
import json
import logging

import pytest
from flask import request
from hypothesis import example, given
from hypothesis import strategies as st

from app.auth.models import Role
from app.input_limits import JsonLimitError, loads
from tests.conftest import csrf_from

HOUSEHOLDS = "/api/v1/households"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def enumerator_headers(make_user, auth_header):
    return auth_header(make_user(Role.ENUMERATOR, area_code="65010201"))


@pytest.fixture
def no_errors_logged(caplog):
    caplog.set_level(logging.ERROR)
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def send(client, path, raw: str, headers=None, method="POST"):
    return client.open(path, method=method, data=raw.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers or {})


@pytest.mark.parametrize("raw, code", [
    (deep(100_000), "JSON_TOO_DEEP"),
    (deep(40), "JSON_TOO_DEEP"),
    ('{"round": ' + "7" * 5000 + "}", "JSON_NUMBER_TOO_LARGE"),
    ('{"round": 100000000000000000000}', "JSON_NUMBER_TOO_LARGE"),
    ('{"answers": {"22.1.1": 1000000000000000000000000000000}}', "JSON_NUMBER_TOO_LARGE"),
    ('{"answers": {"22.1.1": 9223372036854775808}}', "JSON_NUMBER_TOO_LARGE"),
    ('{"happiness": 1e999}', "JSON_NUMBER_TOO_LARGE"),
    ('{"happiness": NaN}', "JSON_NUMBER_INVALID"),
    ('{"members": [{"first_name": "\\ud800"}]}', "JSON_INVALID_STRING"),
    ('{"\\udfff": 1}', "JSON_INVALID_STRING"),
    ('{"house_number": "12\\u0000"}', "JSON_INVALID_STRING"),
    ('{"house_number": "\\uDBFF"}', "JSON_INVALID_STRING"),
    ('{"answers": {"1.1\\u0000": true}}', "JSON_INVALID_STRING"),
    ('{"members": [{"first_name": "\\u0e2a\\ud83d"}]}', "JSON_INVALID_STRING"),
])
def test_json_beyond_the_limits_is_400(client, enumerator_headers, no_errors_logged, raw, code):
    response = send(client, HOUSEHOLDS, raw, enumerator_headers)
    assert response.status_code == 400, response.json
    assert response.json["error_code"] == code


def test_text_that_only_looks_like_a_bad_escape_is_accepted():
    """An escaped backslash before "u0000" is text, and a surrogate pair is one character."""
    assert loads(b'{"note": "C:\\\\u0000", "who": "\\ud83d\\ude00"}') == {
        "note": "C:\\u0000", "who": "\U0001f600"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-2 ** 70, max_value=2 ** 70)
    | st.text(st.characters(exclude_categories=())),  # NUL, lone surrogates too
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=4),
    max_leaves=20)


def _outcome(parse):
    try:
        return "ok", parse()
    except JsonLimitError as exc:
        return "refused", exc.error_code
    except ValueError as exc:
        return "malformed", type(exc).__name__


@given(value=_JSON, ascii_only=st.booleans(), nul=st.booleans())
@example(value=2 ** 64, ascii_only=True, nul=False)
@example(value={"k": [-(2 ** 63) - 1]}, ascii_only=True, nul=False)
@example(value=9_223_372_036_854_775_807, ascii_only=True, nul=False)
@example(value={"\ud800": "\udfff"}, ascii_only=False, nul=True)
def test_the_fast_parser_agrees_with_the_careful_one(value, ascii_only, nul):
    """A body (bytes) goes to orjson unless it may hold a number beyond 64 bits; a text goes
    to ``json`` with the limits' hooks. Both give the same value or the same refusal."""
    value = [value, "\x00"] if nul else value
    text = json.dumps(value, ensure_ascii=ascii_only)
    if not text.isascii() and not text.encode("utf-8", "replace").decode() == text:
        text = json.dumps(value)  # a lone surrogate travels as an escape, not as bytes
    assert _outcome(lambda: loads(text.encode())) == _outcome(lambda: loads(text))


def test_anonymous_sign_in_with_a_deep_body_is_400(client, no_errors_logged):
    response = send(client, "/api/v1/auth/tokens", deep(100_000))
    assert response.status_code == 400 and response.json["error_code"] == "JSON_TOO_DEEP"


def test_numbers_in_range_for_json_but_not_for_the_field_are_422(
        client, enumerator_headers, no_errors_logged):
    response = send(client, HOUSEHOLDS, '{"round": 1000000000000000000}', enumerator_headers)
    assert response.status_code == 422 and "round" in str(response.json["errors"])


@pytest.mark.parametrize("path", [
    "/api/v1/reports/population?round=100000000000000000000",
    "/api/v1/reports/population?round=2565&area=65&offset=1",
    "/api/v1/households?offset=100000000000000000000",
    "/api/v1/households?limit=100000000000000000000",
    "/api/v1/households?round=99999999999999999999999",
    "/api/v1/households?village_code=%E0%B9%96%E0%B9%95",
])
def test_query_integers_beyond_their_range_are_4xx(client, make_user, auth_header,
                                                   no_errors_logged, path):
    headers = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    response = client.get(path, headers=headers)
    assert 400 <= response.status_code < 500 and response.json["error_code"]


@pytest.mark.parametrize("path", ["/api/v1/areas?q=%00", "/api/v1/areas/65%00",
                                  "/api/v1/households?status=%00"])
def test_a_nul_anywhere_is_400(client, make_user, auth_header, no_errors_logged, path):
    headers = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    response = client.get(path, headers=headers)
    assert response.status_code == 400 and response.json["error_code"] == "NUL_CHARACTER"


def test_a_nul_in_the_login_form_is_400(client, no_errors_logged):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "a\x00b", "password": "x",
                                           "csrf_token": token})
    page = response.get_data(as_text=True)  # a page: the reason in Thai, no English code
    assert response.status_code == 400 and "ข้อมูลที่ส่งมามีอักขระที่ไม่อนุญาต" in page
    assert "NUL_CHARACTER" not in page


def test_path_integers_beyond_their_range_are_404(client, make_user, auth_header,
                                                  no_errors_logged):
    headers = auth_header(make_user(Role.ENUMERATOR, area_code="65010201"))
    for year in ("99999999999999999999999", "2" * 30, "-1"):
        assert client.get(f"/api/v1/rounds/{year}/my-villages",
                          headers=headers).status_code == 404


@pytest.mark.parametrize("count", ["²", "7" * 5000, "100000000000000000000000", "-3",
                                   "๓๐", "100001"])
def test_target_counts_that_are_not_counts_are_row_errors(
        client, make_user, auth_header, survey_round, no_errors_logged, count):
    headers = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    data = f"village_code,target_households\n65010201,{count}\n".encode()
    response = client.post("/api/v1/rounds/2565/targets", headers=headers,
                           data={"file": (io.BytesIO(data), "targets.csv")})
    assert response.status_code == 422, response.json
    assert response.json["errors"]["rows"][0]["error_code"] == "NOT_A_COUNT"


@pytest.mark.parametrize("path", ["/api/v1/rounds/2565/targets", "/api/v1/area-register"])
def test_a_csv_field_beyond_the_csv_limit_is_422(client, make_user, auth_header, survey_round,
                                                 no_errors_logged, path):
    headers = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    header = ("village_code,target_households" if "targets" in path else
              "village_code,kind,name_th,subdistrict_code,lao_code,lao_type,lao_name_th")
    data = f'{header}\n65010201,"{"x" * 140_000}"\n'.encode()
    response = client.post(path, headers=headers, data={"file": (io.BytesIO(data), "f.csv")})
    assert response.status_code == 422 and response.json["error_code"] == "MALFORMED_CSV"
    assert "line 2" in response.json["message"]


def test_trace_is_405_with_allow(client, enumerator_headers):
    response = client.open(HOUSEHOLDS, method="TRACE", headers=enumerator_headers)
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_unexpected_error_is_logged_with_a_request_id_and_no_personal_data(
        app, client, enumerator_headers, caplog):
    def broken():
        body = request.get_json()
        raise ValueError(f"cannot handle {body['national_id']} of {body['first_name']}")
    app.add_url_rule("/api/v1/broken", "broken", broken, methods=["POST"])
    caplog.set_level(logging.ERROR)
    response = client.post("/api/v1/broken", headers=enumerator_headers,
                           json={"first_name": "สมหญิง", "national_id": "3100600123457"})
    assert response.status_code == 500 and response.json["error_code"] == "INTERNAL_ERROR"
    rid = response.json["request_id"]
    assert response.headers["X-Request-ID"] == rid and len(rid) >= 16
    logged = caplog.text
    assert rid in logged and "POST /api/v1/broken" in logged and "ValueError" in logged
    assert "broken()" in logged or "in broken" in logged  # the stack is there
    for secret in ("สมหญิง", "3100600123457"):
        assert secret not in logged and secret not in response.get_data(as_text=True)


def test_every_response_carries_a_request_id(client):
    response = client.get("/api/v1/auth/me", headers={"X-Request-ID": "phone-abc-12345678"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == response.json["request_id"] == \
        "phone-abc-12345678"
    junk = client.get("/api/v1/auth/me", headers={"X-Request-ID": "<script>"})
    assert junk.headers["X-Request-ID"] != "<script>"
