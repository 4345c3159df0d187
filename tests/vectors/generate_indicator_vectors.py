"""Generate ``tests/vectors/indicators.json``: households with the Python engine's results,
which the phone's engine (``survey/pwa/static/indicators.js``) must reproduce exactly.

Run ``python -m tests.vectors.generate_indicator_vectors`` after changing a rule or the
questionnaire texts the reasons quote, and commit the file; ``test_indicator_vectors.py``
fails until then. A case is ``{name, version, as_of, income_line, household, expected,
expected_income}``, plus ``question_changes`` ({question id: {field: value}}) where it needs a
text no real question has. The cases:

* every household the boundary tests in ``tests/survey/test_indicators.py`` evaluate,
  recorded by running that module under pytest (its property-based test is left out: its
  examples are random);
* complete synthetic households from :func:`survey.payload_factory.make_household`, fixed
  seeds, on several interview dates and income lines, and variants of them: answers removed
  or malformed, counts dropped or mistyped, one household's answers on another's roster;
* rosters of edge ages (infants by the month, 2-16, 34/35, 59-61, birthdays on the interview
  day or the day after, 29 February, unknown birth dates);
* one household with every member group, with answers whose reasons carry counts, amounts
  and several labels, and payloads of the wrong shape;
* question texts and labels that reach every branch of the reasons' shortening.

Households keep only what the rules read (the roster's ages, sex, health, self-care and
occupation, and the answers), which keeps the file small.
"""
from __future__ import annotations

import calendar
import copy
import json
import random
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from survey.indicators import (
    evaluate,
    household_expense,
    household_income,
    income_per_person,
    results_as_json,
)
from survey.payload_factory import make_household, make_member
from survey.questionnaires import QuestionnaireVersion, get_version
from survey.validation import format_be_date

VERSION = "2560-2564"
OUT = Path(__file__).with_name("indicators.json")
BOUNDARY_TESTS = Path(__file__).parents[1] / "survey" / "test_indicators.py"
VILLAGE = "65010105"
AS_OF = (date(2022, 3, 15), date(2024, 2, 29), date(2023, 3, 1), date(2022, 12, 31),
         date(2023, 1, 31))
INCOME_LINES = (None, None, None, 40_000, 30_000, 1, 10_000_000)
MEMBER_FIELDS = ("birth_date", "sex", "health", "self_care", "occupation", "is_head")
# Indicators about the household as a whole are never NA; every other one can be.
HOUSEHOLD_LEVEL = frozenset({4, 5, 8, 9, 10, 11, 12, 13, 14, 22, 23, 24, 25, 30, 31})

# Answers that no rule accepts, for whichever question they replace.
MALFORMED = ("1", {"option": "9"}, {"option": 1}, {}, [], [{"option": "9"}], -5, 1.5, True,
             [{"option": "1"}, "1"])


def changed(version_id: str, changes: dict | None) -> QuestionnaireVersion:
    """The version with some questions' fields replaced by ``changes`` ({id: {field: value}})."""
    if not changes:
        return get_version(version_id)
    doc = get_version(version_id).to_dict()
    for question in doc["questions"]:
        question.update(changes.get(question["id"], {}))
    return QuestionnaireVersion(doc)


def case(name: str, household: dict, as_of: date, income_line: int | None = None,
         question_changes: dict | None = None) -> dict:
    """A vector: the household and what the Python engine says about it."""
    version = changed(VERSION, question_changes)
    results = evaluate(version, household, as_of=as_of, income_line=income_line)
    return {"name": name, "version": VERSION, "as_of": as_of.isoformat(),
            "income_line": income_line, "household": household,
            **({"question_changes": question_changes} if question_changes else {}),
            "expected": results_as_json(results),
            "expected_income": {"household_income": household_income(version, household),
                                "household_expense": household_expense(version, household),
                                "income_per_person": income_per_person(version, household)}}


# ---------------------------------------------------------------- the boundary tests

