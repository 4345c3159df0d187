"""The enumerator app end to end, at 360×740 in Debian chromium against a real gunicorn:
every answer is tapped or typed through the screens (tests/e2e/phone_ui.py), every screen
is checked for horizontal overflow and for English on show."""
from __future__ import annotations

import json
import os
import random
import signal
import time
import urllib.request
from datetime import date

from app.auth.models import Role
from app.auth.services import issue_token
from survey.payload_factory import make_household
from survey.validation import roster_of
from tests.e2e.conftest import ROOT, call, shot
from tests.e2e.phone_ui import Enumerator
from tests.fixtures.server import PROCESSES

VILLAGE = "65010201"


def factory_household(seed: int, house_code: str | None) -> dict:
    return make_household(random.Random(seed), village_code=VILLAGE, as_of=date.today(),
                          house_code=house_code)


def household_with_infant(members: int = 4) -> dict:
    """The first factory household of ``members`` people with a child under one."""
    for seed in range(1, 2000):
        h = factory_household(seed, "65010000007")
        ages = [p.age_years for p in roster_of(h["members"], date.today())]
        if len(ages) == members and 0 in ages:
            return h
    raise AssertionError("no such household in 2,000 seeds")


def stored(page, uuid: str) -> dict:
    """The phone's own copy of a record, read from its IndexedDB."""
    return page.evaluate("""uuid => new Promise((ok, fail) => {
        const req = indexedDB.open("bmn-collect");
        req.onsuccess = () => { const g = req.result.transaction("records").objectStore("records").get(uuid);
          g.onsuccess = () => ok(g.result); g.onerror = fail; };
        req.onerror = fail; })""", uuid)


def quick_partial(you: Enumerator, house_code: str | None, number: str, seed: int) -> str:
    """A household whose head refused most of the interview: house, land, one member,
    the reason, happiness — then the summary's checklist lets it through."""
    household = factory_household(seed, house_code)
    uuid = you.start(VILLAGE, house_code, number)
    you.answer_land(household)
    you.next()
    you.screen("edit:members")
    you.add_member({**household["members"][0], "is_head": True})
    you.tap("#to-summary")
    you.screen("edit:summary")
    you.tap('#incomplete_reason label:has(input[value="refused_part"])')
    you.tap('#happiness label:has(input[value="7"])')
    return uuid


def test_a_household_interviewed_offline_through_the_ui(phone, server, enumerator):
    """A household of four with an infant, interviewed with no network: the house screen
    stays 360 px wide with a land document chosen, the infant's age is in months and no
    occupation is asked, the 31 results are shown before signing and equal the server's."""
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    phone.context.set_offline(True)
    you.reset()  # count the interview only
    household = household_with_infant()
    household["residence_land"] = {"option": "1", "rai": 1, "square_wah": 20, "document": "01"}
    uuid = you.start(VILLAGE, household["house_code"], "7/1")
    you.interview(household)
    shot(phone, "02-summary")
    baby = next(m for m, p in zip(household["members"], roster_of(household["members"], date.today()))
                if p.age_years == 0)
    months = next(p.age_months for p in roster_of(household["members"], date.today()) if p.age_years == 0)
    assert f"อายุ {months} เดือน" in you.roster_text and "อายุ 0 ปี" not in you.roster_text
    assert {"education", "occupation"} <= you.not_asked[baby["first_name"]]
    shown = you.results_shown()
    reasons = {int(li.get_attribute("data-ind")): li.query_selector("small").text_content()
               for li in phone.query_selector_all(".ind")}
    assert sorted(shown) == list(range(1, 32))
    assert set(shown.values()) <= {"pass", "fail", "na"}, [
        (n, reasons[n]) for n, o in shown.items() if o == "incomplete"]
    you.sign_and_finish(gps=True)
    you.screen("record:waiting")
    assert phone.text_content("#net") == "ออฟไลน์"
    phone.wait_for_selector("#countdown:has-text('ไม่มีสัญญาณอินเทอร์เน็ต')")
    phone.context.set_offline(False)
    phone.wait_for_selector('main[data-screen="record:sent"]', timeout=30000)
    you.look("record:sent")
    shot(phone, "03-sent")
    assert phone.locator(".warnings li").count() >= 1  # the test round's window is in 2565

    token = issue_token(enumerator, "check").token
    status, on_server, _ = call(server, "GET", f"/api/v1/households/{uuid}", token)
    assert status == 200 and on_server["member_count"] == 4
    assert {r["number"]: r["outcome"] for r in on_server["indicators"]} == shown
    assert {r["number"]: r["reason_th"] for r in on_server["indicators"]} == reasons
    stored_baby = next(m for m in on_server["members"] if m["age_years"] == 0)
    assert stored_baby["attributes"]["occupation"] == "01"

    effort = you.effort()
    you.tap("#back")
    you.screen("home")
    assert phone.text_content(f'[data-village="{VILLAGE}"] .collected') == "1"
    assert "ข้อสังเกต" in phone.inner_text(f'.rec[data-uuid="{uuid}"]')
    print(f"\ninterview effort (4 members): {effort}")
    out = ROOT / "test-artifacts" / "interview-effort.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**effort, "screens_seen": you.screens}, ensure_ascii=False, indent=1))


