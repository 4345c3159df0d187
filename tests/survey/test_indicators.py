"""Indicator rules at their boundaries, as the fact sheet (bmn-questionnaire.md §2-4) states."""
import json
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey.questionnaires as questionnaires
from survey import indicators
from survey.indicators import (
    IndicatorResult,
    MissingRule,
    Outcome,
    evaluate,
    household_income,
    income_per_person,
    rule,
    to_masks,
)
from survey.questionnaires import QuestionnaireVersion, available_versions, get_version

V = "2560-2564"
AS_OF = date(2022, 3, 15)  # interview date, 15/03/2565

PASS, FAIL, NA, INCOMPLETE = Outcome.PASS, Outcome.FAIL, Outcome.NA, Outcome.INCOMPLETE
ALL = {"option": "1"}
YES, NO = {"option": "1"}, {"option": "0"}


def born(years=0, months=0, *, tomorrow=False):
    """Buddhist-Era birth date of someone exactly ``years``/``months`` old on AS_OF (birthday
    today), or one day short of it."""
    total = AS_OF.year * 12 + AS_OF.month - 1 - (years * 12 + months)
    year, month = divmod(total, 12)
    return f"{AS_OF.day + tomorrow:02d}/{month + 1:02d}/{year + 543}"


def member(years=40, months=0, *, head=False, tomorrow=False, **fields):
    return {"birth_date": born(years, months, tomorrow=tomorrow), "is_head": head, "health": "0",
            "self_care": True, "occupation": "03", "sex": "1", **fields}


def head(years=45, **fields):
    return member(years, head=True, **fields)


def not_all(count):
    return {"option": "0", "count": count}


def result(number, members, answers, **kwargs):
    household = {"members": members, "answers": answers}
    results = evaluate(V, household, as_of=AS_OF, **kwargs)
    return next(r for r in results if r.number == number)


def outcome(number, members, answers, **kwargs):
    return result(number, members, answers, **kwargs).outcome


# ---------------------------------------------------------------- 1-3 children

def test_1_na_without_child_under_one():
    r = result(1, [head()], {})
    assert (r.outcome, r.reason_th) == (NA, "ไม่มีสมาชิกอายุต่ำกว่า 1 ปี")


def test_1_pass_fail_incomplete():
    family = [head(), member(0, 11)]
    assert outcome(1, family, {"1.2": ALL}) is PASS
    r = result(1, family, {"1.2": not_all(1)})
    assert r.outcome is FAIL and "2,500 กรัม" in r.reason_th and "1 คน" in r.reason_th
    r = result(1, family, {})
    assert r.outcome is INCOMPLETE and "1.2" in r.reason_th


def test_1_under_one_means_before_the_first_birthday():
    """Uncertain "ไม่เกิน 1 ปี": chosen as completed years = 0."""
    assert outcome(1, [head(), member(1, tomorrow=True)], {"1.2": ALL}) is PASS
    assert outcome(1, [head(), member(1)], {"1.2": ALL}) is NA


def test_2_scored_on_children_six_months_to_one_year():
    assert outcome(2, [head(), member(0, 6)], {"2.4": ALL}) is PASS
    assert outcome(2, [head(), member(0, 6)], {"2.4": not_all(1)}) is FAIL
    assert outcome(2, [head(), member(1, 0)], {"2.4": ALL}) is PASS  # 12 months is in
    assert outcome(2, [head(), member(1, 1)], {"2.4": ALL}) is NA
    assert outcome(2, [head(), member(0, 6)], {}) is INCOMPLETE


def test_2_under_six_months_is_only_monitored():
    """Uncertain: 2.2 does not count; a baby under 6 months alone gives NA."""
    assert outcome(2, [head(), member(0, 5)], {"2.2": not_all(1)}) is NA


def test_2_adult_with_a_months_remainder_is_not_an_infant():
    """The app's bug counted e.g. 40 y 7 m as 6-12 months old."""
    assert outcome(2, [head(40, months=7)], {"2.4": not_all(1)}) is NA


