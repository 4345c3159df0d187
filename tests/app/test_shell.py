"""The API shell (OpenAPI, docs, one error shape) and the Thai page shell."""
import re
from datetime import date, datetime, timezone

from app.auth.models import Role
from app.thai import be_date, number


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/areas/{code}" in spec["paths"]
    assert "/api/v1/auth/tokens" in spec["paths"]


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources)
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_unknown_api_route_uses_the_error_shape(client):
    body = client.get("/api/v1/no-such-thing").json
    assert body["code"] == 404 and body["status"] == "Not Found"
    assert body["error_code"] == "NOT_FOUND" and body["message"]


def test_validation_errors_name_the_field(client, make_user, auth_header):
    headers = auth_header(make_user(Role.DEPARTMENT_ADMIN))
    body = client.get("/api/v1/areas?limit=5000", headers=headers).json
    assert body["error_code"] == "VALIDATION_ERROR"
    assert "q" in body["errors"]["query"] and "limit" in body["errors"]["query"]


def test_malformed_json_is_400_with_its_own_code(client):
    response = client.post("/api/v1/auth/tokens", data='{"username": "a", ',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["error_code"] == "MALFORMED_JSON"


def test_unknown_fields_are_rejected(client):
    response = client.post("/api/v1/auth/tokens",
                           json={"username": "a", "password": "b", "role": "admin"})
    assert response.status_code == 422
    assert "role" in response.json["errors"]["json"]


def test_login_page_is_thai_with_a_bundled_font_and_no_external_assets(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="th">' in page and "เข้าสู่ระบบ" in page
    assert not re.search(r'(?:src|href)="https?://', page)
    css = client.get("/static/css/app.css").get_data(as_text=True)
    fonts = re.findall(r'url\("([^"]+)"\)', css)
    assert fonts
    for font in fonts:
        response = client.get(font)
        assert response.status_code == 200 and response.data[:4] == b"\x00\x01\x00\x00"


def test_page_errors_are_in_thai(client, make_user, login):
    login(make_user(Role.ENUMERATOR, area_code="65010201"))
    response = client.get("/register")
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์" in response.get_data(as_text=True)


def test_buddhist_era_dates_and_thousands_separators():
    assert be_date(date(2026, 11, 27)) == "27 พ.ย. 2569"
    # 20:30 UTC is already the next day in Bangkok.
    moment = datetime(2022, 1, 31, 20, 30, tzinfo=timezone.utc)
    assert be_date(moment, with_time=True) == "1 ก.พ. 2565 03:30 น."
    assert number(12_900_000) == "12,900,000"
    assert number(38000.5, 2) == "38,000.50"
