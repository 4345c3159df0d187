"""Synthetic household payloads: complete, valid and realistic, for tests and benchmarks.

``make_household(rng, village_code=…, as_of=…)`` draws a roster of 1-8 members with a head,
consistent ages and relationships, valid national IDs and Buddhist-Era birth dates, then
answers every question that is relevant to that roster, in questionnaire order. Answers are
drawn so indicators pass at realistic national rates (most at 90-99 %) and about 3 % of
households fall below the 38,000 baht/person/year income line. The same ``rng`` state gives
the same payload.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from survey.questionnaires import (
    InputSpec,
    Option,
    Person,
    Question,
    QuestionnaireVersion,
    get_version,
)
from survey.validation import (
    answer_count,
    format_be_date,
    national_id_check_digit,
    roster_of,
)

DEFAULT_VERSION = "2560-2564"

_SIZES, _SIZE_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8), (14, 22, 24, 19, 11, 6, 3, 1)
_INCOME_MEDIAN, _INCOME_SIGMA = 90_000, 0.47  # P(below 38,000 baht/person/year) ≈ 3.3 %
_FIRST_NAMES = {
    "1": ("สมชาย", "สมศักดิ์", "ประเสริฐ", "บุญมี", "สุริยา", "อนุชา", "วีระ", "ธนากร"),
    "2": ("สมศรี", "มาลี", "บุญเรือน", "สุดารัตน์", "กาญจนา", "นภา", "พรทิพย์", "อรุณี"),
}
_LAST_NAMES = ("ใจดี", "ศรีสุข", "บุญมา", "แก้วมณี", "ทองดี", "สุขสวัสดิ์", "พรหมมา", "อินทร์แก้ว")

# The option a question most often gets, and how often (national pass rates are high).
_LIKELY: dict[str, tuple[str, float]] = {
    "1.2": ("1", 0.96), "2.2": ("1", 0.8), "2.4": ("1", 0.9), "3.2": ("1", 0.97),
    **{f"4.{i}": ("1", 0.99) for i in range(1, 5)},
    **{f"5.{i}": ("1", 0.985) for i in range(1, 5)},
    "6.4": ("1", 0.85), "6.5": ("1", 0.6), "7.1": ("1", 0.9),
    "8.1": ("1", 0.985), "8.2": ("1", 0.98), "9.1": ("1", 0.985), "10.1": ("1", 0.985),
    **{q: ("1", 0.995) for q in ("11.1", "11.2", "11.3", "11.4", "11.5.1", "11.5.2", "11.5.3",
                                 "11.5.4", "11.6", "11.7", "11.8")},
    **{f"12.{i}": ("1", 0.985) for i in range(1, 7)}, "12.7": ("2", 0.6),
    **{f"13.1.{i}": ("1", 0.99) for i in range(1, 5)}, "13.2": ("1", 0.85), "13.3": ("0", 0.97),
    "14.1": ("0", 0.999), "14.2": ("0", 0.997), "14.3": ("0", 0.98), "14.5": ("0", 0.995),
    "14.6": ("0", 0.995),
    "15.2": ("1", 0.95), "16.2": ("1", 0.98), "16.3": ("0", 0.97),
    "17.1": ("0", 0.9), "17.2": ("1", 0.9), "17.3": ("0", 0.95), "17.6": ("0", 0.8),
    "18.1": ("0", 0.95), "18.2": ("1", 0.6), "19.2": ("1", 0.97), "19.3": ("1", 0.5),
    "21.3": ("0", 0.9), "22.3.1": ("0", 0.6), "22.3.2": ("1", 0.7),
    **{f"22.3.1.{i}": ("1", 0.85) for i in range(1, 10)},
    "22.4.1": ("0", 0.6), "22.4.2": ("0", 0.8), "22.4.3": ("0", 0.95),
    "23.4": ("1", 0.6), "23.5": ("0", 0.7), "25.1": ("0", 0.8), "26.1": ("1", 0.93),
    "27.2": ("1", 0.98), "28.2": ("1", 0.85), "28.3": ("1", 0.97), "29.2": ("1", 0.97),
    "30.1": ("1", 0.95), **{f"31.1.{i}": ("1", 0.99) for i in range(1, 4)},
    "31.2.1": ("1", 0.95), "31.2.2": ("1", 0.9),
    "32.1": ("0", 0.8), "32.2": ("0", 0.9), "32.3": ("0", 0.85), "33.1": ("0", 0.9),
    "33.3": ("1", 0.5),
}
# How often a multi_choice question gets its exclusive option ("ทุกคน", "ไม่มีการออมเงิน" …).
_EXCLUSIVE_RATE = {"20.2": 0.9, "21.2": 0.55, "23.1": 0.12, "24.1": 0.7}
# Relative weights of the other options, where uniform would be unrealistic.
_OPTION_WEIGHTS = {"24.1": {"2": 0.02, "3": 0.15, "4": 1.0}}
# How often an optional question is answered (default 0.8).
_OPTIONAL_RATE = {**{f"22.3.1.{i}": 0.35 for i in range(1, 10)}, "24.2": 0.5, "25.2": 0.4}
_TEXTS = {
    "23.4": ("เบี้ยยังชีพผู้สูงอายุ", "บัตรสวัสดิการแห่งรัฐ",
             "เงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด"),
    "23.5": ("กองทุนสวัสดิการชุมชน", "ฌาปนกิจสงเคราะห์หมู่บ้าน"),
}


def make_household(rng: random.Random, *, village_code: str, house_code: str | None = None,
                   as_of: date, version: str = DEFAULT_VERSION, **overrides: Any) -> dict:
    """A complete, valid household payload (see :mod:`survey.validation` for the shape).

    ``house_code=None`` draws one in the village's district. Overrides: ``members`` replaces
    the drawn roster (answers are then drawn for it), ``answers`` entries replace drawn
    answers, any other key replaces that top-level field.
    """
    questionnaire = get_version(version)
    if "members" in overrides:
        members = overrides.pop("members")
    else:
        members = make_roster(rng, village_code=village_code, as_of=as_of)
    answers = make_answers(rng, questionnaire, members, as_of)
    answers.update(overrides.pop("answers", {}))
    moo = str(int(village_code[-2:])) if village_code[-2:].isdigit() else ""
    payload = {
        "house_code": house_code or village_code[:4] + _digits(rng, 7),
        "house_number": _house_number(rng),
        "address": {"moo": moo, "soi": "", "road": ""},
        "village_code": village_code,
        "residence_land": _land(rng, questionnaire.household_fields["residence_land"].options,
                                {"1": 85, "2": 8, "3": 4, "4": 3}, farmland=False),
        "occupation_land": _land(rng, questionnaire.household_fields["occupation_land"].options,
                                 {"1": 45, "2": 12, "3": 2, "4": 1, "5": 40}, farmland=True),
        "members": members,
        "answers": answers,
        "happiness": rng.choices(range(11), weights=(1, 1, 1, 2, 3, 6, 10, 16, 20, 14, 8))[0],
    }
    payload.update(overrides)
    return payload


# ---------------------------------------------------------------- roster

def make_roster(rng: random.Random, *, village_code: str, as_of: date) -> list[dict]:
    """A head plus relatives whose ages fit their relationship to the head."""
    size = rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0]
    head_age = rng.randint(25, 80) if size > 1 else rng.randint(30, 88)
    head_sex = rng.choice("12")
    last_name = rng.choice(_LAST_NAMES)
    people = [(None, head_age, head_sex)]
    if size > 1 and rng.random() < 0.75:
        spouse_sex = "2" if head_sex == "1" else "1"
        people.append(("01", max(18, head_age + rng.randint(-6, 6)), spouse_sex))
    while len(people) < size:
        people.append(_relative(rng, head_age))
    members, ids = [], set()
    for relationship, age, sex in people:
        member = make_member(rng, age=age, sex=sex, as_of=as_of, village_code=village_code,
                             relationship=relationship, last_name=last_name)
        while member["national_id"] in ids:
            member["national_id"] = _national_id(rng, village_code, member["birth_date"])
        ids.add(member["national_id"])
        members.append(member)
    return members


def _relative(rng: random.Random, head_age: int) -> tuple[str, int, str]:
    """(relationship code, age, sex) of a relative that fits a head aged ``head_age``."""
    kinds = [("02", 55), ("09", 5), ("10", 5)]
    if head_age >= 40:
        kinds.append(("04", 20))
    if head_age <= 60:
        kinds.append(("06", 10))
    if head_age >= 38:
        kinds.append(("03", 5))
    relationship = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    age = {
        "02": lambda: rng.randint(max(0, head_age - 42), head_age - 18),
        "03": lambda: rng.randint(18, head_age - 15),
        "04": lambda: rng.randint(max(0, head_age - 70), head_age - 36),
        "06": lambda: min(100, head_age + rng.randint(18, 35)),
        "09": lambda: max(0, head_age + rng.randint(-10, 10)),
        "10": lambda: rng.randint(0, 80),
    }[relationship]()
    return relationship, age, rng.choice("12")


def make_member(rng: random.Random, *, age: int, sex: str, as_of: date, village_code: str,
                relationship: str | None = None, last_name: str | None = None) -> dict:
    """One roster member aged ``age`` at ``as_of``; the head when ``relationship`` is None."""
    birth = _birth_date(rng, age, as_of)
    is_head = relationship is None
    health = _health(rng, age)
    return {
        "prefix": _prefix(rng, age, sex),
        "first_name": rng.choice(_FIRST_NAMES[sex]),
        "last_name": last_name or rng.choice(_LAST_NAMES),
        "sex": sex,
        "national_id": _national_id(rng, village_code, format_be_date(birth)),
        "birth_date": format_be_date(birth),
        "is_head": is_head,
        "relationship": relationship,
        "education": _education(rng, age),
        "occupation": _occupation(rng, age),
        "religion": rng.choices("1237", weights=(930, 55, 12, 3))[0],
        "health": health,
        "self_care": not (health in ("1", "3") and rng.random() < 0.3),
        "informant": is_head,
        "welfare_card": age >= 18 and rng.random() < 0.27,
    }


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, age: int, as_of: date) -> date:
    """A birth date that makes the member exactly ``age`` completed years old at ``as_of``."""
    latest = _years_before(as_of, age)
    earliest = _years_before(as_of, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _national_id(rng: random.Random, village_code: str, birth_date: str) -> str:
    """Digit 1 is 1 for people born from 2527 (1984) on, 3 for those registered before;
    digits 2-5 the registration office, as on real cards."""
    first = "1" if int(birth_date[-4:]) >= 2527 else "3"
    twelve = first + village_code[:4] + _digits(rng, 7)
    return twelve + str(national_id_check_digit(twelve))


def _house_number(rng: random.Random) -> str:
    number = str(rng.randint(1, 250))
    return f"{number}/{rng.randint(1, 9)}" if rng.random() < 0.15 else number


def _prefix(rng: random.Random, age: int, sex: str) -> str:
    if age < 15:
        return "001" if sex == "1" else "002"
    if sex == "1":
        return "003"
    return "005" if age >= 25 and rng.random() < 0.7 else "004"


def _education(rng: random.Random, age: int) -> str:
    for upper, code in ((2, "01"), (5, "03"), (11, "04"), (14, "05"), (17, "06")):
        if age <= upper:
            return code
    if age < 25:
        return rng.choices(("05", "06", "07", "08", "09"), weights=(20, 40, 10, 10, 20))[0]
    if age < 60:
        return rng.choices(("04", "05", "06", "07", "08", "09", "10"),
                           weights=(35, 20, 20, 5, 7, 11, 2))[0]
    return rng.choices(("02", "04", "05", "06", "09"), weights=(10, 75, 8, 5, 2))[0]


def _occupation(rng: random.Random, age: int) -> str:
    if age < 3:
        return "01"
    if age < 15 or (age < 23 and rng.random() < 0.7):
        return "02"
    if age < 60:
        return rng.choices(("01", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
                            "14"), weights=(2, 25, 8, 10, 2, 3, 10, 20, 5, 5, 4, 1, 5))[0]
    return rng.choices(("01", "03", "05", "08", "09"), weights=(45, 25, 10, 10, 10))[0]


def _health(rng: random.Random, age: int) -> str:
    if age >= 60:
        chronic, disabled = 0.25, 0.05
    else:
        chronic, disabled = (0.05, 0.02) if age >= 18 else (0.01, 0.01)
    draw = rng.random()
    if draw < disabled * chronic * 4:
        return "3"
    if draw < disabled:
        return "1"
    return "2" if draw < disabled + chronic else "0"


def _land(rng: random.Random, options: Sequence[Option], weights: Mapping[str, int], *,
          farmland: bool) -> dict:
    option = rng.choices(options, weights=[weights[o.value] for o in options])[0]
    answer: dict[str, Any] = {"option": option.value}
    for spec in option.inputs:
        if spec.kind == "area_rai":
            answer["rai"] = rng.randint(1, 40) if farmland else rng.choice((0, 0, 0, 1, 2))
        elif spec.kind == "area_square_wah":
            answer["square_wah"] = rng.randint(0, 399)
        elif spec.kind == "code":
            answer["document"] = rng.choices(("01", "03", "04", "08", "12", "13"),
                                             weights=(60, 10, 10, 10, 5, 5))[0]
        else:
            answer[spec.name] = "ที่ดินของญาติ"
    return answer


# ---------------------------------------------------------------- answers

def make_answers(rng: random.Random, version: QuestionnaireVersion, members: list[dict],
                 as_of: date) -> dict:
    """An answer for every question relevant to the roster, drawn in questionnaire order."""
    roster = roster_of(members, as_of)
    order = {qid: n for n, qid in enumerate(version.questions)}
    money = dict(zip(version.income_questions, _income_items(rng, len(roster))))
    money.update(zip(version.expense_questions, _expense_items(rng, sum(money.values()))))
    flag_checks = {check["question"]: check for check in version.member_count_checks}
    answers: dict[str, Any] = {}
    for question in version.questions.values():
        if (not question.answerable
                or version.is_relevant(question.id, answers, roster) is not True):
            continue
        partner = question.required_unless_answered
        if partner and (partner in answers or (order[partner] > order[question.id]
                                               and rng.random() < 0.2)):
            continue  # one of an either/or pair
        optional = not question.required and not partner
        if optional and rng.random() >= _OPTIONAL_RATE.get(question.id, 0.8):
            continue
        if question.id in money:
            answers[question.id] = money[question.id]
        elif question.id in flag_checks:
            answers[question.id] = _flag_count(question, flag_checks[question.id], members)
        else:
            answers[question.id] = _answer(rng, version, question, answers, roster)
    return answers


def _income_items(rng: random.Random, members: int) -> list[int]:
    """Main, secondary, other and own-consumption income (baht/year) for the household."""
    per_person = min(1_500_000, rng.lognormvariate(math.log(_INCOME_MEDIAN), _INCOME_SIGMA))
    total = min(9_000_000, per_person * members)
    shares = [rng.uniform(0.55, 0.85), rng.uniform(0, 0.2), rng.uniform(0, 0.15),
              rng.uniform(0, 0.1)]
    return [int(round(total * s / sum(shares), -2)) for s in shares]


def _expense_items(rng: random.Random, income: int) -> list[int]:
    """Production, necessary, unnecessary and debt-service expenses (baht/year)."""
    total = income * rng.uniform(0.6, 1.1)
    shares = [rng.uniform(0, 0.35), rng.uniform(0.45, 0.7), rng.uniform(0.03, 0.12),
              rng.uniform(0, 0.2)]
    return [int(round(total * s / sum(shares), -2)) for s in shares]


def _answer(rng: random.Random, version: QuestionnaireVersion, question: Question,
            answers: Mapping, roster: Sequence[Person]) -> Any:
    if question.widget == "checkbox":
        return rng.random() < 0.3
    if question.widget == "number":
        return _value(rng, version, question.id, question.value_spec, answers, roster)
    options = [o for o in question.options if _feasible(version, o, answers, roster)]
    if question.widget == "choice":
        return _entry(rng, version, question.id, _pick(rng, question.id, options), answers, roster)
    return [_entry(rng, version, question.id, o, answers, roster)
            for o in _pick_many(rng, question, options)]


def _flag_count(question: Question, check: Mapping, members: list[dict]) -> dict:
    """A count question that must agree with the roster's flags (23.3 welfare cards)."""
    flagged = sum(1 for m in members if m.get(check["members_with"]) is True)
    if flagged:
        return {"option": check["option"], "count": flagged}
    return {"option": next(o.value for o in question.options if o.value != check["option"])}


