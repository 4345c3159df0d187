"""The enumerator app end to end: a phone (chromium) against a real gunicorn.

The roster is typed through the UI; most questionnaire answers come from the payload
factory through the app's own in-page model (``window.__bmnTest.fillAnswers``) so the test
stays fast. Signing, GPS, the outbox and sync are the app's real code paths.
"""
from __future__ import annotations

import json
import random
import urllib.request
from datetime import date

from app.auth.models import Role
from app.auth.services import issue_token
from survey.indicators import evaluate
from survey.payload_factory import make_household
from survey.questionnaires import get_version
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import call, shot

VILLAGE = "65010201"
QUESTIONNAIRE = json.loads(json.dumps(get_version("2560-2564").to_dict()))


def factory_household(seed: int, house_code: str) -> dict:
    return make_household(random.Random(seed), village_code=VILLAGE, as_of=date.today(),
                          house_code=house_code)


def login(page, user, village: str = VILLAGE):
    page.goto("/collect/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form#login button")
    page.wait_for_selector(f'[data-new="{village}"]')
    # the service worker controls the page from now on (offline start-up)
    page.evaluate("navigator.serviceWorker.ready")


def code_index(field: dict, value) -> str:
    values = QUESTIONNAIRE["code_lists"][field["code_list"]]["values"]
    return str([v["value"] for v in values].index(value))


def type_member(page, member: dict) -> None:
    page.click("#add-member")
    for field in QUESTIONNAIRE["member_fields"]:
        name, selector = field["name"], f"#m-{field['name']}"
        value = member.get(name)
        if field["type"] == "boolean":
            page.set_checked(selector, bool(value))
        elif field["type"] == "code":
            if name == "relationship" and member.get("is_head"):
                continue
            page.select_option(selector, code_index(field, value))
        else:
            page.fill(selector, value or "")
    page.click("#mform button.primary")
    page.wait_for_selector("#member-form:empty", state="attached")


def start_household(page, house_code: str, house_number: str) -> str:
    page.click(f'[data-new="{VILLAGE}"]')
    page.wait_for_selector("#house_code")
    page.fill("#house_code", house_code)
    page.fill("#house_number", house_number)
    return page.evaluate("location.hash").split("/")[1]


def fill_rest(page, household: dict, **extra) -> None:
    page.evaluate("([a, e]) => window.__bmnTest.fillAnswers(a, e)", [
        household["answers"], {"residence_land": household["residence_land"],
                                "occupation_land": household["occupation_land"],
                                "happiness": household["happiness"], **extra}])


def sign_and_finish(page, uuid: str, *, gps: bool = True, then: str = "#rec-state") -> None:
    page.evaluate(f"location.hash = '#edit/{uuid}/sign'")
    box = page.locator("#sig").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 100, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 50, steps=8)
    page.mouse.up()
    if gps:
        page.click("#gps-get")
        page.wait_for_selector("#gps-status:has-text('ละติจูด')")
    else:
        page.fill("#gps-reason", "ไม่มีสัญญาณ GPS ในบ้าน")
    page.click("#finish")
    page.wait_for_selector(then)


def stored(page, uuid: str) -> dict:
    return page.evaluate(f"window.__bmnTest.allRecords().then(rs => rs.find(r => r.client_uuid === '{uuid}'))")


def test_household_through_the_ui_matches_server_indicators(phone, server, enumerator):
    page = phone
    login(page, enumerator)
    shot(page, "01-villages")
    household = factory_household(7, "65010000007")
    uuid = start_household(page, household["house_code"], "7/1")
    shot(page, "02-house")
    page.click("#next")
    for member in household["members"]:
        type_member(page, member)
    shot(page, "03-roster")
    # national ID is checked digit by digit as typed
    page.click("#add-member")
    page.fill("#m-national_id", "9")
    assert "1–8" in page.text_content("#m-national_id-msg")
    page.fill("#m-national_id", "110170020356")
    assert "12 จาก 13" in page.text_content("#m-national_id-msg")
    page.click("#mcancel")
    page.click("#next")  # category 1, rendered from the server's definition
    page.wait_for_selector('[data-qbox="1.1"]')
    fill_rest(page, household)
    shot(page, "04-questions")
    page.evaluate(f"location.hash = '#edit/{uuid}/summary'")
    page.wait_for_selector(".indicators")
    shot(page, "05-summary")
    sign_and_finish(page, uuid)
    page.wait_for_selector('#rec-state[data-state="sent"]')
    shot(page, "06-sent")

    record = stored(page, uuid)
    token = issue_token(enumerator, "check").token
    status, server_view, _ = call(server, "GET", f"/api/v1/households/{uuid}", token)
    assert status == 200 and server_view["member_count"] == len(household["members"])
    expected = {r.number: r.outcome.value for r in
                evaluate("2560-2564", record["body"], as_of=date.today())}
    assert {r["number"]: r["outcome"] for r in server_view["indicators"]} == expected
    shown = {int(li.get_attribute("data-ind")): li.query_selector(".outcome").get_attribute(
        "data-outcome") for li in page.query_selector_all(".ind")}
    assert shown == expected and len(shown) == 31
    assert record["body"]["gps"]["accuracy_m"] == 12


