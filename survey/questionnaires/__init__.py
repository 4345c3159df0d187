"""Questionnaire versions as data: the registry and the small condition language.

A version is one JSON file in this package named ``bmn_<id with "-" as "_">.json``
(``bmn_2560_2564.json`` holds version ``"2560-2564"``). Dropping in a file makes the version
available; its indicator rules are registered in :mod:`survey.indicators`. Files are read on
first use and cached. :meth:`QuestionnaireVersion.to_dict` is the document served to phones.

Answers (``household["answers"]``) map a structured question id (``"22.3.1.5"``) to a typed
JSON value; the encoding depends on the question's ``widget``:

``choice``
    ``{"option": "<value>", <input name>: <input value>, ...}`` — one option, plus the inputs
    that option declares, e.g. ``{"option": "0", "count": 2}`` for "ไม่ได้รับ … คน" or
    ``{"option": "1", "count": 2, "amount": 50000}`` for "มี … คน … บาท".
``multi_choice``
    a list of the same objects, one per ticked option, e.g.
    ``[{"option": "2", "count": 1}, {"option": "3", "count": 2}]``. Each option at most once; an
    option marked ``exclusive`` (e.g. "ทุกคน", "ไม่มีการออมเงิน") stands alone; at least
    ``min_selected`` entries (default 1).
``number``
    a JSON integer (baht, persons, hours …, see ``kind``).
``checkbox``
    ``true`` / ``false``.
``computed_count`` / ``computed_sum`` / ``computed_per_member`` / ``heading``
    never submitted: derived from the roster or other answers, or display-only text.

Input and number ``kind`` values: ``persons`` (integer from ``min``, at most the size of
``max_group`` or the count given in question ``max_answer_count``), ``baht`` (non-negative
integer), ``hours_per_week``, ``times_per_month``, ``area_rai``, ``area_square_wah``
(integers within ``min``..``max``), ``text`` (non-empty string), ``code`` (a value of
``code_list``).

Conditions (a question's ``relevant``; absent means always relevant) are evaluated over the
roster and the earlier answers, so a phone can evaluate them too:

``{"group_count": {"group": "age_0", "min": 1, "max": null}}``
    the number of members in a member group lies within min..max (both optional);
``{"answer_in": {"question": "3.2", "options": ["0"]}}``
    that question is relevant and its chosen option (or, for multi_choice, any ticked option)
    is listed;
``{"any": [...]}`` / ``{"all": [...]}``
    combinations.

A relevant question is answered when ``required`` is true, or — for an either/or pair such
as 31.2.1 / 31.2.2 — when its ``required_unless_answered`` partner is unanswered.
``legacy_key`` (and an option's ``legacy_value``) keep the earlier app's answer keys and
stored values for importing old data; ``member_count_checks`` tie an answered count to a
member flag (23.3 ↔ ``welfare_card``); ``household_fields`` and ``member_fields`` describe the
header and the roster with the same option/input vocabulary.

A member group (``member_groups``) is a conjunction of ``age_years: [min, max|null]``
(completed years), ``age_months: [min, max]`` (completed months), ``sex_in``, ``health_in``,
``occupation_in`` (code lists) and ``self_care`` (boolean), minus the members matching any
spec in ``exclude``. Ages are taken at the interview date; a member whose age is unknown makes
an age-based group unknown (``None``) rather than empty.
"""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

ANSWERABLE_WIDGETS = frozenset({"choice", "multi_choice", "number", "checkbox"})
DERIVED_WIDGETS = frozenset({"computed_count", "computed_sum", "computed_per_member", "heading"})

_FILE_PREFIX, _FILE_SUFFIX = "bmn_", ".json"


class UnknownQuestionnaireVersion(LookupError):
    """No questionnaire file exists for the requested version id."""


@dataclass(frozen=True)
class Person:
    """The facts about one roster member that member groups are defined on."""

    age_years: int | None
    age_months: int | None
    sex: Any = None
    health: Any = None
    self_care: Any = None
    occupation: Any = None


@dataclass(frozen=True)
class InputSpec:
    """A value the respondent types: an option's input, or a number question's value."""

    name: str
    kind: str
    label_th: str
    required: bool = True
    unit_th: str | None = None
    min: int | None = None
    max: int | None = None
    max_group: str | None = None
    max_answer_count: str | None = None
    code_list: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping) -> InputSpec:
        return cls(name=data.get("name", "value"), kind=data["kind"],
                   label_th=data.get("label_th", ""), required=data.get("required", True),
                   unit_th=data.get("unit_th"), min=data.get("min"), max=data.get("max"),
                   max_group=data.get("max_group"),
                   max_answer_count=data.get("max_answer_count"),
                   code_list=data.get("code_list"))


