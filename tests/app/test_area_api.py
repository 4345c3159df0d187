"""Reading the registry through the API, scoped to the caller's area."""
from app.auth.models import AuditEvent, Role
from app.extensions import db


def test_district_officer_reads_own_subdistrict_with_ancestors(client, make_user, auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    response = client.get("/api/v1/areas/650101", headers=auth_header(officer))
    assert response.status_code == 200
    body = response.json
    assert body["name_th"] == "ในเมือง" and body["level"] == "subdistrict"
    assert [a["code"] for a in body["ancestors"]] == ["65", "6501"]
    assert body["ancestors"][0]["name_th"] == "พิษณุโลก"


def test_district_officer_gets_403_outside_district_and_it_is_audited(client, make_user,
                                                                      auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    response = client.get("/api/v1/areas/650201", headers=auth_header(officer))
    assert response.status_code == 403
    assert response.json["error_code"] == "OUT_OF_SCOPE"
    assert response.json["code"] == 403 and response.json["message"]
    denial = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.event == "permission.denied")).one()
    assert denial.user_id == officer.id and denial.detail["target"] == "650201"
    # Another province entirely, and a village there.
    assert client.get("/api/v1/areas/75", headers=auth_header(officer)).status_code == 403
    assert client.get("/api/v1/areas/75010101",
                      headers=auth_header(officer)).status_code == 403


def test_children_are_limited_to_scope(client, make_user, auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    headers = auth_header(officer)
    province_children = client.get("/api/v1/areas/65/children", headers=headers).json
    assert [a["code"] for a in province_children["items"]] == ["6501"]
    district = client.get("/api/v1/areas/6501/children", headers=headers).json
    assert district["numberMatched"] == 20  # geothai: 20 subdistricts in Mueang Phitsanulok
    assert all(a["code"].startswith("6501") for a in district["items"])


def test_children_paging_links(client, make_user, auth_header):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    body = client.get("/api/v1/areas/65/children?limit=3",
                      headers=auth_header(admin)).json
    assert body["numberMatched"] == 9 and body["numberReturned"] == 3
    next_link = [l["href"] for l in body["links"] if l["rel"] == "next"][0]
    assert "offset=3" in next_link
    last = client.get("/api/v1/areas/65/children?limit=3&offset=6",
                      headers=auth_header(admin)).json
    assert [l["rel"] for l in last["links"]] == ["self"]


def test_enumerator_sees_only_own_village(client, make_user, auth_header):
    enumerator = make_user(Role.ENUMERATOR, area_code="65010201")
    headers = auth_header(enumerator)
    assert client.get("/api/v1/areas/65010201", headers=headers).status_code == 200
    assert client.get("/api/v1/areas/65010202", headers=headers).status_code == 403
    assert client.get("/api/v1/areas/650103", headers=headers).status_code == 403
    children = client.get("/api/v1/areas/650102/children", headers=headers).json
    assert [a["code"] for a in children["items"]] == ["65010201"]
    found = client.get("/api/v1/areas?q=บ้าน", headers=headers).json
    assert [a["code"] for a in found["items"]] == ["65010201"]


def test_search_by_thai_and_english_name_within_scope(client, make_user, auth_header):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    thai = client.get("/api/v1/areas?q=พิษณุโลก&level=province",
                      headers=auth_header(admin)).json
    assert [a["code"] for a in thai["items"]] == ["65"]
    english = client.get("/api/v1/areas?q=phitsanulok&level=province",
                         headers=auth_header(admin)).json
    assert [a["code"] for a in english["items"]] == ["65"]
    everywhere = client.get("/api/v1/areas?q=Nai Mueang&level=subdistrict",
                            headers=auth_header(admin)).json
    assert everywhere["numberMatched"] > 1
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    scoped = client.get("/api/v1/areas?q=Nai Mueang", headers=auth_header(officer)).json
    assert [a["code"] for a in scoped["items"]] == ["650101"]


def test_search_treats_wildcards_literally(client, make_user, auth_header):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    body = client.get("/api/v1/areas?q=%25", headers=auth_header(admin)).json
    assert body["numberMatched"] == 0


def test_lao_certifier_sees_only_villages_of_their_lao(client, make_user, auth_header):
    # In the demo register subdistrict 650201 is split: villages up to half its count
    # under the subdistrict municipality 5650201, the rest under the SAO 6650201.
    certifier = make_user(Role.LAO_CERTIFIER, lao_code="5650201")
    headers = auth_header(certifier)
    lao = client.get("/api/v1/laos/5650201", headers=headers).json
    own = [a["code"] for a in lao["areas"]]
    assert own and all(code.startswith("650201") for code in own)
    assert client.get(f"/api/v1/areas/{own[0]}", headers=headers).status_code == 200
    sao = client.get("/api/v1/laos/6650201", headers=auth_header(
        make_user(Role.DEPARTMENT_ADMIN))).json
    other = sao["areas"][0]["code"]
    assert client.get(f"/api/v1/areas/{other}", headers=headers).status_code == 403
    assert client.get("/api/v1/laos/6650201", headers=headers).status_code == 403
    children = client.get("/api/v1/areas/650201/children?limit=100", headers=headers).json
    assert sorted(a["code"] for a in children["items"]) == sorted(own)


def test_unknown_area_is_404_with_error_code(client, make_user, auth_header):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    response = client.get("/api/v1/areas/999999", headers=auth_header(admin))
    assert response.status_code == 404
    assert response.json["error_code"] == "UNKNOWN_AREA"


def test_viewer_reads_areas_but_not_households(app, make_user):
    from app.areas.queries import get_area
    from app.auth.policy import Action, may
    viewer = make_user(Role.VIEWER, area_code="65")
    area = get_area("650101")
    assert may(viewer, Action.AREA_READ, area=area)
    assert may(viewer, Action.AGGREGATE_READ, area=area)
    assert not may(viewer, Action.HOUSEHOLD_READ, area=area)
    assert not may(viewer, Action.PERSONAL_DATA_READ, area=area)


def test_requests_without_credentials_are_401(client):
    response = client.get("/api/v1/areas/65")
    assert response.status_code == 401
    assert response.json["error_code"] == "UNAUTHENTICATED"
