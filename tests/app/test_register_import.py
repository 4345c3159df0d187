"""Importing the village/community and LAO register: all rows or none, each bad row named."""
import io

import pytest
from sqlalchemy import func, select

from app.areas.demo import demo_register_rows
from app.areas.models import Area, Lao
from app.areas.register import COLUMNS, import_register
from app.auth.models import Role
from app.csv_import import CsvFileError
from app.extensions import db

HEADER = ",".join(COLUMNS)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *lines]).encode(encoding)


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Area)),
            db.session.scalar(select(func.count()).select_from(Lao)))


GOOD = "65030150,village,บ้านทดสอบ,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ"


def test_valid_rows_create_villages_and_their_lao(app):
    report = import_register(csv_bytes(
        "65030150,village,บ้านทดสอบ,650301,7650301,sao,อบต.ทดสอบ",
        "65030151,หมู่บ้าน,บ้านสอง,650301,7650301,อบต.,อบต.ทดสอบ",
        "65030160,ชุมชน,ชุมชนตลาด,650301,8650301,ทต.,เทศบาลตำบลทดสอบ"))
    assert report.ok, report.errors
    assert (report.villages_created, report.laos_created) == (3, 2)
    village = db.session.get(Area, "65030151")
    assert (village.level, village.moo, village.parent_code, village.lao_code) == \
        ("village", 51, "650301", "7650301")
    community = db.session.get(Area, "65030160")
    assert community.level == "community" and community.moo is None
    lao = db.session.get(Lao, "8650301")
    assert (lao.type, lao.district_code, lao.province_code) == \
        ("subdistrict_municipality", "6503", "65")


def test_each_kind_of_bad_row_is_reported_and_nothing_is_applied(app):
    before = counts()
    report = import_register(csv_bytes(
        GOOD,                                                               # line 2 ok
        "99999901,village,บ้านก,999999,6999999,sao,อบต.ก",                   # 3 unknown subdistrict
        "6503015,village,บ้านข,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ",  # 4 malformed code
        "65030150,village,บ้านซ้ำ,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ",  # 5 duplicate
        "65040152,village,บ้านค,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ",  # 6 wrong prefix
        "65030153,village,บ้านง,650301,6650301,county,องค์การบริหารส่วนตำบลทดสอบ",  # 7 LAO type
        "65030154,community,ชุมชนจ,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ",  # 8 community/SAO
        "65030155,village,บ้านฉ,650301,6650301,sao,ชื่ออื่น",                  # 9 LAO conflict
        "65030156,village,,650301,6650301,sao,องค์การบริหารส่วนตำบลทดสอบ",     # 10 empty name
        "10010101,village,บ้านช,100101,6100101,sao,อบต.ช",                    # 11 Bangkok
    ))
    assert not report.ok
    found = {(e.line, e.field, e.error_code) for e in report.errors}
    assert found == {
        (3, "subdistrict_code", "UNKNOWN_SUBDISTRICT"),
        (4, "village_code", "MALFORMED_CODE"),
        (5, "village_code", "DUPLICATE_CODE"),
        (6, "village_code", "CODE_NOT_IN_SUBDISTRICT"),
        (7, "lao_type", "UNKNOWN_LAO_TYPE"),
        (8, "kind", "COMMUNITY_OUTSIDE_MUNICIPALITY"),
        (9, "lao_code", "LAO_CONFLICT"),
        (10, "name_th", "REQUIRED"),
        (11, "subdistrict_code", "OUTSIDE_SURVEY"),
    }
    assert all(e.message_th for e in report.errors)
    duplicate = next(e for e in report.errors if e.error_code == "DUPLICATE_CODE")
    assert "line 2" in duplicate.message
    assert counts() == before
    assert db.session.get(Area, "65030150") is None


def test_lao_spanning_two_districts_is_rejected(app):
    report = import_register(csv_bytes(
        "65030150,village,บ้านก,650301,7650301,sao,อบต.ก",
        "65040150,village,บ้านข,650401,7650301,sao,อบต.ก"))
    assert [(e.line, e.error_code) for e in report.errors] == [(3, "LAO_SPANS_DISTRICTS")]


def test_tis620_file_imports_with_thai_names_intact(app):
    report = import_register(csv_bytes(GOOD, encoding="cp874"))
    assert report.ok and report.encoding == "cp874"
    assert db.session.get(Area, "65030150").name_th == "บ้านทดสอบ"
    assert db.session.get(Lao, "6650301").name_th == "องค์การบริหารส่วนตำบลทดสอบ"


def test_utf8_with_bom_imports(app):
    report = import_register(b"\xef\xbb\xbf" + csv_bytes(GOOD))
    assert report.ok and report.encoding == "utf-8"


def test_undecodable_file_fails_with_a_clear_error(app):
    before = counts()
    with pytest.raises(CsvFileError) as error:
        import_register(csv_bytes(GOOD) + b"\xdb\xdc")
    assert error.value.error_code == "ENCODING"
    assert "UTF-8" in str(error.value)
    assert counts() == before


def test_missing_columns_are_named(app):
    with pytest.raises(CsvFileError) as error:
        import_register("village_code,name_th\n65030150,บ้าน\n".encode())
    assert error.value.error_code == "MISSING_COLUMNS"
    assert "subdistrict_code" in str(error.value) and "lao_type" in str(error.value)