class _Recorder:
    """A pytest plugin: keeps every household the test module passes to ``evaluate``."""

    def __init__(self):
        self.calls: list[tuple[str, dict, dict]] = []

    def pytest_collection_modifyitems(self, items):
        items[:] = [i for i in items if not getattr(i.obj, "is_hypothesis_test", False)]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        original = item.module.evaluate

        def recording(version, household, **kwargs):
            results = original(version, household, **kwargs)
            if version == VERSION:  # not the throwaway versions the engine tests build
                self.calls.append((item.name, copy.deepcopy(household), kwargs))
            return results

        item.module.evaluate = recording
        try:
            return (yield)
        finally:
            item.module.evaluate = original


def boundary_cases() -> list[dict]:
    recorder = _Recorder()
    code = pytest.main([str(BOUNDARY_TESTS), "-q", "-p", "no:cacheprovider", "-o", "addopts="],
                       plugins=[recorder])
    if code != pytest.ExitCode.OK:
        sys.exit(f"{BOUNDARY_TESTS} failed; fix it before generating vectors")
    per_test: Counter[str] = Counter()
    cases = []
    for test, household, kwargs in recorder.calls:
        per_test[test] += 1
        cases.append(case(f"{test} #{per_test[test]}", household, kwargs["as_of"],
                          kwargs.get("income_line")))
    return cases


# ---------------------------------------------------------------- synthetic households

def slim(payload: dict) -> dict:
    """Only what the rules read."""
    return {"members": [{k: m[k] for k in MEMBER_FIELDS if k in m} for m in payload["members"]],
            "answers": payload["answers"]}


def factory_cases(count: int) -> list[dict]:
    cases = []
    for seed in range(count):
        as_of = AS_OF[seed % len(AS_OF)]
        household = make_household(random.Random(seed), village_code=VILLAGE, as_of=as_of)
        cases.append(case(f"factory seed {seed}", slim(household), as_of,
                          INCOME_LINES[seed % len(INCOME_LINES)]))
    return cases


def without_answers(base: list[dict], rng: random.Random) -> list[dict]:
    """Some answers removed: 1-4 at random, or every answer, or the whole roster."""
    cases = []
    for n, source in enumerate(base):
        household = copy.deepcopy(source["household"])
        answers = household["answers"]
        if n % 10 == 0:
            household["answers"], what = {}, "every answer"
        elif n % 10 == 1:
            household["members"], what = [], "the roster"
        else:
            gone = rng.sample(sorted(answers), min(len(answers), rng.randint(1, 4)))
            for qid in gone:
                del answers[qid]
            what = ", ".join(gone)
        cases.append(case(f"{source['name']} without {what}", household,
                          date.fromisoformat(source["as_of"]), source["income_line"]))
    return cases


def malformed(base: list[dict], rng: random.Random) -> list[dict]:
    """One answer replaced by a value of the wrong shape, or a count dropped or mistyped."""
    cases = []
    for source in base:
        household = copy.deepcopy(source["household"])
        answers = household["answers"]
        counted = sorted(q for q, a in answers.items() if isinstance(a, dict) and "count" in a)
        if counted and rng.random() < 0.5:
            qid = rng.choice(counted)
            value = rng.choice((None, True, 1.5, 1_234_567))
            if value is None:
                del answers[qid]["count"]
            else:
                answers[qid]["count"] = value
            what = f"count of {qid} = {value}"
        else:
            qid = rng.choice(sorted(answers))
            answers[qid] = rng.choice(MALFORMED)
            what = f"{qid} = {json.dumps(answers[qid])}"
        cases.append(case(f"{source['name']} with {what}", household,
                          date.fromisoformat(source["as_of"]), source["income_line"]))
    return cases


def swapped_rosters(base: list[dict], rng: random.Random) -> list[dict]:
    """One household's answers on another's roster: answers for absent groups, and gaps."""
    cases = []
    for source in base:
        other = base[rng.randrange(len(base))]
        household = {"members": other["household"]["members"],
                     "answers": source["household"]["answers"]}
        cases.append(case(f"answers of {source['name']} on the roster of {other['name']}",
                          copy.deepcopy(household), date.fromisoformat(other["as_of"])))
    return cases