def test_offline_households_are_sent_once_after_reload(phone, server, enumerator):
    page = phone
    login(page, enumerator)
    page.context.set_offline(True)
    page.reload()
    try:
        page.wait_for_selector(f'[data-new="{VILLAGE}"]')
    except Exception:
        print("CONTENT", page.url, page.content()[:3000], page.evaluate("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"))
        raise
    uuids = []
    for seed in (11, 12):
        household = factory_household(seed, f"650100000{seed}")
        page.evaluate("location.hash = '#home'")
        uuid = start_household(page, household["house_code"], f"{seed}")
        fill_rest(page, household, members=household["members"])
        sign_and_finish(page, uuid, gps=False)
        assert stored(page, uuid)["state"] == "waiting"
        uuids.append(uuid)
    page.reload()
    page.evaluate("location.hash = '#home'")
    page.wait_for_selector("#count-waiting:has-text('2')")
    shot(page, "07-offline-queue")
    page.context.set_offline(False)
    page.wait_for_function("window.__bmnTest.allRecords().then(rs => "
                           "rs.filter(r => r.state === 'sent').length === 2)")
    page.click("#sync")  # a second push must not duplicate anything
    page.wait_for_timeout(300)
    token = issue_token(enumerator, "check").token
    for _ in range(50):  # the list may lag the acknowledgement by a moment
        status, listing, _ = call(server, "GET", "/api/v1/households?round=2565", token)
        if listing["numberMatched"] >= len(uuids):
            break
        page.wait_for_timeout(100)
    assert status == 200, listing
    assert sorted(h["id"] for h in listing["items"]) == sorted(uuids), listing


def test_rejected_record_is_fixed_and_resent(phone, server, enumerator):
    page = phone
    login(page, enumerator)
    household = factory_household(21, "75010000021")  # a registration office outside 65
    uuid = start_household(page, household["house_code"], "21")
    fill_rest(page, household, members=household["members"])
    sign_and_finish(page, uuid)
    page.wait_for_selector('#rec-state[data-state="rejected"]')
    assert page.locator(".errors code", has_text="house_code").count() == 1
    shot(page, "08-rejected")
    page.click("#edit")
    page.fill("#house_code", "65010000021")
    page.wait_for_timeout(200)
    page.evaluate(f"location.hash = '#record/{uuid}'")
    page.click("#resend")
    page.wait_for_selector('#rec-state[data-state="sent"]')


def test_returned_record_is_corrected_and_resubmitted(phone, server, enumerator, make_user,
                                                      household_payload):
    token = issue_token(enumerator, "seed").token
    body = household_payload(31)
    assert call(server, "POST", "/api/v1/households", token, body)[0] == 201
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    officer_token = issue_token(officer, "e2e").token
    status, _, _ = call(server, "POST", f"/api/v1/households/{body['client_uuid']}/return",
                        officer_token, {"reason": "เลขที่บ้านไม่ตรงกับทะเบียนบ้าน"})
    assert status == 200
    page = phone
    login(page, enumerator)
    page.wait_for_selector(".rec.returned")
    assert "เลขที่บ้านไม่ตรงกับทะเบียนบ้าน" in page.text_content(".rec.returned")
    shot(page, "09-returned")
    page.click(".rec.returned a")
    page.click("#edit")
    page.fill("#house_number", "99/9")
    page.wait_for_timeout(200)
    sign_and_finish(page, body["client_uuid"])
    page.wait_for_selector('#rec-state[data-state="sent"]')
    status, after, _ = call(server, "GET", f"/api/v1/households/{body['client_uuid']}", token)
    assert after["status"] == "resubmitted" and after["house_number"] == "99/9"


def test_first_load_transfer_size(phone, server):
    """Everything a phone downloads to work offline (shell, scripts, styles, fonts): what
    the service worker caches. Printed for the record (run with -s); kept under a budget
    that a slow 3G link (~50 KB/s) loads in about ten seconds."""
    page = phone
    page.goto("/collect/")
    page.evaluate("navigator.serviceWorker.ready")
    urls = page.evaluate("caches.keys().then(ks => caches.open(ks[0])).then(c => c.keys())"
                         ".then(rs => rs.map(r => r.url))")
    sizes = {}
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as response:
            sizes[url.replace(server, "")] = len(response.read())
    total = sum(sizes.values())
    fonts = sum(v for k, v in sizes.items() if k.startswith("/fonts/"))
    print(f"\nfirst-load transfer: {total / 1024:.0f} KiB in {len(sizes)} files "
          f"(fonts {fonts / 1024:.0f} KiB, shell+scripts+styles {(total - fonts) / 1024:.0f} KiB)")
    for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1024:7.1f} KiB  {url}")
    assert "/collect/" in sizes and "/fonts/Sarabun-Regular.ttf" in sizes
    assert total < 500 * 1024