def _pick(rng: random.Random, qid: str, options: Sequence[Option]) -> Option:
    likely = _LIKELY.get(qid)
    preferred = [o for o in options if likely and o.value == likely[0]]
    others = [o for o in options if o not in preferred]
    if preferred and (not others or rng.random() < likely[1]):
        return preferred[0]
    return rng.choice(others)


def _pick_many(rng: random.Random, question: Question, options: Sequence[Option]) -> list[Option]:
    exclusive = [o for o in options if o.exclusive]
    others = [o for o in options if not o.exclusive]
    if exclusive and (not others or rng.random() < _EXCLUSIVE_RATE.get(question.id, 0.5)):
        return exclusive[:1]
    low = question.min_selected
    if low == 0 and rng.random() < 0.3:
        return []
    weights = _OPTION_WEIGHTS.get(question.id, {})
    chosen: list[Option] = []
    for _ in range(max(low, 2 if len(others) > 1 and rng.random() < 0.25 else 1)):
        pool = [o for o in others if o not in chosen]
        chosen.append(rng.choices(pool, weights=[weights.get(o.value, 1.0) for o in pool])[0])
    return sorted(chosen, key=options.index)


def _bound(version: QuestionnaireVersion, spec: InputSpec, answers: Mapping,
           roster: Sequence[Person]) -> int:
    if spec.max_group:
        return len(version.group_members(spec.max_group, roster) or [])
    if spec.max_answer_count:
        return answer_count(answers.get(spec.max_answer_count)) or 0
    return len(roster)


