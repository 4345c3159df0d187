"""Bulk-load a national-scale round without going through HTTP, producing exactly the rows
and rollups the API would.

Bulk path: a few thousand synthetic households are scored once through the same service
code the API runs (``survey.households._fill``: validation-clean payloads, the 31 rules,
masks, income totals, member rows); every loaded household is one of those templates with
its own UUID, house code, village and freshly drawn national IDs (hashed, masked and
encrypted as the API does, and the payload hash recomputed for the changed payload). Rows
go in with COPY (PostgreSQL) or executemany (SQLite); village rollups are the sums of the
same ``rollup.contribution`` the API applies, district rollups are rebuilt from them
(``rollup.rebuild_districts``), and a sample of villages is checked against
``rollup.recompute`` (their districts against ``rollup.recompute_district``) at the end.

    python -m bench.bulk_load --database postgres --households 1000000
"""
from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import insert, select, text

from bench.common import fresh_database, make_app, prepare, synthetic_household

TEMPLATES = 3000


def all_provinces() -> list[str]:
    import geothai
    return [p.code for p in geothai.provinces() if p.code != "10"]


def _national_id(rng: random.Random, office: str) -> str:
    from survey.validation import national_id_check_digit
    twelve = rng.choice("13") + office + f"{rng.getrandbits(24) % 10_000_000:07d}"
    return twelve + str(national_id_check_digit(twelve))


def build_templates(app, villages: list[str], count: int, rng: random.Random):
    """Score ``count`` synthetic payloads once, as the API would."""
    from app.areas.models import Area
    from app.extensions import db
    from survey.households import _fill, submission_hash, validated
    from survey.models import Household, SurveyRound
    from survey.schemas import HouseholdInputSchema
    templates = []
    with app.app_context():
        round_ = db.session.get(SurveyRound, 2565)
        for i in range(count):
            code = rng.choice(villages)
            payload = synthetic_household(rng, code, i + 1)
            parsed = HouseholdInputSchema().load(json.loads(json.dumps(payload)))
            household = Household(id=payload["client_uuid"], enumerator_id=1, status="submitted",
                                  payload_hash=submission_hash(payload), version=1)
            village = db.session.get(Area, code)
            stored, _ = validated(parsed, round_, village)
            _fill(household, stored, round_, village)
            templates.append((payload, household))
            db.session.expunge_all()
    return templates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--name", default="bmn_bench_national")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    url = fresh_database(args.database, args.workdir, args.name)
    app = make_app(url, args.workdir)
    prepare(app, all_provinces())
    load(app, args.households)
    print(f"loaded {args.households:,} households into {url} in "
          f"{time.perf_counter() - started:,.0f} s")
    (args.workdir / f"{args.name}.url").write_text(url)


