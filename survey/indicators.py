"""The indicator engine: one small, named rule per indicator, registered per questionnaire version.

``evaluate(version, household, as_of=…)`` returns one :class:`IndicatorResult` per indicator of
the version, in order, each with an outcome and a Thai reason a committee member can read:

* PASS / FAIL — the household meets / misses the indicator;
* NA — the indicator concerns members the household does not have (no child under 1 …);
* INCOMPLETE — an answer the rule needs is missing or malformed, or a member's age is unknown.

Rules implement the form's rule as stated in the fact sheet (``bmn-questionnaire.md``), not
the earlier app's behaviour; where the sheet marks a point uncertain, the rule's docstring says
what was chosen and why. A later version registers its own rules with ``@rule(version_id, n)``
(reusing the helpers below) next to its JSON file; the engine itself does not change.

The household is the payload documented in :mod:`survey.validation`; member ages are completed
years (or months) at ``as_of``, the interview date.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from survey.questionnaires import QuestionnaireVersion, as_version
from survey.validation import answer_count, is_integer, roster_of


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class IndicatorResult:
    number: int
    outcome: Outcome
    reason_th: str


class MissingRule(LookupError):
    """A version's indicator has no registered rule."""


class Incomplete(Exception):
    """Raised inside a rule when the household lacks what the rule needs."""

    def __init__(self, reason_th: str):
        super().__init__(reason_th)
        self.reason_th = reason_th


Verdict = tuple[Outcome, str]
Rule = Callable[["HouseholdView"], Verdict]
_RULES: dict[str, dict[int, Rule]] = {}


def rule(version_id: str, number: int) -> Callable[[Rule], Rule]:
    """Decorator: the function becomes the rule of indicator ``number`` of ``version_id``."""
    def register(fn: Rule) -> Rule:
        rules = _RULES.setdefault(version_id, {})
        if number in rules:
            raise ValueError(f"indicator {number} of {version_id} already has a rule")
        rules[number] = fn
        return fn
    return register


def evaluate(version: QuestionnaireVersion | str, household: Mapping, *, as_of: date,
             income_line: int | None = None) -> list[IndicatorResult]:
    """Score ``household`` on every indicator of ``version``.

    ``income_line`` overrides the version's ``income_line_baht_per_person_year`` for a round.
    """
    version = as_version(version)
    if income_line is None:
        income_line = version.thresholds["income_line_baht_per_person_year"]
    view = HouseholdView(version, household, as_of, income_line)
    rules = _RULES.get(version.id, {})
    results = []
    for indicator in version.indicators:
        if indicator.number not in rules:
            raise MissingRule(f"no rule for indicator {indicator.number} of {version.id}")
        try:
            outcome, reason = rules[indicator.number](view)
        except Incomplete as missing:
            outcome, reason = Outcome.INCOMPLETE, missing.reason_th
        results.append(IndicatorResult(indicator.number, outcome, reason))
    return results


# Bump when a rule's outcome for some household changes; stored with every household's
# results so that a later re-scoring knows which rules scored it.
ENGINE_VERSION = "1"


def rules_version(version: QuestionnaireVersion | str) -> str:
    return f"{as_version(version).id}/{ENGINE_VERSION}"


def results_as_json(results: Iterable[IndicatorResult]) -> list[dict]:
    """The results as stored with the household and shown to every client."""
    return [{"number": r.number, "outcome": r.outcome.value, "reason_th": r.reason_th}
            for r in results]


def to_masks(results: Iterable[IndicatorResult]) -> tuple[int, int]:
    """``(applicable, passed)``: bit n-1 is set for indicator n when it was PASS or FAIL
    (applicable) and when it was PASS (passed). NA and INCOMPLETE set neither."""
    applicable = passed = 0
    for result in results:
        if result.number < 1:
            raise ValueError(f"indicator numbers start at 1, got {result.number}")
        bit = 1 << (result.number - 1)
        if result.outcome in (Outcome.PASS, Outcome.FAIL):
            applicable |= bit
        if result.outcome is Outcome.PASS:
            passed |= bit
    return applicable, passed


