"""The questionnaire comes down once per deploy: a strong ETag with 304s at both of its
addresses, and the enumerator app's service worker precaches it."""
import gzip
import json
import re

from survey.questionnaires import get_version

API = "/api/v1/questionnaires/2560-2564"
COPY = "/collect/questionnaires/2560-2564.json"


def test_api_answers_304_when_the_phone_has_the_current_version(client, enumerator,
                                                                auth_header):
    headers = auth_header(enumerator)
    first = client.get(API, headers=headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and re.fullmatch(r'"q-[0-9a-f]{20}"', etag)
    assert first.json == get_version("2560-2564").to_dict()
    again = client.get(API, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    older = client.get(API, headers={**headers, "If-None-Match": '"q-0000"'})
    assert older.status_code == 200 and older.json == first.json
    assert client.get(API, headers={"If-None-Match": etag}).status_code == 401


def test_the_apps_copy_is_the_same_document_without_sign_in(client, enumerator, auth_header):
    api = client.get(API, headers=auth_header(enumerator))
    copy = client.get(COPY, headers={"Accept-Encoding": "gzip"})
    assert copy.status_code == 200 and copy.headers["ETag"] == api.headers["ETag"]
    assert copy.headers["Content-Encoding"] == "gzip"
    assert len(copy.data) < 40_000  # about 20 KB on the wire for 130 KB of JSON
    assert json.loads(gzip.decompress(copy.data)) == api.json
    assert client.get(COPY, headers={"If-None-Match": api.headers["ETag"]}).status_code == 304
    assert client.get("/collect/questionnaires/9999.json").status_code == 404


def test_service_worker_precaches_the_questionnaire_and_answers_its_api_address(client):
    script = client.get("/collect/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    aliases = json.loads(re.search(r"const QUESTIONNAIRES = (\{.*?\});", script).group(1))
    assert COPY in shell and "/collect/static/questionnaire.js" in shell
    assert aliases == {API: COPY}


def test_shell_preloads_every_module(client):
    page = client.get("/collect/").get_data(as_text=True)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    assert {"/collect/static/questionnaire.js", "/collect/static/store.js"} <= preloaded
    assert "/collect/static/app.js" not in preloaded  # it is the page's script
