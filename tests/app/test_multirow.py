"""``insert_with_children``: rows inserted together (on PostgreSQL, one JSON document
through ``json_to_recordset``) are stored exactly as one-row inserts store them, JSON
``null`` and SQL NULL included; the children of the parents inserted go with them, and
only those."""
import uuid

import pytest
from sqlalchemy import func, insert, select

from app.extensions import db
from app.multirow import insert_with_children
from survey.models import Household, Member

TABLE = Household.__table__


@pytest.fixture
def stored_row(client, enumerator, auth_header, household_payload) -> dict:
    response = client.post("/api/v1/households", json=household_payload(3),
                           headers=auth_header(enumerator))
    assert response.status_code == 201, response.json
    return dict(db.session.execute(select(TABLE)).mappings().one())


def copies(row: dict, n: int, first: int = 100) -> list[dict]:
    out = []
    for k in range(n):
        copy = dict(row, id=str(uuid.uuid4()), house_code=f"65010{first + k:06d}")
        if k % 2:  # JSON columns without a value, and empty ones
            copy.update(address=None, warnings=None, residence_land={}, gps_lat=None)
        if k == 2:  # what orjson refuses (beyond 64 bits) goes through json, same values
            copy.update(answers={**copy["answers"], "big": 2 ** 70, "ratio": 0.1})
        out.append(copy)
    return out


def read_back(ids: list[str]) -> list[dict]:
    rows = db.session.execute(select(TABLE, TABLE.c.address.is_(None).label("address_null"),
                                     TABLE.c.warnings.is_(None).label("warnings_null"))
                              .where(TABLE.c.id.in_(ids))).mappings().all()
    by_id = {r["id"]: dict(r) for r in rows}
    return [{k: v for k, v in by_id[i].items() if k not in ("id", "house_code")} for i in ids]


def test_rows_inserted_together_read_back_as_one_row_inserts_do(stored_row):
    one_by_one, together = copies(stored_row, 4), copies(stored_row, 4, first=200)
    for row in one_by_one:
        db.session.execute(insert(TABLE), [row])
    assert sorted(insert_with_children(db.session, TABLE, together, "id")) == sorted(
        r["id"] for r in together)
    db.session.commit()
    expected = read_back([r["id"] for r in one_by_one])
    assert read_back([r["id"] for r in together]) == expected


def test_a_row_on_a_taken_key_is_left_out_and_not_returned(stored_row):
    fresh = copies(stored_row, 1)[0]
    taken = dict(fresh, id=stored_row["id"])  # the stored household's UUID
    inserted = insert_with_children(db.session, TABLE, [taken, fresh], "id")
    assert inserted == [fresh["id"]]


def test_rows_must_name_the_same_columns(stored_row):
    first, second = copies(stored_row, 2)
    del second["address"]
    with pytest.raises(ValueError):
        insert_with_children(db.session, TABLE, [first, second], "id")


def test_children_follow_only_the_parents_inserted(stored_row):
    members = [dict(m) for m in db.session.execute(select(Member.__table__)).mappings()]
    fresh = copies(stored_row, 1)[0]
    taken = dict(copies(stored_row, 1, first=300)[0], id=stored_row["id"])
    children = [dict(m, id=None, household_id=h["id"]) for h in (taken, fresh) for m in members]
    for child in children:
        del child["id"]
    inserted = insert_with_children(db.session, TABLE, [taken, fresh], "id",
                                    [(Member.__table__, "household_id", children)])
    db.session.commit()
    assert inserted == [fresh["id"]]
    counts = dict(db.session.execute(select(Member.household_id, func.count())
                                     .group_by(Member.household_id)).all())
    assert counts == {stored_row["id"]: len(members), fresh["id"]: len(members)}