# ---------------------------------------------------------------- income helpers

def _amounts(household: Mapping, questions: Sequence[str]) -> int | None:
    answers = household.get("answers")
    if not isinstance(answers, Mapping):
        return None
    values = [answers.get(qid) for qid in questions]
    if all(is_integer(v) and v >= 0 for v in values):
        return sum(values)
    return None


def household_income(version: QuestionnaireVersion | str, household: Mapping) -> int | None:
    """Total income over 12 months (every income item, baht); ``None`` unless all are answered."""
    return _amounts(household, as_version(version).income_questions)


def household_expense(version: QuestionnaireVersion | str, household: Mapping) -> int | None:
    """Total expenses over 12 months (baht); ``None`` unless all items are answered."""
    return _amounts(household, as_version(version).expense_questions)


def income_per_person(version: QuestionnaireVersion | str, household: Mapping) -> int | None:
    """Total income ÷ members on the roster, rounded down (baht/person/year), as the form does."""
    members = household.get("members")
    total = household_income(version, household)
    if total is None or not isinstance(members, list) or not members:
        return None
    return total // len(members)


# ---------------------------------------------------------------- what rules read

_SKIP_HINT = re.compile(r"\s*\(ข้ามไป[^)]*\)")


_LEADING_VOWELS = "เแโใไ"


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut near ``limit`` characters, for reasons that quote a question: at a space
    if one is near, else between Thai characters without orphaning a vowel or tone mark."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
        while cut > 1 and (unicodedata.category(text[cut]) == "Mn"
                           or text[cut - 1] in _LEADING_VOWELS):
            cut -= 1
    return text[:cut].rstrip() + " …"


class HouseholdView:
    """The household as rules see it: roster groups and typed answers.

    Every accessor raises :class:`Incomplete` with a Thai reason when the household cannot
    answer it, so a rule states only the indicator's logic.
    """

    def __init__(self, version: QuestionnaireVersion, household: Mapping, as_of: date,
                 income_line: int):
        self.version = version
        self.household = household if isinstance(household, Mapping) else {}
        answers = self.household.get("answers")
        self.answers: Mapping = answers if isinstance(answers, Mapping) else {}
        self.roster = roster_of(self.household.get("members"), as_of)
        self.income_line = income_line

    def _require_roster(self) -> None:
        """An empty roster is incomplete, not "nobody in the group"."""
        if not self.roster:
            raise Incomplete("ไม่มีรายชื่อสมาชิกในครัวเรือน")

    @property
    def member_count(self) -> int:
        self._require_roster()
        return len(self.roster)

    def members_in(self, group: str) -> int:
        """How many members belong to ``group``."""
        self._require_roster()
        members = self.version.group_members(group, self.roster)
        if members is None:
            raise Incomplete("ไม่ทราบอายุของสมาชิกบางคน (วันเดือนปีเกิดไม่ถูกต้อง)")
        return len(members)

    def answered(self, qid: str) -> bool:
        return self.answers.get(qid) is not None

    def require(self, *qids: str) -> None:
        missing = [qid for qid in qids if not self.answered(qid)]
        if missing:
            raise Incomplete(f"ยังไม่ได้ตอบข้อ {', '.join(missing)}")

    def option(self, qid: str) -> str:
        """The chosen option of a choice question."""
        self.require(qid)
        answer = self.answers[qid]
        if not isinstance(answer, Mapping) or self.version.questions[qid].option(
                answer.get("option")) is None:
            raise Incomplete(f"คำตอบข้อ {qid} ไม่อยู่ในรูปแบบที่ถูกต้อง")
        return answer["option"]

    def selected(self, qid: str) -> list[str]:
        """The ticked options of a multi_choice question, in the order given."""
        self.require(qid)
        answer, question = self.answers[qid], self.version.questions[qid]
        if not isinstance(answer, list) or not all(
                isinstance(e, Mapping) and question.option(e.get("option")) for e in answer):
            raise Incomplete(f"คำตอบข้อ {qid} ไม่อยู่ในรูปแบบที่ถูกต้อง")
        if len(answer) < question.min_selected:
            raise Incomplete(f"ยังไม่ได้ตอบข้อ {qid}")
        return [e["option"] for e in answer]

    def count(self, qid: str) -> int | None:
        """The number of persons given with the chosen option, if any."""
        return answer_count(self.answers.get(qid))

    def number(self, qid: str) -> int:
        self.require(qid)
        value = self.answers[qid]
        if not is_integer(value) or value < 0:
            raise Incomplete(f"คำตอบข้อ {qid} ไม่อยู่ในรูปแบบที่ถูกต้อง")
        return value

    def label(self, qid: str, entry: Mapping | None = None) -> str:
        """The chosen option's label with its numbers filled in: "ไม่ได้รับ 2 คน"."""
        entry = self.answers[qid] if entry is None else entry
        option = self.version.questions[qid].option(entry["option"])
        text = _SKIP_HINT.sub("", option.label_th)
        for spec in option.inputs:
            value = entry.get(spec.name)
            if spec.kind != "text" and is_integer(value):
                text = text.replace("…", f"{value:,}", 1)
        return text

    def labels(self, qid: str) -> str:
        """The labels of every ticked option of a multi_choice answer, joined."""
        return ", ".join(self.label(qid, entry) for entry in self.answers[qid])

    def quote(self, qid: str) -> str:
        """The item, shortened, and its answer: "ข้อ 4.2 ถ้ากินเนื้อสัตว์…: ไม่ใช่"."""
        return f"ข้อ {qid} {_short(self.version.questions[qid].text_th)}: {self.label(qid)}"