@dataclass(frozen=True)
class Option:
    value: str
    label_th: str
    inputs: tuple[InputSpec, ...] = ()
    exclusive: bool = False

    @classmethod
    def from_dict(cls, data: Mapping) -> Option:
        return cls(value=data["value"], label_th=data["label_th"],
                   inputs=tuple(InputSpec.from_dict(i) for i in data.get("inputs", ())),
                   exclusive=data.get("exclusive", False))


@dataclass(frozen=True)
class Question:
    id: str
    block: int
    widget: str
    text_th: str
    required: bool
    options: tuple[Option, ...]
    relevant: Mapping | None = None
    legacy_key: str | None = None
    value_spec: InputSpec | None = None  # the value of a ``number`` question
    min_selected: int = 1
    required_unless_answered: str | None = None
    group: str | None = None  # computed_count
    at_least: int = 1  # computed_count
    sum: tuple[str, ...] = ()  # computed_sum

    @classmethod
    def from_dict(cls, data: Mapping) -> Question:
        value_spec = None
        if data["widget"] == "number":
            value_spec = InputSpec.from_dict({**data, "name": "value",
                                              "label_th": data.get("text_th", "")})
        return cls(id=data["id"], block=data["block"], widget=data["widget"],
                   text_th=data.get("text_th", ""), required=data.get("required", False),
                   options=tuple(Option.from_dict(o) for o in data.get("options", ())),
                   relevant=data.get("relevant"), legacy_key=data.get("legacy_key"),
                   value_spec=value_spec, min_selected=data.get("min_selected", 1),
                   required_unless_answered=data.get("required_unless_answered"),
                   group=data.get("group"), at_least=data.get("at_least", 1),
                   sum=tuple(data.get("sum", ())))

    @property
    def answerable(self) -> bool:
        return self.widget in ANSWERABLE_WIDGETS

    def option(self, value: Any) -> Option | None:
        try:
            return self._options_by_value.get(value)
        except TypeError:  # a list or an object sent where an option value belongs
            return None

    @functools.cached_property
    def _options_by_value(self) -> dict[Any, Option]:
        """Scoring and validation look options up some 75 times per household."""
        return {o.value: o for o in self.options}


