"""The 2560-2564 questionnaire as data, checked against the fact sheet (bmn-questionnaire.md)."""
import json
import re

import pytest

from survey.questionnaires import (
    Person,
    QuestionnaireVersion,
    UnknownQuestionnaireVersion,
    available_versions,
    get_version,
)

V = "2560-2564"


@pytest.fixture(scope="module")
def version():
    return get_version(V)


def adult(age=40, **facts):
    return Person(age_years=age, age_months=age * 12, **facts)


def child(months):
    return Person(age_years=months // 12, age_months=months)


def test_registry_lists_and_caches_the_version():
    assert V in available_versions()
    assert get_version(V) is get_version(V)


def test_unknown_version_raises():
    with pytest.raises(UnknownQuestionnaireVersion):
        get_version("2566-2570-draft")


def test_five_categories_and_their_indicator_ranges(version):
    doc = version.to_dict()
    names = {c["number"]: c["name_th"] for c in doc["categories"]}
    assert names == {1: "สุขภาพ", 2: "สภาพแวดล้อม", 3: "การศึกษา", 4: "การมีงานทำและรายได้",
                     5: "ค่านิยม"}
    expected = {**dict.fromkeys(range(1, 8), 1), **dict.fromkeys(range(8, 15), 2),
                **dict.fromkeys(range(15, 20), 3), **dict.fromkeys(range(20, 24), 4),
                **dict.fromkeys(range(24, 32), 5)}
    assert {i.number: i.category for i in version.indicators} == expected


def test_thirty_one_indicators_with_fact_sheet_titles(version):
    titles = {i.number: i.title_th for i in version.indicators}
    assert list(titles) == list(range(1, 32))
    assert titles[1] == "เด็กแรกเกิดมีน้ำหนัก 2,500 กรัม ขึ้นไป"
    assert titles[22] == "รายได้เฉลี่ยของคนในครัวเรือนต่อปี"
    assert titles[31] == "ครอบครัวมีความอบอุ่น"
    assert all(i.code and i.title_en for i in version.indicators)
    assert len({i.code for i in version.indicators}) == 31


def test_income_line_is_data(version):
    assert version.thresholds["income_line_baht_per_person_year"] == 38_000


def test_question_ids_are_structured_and_keep_legacy_keys(version):
    assert all(re.fullmatch(r"\d+(\.\d+)*", qid) for qid in version.questions)
    legacy = {q.id: q.legacy_key for q in version.questions.values()}
    assert legacy["1.2"] == "1121"
    assert legacy["21.1"] == "42111"
    assert legacy["22.3.1"] == "422310"
    assert legacy["22.3.1.5"] == "422315"
    assert legacy["3.3.10"] == "13310"
    assert legacy["5.4"] == "1541"
    assert legacy["30.1"] == "5301"
    assert legacy["32.1"] == "63211"
    keys = [k for k in legacy.values() if k]
    options = version.to_dict()["questions"]
    keys += [o["legacy_key"] for q in options for o in q.get("options", []) if "legacy_key" in o]
    assert len(keys) == len(set(keys)), "legacy keys must stay unambiguous"


def test_thai_wording_is_verbatim(version):
    q = version.questions
    assert q["4.2"].text_th == "ถ้ากินเนื้อสัตว์ต้องทำให้สุกด้วยความร้อน"
    assert q["1.1"].text_th == "ครัวเรือนนี้ มีเด็กอายุไม่เกิน 1 ปี หรือไม่"
    assert q["23.3"].text_th == "ครัวเรือนมีผู้ถือบัตรสวัสดิการแห่งรัฐ"
    assert [o.label_th for o in q["12.1"].options] == ["ไม่ถูกรบกวน", "ถูกรบกวน"]
    assert q["22.1.1"].text_th.endswith("รายได้จากอาชีพหลักของทุกคนในครัวเรือน")


def test_income_and_expense_items_of_indicator_22(version):
    assert version.income_questions == ("22.1.1", "22.1.2", "22.1.3", "22.1.4")
    assert version.expense_questions == ("22.2.1", "22.2.2", "22.2.3", "22.2.4")
    for qid in version.income_questions + version.expense_questions:
        assert version.questions[qid].value_spec.kind == "baht"


def test_all_or_n_items_require_a_positive_count(version):
    """"ไม่ได้รับ … คน" must carry a count of at least 1, bounded by the target group."""
    not_all = version.questions["3.2"].option("0")
    (count,) = not_all.inputs
    assert (count.kind, count.min, count.max_group) == ("persons", 1, "age_0_12")


def test_indicator_14_polarity_is_normalised(version):
    for qid in ("14.1", "14.2", "14.3", "14.5", "14.6"):
        assert version.questions[qid].option("0").label_th.startswith("ไม่")
    assert "14.4" not in version.questions  # wording unknown (fact sheet §9)


def test_member_code_lists_have_sources(version):
    expected = {"prefix", "sex", "relationship", "education", "occupation", "religion",
                "land_document", "lao_type", "health", "self_care"}
    assert expected <= set(version.code_lists)
    for code_list in version.code_lists.values():
        assert code_list.source and isinstance(code_list.assumption, bool) and code_list.entries
    assert [(e["value"], e["label_th"]) for e in version.code_lists["sex"].entries] == [
        ("1", "ชาย"), ("2", "หญิง")]
    documents = " ".join(e["label_th"] for e in version.code_lists["land_document"].entries)
    for name in ("โฉนด", "น.ส.3 ก.", "น.ส.3)", "ส.ป.ก. 4-01", "ภ.บ.ท.5"):
        assert name in documents
    health = {e["value"]: e["label_th"] for e in version.code_lists["health"].entries}
    assert (health["0"], health["1"], health["2"]) == ("ปกติ", "พิการ", "ผู้ป่วยเรื้อรัง")
    assert True in version.code_lists["self_care"] and "1" not in version.code_lists["self_care"]


def test_extras_happiness_and_consent(version):
    doc = version.to_dict()
    assert [e["number"] for e in doc["extras"]] == [32, 33]
    assert {q.block for q in version.questions.values()} >= {32, 33}
    assert (doc["happiness"]["min"], doc["happiness"]["max"]) == (0, 10)
    assert doc["consent"]["statements_th"][0].startswith("ข้าพเจ้ายินยอมให้กรมการพัฒนาชุมชน")
    assert len(doc["consent"]["statements_th"]) == 2


def test_infant_question_relevant_only_with_a_child_under_one(version):
    assert version.is_relevant("1.2", {}, [adult(), child(11)]) is True
    assert version.is_relevant("1.2", {}, [adult(), child(12)]) is False
    assert version.is_relevant("1.2", {}, [adult()]) is False


def test_breastfeeding_groups_use_total_months(version):
    """2.3 counts 6 to 12 completed months (not the app's months remainder)."""
    assert version.is_relevant("2.4", {}, [adult(), child(6)]) is True
    assert version.is_relevant("2.4", {}, [adult(), child(12)]) is True
    assert version.is_relevant("2.4", {}, [adult(), child(13)]) is False
    assert version.is_relevant("2.4", {}, [adult(), child(5)]) is False
    assert version.is_relevant("2.4", {}, [Person(age_years=40, age_months=487)]) is False


def test_skips_follow_earlier_answers(version):
    roster = [adult(), child(30)]
    assert version.is_relevant("3.3.1", {"3.2": {"option": "1"}}, roster) is False
    assert version.is_relevant("3.3.1", {"3.2": {"option": "0", "count": 1}}, roster) is True
    assert version.is_relevant("22.3.1.5", {"22.3.1": {"option": "0"}}, roster) is False
    assert version.is_relevant("22.3.1.5", {"22.3.1": {"option": "1"}}, roster) is True
    undisturbed = {f"12.{i}": {"option": "1"} for i in range(1, 7)}
    assert version.is_relevant("12.7", undisturbed, roster) is False
    assert version.is_relevant("12.7", {"12.4": {"option": "0"}}, roster) is True
    assert version.is_relevant("23.2", {"23.1": [{"option": "12"}]}, roster) is False
    assert version.is_relevant("23.2", {"23.1": [{"option": "2"}]}, roster) is True


def test_skip_chains_do_not_reopen_questions(version):
    """17.4 follows 17.3, which follows 17.1: with 17.1 = ไม่มี a stray 17.3 opens nothing."""
    answers = {"17.1": {"option": "0"}, "17.3": {"option": "1", "count": 1}}
    assert version.is_relevant("17.4", answers, [adult()]) is False


def test_family_warmth_branches_on_household_size(version):
    assert version.is_relevant("31.1.1", {}, [adult(), adult()]) is True
    assert version.is_relevant("31.2.1", {}, [adult(), adult()]) is False
    assert version.is_relevant("31.2.1", {}, [adult()]) is True


def test_working_age_group_excludes_students_and_dependent_disabled(version):
    roster = [adult(30, occupation="03", health="0", self_care=True),
              adult(20, occupation="02", health="0", self_care=True),
              adult(40, occupation="01", health="1", self_care=False),
              adult(41, occupation="01", health="1", self_care=True)]
    assert version.group_members("workers_15_59", roster) == [0, 3]


def test_unknown_age_makes_age_groups_unknown(version):
    roster = [adult(), Person(age_years=None, age_months=None)]
    assert version.group_members("age_0", roster) is None
    assert version.is_relevant("1.2", {}, roster) is None
    assert version.group_members("disabled", roster) == []


def test_to_dict_is_a_json_copy_that_round_trips(version):
    doc = version.to_dict()
    doc["questions"].clear()
    assert version.questions and version.to_dict()["questions"]
    text = json.dumps(version.to_dict(), ensure_ascii=False)
    assert QuestionnaireVersion(json.loads(text)).questions.keys() == version.questions.keys()


def test_dangling_references_are_rejected(version):
    doc = version.to_dict()
    first = doc["questions"][0]
    first["relevant"] = {"answer_in": {"question": "31.1.1", "options": ["1"]}}
    with pytest.raises(ValueError, match="not an earlier question"):
        QuestionnaireVersion(doc).check()
    doc = version.to_dict()
    doc["questions"][0]["group"] = "martians"
    with pytest.raises(ValueError, match="unknown member group"):
        QuestionnaireVersion(doc).check()
