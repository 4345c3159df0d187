"""Map data through the API: figures equal the rollups and reports they come from, the
classes and the legend, small areas hatched for roles without personal-data rights,
village cells, the ETag, scope; and the print maps."""
import io
import json
import unicodedata
from pathlib import Path

import pypdfium2
from PIL import Image

from tests.fixtures.gis import BIG_VILLAGE, SMALL_VILLAGE, SUBDISTRICT

MAPS = "/api/v1/maps"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "maps"


def subdistricts_of(district: str) -> list[str]:
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db
    return list(db.session.scalars(select(Area.code).where(Area.parent_code == district)))


def get_map(client, headers, **params):
    query = "&".join(f"{k}={v}" for k, v in {"round": 2565, **params}.items())
    response = client.get(f"{MAPS}?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/geo+json"
    return response


def by_code(data):
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def test_district_map_figures_equal_the_reports(client, mapped):
    h = mapped["headers"]["district"]
    data = get_map(client, h, area="7501", measure="pct_failed", indicator=22).json
    features = by_code(data)
    assert set(features) == set(subdistricts_of("7501"))  # every one, with data or not
    assert data["meta"]["level"] == "subdistrict"
    report = client.get("/api/v1/reports/indicators?round=2565&area=7501&breakdown=true",
                        headers=h).json
    row = next(r for r in report["breakdown"] if r["code"] == SUBDISTRICT)
    mine = features[SUBDISTRICT]
    assert mine["households"] == 6 == row["households"]
    ind22 = next(i for i in row["indicators"] if i["number"] == 22)
    assert mine["pct_failed"] == ind22["pct_failed"] and mine["value"] == ind22["pct_failed"]
    income = client.get(f"/api/v1/reports/income-expense?round=2565&area={SUBDISTRICT}",
                        headers=h).json
    assert mine["income_per_person"] == income["income"]["per_person"]
    empty = features["750103"]
    assert empty["households"] is None and empty["colour"] == "#d9d9d9"
    assert data["legend"]["title_th"].endswith("ข้อ 22")
    assert data["legend"]["entries"][-1]["hatched"] is True


def test_small_villages_are_hatched_for_roles_without_personal_data(client, mapped):
    province = get_map(client, mapped["headers"]["province"], area=SUBDISTRICT,
                       measure="households").json
    villages = by_code(province)
    assert villages[SMALL_VILLAGE]["suppressed"] is True
    assert villages[SMALL_VILLAGE]["households"] is None
    assert villages[SMALL_VILLAGE]["value"] is None
    assert villages[BIG_VILLAGE]["households"] == 5 and not villages[BIG_VILLAGE]["suppressed"]
    assert province["meta"]["approximate"] is True  # village cells drawn by Voronoi
    assert villages[BIG_VILLAGE]["approximate"] is True
    # The subdistrict on the district map counts only what the province may see.
    district_map = by_code(get_map(client, mapped["headers"]["province"], area="7501",
                                   measure="households").json)
    assert district_map[SUBDISTRICT]["households"] == 5
    officer = by_code(get_map(client, mapped["headers"]["district"], area=SUBDISTRICT,
                              measure="households").json)
    assert officer[SMALL_VILLAGE]["households"] == 1 and not officer[SMALL_VILLAGE]["suppressed"]
    text = json.dumps(province)
    assert mapped["bodies"][0]["members"][0]["first_name"] not in text


def test_village_cells_lie_in_their_subdistrict(client, mapped):
    import shapely
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db
    data = get_map(client, mapped["headers"]["district"], area=SUBDISTRICT).json
    boundary = db.session.scalar(select(Area.geom_simplified).where(Area.code == SUBDISTRICT))
    cells = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in data["features"]}
    assert set(cells) == {SMALL_VILLAGE, BIG_VILLAGE}
    assert all(boundary.buffer(2e-5).covers(c) for c in cells.values())  # 5-decimal output
    assert shapely.union_all(list(cells.values())).area == \
        __import__("pytest").approx(boundary.area, rel=1e-3)
    unplaced = data["meta"]["without_position"]
    assert SMALL_VILLAGE not in unplaced and "75010203" in unplaced  # no households, no point
    # A point from the register places a village without households.
    village = db.session.get(Area, "75010203")
    point = boundary.representative_point()
    village.lat, village.lon = point.y, point.x
    db.session.commit()
    placed = get_map(client, mapped["headers"]["district"], area=SUBDISTRICT).json
    assert "75010203" in {f["id"] for f in placed["features"]}
    assert "75010203" not in placed["meta"]["without_position"]