@dataclass(frozen=True)
class HouseholdField:
    name: str
    label_th: str
    type: str
    required: bool
    options: tuple[Option, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> HouseholdField:
        return cls(name=data["name"], label_th=data["label_th"], type=data["type"],
                   required=data.get("required", False),
                   options=tuple(Option.from_dict(o) for o in data.get("options", ())))


@dataclass(frozen=True)
class MemberField:
    name: str
    label_th: str
    type: str
    required: bool
    code_list: str | None = None
    applies_to: str = "all"  # or "non_head"

    @classmethod
    def from_dict(cls, data: Mapping) -> MemberField:
        return cls(name=data["name"], label_th=data["label_th"], type=data["type"],
                   required=data.get("required", False), code_list=data.get("code_list"),
                   applies_to=data.get("applies_to", "all"))


@dataclass(frozen=True)
class Indicator:
    number: int
    category: int
    code: str
    title_th: str
    title_en: str


@dataclass(frozen=True)
class CodeList:
    name: str
    source: str
    assumption: bool
    entries: tuple[Mapping, ...]

    def entry(self, value: Any) -> Mapping | None:
        """The entry for ``value``; booleans and strings never match each other."""
        return next((e for e in self.entries
                     if type(e["value"]) is type(value) and e["value"] == value), None)

    def __contains__(self, value: Any) -> bool:
        return self.entry(value) is not None


def selected_options(answer: Any) -> frozenset[str]:
    """The option values chosen in a choice or multi_choice answer; empty when malformed."""
    entries = answer if isinstance(answer, list) else [answer]
    return frozenset(e["option"] for e in entries
                     if isinstance(e, Mapping) and isinstance(e.get("option"), str))


def _in_range(value: int, bounds: Sequence) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def _person_matches(spec: Mapping, person: Person) -> bool | None:
    """Whether ``person`` belongs to a group spec; ``None`` when an unknown age decides it."""
    unknown = False
    for key, attr in (("age_years", "age_years"), ("age_months", "age_months")):
        if key in spec:
            age = getattr(person, attr)
            if age is None:
                unknown = True
            elif not _in_range(age, spec[key]):
                return False
    for key, attr in (("sex_in", "sex"), ("health_in", "health"), ("occupation_in", "occupation")):
        if key in spec and getattr(person, attr) not in spec[key]:
            return False
    if "self_care" in spec and person.self_care is not spec["self_care"]:
        return False
    for excluded in spec.get("exclude", ()):
        matched = _person_matches(excluded, person)
        if matched:
            return False
        unknown = unknown or matched is None
    return None if unknown else True


def _any(values) -> bool | None:
    values = list(values)
    return True if True in values else (None if None in values else False)


def _all(values) -> bool | None:
    values = list(values)
    return False if False in values else (None if None in values else True)


class QuestionnaireVersion:
    """One questionnaire version, read from its JSON document."""

    def __init__(self, document: Mapping):
        self._doc = document
        self.id: str = document["id"]
        self.title_th: str = document["title_th"]
        self.thresholds: dict[str, int] = dict(document["thresholds"])
        self.indicators: tuple[Indicator, ...] = tuple(
            Indicator(i["number"], i["category"], i["code"], i["title_th"], i["title_en"])
            for i in document["indicators"])
        self.questions: dict[str, Question] = {
            q["id"]: Question.from_dict(q) for q in document["questions"]}
        self.code_lists: dict[str, CodeList] = {
            name: CodeList(name, c["source"], c["assumption"], tuple(c["values"]))
            for name, c in document["code_lists"].items()}
        self.member_groups: dict[str, Mapping] = dict(document["member_groups"])
        self.member_fields: tuple[MemberField, ...] = tuple(
            MemberField.from_dict(f) for f in document["member_fields"])
        self.household_fields: dict[str, HouseholdField] = {
            f["name"]: HouseholdField.from_dict(f) for f in document["household_fields"]}
        self.happiness: Mapping = document["happiness"]
        income = document["income"]
        self.income_total_question: str = income["total_question"]
        self.income_per_member_question: str = income["per_member_question"]
        self.income_questions: tuple[str, ...] = self.questions[self.income_total_question].sum
        self.expense_questions: tuple[str, ...] = self.questions[
            income["expense_total_question"]].sum
        self.member_count_checks: tuple[Mapping, ...] = tuple(
            document.get("member_count_checks", ()))
        self._order = {qid: n for n, qid in enumerate(self.questions)}

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.id}>"

    def to_dict(self) -> dict:
        """The whole version document (a copy), as served at GET /api/v1/questionnaires/{id}."""
        return copy.deepcopy(self._doc)

    def group_label(self, name: str) -> str:
        return self.member_groups[name]["label_th"]

    def group_members(self, name: str, roster: Sequence[Person]) -> list[int] | None:
        """Indexes of the roster members in group ``name``; ``None`` if an unknown age matters."""
        members = self._group_members(name, tuple(roster))
        return None if members is None else list(members)

    @functools.lru_cache(maxsize=4096)
    def _group_members(self, name: str, roster: tuple[Person, ...]) -> tuple[int, ...] | None:
        """Cached: one household's validation and scoring ask of the same roster's groups
        about sixty times."""
        spec = self.member_groups[name]
        matches = [_person_matches(spec, person) for person in roster]
        if None in matches:
            return None
        return tuple(i for i, matched in enumerate(matches) if matched)

    def is_relevant(self, question_id: str, answers: Mapping, roster: Sequence[Person],
                    memo: dict | None = None) -> bool | None:
        """Whether the question is asked of this household; ``None`` when unknowable.
        ``memo``: a dict shared by calls on the same answers and roster (each question's
        relevance is then worked out once, not again for every question that depends on
        it)."""
        return self._relevant(question_id, answers, roster, {} if memo is None else memo)

    def _relevant(self, qid: str, answers: Mapping, roster: Sequence[Person],
                  memo: dict) -> bool | None:
        if qid not in memo:
            condition = self.questions[qid].relevant
            memo[qid] = (True if condition is None
                         else self._holds(condition, answers, roster, memo))
        return memo[qid]

    def _holds(self, condition: Mapping, answers: Mapping, roster: Sequence[Person],
               memo: dict) -> bool | None:
        (kind, arg), = condition.items()
        if kind == "group_count":
            members = self.group_members(arg["group"], roster)
            if members is None:
                return None
            return _in_range(len(members), (arg.get("min"), arg.get("max")))
        if kind == "answer_in":
            relevant = self._relevant(arg["question"], answers, roster, memo)
            if not relevant:
                return relevant
            return bool(selected_options(answers.get(arg["question"])) & set(arg["options"]))
        if kind == "any":
            return _any(self._holds(c, answers, roster, memo) for c in arg)
        if kind == "all":
            return _all(self._holds(c, answers, roster, memo) for c in arg)
        raise ValueError(f"unknown condition {kind!r}")

    def check(self) -> None:
        """Raise ``ValueError`` when the document refers to something it does not define."""
        problems = list(_reference_problems(self))
        if problems:
            raise ValueError(f"questionnaire {self.id}: " + "; ".join(problems))


