"""Rollups stay exact: after any sequence of submissions, replays, corrections, moves
(also to another district), returns, locks and changes of the small-area threshold — of
complete households, partial ones (answers missing, with a reason) and refused ones
(answers missing, no reason) — every village's rollup equals a full recomputation from its
households, every district's row the sums of its villages' recomputations (all of them, and
only those the threshold publishes), and the national and province reports read from
district rows the same figures as from village rows."""
import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.areas.queries import get_area
from app.auth.models import Role
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey import households as service
from survey import planning, reports, rollup, submission
from survey.models import (
    DistrictRollup,
    Household,
    SurveyRound,
    VillageRollup,
    small_column,
)
from survey.schemas import HouseholdInputSchema
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE

FAR_VILLAGE = "65020101"  # another district of the same province
VILLAGES = [VILLAGE, OTHER_VILLAGE, FAR_VILLAGE]
# How a body's answers are left: all given, every k-th one dropped with a reason (k = 1:
# none left), or dropped without one (refused).
gaps = st.one_of(st.just(None), st.tuples(st.integers(1, 4), st.booleans()))

operation = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 10**6), st.sampled_from(VILLAGES), gaps),
    st.tuples(st.just("replay"), st.integers(0, 50)),
    st.tuples(st.just("correct"), st.integers(0, 50), st.integers(0, 10**6), gaps),
    st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(VILLAGES)),
    st.tuples(st.just("return"), st.integers(0, 50)),
    st.tuples(st.just("lock"), st.sampled_from(VILLAGES)),
    st.tuples(st.just("threshold"), st.integers(1, 4)),
)


def parsed(body: dict) -> dict:
    return HouseholdInputSchema().load(json.loads(json.dumps(body)))


def submit(enumerator, body: dict) -> None:
    payload = parsed(body)
    where = submission.target(enumerator, payload["round"], payload["village_code"])
    submission.submit(enumerator, submission.Item(payload, body, where))


def with_gaps(body: dict, how) -> dict:
    """``body`` with every k-th answer dropped, and a reason when ``how`` says so."""
    if how is not None:
        every, explained = how
        body["answers"] = {q: v for i, (q, v) in enumerate(body["answers"].items())
                           if i % every}
        body["incomplete_reason"] = "refused_part" if explained else None
    return body


def assert_rollups_exact(round_: SurveyRound) -> None:
    rows = {r.area_code: r for r in db.session.scalars(select(VillageRollup))}
    for code in VILLAGES:
        expected = rollup.recompute(round_, code)
        assert expected["partial_households"] == db.session.scalar(
            select(func.count()).where(Household.village_code == code,
                                       Household.incomplete_reason.is_not(None)))
        if code not in rows:
            assert expected["households"] == 0
            continue
        assert rollup.totals_of(rows[code]) == expected, code
    assert_districts_exact(round_, rows)


def assert_districts_exact(round_: SurveyRound, villages: dict) -> None:
    """Each district row == its villages' recomputations summed: all of them, and apart
    the small ones under the round's threshold; its revision the sum of theirs."""
    districts = {r.district_code: r for r in db.session.scalars(select(DistrictRollup))}
    assert set(districts) == {rollup.district_of(code) for code in villages}
    for district, row in districts.items():
        expected = Counter()
        for code, village in villages.items():
            if rollup.district_of(code) != district:
                continue
            totals = rollup.recompute(round_, code)
            expected.update(totals, revision=village.revision)
            if rollup.small(totals["households"], round_.min_area_households):
                expected["small_villages"] += 1
                expected.update({small_column(k): v for k, v in totals.items()})
        stored = rollup.district_totals_of(row)
        assert stored == {name: expected[name] for name in stored}, district
        assert stored == rollup.recompute_district(round_.year, district), district


def assert_reports_equal_village_sums(round_: SurveyRound, monkeypatch) -> None:
    """The nation and the province, whole and by child area, for a caller who sees
    everything and one who sees only published villages: the same totals from district
    rows as from village rows."""
    for unit in (Unit.nation(), Unit("area", "65")):
        for breakdown in (False, True):
            for threshold in (0, round_.min_area_households):
                def answer():
                    whole, children = reports.totals(round_, unit, breakdown=breakdown,
                                                     min_households=threshold)
                    return whole, [(area.code, t) for area, t in children]
                from_districts = answer()
                with monkeypatch.context() as m:
                    m.setattr(reports, "_from_districts", lambda *args: False)
                    assert answer() == from_districts, (unit, breakdown, threshold)


@pytest.fixture
def officers():
    return {}


def set_threshold(round_: SurveyRound, households: int) -> None:
    planning.create_round(round_.year, round_.questionnaire_version, round_.collection_start,
                          round_.collection_end, min_area_households=households)


# Villages crossing the threshold both ways, between districts, and the threshold moving.
CROSSINGS = [("submit", 1, VILLAGE, None), ("submit", 2, VILLAGE, None),  # 1 small, 2 not
             ("move", 0, FAR_VILLAGE),          # 2 → 1 in 6501, 0 → 1 in 6502
             ("correct", 0, 3, (2, True)), ("return", 1),
             ("submit", 4, FAR_VILLAGE, None),  # 1 → 2: published
             ("threshold", 3),                  # 2 is small again
             ("move", 1, FAR_VILLAGE),          # 1 → 0 in 6501, 2 → 3 in 6502
             ("threshold", 4), ("move", 0, OTHER_VILLAGE)]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(operation, min_size=1, max_size=12), st.integers(1, 4))