# ---------------------------------------------------------------- edge ages

def born(as_of: date, years: int = 0, months: int = 0, *, day_after: bool = False) -> str:
    """A BE birth date ``years``/``months`` before ``as_of`` (the last day of a shorter month),
    or the day after it, so that the member is one day short of that age."""
    total = as_of.year * 12 + as_of.month - 1 - (years * 12 + months)
    year, month = divmod(total, 12)
    birth = date(year, month + 1, min(as_of.day, calendar.monthrange(year, month + 1)[1]))
    return format_be_date(birth + timedelta(days=day_after))


EDGE_AGES = ((0, 0), (0, 5), (0, 6), (0, 11), (0, 12), (0, 13), (2, 0), (3, 0), (5, 0), (6, 0),
             (12, 0), (13, 0), (14, 0), (15, 0), (16, 0), (34, 0), (35, 0), (59, 0), (60, 0),
             (61, 0), (90, 0))
UNKNOWN_BIRTH = ("31/02/2530", "", None, "2530-04-15", "15/4/2530", "01/01/2600")
# (birth, interview): a 29 February birthday around the day in common and leap years.
LEAP_DAYS = [(date(2024, 2, 29), date(2024, 8, 28)), (date(2024, 2, 29), date(2024, 8, 29)),
             *((date(born_in, 2, 29), day) for born_in in (2024, 2020, 2008, 1988, 1964)
               for day in (date(2025, 2, 28), date(2025, 3, 1), date(2028, 2, 28),
                           date(2028, 2, 29)))]


def edge_member(rng: random.Random, as_of: date, years: int, months: int = 0, *,
                head: bool = False) -> dict:
    """A member exactly ``years``/``months`` old at ``as_of``, or (sometimes) a day short."""
    member = make_member(rng, age=years, sex=rng.choice("12"), as_of=as_of,
                         village_code=VILLAGE, relationship=None if head else "10")
    member["birth_date"] = born(as_of, years, months, day_after=rng.random() < 0.4)
    if rng.random() < 0.15:
        member["health"], member["self_care"] = rng.choice("123"), rng.random() < 0.5
    return member


def edge_rosters(count: int, rng: random.Random) -> list[dict]:
    """Rosters of edge ages, with every question relevant to them answered."""
    adults = [a for a in EDGE_AGES if a[0] >= 15]
    cases = []
    for n in range(count):
        as_of = AS_OF[n % len(AS_OF)]
        members = [edge_member(rng, as_of, *rng.choice(adults), head=True)]
        members += [edge_member(rng, as_of, *rng.choice(EDGE_AGES))
                    for _ in range(rng.randint(0, 4))]
        if n % 8 == 0:
            members[-1]["birth_date"] = rng.choice(UNKNOWN_BIRTH)
        household = make_household(rng, village_code=VILLAGE, as_of=as_of, members=members)
        born_on = ", ".join(str(m["birth_date"]) for m in members)
        cases.append(case(f"edge ages {n}: born {born_on}", slim(household), as_of))
    return cases


def leap_day_cases(rng: random.Random) -> list[dict]:
    cases = []
    for birth, as_of in LEAP_DAYS:
        child = make_member(rng, age=0, sex="2", as_of=as_of, village_code=VILLAGE,
                            relationship="10")
        child["birth_date"] = format_be_date(birth)
        members = [edge_member(rng, as_of, 45, head=True), child]
        household = make_household(rng, village_code=VILLAGE, as_of=as_of, members=members)
        cases.append(case(f"born {child['birth_date']}, interviewed {as_of}", slim(household),
                          as_of))
    return cases


# ---------------------------------------------------------------- reason shapes

# Every member group: an infant of 8 months, children of 4 and 10, a disabled and chronically
# ill 16-year-old who works, the head, and a chronically ill 70-year-old.
FAMILY = ((40, 0, {}), (0, 8, {}), (4, 0, {}), (10, 0, {}),
          (16, 0, {"health": "3", "self_care": True, "occupation": "03"}), (70, 0, {"health": "2"}))