# ---------------------------------------------------------------- rule helpers

def everyone_in_group(h: HouseholdView, group: str, qid: str, *, passed: str,
                      failed: str) -> Verdict:
    """An "ทุกคน ("1") / ไม่ … n คน ("0")" item about the members of ``group``: NA without
    such members, PASS when everyone, FAIL otherwise (with the count when given)."""
    if h.members_in(group) == 0:
        return Outcome.NA, f"ไม่มี{h.version.group_label(group)}"
    if h.option(qid) == "1":
        return Outcome.PASS, passed
    count = h.count(qid)
    return Outcome.FAIL, failed + (f" {count:,} คน" if count is not None else "")


def all_items(h: HouseholdView, qids: Sequence[str], *, good: str, passed: str,
              failed: str | None = None) -> Verdict:
    """Items that must all have the option ``good``; a FAIL says ``failed`` or quotes the
    failing items."""
    h.require(*qids)
    failing = [qid for qid in qids if h.option(qid) != good]
    if not failing:
        return Outcome.PASS, passed
    return Outcome.FAIL, failed or "ไม่ผ่าน " + "; ".join(h.quote(qid) for qid in failing)


def everyone_works(h: HouseholdView, group: str, qid: str, *, passed: str,
                   failed: str) -> Verdict:
    """20/21: PASS when "ทุกคน" has an occupation and an income; FAIL when anyone lacks an
    occupation, with or without income; NA without eligible members."""
    if h.members_in(group) == 0:
        return Outcome.NA, f"ไม่มี{h.version.group_label(group)}"
    if "1" in h.selected(qid):
        return Outcome.PASS, passed
    return Outcome.FAIL, f"{failed} {h.labels(qid)}"


# ---------------------------------------------------------------- 2560-2564: หมวด 1 สุขภาพ
V2560 = "2560-2564"


