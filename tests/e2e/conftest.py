"""End-to-end fixtures: a real gunicorn on the per-test database and Debian's chromium
driven by Playwright on a 360×740 phone viewport.

Chromium is never downloaded (`playwright install` is not used): without /usr/bin/chromium
the module is skipped locally and fails in CI (env ``CI`` set).
"""
from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Everything here is marked ``e2e`` (scripts/test runs it once, not per database)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def _require_chromium():
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)")
    pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium to run the e2e tests")


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def server(live_server, enumerator):
    """The base URL of a gunicorn serving the test database (round and enumerator exist)."""
    return live_server


def new_phone(browser, server):
    """A fresh phone: its own storage, geolocation allowed, 360×740."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH",
                                  timezone_id="Asia/Bangkok", permissions=["geolocation"],
                                  geolocation={"latitude": 16.82, "longitude": 100.26,
                                               "accuracy": 12}, base_url=server)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def phone(browser, server):
    page = new_phone(browser, server)
    yield page
    page.context.close()


def officer(browser, server, user, width=1280, height=800):
    """A signed-in browser at a laptop (or tablet) size."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="th-TH", timezone_id="Asia/Bangkok", base_url=server)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # home: progress, or the menu
    return page


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), page.url


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def call(server, method, path, token, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r), r.headers.get("ETag")
    except urllib.error.HTTPError as e:
        return e.code, json.load(e), None