# Answers whose reasons carry counts (missing, mistyped, large), amounts, several labels or
# several quoted items.
SHAPES = (
    {"1.2": {"option": "0"}}, {"2.4": {"option": "0", "count": True}},
    {"3.2": {"option": "0", "count": 1_234_567}}, {"6.4": {"option": "0", "count": 1.5}},
    {"7.1": {"option": "0", "count": -2}}, {"15.2": {"option": "0"}},
    {"16.2": {"option": "0", "count": 2}}, {"17.1": {"option": "1", "count": 2},
                                            "17.2": {"option": "0"}},
    {"18.1": {"option": "1", "count": 1}, "18.2": {"option": "0", "count": 1_000}},
    {"19.2": {"option": "0", "count": "2"}},
    {"20.2": [{"option": "2", "count": 1}, {"option": "3"}]},
    {"20.2": [{"option": "2", "count": 1}, {"option": "1"}]},
    {"21.2": [{"option": "3", "count": 12_345}]},
    {"23.1": []}, {"23.1": [{"option": "1"}], "23.2": 1_234_567},
    {"24.1": [{"option": "2"}, {"option": "4", "count": 2}]},
    {"25.1": {"option": "1"}}, {"25.1": {"option": "1", "count": 1_234}},
    {"26.1": {"option": "0", "count": 3}}, {"27.2": {"option": "0", "count": 2}},
    {"28.3": {"option": "0"}}, {"29.2": {"option": "0", "count": 1}},
    {"14.1": {"option": "1"}, "14.3": {"option": "1", "amount": 1_234_567}},
    {"14.3": {"option": "1"}}, {"22.1.1": 12_345_678},
    {"4.1": {"option": "0"}, "4.3": {"option": "0"}, "13.1.3": {"option": "0"}},
    {"31.1.2": {"option": "0"}, "31.1.3": {"option": "0"}},
)


def family_household(rng: random.Random) -> dict:
    """A household of FAMILY with every relevant question answered."""
    members = [{**edge_member(rng, AS_OF[0], years, months, head=not n), **fields}
               for n, (years, months, fields) in enumerate(FAMILY)]
    return slim(make_household(rng, village_code=VILLAGE, as_of=AS_OF[0], members=members))


def reason_shapes(family: dict) -> list[dict]:
    cases = []
    for n, answers in enumerate(SHAPES):
        shaped = copy.deepcopy({**family, "answers": {**family["answers"], **answers}})
        cases.append(case(f"shape {n}: {json.dumps(answers, ensure_ascii=False)}", shaped,
                          AS_OF[0]))
    return cases


def odd_payloads(family: dict) -> list[dict]:
    """Payloads of the wrong shape around the family's answers: the engines read them alike."""
    head, answers = family["members"][0], family["answers"]
    odd = {
        "no members or answers": {},
        "members not a list": {"members": "x", "answers": answers},
        "a null member": {"members": [None, head], "answers": answers},
        "a string and a number as members": {"members": [head, "x", 5], "answers": answers},
        "answers null": {"members": [head], "answers": None},
        "answers a list": {"members": [head], "answers": [1, 2]},
        "a numeric birth date": {"members": [{**head, "birth_date": 25300415}],
                                 "answers": answers},
        "a member with only a birth date": {"members": [head, {"birth_date": head["birth_date"]}],
                                            "answers": answers},
        "a disabled member whose self-care is unknown": {
            "members": [head, {**head, "health": "1", "self_care": None}], "answers": answers},
    }
    return [case(f"odd payload: {why}", copy.deepcopy(household), AS_OF[0])
            for why, household in odd.items()]


