"""Running a round through the pages, as the people who do it: the department opens the
round and allocates targets to provinces; a subdistrict coordinator (on a tablet) creates a
volunteer with two villages and enrols a phone from the QR link; the phone signs in with
no password and sends a household; the coordinator's progress page shows it with the
sync time; the district downloads the progress XLSX and the payment report; a second
phone cannot reuse the link; a revoked phone can no longer sync and keeps its data."""
from __future__ import annotations

import io
import re

import openpyxl

from app.auth.models import Role
from tests.e2e.conftest import fits, new_phone, officer, shot
from tests.e2e.phone_ui import Enumerator
from tests.e2e.test_collect import quick_partial

VOLUNTEER = "นางสาวมาลี ศรีสุข"


def download(page, click_selector: str) -> openpyxl.Workbook:
    with page.expect_download() as info:
        page.click(click_selector)
    return openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()),
                                  read_only=True)


def test_a_round_from_allocation_to_payment(browser, server, make_user, survey_round):
    admin = make_user(Role.DEPARTMENT_ADMIN, display_name="ผู้ดูแลระดับกรม")
    coordinator = make_user(Role.SUBDISTRICT_COORDINATOR, area_code="650102",
                            display_name="พัฒนากรวังน้ำคู้")
    district = make_user(Role.DISTRICT_OFFICER, area_code="6501", display_name="อำเภอเมือง")

    # The department: the round's national target, then the provinces' allocations.
    page = officer(browser, server, admin)
    page.click("nav.menu >> text=รอบการจัดเก็บและการจัดสรรเป้าหมาย")
    page.click("text=แก้ไขค่ารอบ")
    page.fill("input[name=national_target]", "1,000")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("text=บันทึกรอบการจัดเก็บปี 2565 เรียบร้อย")
    page.click("text=จัดสรรเป้าหมายให้จังหวัด")
    page.fill("input[name=alloc-65]", "600")
    page.fill("input[name=alloc-74]", "300")
    page.click("button[value=check]")
    assert "ไม่เท่ากับเป้าหมายทั้งประเทศ 1,000" in page.text_content("#import-result")
    page.fill("input[name=alloc-74]", "400")
    page.click("button[value=save]")
    assert "บันทึกแล้ว 2 รายการ" in page.text_content("#import-result")
    assert page.text_content("#allocated").strip() == "1,000"
    fits(page)
    shot(page, "r01-admin-allocations")
    page.context.close()

    # The coordinator, on a tablet: a volunteer with two villages, then the phone's QR.
    tablet = officer(browser, server, coordinator, width=768, height=1024)
    tablet.click("nav.menu >> text=อาสาสมัครและโทรศัพท์")
    tablet.fill("#new-volunteer input[name=display_name]", VOLUNTEER)
    tablet.fill("#new-volunteer input[name=phone]", "089-123-4567")
    tablet.check("#new-volunteer input[value='65010201']")
    tablet.check("#new-volunteer input[value='65010203']")
    tablet.click("#new-volunteer button[type=submit]")
    assert "สร้างบัญชีอาสาสมัครเรียบร้อย" in tablet.text_content("#done")
    tablet.click("text=ลงทะเบียนโทรศัพท์ (แสดง QR code)")
    tablet.wait_for_selector("#enrol svg")
    fits(tablet)
    shot(tablet, "r02-coordinator-qr")
    link = tablet.get_attribute("#enrol-link", "href")
    assert re.fullmatch(re.escape(server) + r"/collect/#enrol/[\w-]+", link)

    # The volunteer's phone opens the link: signed in, no password typed.
    phone = new_phone(browser, server)
    phone.goto(link)
    phone.wait_for_selector('[data-new="65010201"]')
    assert phone.locator('[data-new="65010203"]').count() == 1
    assert "#enrol" not in phone.url  # the spent code is not kept in the history
    phone.evaluate("navigator.serviceWorker.ready")
    shot(phone, "r03-phone-enrolled")
    volunteer = Enumerator(phone)
    quick_partial(volunteer, "65010000031", "31", seed=31)
    volunteer.sign_and_finish()
    phone.wait_for_selector('main[data-screen="record:sent"]')

    # A second phone with the same link is refused, in Thai.
    other = new_phone(browser, server)
    other.goto(link)
    other.wait_for_selector("#enrol-msg:has-text('ถูกใช้กับโทรศัพท์เครื่องอื่นไปแล้ว')")
    other.context.close()

    # The coordinator's home page: the household is counted, with the sync time.
    tablet.click("nav.menu >> text=ความก้าวหน้าการจัดเก็บ")
    row = tablet.locator("#enumerators tbody tr", has_text=VOLUNTEER)
    assert row.locator("td").nth(3).text_content().strip() == "1"
    assert re.search(r"\d{1,2} \S+ 25\d\d \d\d:\d\d น\.", row.text_content())
    assert tablet.text_content("#total-collected").strip() == "1"
    fits(tablet)
    shot(tablet, "r04-coordinator-progress")

    # The district downloads the progress and the payments.
    desk = officer(browser, server, district)
    book = download(desk, "section:has(#areas) >> text=ดาวน์โหลด Excel (XLSX)")
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert ("650102", 1) in [(r[0], r[4]) for r in rows]
    desk.click("nav.menu >> text=ค่าตอบแทนอาสาสมัคร")
    assert desk.text_content("#payment-total").strip() == "20 บาท"
    fits(desk)
    shot(desk, "r05-district-payments")
    payments = download(desk, "#payments-xlsx")
    people = list(payments["รายอาสาสมัคร"].iter_rows(values_only=True))
    assert [(r[1], r[2], r[3], r[6]) for r in people[1:]] == [(VOLUNTEER, "0891234567", 1, 20)]

    # The phone is lost: the coordinator revokes it; its next sync is refused, nothing lost.
    tablet.click("nav.menu >> text=อาสาสมัครและโทรศัพท์")
    tablet.click(f"text={VOLUNTEER}")
    tablet.once("dialog", lambda dialog: dialog.accept())
    tablet.click("text=ยกเลิกโทรศัพท์ที่หาย/เปลี่ยนเครื่อง")
    assert "ยกเลิกการเข้าใช้งานของโทรศัพท์" in tablet.text_content("#done")
    volunteer.tap("#back")
    volunteer.screen("home")
    quick_partial(volunteer, "65010000032", "32", seed=32)
    # The record is kept, and the sync, refused, sends the phone to sign in again (often
    # before its record page could be seen).
    volunteer.sign_and_finish(then="#login")
    assert "การเข้าสู่ระบบถูกยกเลิก" in phone.text_content("#login")
    assert "ข้อมูลที่รอส่ง 1 ครัวเรือน ยังอยู่ในเครื่องครบ" in phone.text_content("#login")
    shot(phone, "r06-phone-revoked")
    tablet.click("nav.menu >> text=ความก้าวหน้าการจัดเก็บ")
    assert tablet.text_content("#total-collected").strip() == "1"