def test_3_children_up_to_twelve():
    assert outcome(3, [head(), member(12)], {"3.2": ALL}) is PASS
    assert outcome(3, [head(), member(13)], {"3.2": ALL}) is NA
    assert outcome(3, [head(), member(0)], {"3.2": not_all(1), "3.3.1": 1}) is FAIL


# ---------------------------------------------------------------- 4-5, 8-14 household items

@pytest.mark.parametrize("number, items", [
    (4, ["4.1", "4.2", "4.3", "4.4"]),
    (5, ["5.1", "5.2", "5.3", "5.4"]),
    (8, ["8.1", "8.2"]),
    (9, ["9.1"]),
    (10, ["10.1"]),
    (11, ["11.1", "11.2", "11.3", "11.4", "11.5.1", "11.5.2", "11.5.3", "11.5.4",
          "11.6", "11.7", "11.8"]),
    (12, ["12.1", "12.2", "12.3", "12.4", "12.5", "12.6"]),
    (13, ["13.1.1", "13.1.2", "13.1.3", "13.1.4"]),
    (30, ["30.1"]),
])
def test_all_items_must_be_met(number, items):
    good = {q: YES for q in items}
    assert outcome(number, [head()], good) is PASS
    for item in items:
        r = result(number, [head()], {**good, item: NO})
        assert r.outcome is FAIL
        if len(items) > 1:
            assert item in r.reason_th
        missing = {q: a for q, a in good.items() if q != item}
        r = result(number, [head()], missing)
        assert r.outcome is INCOMPLETE and item in r.reason_th


def test_4_reason_quotes_the_failed_practice():
    good = {f"4.{i}": YES for i in range(1, 5)}
    r = result(4, [head()], {**good, "4.2": NO})
    assert r.reason_th == "ไม่ผ่าน ข้อ 4.2 ถ้ากินเนื้อสัตว์ต้องทำให้สุกด้วยความร้อน: ไม่ใช่"


def test_11_every_waste_sub_item_counts():
    """Uncertain: 11.5.2-11.5.4 are required (the app ignored them)."""
    items = ["11.1", "11.2", "11.3", "11.4", "11.5.1", "11.5.2", "11.5.3", "11.5.4",
             "11.6", "11.7", "11.8"]
    answers = {q: YES for q in items} | {"11.5.3": NO}
    assert outcome(11, [head()], answers) is FAIL


def test_12_not_disturbed_passes():
    """"1" = ไม่ถูกรบกวน passes; the app had this inverted."""
    answers = {f"12.{i}": {"option": "1"} for i in range(1, 7)}
    assert outcome(12, [head()], answers) is PASS
    assert outcome(12, [head()], {f"12.{i}": {"option": "0"} for i in range(1, 7)}) is FAIL


def test_13_disasters_experienced_do_not_fail():
    answers = {f"13.1.{i}": YES for i in range(1, 5)} | {"13.2": {"option": "0"},
                                                         "13.2.1": [{"option": "1"}]}
    assert outcome(13, [head()], answers) is PASS


def test_14_no_incident_passes_and_any_incident_fails():
    """Polarity normalised: "0" is no incident for every item; 14.4 is unknown and not asked."""
    calm = {q: {"option": "0"} for q in ("14.1", "14.2", "14.3", "14.5", "14.6")}
    assert outcome(14, [head()], calm) is PASS
    r = result(14, [head()], {**calm, "14.3": {"option": "1", "amount": 5000}})
    assert r.outcome is FAIL and "5,000 บาท" in r.reason_th
    assert outcome(14, [head()], {**calm, "14.1": {"option": "1"}}) is FAIL


# ---------------------------------------------------------------- 6-7, 15-16, 19, 26-29 groups

@pytest.mark.parametrize("number, question, inside, outside", [
    (6, "6.4", [35, 80], [34]),
    (7, "7.1", [6, 70], [5]),
    (15, "15.2", [3, 5], [2, 6]),
    (16, "16.2", [6, 14], [5, 15]),
    (19, "19.2", [15, 59], [14, 60]),
    (26, "26.1", [6, 90], [5]),
    (27, "27.2", [60, 95], [59]),
])
def test_age_group_boundaries(number, question, inside, outside):
    for age in inside:
        roster = [member(age, head=True)]
        assert outcome(number, roster, {question: ALL}) is PASS, age
        assert outcome(number, roster, {question: not_all(1)}) is FAIL, age
        assert outcome(number, roster, {}) is INCOMPLETE, age
    for age in outside:
        r = result(number, [member(age, head=True)], {question: not_all(1)})
        assert r.outcome is NA and r.reason_th.startswith("ไม่มี"), age