def _condition_refs(condition: Mapping):
    """(kind, name) pairs a condition refers to: ("group", g) and ("question", q)."""
    (kind, arg), = condition.items()
    if kind == "group_count":
        yield "group", arg["group"]
    elif kind == "answer_in":
        yield "question", arg["question"]
    elif kind in ("any", "all"):
        for sub in arg:
            yield from _condition_refs(sub)
    else:
        yield "condition", kind


def _reference_problems(version: QuestionnaireVersion):
    order, groups = version._order, version.member_groups
    numbers = [i.number for i in version.indicators]
    if numbers != list(range(1, len(numbers) + 1)):
        yield "indicators must be numbered 1..n in order"
    for q in version.questions.values():
        if q.widget not in ANSWERABLE_WIDGETS | DERIVED_WIDGETS:
            yield f"{q.id} has unknown widget {q.widget!r}"
        refs = list(_condition_refs(q.relevant)) if q.relevant else []
        specs = [i for o in q.options for i in o.inputs]
        if q.value_spec:
            specs.append(q.value_spec)
        refs += [("group", s.max_group) for s in specs if s.max_group]
        refs += [("question", s.max_answer_count) for s in specs if s.max_answer_count]
        refs += [("code_list", s.code_list) for s in specs if s.code_list]
        refs += [("question", s) for s in q.sum]
        if q.group:
            refs.append(("group", q.group))
        for kind, name in refs:
            if kind == "group" and name not in groups:
                yield f"{q.id} refers to unknown member group {name!r}"
            elif kind == "question" and order.get(name, len(order)) >= order[q.id]:
                yield f"{q.id} refers to {name!r}, which is not an earlier question"
            elif kind == "code_list" and name not in version.code_lists:
                yield f"{q.id} refers to unknown code list {name!r}"
            elif kind == "condition":
                yield f"{q.id} uses unknown condition {name!r}"
    for check in version.member_count_checks:
        if check["question"] not in order:
            yield f"member count check refers to unknown question {check['question']!r}"
    for q in version.questions.values():
        if q.required_unless_answered and q.required_unless_answered not in order:
            yield f"{q.id} refers to unknown question {q.required_unless_answered!r}"
    for field in version.member_fields:
        if field.code_list and field.code_list not in version.code_lists:
            yield f"member field {field.name} refers to unknown code list {field.code_list!r}"


def _version_file(version_id: str) -> str:
    return f"{_FILE_PREFIX}{version_id.replace('-', '_')}{_FILE_SUFFIX}"


def available_versions() -> list[str]:
    """Ids of the questionnaire versions shipped in this package, sorted."""
    names = (p.name for p in resources.files(__name__).iterdir())
    return sorted(n[len(_FILE_PREFIX):-len(_FILE_SUFFIX)].replace("_", "-") for n in names
                  if n.startswith(_FILE_PREFIX) and n.endswith(_FILE_SUFFIX))


@functools.cache
def get_version(version_id: str) -> QuestionnaireVersion:
    """The questionnaire version ``version_id`` (read once, then cached)."""
    if version_id not in available_versions():
        raise UnknownQuestionnaireVersion(version_id)
    text = resources.files(__name__).joinpath(_version_file(version_id)).read_text("utf-8")
    version = QuestionnaireVersion(json.loads(text))
    if version.id != version_id:
        raise ValueError(f"{_version_file(version_id)} declares id {version.id!r}")
    version.check()
    return version


def as_version(version: QuestionnaireVersion | str) -> QuestionnaireVersion:
    """Accept either a loaded version or its id."""
    return version if isinstance(version, QuestionnaireVersion) else get_version(version)