@rule(V2560, 1)
def newborn_birth_weight(h: HouseholdView) -> Verdict:
    """Every child under 1 year had a birth weight of at least 2,500 g (1.2).

    Uncertain "ไม่เกิน 1 ปี": read as completed years = 0, i.e. up to the first birthday, as
    the app did — the narrower reading of "newborn"; a one-year-old is still covered by the
    vaccination indicator 3.
    """
    return everyone_in_group(h, "age_0", "1.2",
                             passed="เด็กอายุต่ำกว่า 1 ปี มีน้ำหนักแรกเกิด 2,500 กรัมขึ้นไปทุกคน",
                             failed="เด็กอายุต่ำกว่า 1 ปี มีน้ำหนักแรกเกิดน้อยกว่า 2,500 กรัม")


@rule(V2560, 2)
def exclusive_breastfeeding(h: HouseholdView) -> Verdict:
    """Children aged 6 months to 1 year were breastfed only for their first 6 months (2.4).

    Uncertain (fact sheet §9): scored on 2.4 alone; the under-6-month children of 2.2 are
    still being breastfed, so their outcome is not known yet and they are only monitored.
    The group is 6 ≤ completed months ≤ 12 (total months, not the app's months remainder);
    NA when the household has no such child, whatever 2.4 says.
    """
    return everyone_in_group(
        h, "age_months_6_12", "2.4",
        passed="เด็กอายุ 6 เดือนถึง 1 ปี ได้กินนมแม่อย่างเดียว 6 เดือนแรกติดต่อกันทุกคน",
        failed="เด็กอายุ 6 เดือนถึง 1 ปี ไม่ได้กินนมแม่อย่างเดียว 6 เดือนแรก")


@rule(V2560, 3)
def child_vaccination(h: HouseholdView) -> Verdict:
    """Every child from birth to 12 years is fully vaccinated (3.2); 3.3 is the detail."""
    return everyone_in_group(h, "age_0_12", "3.2",
                             passed="เด็กแรกเกิดถึง 12 ปี ได้รับวัคซีนครบตามตารางทุกคน",
                             failed="เด็กแรกเกิดถึง 12 ปี ไม่ได้รับวัคซีนครบตามตาราง")


@rule(V2560, 4)
def hygienic_food(h: HouseholdView) -> Verdict:
    """All four food-hygiene practices 4.1-4.4 are ใช่; household-level, always applicable."""
    return all_items(h, ["4.1", "4.2", "4.3", "4.4"], good="1",
                     passed="ครัวเรือนกินอาหารถูกสุขลักษณะ ปลอดภัย ครบทั้ง 4 ข้อ")


@rule(V2560, 5)
def appropriate_medicine(h: HouseholdView) -> Verdict:
    """All four medicine practices 5.1-5.4 are ใช่ (5.4 is item 1541, which the Android
    sibling app read under a wrong key)."""
    return all_items(h, ["5.1", "5.2", "5.3", "5.4"], good="1",
                     passed="ครัวเรือนใช้ยาเพื่อบำบัดบรรเทาอาการเจ็บป่วยเบื้องต้น"
                            "อย่างเหมาะสมครบทั้ง 4 ข้อ")


@rule(V2560, 6)
def annual_health_check(h: HouseholdView) -> Verdict:
    """Every member aged 35+ had an annual check-up in the past year (6.4).

    Uncertain: diabetes/hypertension screening (6.5) is not accepted as a substitute — the
    indicator names the annual check-up, 6.5 is asked only of those who missed it, and no
    source says it counts.
    """
    return everyone_in_group(h, "age_35_plus", "6.4",
                             passed="คนอายุ 35 ปีขึ้นไปได้รับการตรวจสุขภาพประจำปีทุกคน",
                             failed="คนอายุ 35 ปีขึ้นไปไม่ได้รับการตรวจสุขภาพประจำปี")