def test_an_incomplete_household_cannot_be_finished(phone, server, enumerator):
    """Tapping "next" through every screen: the first tap marks what is unanswered (never
    before), the second moves on; the summary lists what is missing by screen with links;
    signing is refused until it is answered or a reason is chosen."""
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    uuid = you.start(VILLAGE, None, "12")
    assert phone.locator(".q.missing").count() == 0 and "ยังไม่ได้ตอบ" not in phone.inner_text("main")
    assert you.next() == "edit:house"  # land unanswered: marked, not left
    assert phone.locator(".q.missing").count() == 2
    screen = you.next()
    while screen != "edit:summary":
        you.screen(screen)
        shown_before = phone.locator(".q.missing").count()
        left, screen = screen, you.next()
        if screen == left:  # marked on the first tap, left on the second
            assert shown_before == 0 and phone.locator(".q.missing").count() >= 1
            screen = you.next()
    you.screen("edit:summary")
    missing = phone.locator("#missing")
    assert "หมวด 1 สุขภาพ" in missing.inner_text() and "ข้อมูลบ้าน" in missing.inner_text()
    shot(phone, "04-missing")
    assert you.next() == "edit:sign"
    you.screen("edit:sign")
    assert phone.locator("#finish").count() == 0 and phone.locator("#missing a").count() >= 3
    you.tap('#missing a:has-text("ข้อมูลบ้าน")')  # the link leads to the screen to fix
    you.screen("edit:house")
    assert stored(phone, uuid)["state"] == "draft"


def test_a_partial_household_with_a_reason_is_sent_and_counted_apart(phone, server, enumerator):
    you = Enumerator(phone)
    phone.goto("/collect/")
    you.screen("login")
    you.type("input[name=username]", enumerator.username)
    you.type("input[name=password]", "wrong password")
    you.tap("form#login button")
    phone.wait_for_selector("#login-msg:has-text('ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง')")
    you.look("login (refused)")
    you.sign_in(enumerator, VILLAGE)
    uuid = quick_partial(you, "65010000041", "41", seed=41)
    you.sign_and_finish(gps=False, try_unsigned=True)
    phone.wait_for_selector('main[data-screen="record:sent"]')
    token = issue_token(enumerator, "check").token
    _, on_server, _ = call(server, "GET", f"/api/v1/households/{uuid}", token)
    assert on_server["incomplete_reason"] == "refused_part"
    assert on_server["enumerator_confirmed_at"]  # the form's second signer, on the phone
    you.tap("#back")
    you.screen("home")
    assert "ข้อมูลไม่สมบูรณ์" in phone.inner_text(f'.rec[data-uuid="{uuid}"]')