def test_6_screening_is_not_a_substitute_for_the_check_up():
    """Uncertain: 6.5 (diabetes/hypertension screening) does not rescue 6.4."""
    answers = {"6.4": not_all(1), "6.5": ALL}
    assert outcome(6, [head(50)], answers) is FAIL


def test_fail_reason_gives_the_count():
    r = result(27, [head(70), member(65)], {"27.2": not_all(2)})
    assert r.reason_th == "ผู้สูงอายุไม่ได้รับการดูแล 2 คน"


def test_28_disabled_members_cared_for_without_requiring_the_card():
    """Uncertain: the disability card (28.2) is not part of the criterion."""
    family = [head(), member(30, health="1")]
    assert outcome(28, family, {"28.2": not_all(1), "28.3": ALL}) is PASS
    assert outcome(28, family, {"28.3": not_all(1)}) is FAIL
    assert result(28, [head()], {}).reason_th == "ไม่มีผู้พิการ"


def test_29_chronically_ill_and_code_3_counts_for_both():
    family = [head(), member(70, health="3")]
    assert outcome(28, family, {"28.3": ALL}) is PASS
    assert outcome(29, family, {"29.2": not_all(1)}) is FAIL
    assert outcome(29, [head(), member(70, health="1")], {}) is NA


# ---------------------------------------------------------------- 17-18 asked populations

@pytest.mark.parametrize("number, who, target", [(17, "17.1", "17.2"), (18, "18.1", "18.2")])
def test_na_when_nobody_is_in_the_asked_population(number, who, target):
    family = [head(), member(16)]
    assert outcome(number, family, {who: {"option": "0"}}) is NA
    assert outcome(number, family, {who: {"option": "1", "count": 1}, target: ALL}) is PASS
    assert outcome(number, family, {who: {"option": "1", "count": 1}, target: not_all(1)}) is FAIL
    assert outcome(number, family, {who: {"option": "1", "count": 1}}) is INCOMPLETE
    assert outcome(number, family, {}) is INCOMPLETE


# ---------------------------------------------------------------- 20-21 work

def test_20_needs_occupation_and_income():
    family = [head(40)]
    assert outcome(20, family, {"20.2": [ALL]}) is PASS
    r = result(20, family, {"20.2": [{"option": "3", "count": 1}]})  # income without occupation
    assert r.outcome is FAIL and "ไม่มีอาชีพแต่มีรายได้ 1 คน" in r.reason_th
    assert outcome(20, family, {"20.2": [{"option": "2", "count": 1}]}) is FAIL


def test_20_excludes_students_and_disabled_who_cannot_self_care():
    students = [head(70), member(20, occupation="02")]
    assert outcome(20, students, {}) is NA
    dependent = [head(70), member(30, occupation="01", health="1", self_care=False)]
    assert outcome(20, dependent, {}) is NA
    independent = [head(70), member(30, occupation="01", health="1", self_care=True)]
    assert outcome(20, independent, {"20.2": [{"option": "2", "count": 1}]}) is FAIL


def test_21_elderly_work_excludes_dependent_disabled():
    assert outcome(21, [head(40)], {}) is NA
    assert outcome(21, [head(40), member(75, health="1", self_care=False)], {}) is NA
    assert outcome(21, [head(65)], {"21.2": [ALL]}) is PASS
    assert outcome(21, [head(65)], {"21.2": [{"option": "2", "count": 1}]}) is FAIL


# ---------------------------------------------------------------- 22 income

def income(main=0, secondary=0, other=0, own=0):
    return {"22.1.1": main, "22.1.2": secondary, "22.1.3": other, "22.1.4": own}


