"""Text responses are compressed for clients that accept it (app.compression), and the
ETags clients send back in If-Match come through unchanged."""
import gzip

import brotli

from app.auth.models import Role
from tests.conftest import make_app

GZIP = {"Accept-Encoding": "gzip"}


def test_scripts_pages_and_json_are_compressed_when_accepted(client):
    for path in ("/collect/static/app.js", "/collect/", "/api/v1/openapi.json"):
        plain = client.get(path)
        packed = client.get(path, headers=GZIP)
        assert plain.status_code == packed.status_code == 200, path
        assert "Content-Encoding" not in plain.headers, path
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed.headers["Vary"], path
        assert gzip.decompress(packed.data) == plain.data, path
        assert len(packed.data) < len(plain.data) / 2, path


def test_brotli_is_preferred_when_offered(client):
    plain = client.get("/fonts/Sarabun-Regular.ttf")
    packed = client.get("/fonts/Sarabun-Regular.ttf", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == plain.data
    assert len(packed.data) < 0.55 * len(plain.data)  # TrueType shrinks by about half


def test_a_streamed_csv_export_is_compressed_and_whole(client, enumerator, make_user,
                                                       auth_header, household_payload):
    client.post("/api/v1/households", headers=auth_header(enumerator), json=household_payload(3))
    headers = auth_header(make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    url = "/api/v1/reports/population?round=2565&area=6501&breakdown=true&format=csv"
    plain = client.get(url, headers=headers)
    packed = client.get(url, headers={**headers, **GZIP})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert plain.data.decode("utf-8-sig").count("\n") > 1


def test_household_etag_is_unchanged_and_works_in_if_match(client, enumerator, auth_header,
                                                           household_payload):
    headers = {**auth_header(enumerator), **GZIP}
    body = household_payload(21)
    url = f"/api/v1/households/{body['client_uuid']}"
    assert client.post("/api/v1/households", headers=headers, json=body).status_code == 201
    read = client.get(url, headers=headers)
    assert read.headers["Content-Encoding"] == "gzip"
    assert read.headers["ETag"] == client.get(url, headers=auth_header(enumerator)).headers["ETag"]
    body["house_number"] = "9/9"
    put = client.put(url, headers={**headers, "If-Match": read.headers["ETag"]}, json=body)
    assert put.status_code == 200, gzip.decompress(put.data)
    assert put.headers["ETag"] == '"2"'


def test_compression_can_be_turned_off(database_url, tmp_path):
    client = make_app(database_url, tmp_path / "instance", BMN_COMPRESS=False).test_client()
    response = client.get("/collect/static/app.js", headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