def test_a_frozen_server_does_not_block_finishing(phone, server, enumerator):
    """With the server stopped (SIGSTOP), finishing stores the record and moves on at once;
    the header tells "server not answering" from "offline", a countdown shows the next try,
    and "send now" sends once the server is back."""
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    uuid = quick_partial(you, "65010000051", "51", seed=51)
    gunicorn = PROCESSES[server]
    os.killpg(gunicorn.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        you.sign_and_finish(gps=False)
        you.screen("record:waiting")
        assert time.monotonic() - started < 5
        assert phone.text_content("#net") in ("กำลังส่ง…", "เซิร์ฟเวอร์ไม่ตอบ")
        phone.wait_for_selector("#net:has-text('เซิร์ฟเวอร์ไม่ตอบ')", timeout=25000)
        phone.wait_for_selector("#countdown:has-text('ลองส่งอีกครั้งใน')")
        you.look("record:waiting (server frozen)")
        shot(phone, "05-server-frozen")
    finally:
        os.killpg(gunicorn.pid, signal.SIGCONT)
    you.tap("#resend")
    phone.wait_for_selector('main[data-screen="record:sent"]', timeout=30000)
    assert phone.text_content("#net") == "ออนไลน์"
    assert stored(phone, uuid)["state"] == "sent"


def test_offline_households_are_sent_once_after_reload(phone, server, enumerator):
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    phone.context.set_offline(True)
    phone.reload()
    you.screen("home")
    uuids = []
    for seed in (11, 12):
        uuids.append(quick_partial(you, f"650100000{seed}", str(seed), seed=seed))
        you.sign_and_finish(gps=False)
        you.screen("record:waiting")
        you.tap("#back")
        you.screen("home")
    phone.reload()
    phone.wait_for_selector("#count-waiting:has-text('2')")
    shot(phone, "06-offline-queue")
    posts = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    phone.context.set_offline(False)
    phone.wait_for_selector("#count-sent:has-text('2')", timeout=30000)
    assert [url.replace(server, "") for url in posts] == ["/api/v1/households:batch"]
    you.look("home (sent)")
    phone.wait_for_selector(f'[data-village="{VILLAGE}"] .collected:has-text("2")')
    token = issue_token(enumerator, "check").token
    status, listing, _ = call(server, "GET", "/api/v1/households?round=2565", token)
    assert status == 200 and sorted(h["id"] for h in listing["items"]) == sorted(uuids)


def test_a_rejected_record_says_why_in_thai_and_is_fixed(phone, server, enumerator):
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    uuid = quick_partial(you, "75010000021", "21", seed=21)  # a registration office outside 65
    you.sign_and_finish(gps=False)
    you.screen("record:rejected")
    problems = phone.inner_text(".errors")
    assert "รหัสประจำบ้าน" in problems and "house_code" not in problems
    shot(phone, "07-rejected")
    you.tap('.errors a:has-text("รหัสประจำบ้าน")')
    you.screen("edit:house")
    you.type("#house_code", "65010000021")
    you.tap("#back")
    you.tap(f'.rec[data-uuid="{uuid}"] a')
    you.screen("record:rejected")
    you.tap("#resend")
    phone.wait_for_selector('main[data-screen="record:sent"]')


def test_a_duplicate_house_code_shows_the_stored_household_and_can_be_discarded(
        phone, server, enumerator, household_payload):
    token = issue_token(enumerator, "seed").token
    first = household_payload(61)
    assert call(server, "POST", "/api/v1/households", token, first)[0] == 201
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    uuid = quick_partial(you, first["house_code"], "61/2", seed=62)
    you.sign_and_finish(gps=False)
    you.screen("record:conflict")
    duplicate = phone.inner_text("#duplicate")
    assert first["house_code"] in duplicate and first["house_number"] in duplicate
    shot(phone, "08-duplicate")
    phone.once("dialog", lambda d: d.accept())
    you.tap("#discard")
    you.screen("home")
    assert stored(phone, uuid)["state"] == "trash"
    you.tap(f'[data-restore="{uuid}"]')  # kept until the next successful send
    phone.wait_for_selector(f'.rec[data-uuid="{uuid}"] a')  # back in the list, as it was
    assert stored(phone, uuid)["state"] == "conflict"
    you.tap(f'.rec[data-uuid="{uuid}"] a')
    phone.once("dialog", lambda d: d.accept())
    you.tap("#discard")
    you.screen("home")
    quick_partial(you, "65010000063", "63", seed=63)
    you.sign_and_finish(gps=False)
    phone.wait_for_selector('main[data-screen="record:sent"]')
    phone.wait_for_function(f"""() => new Promise(ok => {{ const r = indexedDB.open("bmn-collect");
        r.onsuccess = () => {{ const g = r.result.transaction("records").objectStore("records").get("{uuid}");
        g.onsuccess = () => ok(g.result === undefined); }}; }})""")


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
    you = Enumerator(phone)
    you.sign_in(enumerator, VILLAGE)
    phone.wait_for_selector(".rec.returned")
    assert "เลขที่บ้านไม่ตรงกับทะเบียนบ้าน" in phone.text_content(".rec.returned")
    shot(phone, "09-returned")
    you.correct_returned("99/9")
    status, after, _ = call(server, "GET", f"/api/v1/households/{body['client_uuid']}", token)
    assert after["status"] == "resubmitted" and after["house_number"] == "99/9"


def test_first_load_transfer_size(phone, server):
    """Everything a phone downloads to work offline (shell, scripts, styles, fonts, the
    questionnaire): what the service worker caches, as it travels (gzip). Printed for the
    record (run with -s); kept under a budget a slow 3G link (~50 KB/s) loads in five
    seconds. bench/pwa_load.py measures the real first and warm opens."""
    page = phone
    page.goto("/collect/")
    page.evaluate("navigator.serviceWorker.ready")
    urls = page.evaluate("caches.keys().then(ks => caches.open(ks[0])).then(c => c.keys())"
                         ".then(rs => rs.map(r => r.url))")
    sizes = {}
    for url in urls:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            sizes[url.replace(server, "")] = len(response.read())  # still compressed
    total = sum(sizes.values())
    fonts = sum(v for k, v in sizes.items() if k.startswith("/fonts/"))
    print(f"\nfirst-load transfer: {total / 1024:.0f} KiB in {len(sizes)} files "
          f"(fonts {fonts / 1024:.0f} KiB, shell+scripts+styles {(total - fonts) / 1024:.0f} KiB)")
    for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1024:7.1f} KiB  {url}")
    assert "/collect/" in sizes and "/fonts/Sarabun-Regular.ttf" in sizes
    assert any(url.startswith("/collect/questionnaires/") for url in sizes)
    assert total < 250 * 1024