def test_the_etag_follows_the_data(client, mapped, household_payload):
    h = mapped["headers"]["district"]
    first = get_map(client, h, area="7501")
    same = client.get(f"{MAPS}?round=2565&area=7501",
                      headers={**h, "If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    body = household_payload(600, village_code=BIG_VILLAGE, house_code="75010009999",
                             gps=mapped["bodies"][1]["gps"])
    assert client.post("/api/v1/households", headers=mapped["enumerator_headers"],
                       json=body).status_code == 201
    changed = client.get(f"{MAPS}?round=2565&area=7501",
                         headers={**h, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_classes_and_methods(client, mapped):
    h = mapped["headers"]["admin"]
    for method in ("quantiles", "natural_breaks", "equal_interval"):
        data = get_map(client, h, area="75", level="subdistrict", measure="coverage",
                       method=method, classes=5).json
        assert data["legend"]["method"] == method
        coloured = [f for f in data["features"] if f["properties"]["class"] is not None]
        assert all(f["properties"]["colour"].startswith("#") for f in coloured)


def test_scope_and_bad_requests(client, mapped):
    other = mapped["headers"]["other_district"]
    refused = client.get(f"{MAPS}?round=2565&area=7501", headers=other)
    assert refused.status_code == 403
    assert client.get(f"{MAPS}?round=2565&area=75", headers=other).status_code == 403
    h = mapped["headers"]["district"]
    above = client.get(f"{MAPS}?round=2565&area=7501&level=district", headers=h)
    assert above.status_code == 422 and above.json["error_code"] == "LEVEL_NOT_BELOW"
    village = client.get(f"{MAPS}?round=2565&area={BIG_VILLAGE}", headers=h)
    assert village.status_code == 422
    assert client.get(f"{MAPS}?round=2565&area=7501&classes=99", headers=h).status_code == 422


def pdf_text(data: bytes) -> str:
    return unicodedata.normalize("NFKD", "".join(
        p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(data)))


def test_print_maps_and_the_subdistrict_profile(client, mapped):
    h = mapped["headers"]["province"]
    png = client.get(f"{MAPS}/print?round=2565&area=75&format=png", headers=h)
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.size[0] > 1000 and image.size[1] > 1400  # A4 at 150 dpi
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "print-province-75.png").write_bytes(png.data)
    pdf = client.get(f"{MAPS}/print?round=2565&area=75&format=pdf", headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    words = pdf_text(pdf.data)
    for expected in ("สมุทรสงคราม", "ปี 2565", "Royal Thai Survey Department", "จัดทำเมื่อ"):
        assert unicodedata.normalize("NFKD", expected) in words, expected
    profile = client.get(f"{MAPS}/profile/{SUBDISTRICT}.pdf?round=2565",
                         headers=mapped["headers"]["district"])
    assert profile.status_code == 200
    assert unicodedata.normalize("NFKD", "ครัวเรือนที่จัดเก็บ") in pdf_text(profile.data)


def test_the_certification_pack_carries_the_map(client, mapped, make_user):
    from app.auth.models import Role
    from app.auth.services import issue_token
    from app.extensions import db
    lao = make_user(Role.LAO_CERTIFIER, lao_code="6750102")
    db.session.commit()
    pack = client.get("/api/v1/certification/units/lao/6750102/pack.pdf?round=2565",
                      headers={"Authorization": f"Bearer {issue_token(lao, 't').token}"})
    assert pack.status_code == 200
    document = pypdfium2.PdfDocument(pack.data)
    images = [o for page in document for o in page.get_objects()
              if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    assert images  # the map of the LAO's villages
    assert unicodedata.normalize("NFKD", "แผนที่ร้อยละครัวเรือน") in pdf_text(pack.data)