def _feasible(version: QuestionnaireVersion, option: Option, answers: Mapping,
              roster: Sequence[Person]) -> bool:
    """An option whose person counts can be filled in (no "under-15 drinkers" without children)."""
    return all(_bound(version, s, answers, roster) >= (s.min or 0)
               for s in option.inputs if s.kind == "persons" and s.required)


def _entry(rng: random.Random, version: QuestionnaireVersion, qid: str, option: Option,
           answers: Mapping, roster: Sequence[Person]) -> dict:
    entry: dict[str, Any] = {"option": option.value}
    for spec in option.inputs:
        if spec.required or rng.random() < 0.7:
            entry[spec.name] = _value(rng, version, qid, spec, answers, roster)
    return entry


def _value(rng: random.Random, version: QuestionnaireVersion, qid: str, spec: InputSpec,
           answers: Mapping, roster: Sequence[Person]) -> Any:
    if spec.kind == "persons":
        low = spec.min or 0
        return rng.randint(low, max(low, min(_bound(version, spec, answers, roster), low + 2)))
    if spec.kind == "baht":
        return int(round(min(2_000_000, rng.lognormvariate(math.log(20_000), 1.0)), -2)) or 100
    if spec.kind == "text":
        return rng.choice(_TEXTS.get(qid, ("อื่น ๆ",)))
    if spec.kind == "code":
        return rng.choice(version.code_lists[spec.code_list].entries)["value"]
    high = spec.max if spec.max is not None else 30
    return rng.randint(spec.min or 0, min(high, 30))