@rule(V2560, 7)
def exercise(h: HouseholdView) -> Verdict:
    """Every member aged 6+ exercises (3 days × 30 min) or is active (5 days × 30 min) (7.1);
    NA without members aged 6+ (the app had no NA here)."""
    return everyone_in_group(h, "age_6_plus", "7.1",
                             passed="คนอายุ 6 ปีขึ้นไปออกกำลังกายหรือออกแรงตามเกณฑ์ทุกคน",
                             failed="คนอายุ 6 ปีขึ้นไปไม่ได้ออกกำลังกายหรือออกแรงตามเกณฑ์")


# ---------------------------------------------------------------- หมวด 2 สภาพแวดล้อม

@rule(V2560, 8)
def secure_durable_housing(h: HouseholdView) -> Verdict:
    """Secure tenure (8.1) and a durable house (8.2), both ใช่. The residence-land answer is
    not used: the form asks 8.1 directly."""
    return all_items(h, ["8.1", "8.2"], good="1",
                     passed="ครัวเรือนมีความมั่นคงในที่อยู่อาศัยและบ้านมีสภาพคงทนถาวร")


@rule(V2560, 9)
def drinking_water(h: HouseholdView) -> Verdict:
    """Enough clean drinking water all year, ≥ 5 litres per person per day (9.1)."""
    return all_items(h, ["9.1"], good="1",
                     passed="มีน้ำสะอาดสำหรับดื่มและบริโภคเพียงพอตลอดปี "
                            "อย่างน้อยคนละ 5 ลิตรต่อวัน",
                     failed="มีน้ำสะอาดสำหรับดื่มและบริโภคไม่เพียงพอ (น้อยกว่าคนละ 5 ลิตรต่อวัน)")


@rule(V2560, 10)
def household_water(h: HouseholdView) -> Verdict:
    """Enough household-use water all year, ≥ 45 litres per person per day (10.1)."""
    return all_items(h, ["10.1"], good="1",
                     passed="มีน้ำใช้เพียงพอตลอดปี อย่างน้อยคนละ 45 ลิตรต่อวัน",
                     failed="มีน้ำใช้ไม่เพียงพอ (น้อยกว่าคนละ 45 ลิตรต่อวัน)")


@rule(V2560, 11)
def tidy_clean_home(h: HouseholdView) -> Verdict:
    """Every item 11.1-11.8 is มี, including all four waste items 11.5.1-11.5.4.

    Uncertain whether every 11.5 sub-item is required: the form lists them as parts of one
    item "มีการจัดการขยะ ดังนี้", so all are required (the app checked only 11.5.1).
    """
    items = ["11.1", "11.2", "11.3", "11.4", "11.5.1", "11.5.2", "11.5.3", "11.5.4",
             "11.6", "11.7", "11.8"]
    return all_items(h, items, good="1",
                     passed="บ้านเรือนเป็นระเบียบเรียบร้อย สะอาด และถูกสุขลักษณะครบทุกข้อ")


@rule(V2560, 12)
def free_from_pollution(h: HouseholdView) -> Verdict:
    """All of 12.1-12.6 are ไม่ถูกรบกวน (the app had this inverted); 12.7 is informational."""
    return all_items(h, [f"12.{i}" for i in range(1, 7)], good="1",
                     passed="ครัวเรือนไม่ถูกรบกวนจากมลพิษทั้ง 6 ด้าน")


@rule(V2560, 13)
def accident_disaster_prevention(h: HouseholdView) -> Verdict:
    """All four precautions 13.1.1-13.1.4 are มี; 13.2 and 13.3 are informational."""
    return all_items(h, ["13.1.1", "13.1.2", "13.1.3", "13.1.4"], good="1",
                     passed="ครัวเรือนมีการป้องกันอุบัติภัยและภัยธรรมชาติครบทั้ง 4 ข้อ")


@rule(V2560, 14)
def life_property_safety(h: HouseholdView) -> Verdict:
    """No incident of any kind in the past year (14.1-14.3, 14.5, 14.6; "0" is always none).

    Uncertain: the wording of form item 14.4 is unknown, so it is not asked and the rule
    stands on the five known items.
    """
    return all_items(h, ["14.1", "14.2", "14.3", "14.5", "14.6"], good="0",
                     passed="ในรอบปีที่ผ่านมา ครัวเรือนไม่มีเหตุร้ายต่อชีวิตและทรัพย์สิน")