@example(operations=CROSSINGS, threshold=2)
def test_rollups_equal_recomputation(app, survey_round, enumerator, make_user,
                                     household_payload, officers, monkeypatch, operations,
                                     threshold):
    # Start each example from no households (hypothesis reuses the function's fixtures),
    # with a threshold low enough for villages to cross it both ways.
    for household in db.session.scalars(select(Household)):
        db.session.delete(household)
    db.session.execute(VillageRollup.__table__.delete())
    db.session.execute(DistrictRollup.__table__.delete())
    set_threshold(survey_round, threshold)
    db.session.commit()
    officer = officers.get("6501") or officers.setdefault(
        "6501", make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    mover = officers.get("65") or officers.setdefault(  # moves between districts too
        "65", make_user(Role.PROVINCE_OFFICER, area_code="65"))
    if "far" not in officers:
        officers["far"] = make_user(Role.ENUMERATOR, area_code=FAR_VILLAGE[:6])
        planning.assign(survey_round, officers["far"], get_area(FAR_VILLAGE))
        db.session.commit()

    def enumerator_of(village: str):
        return officers["far"] if village == FAR_VILLAGE else enumerator

    sent: list[dict] = []
    for op in operations:
        try:
            if op[0] == "submit":
                body = with_gaps(household_payload(op[1], village_code=op[2]), op[3])
                body["house_code"] = None  # random seeds may repeat a house code
                submit(enumerator_of(op[2]), body)
                sent.append(body)
            elif sent and op[0] == "replay":
                body = sent[op[1] % len(sent)]
                submit(enumerator_of(body["village_code"]), body)
            elif sent and op[0] == "correct":
                original = sent[op[1] % len(sent)]
                household = db.session.get(Household, original["client_uuid"])
                body = with_gaps(household_payload(op[2], village_code=household.village_code,
                                                   client_uuid=original["client_uuid"]), op[3])
                body["house_code"] = None
                service.correct(enumerator_of(household.village_code), household,
                                parsed(body), service.etag(household))
            elif sent and op[0] == "move":
                household = db.session.get(Household, sent[op[1] % len(sent)]["client_uuid"])
                service.move(mover, household, get_area(op[2]), "ผิดหมู่บ้าน",
                             service.etag(household))
            elif sent and op[0] == "return":
                household = db.session.get(Household, sent[op[1] % len(sent)]["client_uuid"])
                service.return_for_correction(officer, household, "ตรวจสอบรายได้อีกครั้ง")
            elif op[0] == "lock":
                service.lock_area(officer, 2565, Unit("area", op[1]))
            elif op[0] == "threshold":
                set_threshold(survey_round, op[1])
            db.session.commit()
        except Problem as refused:  # a refused change must change nothing
            db.session.rollback()
            assert refused.error_code in {"HOUSEHOLD_LOCKED", "ALREADY_RETURNED", "UUID_CONFLICT",
                                          "RETURNS_OUTSTANDING", "SAME_VILLAGE",
                                          "VALIDATION_ERROR"}
            if refused.error_code == "VALIDATION_ERROR":  # only for answers without a reason
                assert {e["error_code"] for items in refused.errors.values()
                        for e in items} == {"ANSWER_REQUIRED"}
        db.session.expire_all()
        assert_rollups_exact(survey_round)
    assert_reports_equal_village_sums(survey_round, monkeypatch)


def test_a_villages_summed_deltas_equal_its_changes_one_by_one(app, survey_round, enumerator,
                                                                household_payload):
    """A bulk importer applies each village's summed deltas once (``apply_deltas``): the
    village and district rows end as if each household had been submitted on its own,
    whether the village ends small (3 households) or published (6), but for the revisions
    (one per call)."""
    for village, seeds in ((VILLAGE, range(1, 4)), (OTHER_VILLAGE, range(4, 10))):
        for seed in seeds:
            body = household_payload(seed, village_code=village)
            submit(enumerator, body)
    db.session.commit()
    one_by_one = district_values()
    summed = {code: Counter() for code in (VILLAGE, OTHER_VILLAGE)}
    for household in db.session.scalars(select(Household)):
        summed[household.village_code].update(
            rollup.column_deltas(rollup.contribution(household, survey_round), +1))
    db.session.execute(VillageRollup.__table__.delete())
    db.session.execute(DistrictRollup.__table__.delete())
    for code, deltas in summed.items():
        rollup.apply_deltas(2565, code, deltas)
    db.session.commit()
    at_once = district_values()
    assert at_once.pop("revision") == 2 and one_by_one.pop("revision") == 9
    assert at_once == one_by_one and at_once["small_villages"] == 1
    assert at_once["households"] == 9 and at_once["small_households"] == 3
    assert_rollups_exact(survey_round)


def district_values() -> dict:
    row = db.session.get(DistrictRollup, (2565, "6501"))
    db.session.refresh(row)
    return rollup.district_totals_of(row)