# Texts no real question has, quoted by indicator 4 when 4.3 fails: where _short cuts them.
SHORT_TEXTS = (
    ("the cut falls on stacked marks", "ก" * 78 + "กุ้ง" + "ก" * 10),
    ("the cut follows a leading vowel", "ก" * 79 + "เก" + "ก" * 10),
    ("the cut falls on a mark after a leading vowel", "ก" * 78 + "เกี่ยว" + "ก" * 10),
    ("cut at a space, the spaces before it dropped", "ก" * 50 + "   " + "ข" * 40),
    ("Python's whitespace, not JavaScript's", "ก" * 55 + "\ufeff\x1f " + "ข" * 30),
    ("a space too early to cut at", "ก" * 10 + " " + "ข" * 90),
    ("80 characters", "ก" * 80),
    ("81 characters", "ก" * 81),
    ("characters outside the BMP count as one", "\U0001d400" * 85),
)
# Labels with skip hints and several numbers; a non-integer input leaves its "…" for the next.
LABELLED = {"options": [
    {"value": "1", "label_th": "ใช่"},
    {"value": "0", "label_th": "ไม่ใช่ … คน … บาท\xa0(ข้ามไปข้อ 5) (ข้ามไปข้อ 6)",
     "inputs": [{"name": "count", "kind": "persons", "label_th": "จำนวน", "min": 1},
                {"name": "note", "kind": "text", "label_th": "ระบุ"},
                {"name": "amount", "kind": "baht", "label_th": "บาท"}]}]}


def text_cases() -> list[dict]:
    as_of = AS_OF[0]
    members = [{"birth_date": born(as_of, 45), "is_head": True, "sex": "1", "health": "0",
                "self_care": True, "occupation": "03"}]
    answers = {"4.1": {"option": "1"}, "4.2": {"option": "1"}, "4.3": {"option": "0"},
               "4.4": {"option": "1"}}
    cases = [case(f"4.3 quoted, {why}", {"members": members, "answers": answers}, as_of,
                  question_changes={"4.3": {"text_th": text}}) for why, text in SHORT_TEXTS]
    for count in (2, "2"):
        wrong = {**answers, "4.3": {"option": "0", "count": count, "note": "x", "amount": 1234}}
        cases.append(case(f"4.3 labelled, count {count!r}", {"members": members,
                                                              "answers": wrong}, as_of,
                          question_changes={"4.3": LABELLED}))
    return cases


# ---------------------------------------------------------------- the file

def all_cases() -> list[dict]:
    rng = random.Random(2565)
    factory = factory_cases(80)
    family = family_household(rng)
    cases = (boundary_cases() + factory + without_answers(factory[:32], rng)
             + malformed(factory[32:64], rng) + swapped_rosters(factory[64:], rng)
             + edge_rosters(40, rng) + leap_day_cases(rng) + reason_shapes(family)
             + odd_payloads(family) + text_cases())
    seen, unique = set(), []
    for c in cases:
        key = json.dumps([c["household"], c["as_of"], c["income_line"],
                          c.get("question_changes")], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def coverage(cases: list[dict]) -> dict[int, Counter]:
    """Per indicator, how many cases had each outcome."""
    table: dict[int, Counter] = {}
    for c in cases:
        for r in c["expected"]:
            table.setdefault(r["number"], Counter())[r["outcome"]] += 1
    return table


def gaps(table: dict[int, Counter]) -> list[str]:
    """Outcomes an indicator can produce that no case shows."""
    problems = []
    for number, seen in table.items():
        wanted = {"pass", "fail", "incomplete"} | (set() if number in HOUSEHOLD_LEVEL else {"na"})
        problems += [f"indicator {number} never {o}" for o in sorted(wanted - set(seen))]
    return problems


def write(cases: list[dict]) -> None:
    lines = (json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in cases)
    OUT.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def main() -> None:
    cases = all_cases()
    table = coverage(cases)
    print(f"{len(cases)} cases\n  #   pass  fail    na  incomplete")
    for number, seen in sorted(table.items()):
        print(f"{number:3} {seen['pass']:6} {seen['fail']:5} {seen['na']:5} "
              f"{seen['incomplete']:11}")
    if problems := gaps(table):
        sys.exit("not written, outcomes missing: " + "; ".join(problems))
    write(cases)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