# ---------------------------------------------------------------- หมวด 3 การศึกษา

@rule(V2560, 15)
def preschool_care(h: HouseholdView) -> Verdict:
    """Every child aged 3-5 receives pre-school care or preparation (15.2)."""
    service = "บริการเลี้ยงดูเตรียมความพร้อมก่อนวัยเรียน"
    return everyone_in_group(h, "age_3_5", "15.2",
                             passed=f"เด็กอายุ 3 - 5 ปี ได้รับ{service}ทุกคน",
                             failed=f"เด็กอายุ 3 - 5 ปี ไม่ได้รับ{service}")


@rule(V2560, 16)
def compulsory_education(h: HouseholdView) -> Verdict:
    """Every child aged 6-14 attends ป.1-ม.3 (16.2); 16.3-16.5 are informational."""
    return everyone_in_group(h, "age_6_14", "16.2",
                             passed="เด็กอายุ 6 - 14 ปี ได้เรียนชั้น ป.1 - ม.3 ทุกคน",
                             failed="เด็กอายุ 6 - 14 ปี ไม่ได้เรียนชั้น ป.1 - ม.3")


@rule(V2560, 17)
def continued_to_upper_secondary(h: HouseholdView) -> Verdict:
    """Every child who finished ม.3 in the past year went on to ม.4 or equivalent (17.2);
    NA when 17.1 says nobody finished ม.3. 17.1 is asked, not derived from ages."""
    if h.option("17.1") == "0":
        return Outcome.NA, "ในรอบปีที่ผ่านมาไม่มีเด็กจบชั้น ม.3"
    if h.option("17.2") == "1":
        return Outcome.PASS, "เด็กจบชั้น ม.3 ได้เรียนต่อชั้น ม.4 หรือเทียบเท่าทุกคน"
    count = h.count("17.2")
    return Outcome.FAIL, "เด็กจบชั้น ม.3 ไม่ได้เรียนต่อชั้น ม.4 หรือเทียบเท่า" + (
        f" {count:,} คน" if count is not None else "")


@rule(V2560, 18)
def vocational_training(h: HouseholdView) -> Verdict:
    """Everyone who left after compulsory school and neither studies nor works was trained
    (18.2); NA when 18.1 says there is nobody in that situation."""
    if h.option("18.1") == "0":
        return Outcome.NA, "ไม่มีคนที่จบการศึกษาภาคบังคับ 9 ปี ที่ไม่ได้เรียนต่อและยังไม่มีงานทำ"
    who = "คนที่จบการศึกษาภาคบังคับแล้วไม่ได้เรียนต่อและยังไม่มีงานทำ"
    if h.option("18.2") == "1":
        return Outcome.PASS, f"{who} ได้รับการฝึกอบรมด้านอาชีพทุกคน"
    count = h.count("18.2")
    return Outcome.FAIL, f"{who} ไม่ได้รับการฝึกอบรมด้านอาชีพ" + (
        f" {count:,} คน" if count is not None else "")


@rule(V2560, 19)
def literacy_numeracy(h: HouseholdView) -> Verdict:
    """Everyone aged 15-59 reads and writes Thai and does simple arithmetic (19.2);
    English (19.3) is informational."""
    return everyone_in_group(h, "age_15_59", "19.2",
                             passed="คนอายุ 15 - 59 ปี อ่าน เขียนภาษาไทย "
                                    "และคิดเลขอย่างง่ายได้ทุกคน",
                             failed="คนอายุ 15 - 59 ปี อ่าน เขียนภาษาไทย และคิดเลขอย่างง่ายไม่ได้")


# ---------------------------------------------------------------- หมวด 4 การมีงานทำและรายได้