def test_22_exactly_at_the_line_passes_one_baht_under_fails():
    couple = [head(), member(43, sex="2")]
    r = result(22, couple, income(main=76_000))
    assert r.outcome is PASS
    assert r.reason_th == "รายได้เฉลี่ย 38,000 บาท/คน/ปี ไม่ต่ำกว่าเกณฑ์ 38,000 บาท"
    r = result(22, couple, income(main=75_999))
    assert r.outcome is FAIL
    assert r.reason_th == "รายได้เฉลี่ย 37,999 บาท/คน/ปี ต่ำกว่าเกณฑ์ 38,000 บาท"


def test_22_reason_uses_thousands_separators():
    r = result(22, [head()], income(main=35_200))
    assert r.reason_th == "รายได้เฉลี่ย 35,200 บาท/คน/ปี ต่ำกว่าเกณฑ์ 38,000 บาท"


def test_22_counts_every_income_item_and_every_member():
    every_item = income(main=20_000, secondary=8_000, other=6_000, own=4_000)
    assert outcome(22, [head()], every_item) is PASS
    baby_included = [head(), member(0, 3)]
    assert outcome(22, baby_included, income(main=75_000)) is FAIL


def test_22_incomplete_without_members_or_an_income_item():
    r = result(22, [], income(main=100_000))
    assert r.outcome is INCOMPLETE
    answers = income(main=100_000)
    del answers["22.1.3"]
    r = result(22, [head()], answers)
    assert r.outcome is INCOMPLETE and "22.1.3" in r.reason_th


def test_22_round_may_override_the_line():
    assert outcome(22, [head()], income(main=38_000), income_line=40_000) is FAIL
    assert outcome(22, [head()], income(main=38_000), income_line=38_000) is PASS


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 2_000_000), size=st.integers(1, 8), line=st.integers(1, 200_000))
def test_22_passes_exactly_when_total_reaches_line_times_members(total, size, line):
    members = [head()] + [member(30) for _ in range(size - 1)]
    expected = PASS if total >= line * size else FAIL
    assert outcome(22, members, income(main=total), income_line=line) is expected


def test_income_helpers():
    version = get_version(V)
    household = {"members": [head(), member(10), member(8)],
                 "answers": income(main=100_000, other=1)}
    assert household_income(version, household) == 100_001
    assert income_per_person(version, household) == 33_333
    assert income_per_person(version, {"members": [], "answers": income(main=1)}) is None
    assert household_income(V, {"answers": {"22.1.1": 5}}) is None


# ---------------------------------------------------------------- 23-25 money and habits

def test_23_saving_any_positive_amount():
    """Uncertain: no minimum amount; the app's 38,000-baht threshold on savings is not used."""
    r = result(23, [head()], {"23.1": [{"option": "1"}, {"option": "2"}], "23.2": 1_500})
    assert (r.outcome, r.reason_th) == (PASS, "ครัวเรือนมีการเก็บออมเงิน ปีละ 1,500 บาท")
    assert outcome(23, [head()], {"23.1": [{"option": "12"}]}) is FAIL
    assert outcome(23, [head()], {"23.1": [{"option": "2"}], "23.2": 0}) is FAIL
    assert outcome(23, [head()], {"23.1": [{"option": "2"}]}) is INCOMPLETE
    assert outcome(23, [head()], {}) is INCOMPLETE


def test_24_alcohol_at_any_age():
    """Uncertain: no age limit — the form counts drinkers under 15 too."""
    assert outcome(24, [head()], {"24.1": [ALL]}) is PASS
    r = result(24, [head(), member(14)], {"24.1": [{"option": "2", "count": 1}]})
    assert r.outcome is FAIL and "ต่ำกว่า 15 ปี 1 คน" in r.reason_th
    assert outcome(24, [head()], {}) is INCOMPLETE


def test_25_no_smoker_passes():
    """"0" = ไม่สูบบุหรี่ทุกคน passes (the app never passed anyone)."""
    assert outcome(25, [head()], {"25.1": {"option": "0"}}) is PASS
    r = result(25, [head()], {"25.1": {"option": "1", "count": 1}})
    assert (r.outcome, r.reason_th) == (FAIL, "สูบบุหรี่ 1 คน")


# ---------------------------------------------------------------- 31 family

