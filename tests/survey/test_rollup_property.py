"""Rollups stay exact: after any sequence of submissions, replays, corrections, returns and
locks — of complete households, partial ones (answers missing, with a reason) and refused
ones (answers missing, no reason) — every village's rollup equals a full recomputation from
its households."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.areas.queries import get_area
from app.auth.models import Role
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey import households as service
from survey import rollup, submission
from survey.models import Household, SurveyRound, VillageRollup
from survey.schemas import HouseholdInputSchema
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE

VILLAGES = [VILLAGE, OTHER_VILLAGE]
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


@pytest.fixture
def officers():
    return {}


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(operation, min_size=1, max_size=12))
def test_rollups_equal_recomputation(app, survey_round, enumerator, make_user,
                                     household_payload, officers, operations):
    # Start each example from no households (hypothesis reuses the function's fixtures).
    for household in db.session.scalars(select(Household)):
        db.session.delete(household)
    db.session.execute(VillageRollup.__table__.delete())
    db.session.commit()
    officer = officers.get("6501") or officers.setdefault(
        "6501", make_user(Role.DISTRICT_OFFICER, area_code="6501"))
    sent: list[dict] = []
    for op in operations:
        try:
            if op[0] == "submit":
                body = with_gaps(household_payload(op[1], village_code=op[2]), op[3])
                body["house_code"] = None  # random seeds may repeat a house code
                submit(enumerator, body)
                sent.append(body)
            elif sent and op[0] == "replay":
                body = sent[op[1] % len(sent)]
                submit(enumerator, body)
            elif sent and op[0] == "correct":
                original = sent[op[1] % len(sent)]
                household = db.session.get(Household, original["client_uuid"])
                body = with_gaps(household_payload(op[2], village_code=household.village_code,
                                                   client_uuid=original["client_uuid"]), op[3])
                body["house_code"] = None
                service.correct(enumerator, household, parsed(body),
                                service.etag(household))
            elif sent and op[0] == "move":
                household = db.session.get(Household, sent[op[1] % len(sent)]["client_uuid"])
                service.move(enumerator, household, get_area(op[2]), "ผิดหมู่บ้าน",
                             service.etag(household))
            elif sent and op[0] == "return":
                household = db.session.get(Household, sent[op[1] % len(sent)]["client_uuid"])
                service.return_for_correction(officer, household, "ตรวจสอบรายได้อีกครั้ง")
            elif op[0] == "lock":
                service.lock_area(officer, 2565, Unit("area", op[1]))
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
