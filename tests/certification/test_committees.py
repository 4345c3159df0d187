"""Working committees: recorded by whoever certifies at the tier, with the appointment
order; the meeting form picks its participants from them."""
import re

from sqlalchemy import select

from app.extensions import db
from certification.models import Committee, Decision
from tests.fixtures.certification import LAOS

LAO_A = next(iter(LAOS))
MEMBERS = "นายหนึ่ง ใจดี - ประธาน\nนางสอง มีสุข - กรรมการ\nนายสาม รักถิ่น - เลขานุการ"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_lao_records_its_committee_and_certifies_with_its_members(client, login, collected):
    csrf = login(collected.users[f"lao{LAO_A}"])
    url = f"/certification/lao/{LAO_A}/committee?round=2565"
    bad = client.post(url, data={"csrf_token": csrf, "order_number": "", "order_date": "1/2",
                                 "members": ""})
    assert bad.status_code == 422
    page = text(bad)
    assert "กรุณากรอกเลขที่คำสั่ง" in page and "วว/ดด/ปปปป" in page and "รายชื่อกรรมการ" in page
    assert db_committees() == []
    saved = client.post(url, data={"csrf_token": csrf, "order_number": "12/2565",
                                   "order_date": "15/01/2565", "members": MEMBERS})
    assert saved.status_code == 302
    (committee,) = db_committees()
    assert [(m.name, m.position) for m in committee.members][0] == ("นายหนึ่ง ใจดี", "ประธาน")

    unit_page = text(client.get(f"/certification/lao/{LAO_A}?round=2565"))
    assert "คำสั่งที่ 12/2565" in unit_page and unit_page.count('name="member"') == 3
    revision = re.search(r'name="revision" value="([^"]+)"', unit_page).group(1)
    done = client.post(f"/certification/lao/{LAO_A}/certify?round=2565", data={
        "csrf_token": csrf, "revision": revision, "date": "01/06/2565", "place": "อบต.",
        "member": ["1", "3"], "participants": "นายสี่ ผู้ใหญ่บ้าน - ผู้ใหญ่บ้าน"})
    assert done.status_code == 302, text(done)
    decision = db.session.scalars(select(Decision).order_by(Decision.id.desc())).first()
    assert [p["name"] for p in decision.meeting["participants"]] == \
        ["นายหนึ่ง ใจดี", "นายสาม รักถิ่น", "นายสี่ ผู้ใหญ่บ้าน"]


def test_only_the_tier_that_certifies_records_its_committee(client, login, collected):
    login(collected.users["district"])
    url = f"/certification/lao/{LAO_A}/committee?round=2565"
    page = client.get(url)
    assert page.status_code == 200 and 'name="order_number"' not in text(page)
    csrf = login(collected.users["other_district"])
    refused = client.post(url, data={"csrf_token": csrf, "order_number": "1/2565",
                                     "order_date": "15/01/2565", "members": MEMBERS})
    assert refused.status_code == 404
    assert db_committees() == []


def db_committees():
    return db.session.scalars(select(Committee)).all()