def test_reimporting_the_same_register_changes_nothing(app):
    first = import_register(csv_bytes(GOOD))
    again = import_register(csv_bytes(GOOD))
    assert (first.villages_created, again.villages_created, again.villages_updated) == (1, 0, 0)
    renamed = import_register(csv_bytes(GOOD.replace("บ้านทดสอบ", "บ้านใหม่")))
    assert renamed.villages_updated == 1
    assert db.session.get(Area, "65030150").name_th == "บ้านใหม่"


def test_demo_register_is_plausible(app):
    rows = demo_register_rows("65")
    per_subdistrict: dict[str, int] = {}
    laos_per_subdistrict: dict[str, set] = {}
    for row in rows:
        sub = row["subdistrict_code"]
        per_subdistrict[sub] = per_subdistrict.get(sub, 0) + 1
        laos_per_subdistrict.setdefault(sub, set()).add(row["lao_type"])
    assert len(per_subdistrict) == 93  # geothai: every subdistrict of Phitsanulok
    assert all(8 <= n <= 15 for n in per_subdistrict.values())
    communities = [r for r in rows if r["kind"] == "community"]
    assert communities and all("municipality" in r["lao_type"] for r in communities)
    split = [s for s, types in laos_per_subdistrict.items()
             if "sao" in types and "subdistrict_municipality" in types]
    assert split


def test_api_upload_reports_rows_outside_the_officers_district(client, make_user,
                                                               auth_header):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6503")
    data = csv_bytes(GOOD, "65040150,village,บ้านข,650401,6650401,sao,อบต.ข")
    response = client.post("/api/v1/area-register", headers=auth_header(officer),
                           data={"file": (io.BytesIO(data), "register.csv")})
    assert response.status_code == 422
    assert response.json["error_code"] == "REGISTER_INVALID"
    rows = response.json["errors"]["rows"]
    assert [(r["line"], r["error_code"]) for r in rows] == [(3, "OUT_OF_SCOPE")]
    assert db.session.get(Area, "65030150") is None

    response = client.post("/api/v1/area-register", headers=auth_header(officer),
                           data={"file": (io.BytesIO(csv_bytes(GOOD)), "register.csv")})
    assert response.status_code == 200 and response.json["villages_created"] == 1


def test_api_upload_dry_run_applies_nothing(client, make_user, auth_header):
    officer = make_user(Role.PROVINCE_OFFICER, area_code="65")
    response = client.post("/api/v1/area-register?dry_run=true", headers=auth_header(officer),
                           data={"file": (io.BytesIO(csv_bytes(GOOD)), "register.csv")})
    assert response.status_code == 200 and response.json["ok"]
    assert db.session.get(Area, "65030150") is None


def test_api_upload_of_wrong_encoding_is_422_with_error_code(client, make_user, auth_header):
    officer = make_user(Role.PROVINCE_OFFICER, area_code="65")
    response = client.post("/api/v1/area-register", headers=auth_header(officer),
                           data={"file": (io.BytesIO(b"\xdb\xdb\xdb"), "register.csv")})
    assert response.status_code == 422
    assert response.json["error_code"] == "ENCODING"


def test_enumerator_may_not_import(client, make_user, auth_header):
    enumerator = make_user(Role.ENUMERATOR, area_code="65030101")
    response = client.post("/api/v1/area-register", headers=auth_header(enumerator),
                           data={"file": (io.BytesIO(csv_bytes(GOOD)), "register.csv")})
    assert response.status_code == 403
    assert response.json["error_code"] == "ROLE_NOT_ALLOWED"


def test_names_no_form_should_accept_are_row_errors(app):
    before = counts()
    report = import_register(csv_bytes(
        "65030150,village,บ้าน\u202eทดสอบ,650301,6650301,sao,อบต.ทดสอบ",
        "65030151,village,\u200b\u0e34,650301,6650301,sao,อบต.ทดสอบ",
        f"65030152,village,{'ก' * 201},650301,6650301,sao,อบต.ทดสอบ",
        "๖๕๐๓๐๑๕๓,village,บ้านเลขไทย,650301,6650301,sao,อบต.ทดสอบ"))
    found = {(e.line, e.field, e.error_code) for e in report.errors}
    assert found == {(2, "name_th", "TEXT_INVALID_CHARACTER"), (3, "name_th", "NAME_NOT_TEXT"),
                     (4, "name_th", "TEXT_TOO_LONG"), (5, "village_code", "MALFORMED_CODE")}
    assert counts() == before


def test_villages_may_bring_their_point(app):
    header = HEADER + ",lat,lon"
    report = import_register("\n".join([
        header,
        "65030150,village,บ้านทดสอบ,650301,6650301,sao,อบต.ทดสอบ,16.82,100.26",
        "65030151,village,บ้านสอง,650301,6650301,sao,อบต.ทดสอบ,,",
        "65030152,village,บ้านสาม,650301,6650301,sao,อบต.ทดสอบ,51.5,-0.12"]).encode())
    assert [(e.line, e.error_code) for e in report.errors] == [(4, "BAD_POINT")]
    report = import_register("\n".join([
        header,
        "65030150,village,บ้านทดสอบ,650301,6650301,sao,อบต.ทดสอบ,16.82,100.26",
        "65030151,village,บ้านสอง,650301,6650301,sao,อบต.ทดสอบ,,"]).encode())
    assert report.ok
    assert (db.session.get(Area, "65030150").lat, db.session.get(Area, "65030150").lon) == \
        (16.82, 100.26)
    assert db.session.get(Area, "65030151").lat is None