def test_31_two_or_more_members_need_all_three():
    """Uncertain: all three 31.1 conditions (the app passed on any one)."""
    family = [head(), member(40, sex="2")]
    good = {f"31.1.{i}": YES for i in range(1, 4)}
    assert outcome(31, family, good) is PASS
    assert outcome(31, family, {**good, "31.1.2": NO}) is FAIL


def test_31_living_alone():
    alone = [head(70)]
    assert outcome(31, alone, {"31.2.1": {"option": "1"}}) is PASS
    assert outcome(31, alone, {"31.2.1": {"option": "0"}}) is FAIL
    assert outcome(31, alone, {"31.2.2": {"option": "1"}}) is PASS
    assert outcome(31, alone, {"31.2.2": {"option": "0"}}) is FAIL
    r = result(31, alone, {})
    assert r.outcome is INCOMPLETE and "31.2.1" in r.reason_th and "31.2.2" in r.reason_th


def test_31_visiting_relatives_decides_when_both_are_answered():
    """Uncertain: 31.2.1 applies when relatives exist, so it takes precedence."""
    assert outcome(31, [head(70)], {"31.2.1": {"option": "0"}, "31.2.2": {"option": "1"}}) is FAIL


# ---------------------------------------------------------------- engine

def test_one_result_per_indicator_in_order():
    results = evaluate(V, {"members": [head()], "answers": {}}, as_of=AS_OF)
    assert [r.number for r in results] == list(range(1, 32))
    assert all(isinstance(r, IndicatorResult) and r.reason_th for r in results)


def test_unknown_age_makes_age_based_indicators_incomplete():
    household = {"members": [{**head(), "birth_date": "31/02/2530"}],
                 "answers": {f"4.{i}": YES for i in range(1, 5)}}
    results = {r.number: r for r in evaluate(V, household, as_of=AS_OF)}
    assert results[1].outcome is INCOMPLETE and "อายุ" in results[1].reason_th
    assert results[4].outcome is PASS


def test_malformed_answer_is_incomplete_not_fail():
    r = result(30, [head()], {"30.1": "1"})
    assert r.outcome is INCOMPLETE and "30.1" in r.reason_th


def test_every_shipped_version_has_a_rule_per_indicator():
    for version_id in available_versions():
        results = evaluate(version_id, {"members": [head()], "answers": {}}, as_of=AS_OF)
        numbers = [i.number for i in get_version(version_id).indicators]
        assert [r.number for r in results] == numbers


def test_a_new_version_is_a_json_file_plus_its_rules(tmp_path, monkeypatch):
    """No engine change: drop in bmn_<id>.json, register rules, evaluate."""
    doc = get_version(V).to_dict()
    doc["id"] = "0000-0001"
    doc["indicators"] = [{**doc["indicators"][21], "number": 1, "category": 4}]
    doc["thresholds"]["income_line_baht_per_person_year"] = 50_000
    (tmp_path / "bmn_0000_0001.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(questionnaires, "resources", SimpleNamespace(files=lambda _: tmp_path))
    monkeypatch.setitem(indicators._RULES, "0000-0001", {})
    rule("0000-0001", 1)(indicators.average_income)
    try:
        assert available_versions() == ["0000-0001"]
        (r,) = evaluate("0000-0001", {"members": [head()], "answers": income(main=45_000)},
                        as_of=AS_OF)
        assert (r.number, r.outcome) == (1, FAIL) and "50,000" in r.reason_th
    finally:
        get_version.cache_clear()


def test_a_version_without_rules_cannot_be_evaluated():
    doc = get_version(V).to_dict()
    doc["id"] = "9999-9999"
    with pytest.raises(MissingRule):
        evaluate(QuestionnaireVersion(doc), {"members": [head()], "answers": {}}, as_of=AS_OF)


def test_masks_set_bits_for_applicable_and_passed():
    results = [IndicatorResult(1, PASS, ""), IndicatorResult(2, FAIL, ""),
               IndicatorResult(3, NA, ""), IndicatorResult(4, INCOMPLETE, ""),
               IndicatorResult(31, PASS, "")]
    applicable, passed = to_masks(results)
    assert applicable == 0b11 | 1 << 30
    assert passed == 0b01 | 1 << 30
    assert to_masks([]) == (0, 0)