def load(app, total: int) -> None:
    from app.areas.models import Area
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.db_types import utcnow
    from app.extensions import db
    from app.personal_data import encrypt, id_hash
    from survey import rollup
    from survey.households import submission_hash
    from survey.models import Household, Member, SurveyRound, VillageRollup
    from survey.validation import mask_national_id
    rng = random.Random(2565)
    with app.app_context():
        villages = db.session.scalars(select(Area.code).where(
            Area.level.in_(["village", "community"])).order_by(Area.code)).all()
        enumerator = create_user("bulk", "bulk-password", Role.DEPARTMENT_ADMIN)
        round_ = db.session.get(SurveyRound, 2565)
        print(f"{len(villages):,} villages; scoring {TEMPLATES:,} templates", flush=True)
    templates = build_templates(app, villages, TEMPLATES, rng)
    household_columns = [c.name for c in Household.__table__.columns]
    member_columns = [c.name for c in Member.__table__.columns]
    totals: dict[str, VillageRollup] = {}
    per_village: dict[str, Counter] = defaultdict(Counter)
    t0 = time.perf_counter()
    now = utcnow()
    with app.app_context():
        engine = db.engine
        batch_h, batch_m = [], []
        for i in range(total):
            payload, template = templates[i % len(templates)]
            village = villages[i % len(villages)]
            household_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            house_code = f"{village[:4]}{i % 10_000_000:07d}"
            body = {**payload, "client_uuid": household_id, "village_code": village,
                    "house_code": house_code,
                    "members": [dict(m) for m in payload["members"]]}
            members = []
            for line, (member, source) in enumerate(zip(template.members, body["members"]), 1):
                national_id = _national_id(rng, village[:4])
                source["national_id"] = national_id
                members.append({**{c: getattr(member, c) for c in member_columns},
                                "household_id": household_id, "line_no": line,
                                "national_id_hash": id_hash(national_id),
                                "national_id_masked": mask_national_id(national_id),
                                "national_id_encrypted": encrypt(national_id)})
            row = {c: getattr(template, c) for c in household_columns}
            row.update(id=household_id, village_code=village, province_code=village[:2],
                       house_code=house_code,
                       enumerator_id=enumerator.id, payload_hash=submission_hash(body),
                       address={**(template.address or {}), "moo": str(int(village[-2:]))},
                       created_at=now, updated_at=now)
            batch_h.append(row)
            batch_m.extend(members)
            per_village[village][i % len(templates)] += 1
            if len(batch_h) >= 5000:
                write(engine, batch_h, batch_m)
                batch_h, batch_m = [], []
                done = i + 1
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,} households ({rate:,.0f}/s)", flush=True)
        if batch_h:
            write(engine, batch_h, batch_m)
        # The same contribution the API applies, once per template with its multiplicity.
        contributions = [rollup.contribution(h, round_) for _, h in templates]
        for village, counts in per_village.items():
            row = totals[village] = VillageRollup(**rollup._empty_row_values(2565, village))
            for index, n in counts.items():
                rollup._apply(row, contributions[index], n)
            row.revision = row.households
        with engine.begin() as conn:
            rows = [{c.name: getattr(r, c.name) for c in VillageRollup.__table__.columns}
                    for r in totals.values()]
            for start in range(0, len(rows), 5000):
                conn.execute(insert(VillageRollup), rows[start:start + 5000])
        rollup.rebuild_districts(2565)  # the district rows: sums of the village rows
        db.session.commit()
        if engine.dialect.name == "postgresql":  # as autovacuum would, before any timing
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        check(app, round_, list(totals), rng)


def write(engine, households: list[dict], members: list[dict]) -> None:
    from survey.models import Household, Member
    if engine.dialect.name == "postgresql":
        copy_rows(engine, Household.__table__, households)
        copy_rows(engine, Member.__table__, members)
        return
    with engine.begin() as conn:
        conn.execute(insert(Household), households)
        conn.execute(insert(Member), members)


def copy_rows(engine, table, rows: list[dict]) -> None:
    """PostgreSQL COPY through psycopg, values adapted by the columns' own types."""
    from psycopg.types.json import Json
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy_:
                for row in rows:
                    copy_.write_row([Json(row[c]) if c in json_columns and row[c] is not None
                                     else row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def check(app, round_, villages: list[str], rng: random.Random) -> None:
    """A sample of villages: stored rollup == recomputation from their households; and
    their districts' rows == the sums of their village rows."""
    from app.extensions import db
    from survey import rollup
    from survey.models import DistrictRollup, VillageRollup
    with app.app_context():
        for code in rng.sample(villages, min(25, len(villages))):
            stored = rollup.totals_of(db.session.get(VillageRollup, (2565, code)))
            assert stored == rollup.recompute(db.session.get(type(round_), 2565), code), code
            district = db.session.get(DistrictRollup, (2565, rollup.district_of(code)))
            stored = rollup.district_totals_of(district)
            expected = rollup.recompute_district(2565, rollup.district_of(code))
            assert stored == expected, {k: (v, expected[k]) for k, v in stored.items()
                                        if v != expected[k]}
    print("rollups of 25 sampled villages equal their recomputation, and their districts' "
          "the sums of their villages", flush=True)


if __name__ == "__main__":
    main()
