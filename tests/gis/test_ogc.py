"""OGC API – Features at /ogc: the conformance walk (landing, conformance, collections,
items with bbox, limit, offset, properties, next links), OGC error bodies, scope; and two
real clients over HTTP: OWSLib, and GDAL's OAPIF driver through pyogrio, paging included."""
import pyogrio
import pytest
from owslib.ogcapi.features import Features

from app.auth.services import issue_token
from tests.fixtures.gis import SUBDISTRICT

OGC = "/ogc"


def test_the_conformance_walk(client, mapped):
    h = mapped["headers"]["province"]
    landing = client.get(OGC, headers=h).json
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "conformance", "data"} <= rels
    conformance = client.get(f"{OGC}/conformance", headers=h).json["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    collections = client.get(f"{OGC}/collections", headers=h).json["collections"]
    assert {c["id"] for c in collections} == {
        "provinces-2565", "districts-2565", "subdistricts-2565", "villages-2565"}
    items = client.get(f"{OGC}/collections/subdistricts-2565/items?limit=10", headers=h)
    assert items.status_code == 200 and items.mimetype == "application/geo+json"
    page = items.json
    assert page["numberMatched"] == 36 and page["numberReturned"] == 10  # province 75 only
    assert all(f["id"].startswith("75") for f in page["features"])
    nxt = next(link for link in page["links"] if link["rel"] == "next")
    assert "offset=10" in nxt["href"]
    mine = client.get(f"{OGC}/collections/subdistricts-2565/items/{SUBDISTRICT}",
                      headers=h).json
    assert mine["properties"]["households"] == 5  # the province does not see the small village
    assert mine["properties"]["ind22_pct_failed"] is not None
    assert mine["geometry"]["type"] == "MultiPolygon"
    chosen = client.get(f"{OGC}/collections/subdistricts-2565/items?properties=households",
                        headers=h).json["features"][0]["properties"]
    assert set(chosen) == {"code", "households"}
    near = client.get(f"{OGC}/collections/subdistricts-2565/items?bbox=99.95,13.38,100.0,13.42"
                      "&limit=100", headers=h).json
    assert 0 < near["numberMatched"] < 36
    villages = client.get(f"{OGC}/collections/villages-2565/items?limit=1000",
                          headers=h).json["features"]
    located = [f for f in villages if f["geometry"]]
    assert located and all(f["geometry"]["type"] == "Point" for f in located)


@pytest.mark.parametrize("query, name", [
    ("bbox=1,2,3", "bbox"), ("bbox=200,0,210,10", "bbox"), ("bbox=100,14,99,13", "bbox"),
    ("bbox=a,b,c,d", "bbox"), ("limit=1000000000", "limit"), ("limit=0", "limit"),
    ("offset=-1", "offset")])
def test_bad_parameters_get_ogc_errors(client, mapped, query, name):
    response = client.get(f"{OGC}/collections/subdistricts-2565/items?{query}",
                          headers=mapped["headers"]["province"])
    assert response.status_code == 400
    body = response.json
    assert body["code"] == "InvalidParameterValue" and name in body["description"]


def test_scope_and_missing_things(client, mapped):
    other = mapped["headers"]["other_district"]
    page = client.get(f"{OGC}/collections/subdistricts-2565/items?limit=100",
                      headers=other).json
    assert page["features"] and all(f["id"].startswith("7502") for f in page["features"])
    assert client.get(f"{OGC}/collections/subdistricts-2565/items/{SUBDISTRICT}",
                      headers=other).status_code == 404
    assert client.get(f"{OGC}/collections/rivers-2565", headers=other).json["code"] == \
        "NotFound"
    assert client.get(f"{OGC}/collections").status_code == 401


def test_owslib_and_gdal_read_the_collection(mapped, live_server):
    token = issue_token(mapped["users"]["province"], "gis").token
    api = Features(live_server + OGC, headers={"Authorization": f"Bearer {token}"})
    assert "subdistricts-2565" in [c["id"] for c in api.collections()["collections"]]
    first = api.collection_items("subdistricts-2565", limit=5)
    assert len(first["features"]) == 5 and first["numberMatched"] == 36
    auth = {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token}
    pyogrio.set_gdal_config_options(auth)
    try:
        frame = pyogrio.read_dataframe(f"OAPIF:{live_server}{OGC}",
                                       layer="subdistricts-2565")
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(auth))
    assert len(frame) == 36  # every page, followed by GDAL through the next links
    assert set(frame["code"]) >= {SUBDISTRICT} and frame.crs.to_epsg() == 4326
    row = frame[frame["code"] == SUBDISTRICT].iloc[0]
    assert row["households"] == 5 and row["name_th"]
