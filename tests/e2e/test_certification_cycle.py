"""The whole certification cycle through the web pages, as the people who do it: the LAO
certifies at its meeting → the district returns one household with a reason → the
enumerator sees it on the phone, corrects and resubmits → the LAO's certification is
stale and is renewed → district and province certify → the department accepts. Then the
log is verified with ``flask certification verify-log`` and the meeting pack is opened."""
from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pypdfium2

from tests.e2e.conftest import ROOT, fits, officer, shot
from tests.e2e.phone_ui import Enumerator
from tests.fixtures.certification import DISTRICT, LAOS, PROVINCE

LAO_A = sorted(LAOS)[0]
PARTICIPANTS = "นายสมชาย ใจดี - นายก อบต.\nนางสมศรี มีสุข - กำนัน\nนายบุญมี รักดี - ผู้ใหญ่บ้าน"


def open_unit(page, tier: str, code: str) -> None:
    """From the list of my units, as a person would: the certification menu, then the unit."""
    page.goto("/")
    page.click("text=การรับรองข้อมูล")
    if tier == "department":
        page.click(f"a[href*='/certification/department/{code}']")
    else:
        page.click(f"a[href*='/certification/{tier}/{code}?']")
    page.wait_for_selector("#unit-state")
    fits(page)


def certify_with_meeting(page) -> None:
    page.fill("#meeting-date", "01/06/2565")
    page.fill("#meeting-place", "ห้องประชุมองค์การบริหารส่วนตำบล")
    page.fill("#meeting-participants", PARTICIPANTS)
    page.click("#certify-button")
    page.wait_for_selector('#unit-state[data-state="certified"]')


def state(page) -> str:
    return page.get_attribute("#unit-state", "data-state")


def test_certification_cycle_through_the_pages(browser, collected, server, phone,
                                               database_url, tmp_path):
    users = collected.users
    village = LAOS[LAO_A][0]
    body = collected.sent[village][0]

    lao = officer(browser, server, users[f"lao{LAO_A}"])
    open_unit(lao, "lao", LAO_A)
    assert state(lao) == "ready"
    shot(lao, "c01-lao-ready")
    certify_with_meeting(lao)
    assert "บันทึกการรับรองเรียบร้อย" in lao.text_content("#notice")
    shot(lao, "c02-lao-certified")

    district = officer(browser, server, users["district"])
    open_unit(district, "lao", LAO_A)
    district.fill("#return-house-code", body["house_code"])
    district.fill("#return-reason", "รายได้ไม่สอดคล้องกับอาชีพ กรุณาตรวจสอบ")
    district.click("#return-button")
    district.wait_for_selector("#notice")
    assert "ส่งกลับให้แก้ไขเรียบร้อย" in district.text_content("#notice")
    assert state(district) == "stale"
    shot(district, "c03-district-returned")

    lao.reload()
    assert state(lao) == "stale"
    assert "รายได้ไม่สอดคล้องกับอาชีพ" in lao.text_content("#returned")

    # The enumerator, on a phone, sees it come back, corrects it and sends it again.
    volunteer = Enumerator(phone)
    volunteer.sign_in(users[f"enumerator{LAO_A}"], village)
    phone.wait_for_selector(".rec.returned")
    assert "รายได้ไม่สอดคล้องกับอาชีพ" in phone.text_content(".rec.returned")
    shot(phone, "c04-phone-returned")
    volunteer.correct_returned("88/8")

    lao.reload()
    assert state(lao) == "stale" and lao.query_selector("#returned") is None
    certify_with_meeting(lao)
    shot(lao, "c05-lao-renewed")
    for lao_code in LAOS:
        if lao_code != LAO_A:
            other = officer(browser, server, users[f"lao{lao_code}"])
            open_unit(other, "lao", lao_code)
            certify_with_meeting(other)

    open_unit(district, "district", DISTRICT)
    certify_with_meeting(district)
    shot(district, "c06-district-certified")
    province = officer(browser, server, users["province"])
    open_unit(province, "province", PROVINCE)
    certify_with_meeting(province)

    admin = officer(browser, server, users["admin"])
    open_unit(admin, "department", PROVINCE)
    admin.click("#certify-button")
    admin.wait_for_selector('#unit-state[data-state="certified"]')
    admin.goto("/certification/")
    assert "รับเข้าแล้ว" in admin.text_content("main")
    shot(admin, "c07-department-accepted")

    # The tablet-sized unit page still fits.
    tablet = officer(browser, server, users["district"], width=768, height=1024)
    open_unit(tablet, "district", DISTRICT)

    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "BMN_INSTANCE_PATH": str(tmp_path / "cli"), "FLASK_APP": "wsgi"}
    checked = subprocess.run([sys.executable, "-m", "flask", "certification", "verify-log"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    # LAO A twice and its household return, LAO B, district, province, acceptance
    assert "log intact: 7 events" in checked.stdout

    pack = lao.request.get(lao.get_attribute("#pack-pdf", "href"))
    assert pack.status == 200 and pack.headers["content-type"] == "application/pdf"
    text = unicodedata.normalize("NFKD", "".join(
        p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pack.body())))
    for words in ("เอกสารประกอบการประชุมรับรองข้อมูล", "รายงานผลตัวชี้วัด", "ลงชื่อ"):
        assert unicodedata.normalize("NFKD", words) in text
