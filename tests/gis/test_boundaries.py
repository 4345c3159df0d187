"""Importing the real boundary files: the national one (no .cpg, UTF-8) with the
mismatches its README lists, Samut Songkhram at full resolution, districts and provinces
dissolved, idempotence; and every kind of bad file refused without changing anything."""
import json
import zipfile

import geopandas
import pytest
import shapely
from shapely.geometry import Polygon
from sqlalchemy import func, select

from app.areas.models import Area
from app.extensions import db
from gis.boundaries import BoundaryFileError, import_boundaries
from tests.fixtures.gis import NATIONAL, SAMUT_SONGKHRAM, shared


def stored(code):
    db.session.expire_all()
    return db.session.execute(select(Area.geom, Area.geom_simplified, Area.geom_source,
                                     Area.min_lon, Area.name_th)
                              .where(Area.code == code)).one()


def with_geometry() -> int:
    return db.session.scalar(select(func.count()).where(Area.geom.is_not(None)))


def test_the_national_file_imports_and_reconciles(app):
    report = import_boundaries(shared(NATIONAL))
    db.session.commit()
    assert report.encoding == "UTF-8"  # found, though the file has no .cpg
    assert (report.features, report.matched) == (7425, 7422)
    assert report.only_in_file == ["104701", "105001", "530306"]
    assert len(report.only_in_registry) == 14 and "530407" in report.only_in_registry
    assert sum(c.startswith("10") for c in report.only_in_registry) == 13
    assert len(report.names_differ) < 20  # Thai names read as Thai, not mojibake
    assert report.dissolved == {"district": 926, "province": 77}
    assert "5304" in report.incomplete  # built without 530407
    geom, simple, source, min_lon, name = stored("750101")
    assert source == "file" and geom.is_valid and 99 < min_lon < 101
    assert simple.area == pytest.approx(geom.area, rel=0.05)
    district = stored("7501")
    assert district.geom_source == "dissolved"
    subdistricts = db.session.scalars(select(Area.geom).where(
        Area.parent_code == "7501", Area.level == "subdistrict")).all()
    assert district.geom.area == pytest.approx(shapely.union_all(subdistricts).area, rel=1e-6)
    # Again: the same registry.
    before = with_geometry()
    again = import_boundaries(shared(NATIONAL))
    db.session.commit()
    assert again.matched == report.matched and with_geometry() == before
    assert stored("750101").geom.equals(geom)


def test_a_full_resolution_province_replaces_the_simplified_one(app):
    import_boundaries(shared(NATIONAL))
    db.session.commit()
    coarse = stored("750101").geom
    report = import_boundaries(shared(SAMUT_SONGKHRAM))
    db.session.commit()
    assert (report.features, report.matched, report.only_in_registry) == (36, 36, [])
    assert report.names_differ == [] and report.dissolved == {"district": 3, "province": 1}
    fine = stored("750101").geom
    assert shapely.get_num_coordinates(fine) > shapely.get_num_coordinates(coarse)
    assert stored("75").geom_source == "dissolved"


def write_zip(tmp_path, frame, name="test", *, drop=(), extra=None):
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    frame.to_file(folder / f"{name}.shp", engine="pyogrio")
    target = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in folder.iterdir():
            if file.suffix not in drop:
                archive.write(file, file.name)
        for entry, data in (extra or {}).items():
            archive.writestr(entry, data)
    return target


def square(x, y, size=0.01):
    return Polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)])


def frame(codes, crs="EPSG:4326", field="ADM3_PCODE", geometry=None):
    return geopandas.GeoDataFrame({field: codes, "ADM3_TH": ["ก"] * len(codes)},
                                  geometry=geometry or [square(100 + i * .1, 13.5)
                                                        for i in range(len(codes))], crs=crs)


@pytest.mark.parametrize("case, message", [
    ("no_code_field", "no code field"),
    ("codes_match_nothing", "none of its"),
    ("unknown_crs", "no coordinate reference system"),
    ("missing_shx", "has no .shx"),
    ("zip_bomb", "expands"),
    ("path_outside", "outside the archive"),
    ("not_a_zip", "not a readable zip"),
])
def test_bad_files_are_refused_and_change_nothing(app, tmp_path, case, message):
    before = with_geometry()
    if case == "no_code_field":
        path = write_zip(tmp_path, frame(["TH750101"], field="CODE"))
    elif case == "codes_match_nothing":
        path = write_zip(tmp_path, frame(["TH999999", "TH999998"]))
    elif case == "unknown_crs":
        path = write_zip(tmp_path, frame(["TH750101"]), drop=(".prj",))
    elif case == "missing_shx":
        path = write_zip(tmp_path, frame(["TH750101"]), drop=(".shx",))
    elif case == "zip_bomb":
        path = write_zip(tmp_path, frame(["TH750101"]), extra={"padding.txt": "0" * 5_000_000})
    elif case == "path_outside":
        path = write_zip(tmp_path, frame(["TH750101"]), extra={"../evil.txt": "x"})
    else:
        path = tmp_path / "broken.zip"
        path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(BoundaryFileError, match=message):
        import_boundaries(path)
    db.session.rollback()
    assert with_geometry() == before


def test_thai_text_in_tis620_without_cpg_is_found(app, tmp_path):
    data = frame(["TH750101"])
    data["ADM3_TH"] = ["แม่กลอง"]
    folder = tmp_path / "shp"
    folder.mkdir()
    data.to_file(folder / "t.shp", engine="pyogrio", encoding="cp874")
    (folder / "t.cpg").unlink(missing_ok=True)
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in folder.iterdir():
            archive.write(file, file.name)
    report = import_boundaries(path, dry_run=True)
    assert report.encoding == "CP874" and report.names_differ == []
    assert with_geometry() == 0  # a dry run stores nothing


def test_self_intersecting_polygons_are_repaired(app, tmp_path):
    bowtie = Polygon([(99.95, 13.4), (100.05, 13.5), (100.05, 13.4), (99.95, 13.5)])
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ADM3_PCODE": "TH750101"},
         "geometry": shapely.geometry.mapping(bowtie)}]}))
    report = import_boundaries(path)
    db.session.commit()
    assert report.repaired == 1
    assert stored("750101").geom.is_valid


def test_the_command_reports_and_refuses_in_words(app, tmp_path):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["gis", "import-boundaries", str(shared(SAMUT_SONGKHRAM))])
    assert done.exit_code == 0 and "36 matched the registry" in done.output
    broken = write_zip(tmp_path, frame(["TH999999"]))
    refused = runner.invoke(args=["gis", "import-boundaries", str(broken)])
    assert refused.exit_code != 0 and "nothing was changed" in refused.output