@rule(V2560, 20)
def working_age_employment(h: HouseholdView) -> Verdict:
    """Every eligible member aged 15-59 has both an occupation and an income (20.2).

    Eligible excludes students who only study (occupation 02) and disabled members who cannot
    look after themselves, as 20.1 says (the app did not apply this). Income without an
    occupation does not pass.
    """
    return everyone_works(h, "workers_15_59", "20.2",
                          passed="คนอายุ 15 - 59 ปี มีอาชีพและมีรายได้ทุกคน",
                          failed="คนอายุ 15 - 59 ปี")


@rule(V2560, 21)
def elderly_employment(h: HouseholdView) -> Verdict:
    """As 20, for members aged 60+ excluding disabled members who cannot look after themselves
    (21.2); NA without such members."""
    return everyone_works(h, "workers_60_plus", "21.2",
                          passed="คนอายุ 60 ปีขึ้นไปมีอาชีพและมีรายได้ทุกคน",
                          failed="คนอายุ 60 ปีขึ้นไป")


@rule(V2560, 22)
def average_income(h: HouseholdView) -> Verdict:
    """Total income of the past 12 months (all income items 22.1.1-22.1.4) ÷ members on the
    roster, rounded down, is at least the round's income line (38,000 baht by default).

    Recomputed from the answers and the roster every time (no stale stored average); an empty
    roster or an unanswered income item is INCOMPLETE, never a FAIL.
    """
    members = h.member_count
    h.require(*h.version.income_questions)
    total = sum(h.number(qid) for qid in h.version.income_questions)
    per_person = total // members
    if per_person >= h.income_line:
        return Outcome.PASS, (f"รายได้เฉลี่ย {per_person:,} บาท/คน/ปี "
                              f"ไม่ต่ำกว่าเกณฑ์ {h.income_line:,} บาท")
    return Outcome.FAIL, (f"รายได้เฉลี่ย {per_person:,} บาท/คน/ปี "
                          f"ต่ำกว่าเกณฑ์ {h.income_line:,} บาท")


@rule(V2560, 23)
def saving(h: HouseholdView) -> Verdict:
    """The household saved in some form in the past year (23.1) and a positive amount (23.2).

    Uncertain: no minimum amount is known, so any amount above 0 passes; the app's reuse of
    the 38,000-baht income line for savings has no basis. Welfare items 23.3-23.5 are
    informational.
    """
    if "12" in h.selected("23.1"):
        return Outcome.FAIL, "ในรอบปีที่ผ่านมา ครัวเรือนไม่มีการออมเงิน"
    amount = h.number("23.2")
    if amount > 0:
        return Outcome.PASS, f"ครัวเรือนมีการเก็บออมเงิน ปีละ {amount:,} บาท"
    return Outcome.FAIL, "ระบุรูปแบบการออม แต่จำนวนเงินออมในรอบปีเป็น 0 บาท"


# ---------------------------------------------------------------- หมวด 5 ค่านิยม

@rule(V2560, 24)
def no_alcohol(h: HouseholdView) -> Verdict:
    """Nobody in the household drinks alcohol (24.1 = ไม่ดื่มสุราทุกคน).

    Uncertain age limit: none is applied — the form counts drinkers in every age band,
    including under 15, so all members are in scope. Always applicable.
    """
    if "1" in h.selected("24.1"):
        return Outcome.PASS, "ไม่มีคนในครัวเรือนดื่มสุรา"
    return Outcome.FAIL, h.labels("24.1")


@rule(V2560, 25)
def no_smoking(h: HouseholdView) -> Verdict:
    """Nobody smokes: 25.1 = "0" (ไม่สูบบุหรี่ทุกคน) passes, "1" with a count fails."""
    if h.option("25.1") == "0":
        return Outcome.PASS, "ไม่มีคนในครัวเรือนสูบบุหรี่"
    return Outcome.FAIL, h.label("25.1")


@rule(V2560, 26)
def religious_practice(h: HouseholdView) -> Verdict:
    """Everyone aged 6+ practises a religious activity at least weekly (26.1); NA without
    members aged 6+."""
    practice = "ปฏิบัติกิจกรรมทางศาสนาอย่างน้อยสัปดาห์ละ 1 ครั้ง"
    return everyone_in_group(h, "age_6_plus", "26.1",
                             passed=f"คนอายุ 6 ปีขึ้นไป{practice}ทุกคน",
                             failed=f"คนอายุ 6 ปีขึ้นไปไม่ได้{practice}")


@rule(V2560, 27)
def elderly_care(h: HouseholdView) -> Verdict:
    """Every member aged 60+ is cared for (27.2)."""
    return everyone_in_group(h, "age_60_plus", "27.2",
                             passed="ผู้สูงอายุได้รับการดูแลทุกคน",
                             failed="ผู้สูงอายุไม่ได้รับการดูแล")


@rule(V2560, 28)
def disabled_care(h: HouseholdView) -> Verdict:
    """Every disabled member is cared for (28.3).

    Uncertain: the disability card (28.2) is not required to pass — the indicator is about
    care, and no source makes the card part of the criterion.
    """
    return everyone_in_group(h, "disabled", "28.3",
                             passed="ผู้พิการได้รับการดูแลทุกคน",
                             failed="ผู้พิการไม่ได้รับการดูแล")


@rule(V2560, 29)
def chronic_patient_care(h: HouseholdView) -> Verdict:
    """Every chronically ill member is cared for (29.2). A member can be both disabled and
    chronically ill (health code 3) and then counts for 28 and 29."""
    return everyone_in_group(h, "chronically_ill", "29.2",
                             passed="ผู้ป่วยโรคเรื้อรังได้รับการดูแลทุกคน",
                             failed="ผู้ป่วยโรคเรื้อรังไม่ได้รับการดูแล")


@rule(V2560, 30)
def public_participation(h: HouseholdView) -> Verdict:
    """Someone in the household took part in a public activity in the past year (30.1)."""
    return all_items(h, ["30.1"], good="1",
                     passed="คนในครัวเรือนมีส่วนร่วมทำกิจกรรมสาธารณะ"
                            "เพื่อประโยชน์ของชุมชนหรือท้องถิ่น",
                     failed="ในรอบปีที่ผ่านมา คนในครัวเรือนไม่มีส่วนร่วมทำกิจกรรมสาธารณะ")


@rule(V2560, 31)
def warm_family(h: HouseholdView) -> Verdict:
    """With 2+ members: all three of 31.1 are มี. Living alone: visits relatives at least
    yearly (31.2.1) or, with no relatives, lives happily (31.2.2).

    Uncertain (§9): all three 31.1 conditions are required, since each describes part of a
    warm family (the app passed on any one). Living alone, 31.2.1 applies when relatives
    exist, so when both are answered 31.2.1 decides.
    """
    if h.member_count >= 2:
        return all_items(h, ["31.1.1", "31.1.2", "31.1.3"], good="1",
                         passed="ครอบครัวมีความอบอุ่นครบทั้ง 3 ข้อ")
    if h.answered("31.2.1"):
        if h.option("31.2.1") == "1":
            return Outcome.PASS, "อยู่คนเดียว และไปเยี่ยมเยือนญาติอย่างน้อยปีละ 1 ครั้ง"
        return Outcome.FAIL, "อยู่คนเดียว และไม่ไปเยี่ยมเยือนญาติ"
    if h.answered("31.2.2"):
        if h.option("31.2.2") == "1":
            return Outcome.PASS, "อยู่คนเดียว ไม่มีญาติ และดำรงชีวิตได้อย่างมีความสุข"
        return Outcome.FAIL, "อยู่คนเดียว ไม่มีญาติ และไม่มีความสุข"
    raise Incomplete("ยังไม่ได้ตอบข้อ 31.2.1 หรือข้อ 31.2.2")
