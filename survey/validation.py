"""Pure validation of a household payload against a questionnaire version (no database).

The household payload accepted here and by :func:`survey.indicators.evaluate`::

    {"house_code": "65019912345",        # 11 digits; null or absent when the house has no number
     "house_number": "12/3",             # or the nearest house number
     "address": {"moo": "5", "soi": "", "road": ""},
     "village_code": "65010105",
     "residence_land": {"option": "1", "rai": 0, "square_wah": 80, "document": "01"},
     "occupation_land": {"option": "5"},
     "members": [{"prefix": "003", "first_name": "สมชาย", "last_name": "ใจดี", "sex": "1",
                  "national_id": "1234567890121", "birth_date": "15/04/2530",
                  "is_head": true, "relationship": null, "education": "04", "occupation": "03",
                  "religion": "1", "health": "0", "self_care": true,
                  "informant": true, "welfare_card": false}],
     "answers": {"1.2": {"option": "1"}, "22.1.1": 120000, "23.1": [{"option": "2"}]},
     "happiness": 7,
     "incomplete_reason": null,           # or a code of code_lists.incomplete_reason
     "incomplete_note": null}             # required when that code has note_required

Code values come from the version's ``code_lists``; land fields use the ``choice`` encoding
with the options of ``household_fields``; answers use the encoding documented in
:mod:`survey.questionnaires`. The head is the member with ``is_head: true`` and has no
``relationship``. Other keys (GPS, client_uuid, sign-off …) are the service layer's business
and are ignored here.

Decisions:

* Birth dates are accepted only as ``dd/mm/yyyy`` in the Buddhist Era, zero-padded, as the
  form writes them. ISO dates are rejected: ``2530-04-15`` and ``1987-04-15`` would both look
  plausible, and a silent 543-year slip is worse than an error.
* A missing answer to a relevant required question is an error (``ANSWER_REQUIRED``) unless
  the enumerator chose why in ``incomplete_reason`` (the household refused part of the
  interview, the informant could not answer …): then it is a warning (``ANSWER_MISSING``),
  the household is stored as *partial* with its reason, the affected indicators evaluate to
  INCOMPLETE, and progress and reports count partial households apart. The reason explains
  unanswered questions only: the roster, the land fields and the happiness score stay
  required (``NO_MEMBERS``, ``FIELD_REQUIRED``), since every indicator depends on the roster.
* A reason on a household with nothing missing is dropped with a warning
  (``REASON_NOT_NEEDED``; ``ValidationReport.partial`` is false), like an answer to a question
  the household is not asked: the household is complete, which is all the rule asks, and
  refusing a signed interview would send it back to the phone for a field that changes
  nothing. A code outside the list is an error either way.
* ``today`` is the interview date: relevance (e.g. "a child under 1 year") depends on it.

Error codes (``Issue.error_code``), errors unless marked (W):

================================  =============================================================
PAYLOAD_TYPE                      the payload is not a JSON object
FIELD_REQUIRED / FIELD_TYPE       a required field is missing / has the wrong JSON type
FIELD_NOT_APPLICABLE              a field given where it does not apply (head's relationship)
HOUSE_CODE_FORMAT                 house code is not 11 digits
MOO_FORMAT                        หมู่ที่ is not 1-3 digits
HAPPINESS_RANGE                   happiness score outside 0-10
NO_MEMBERS / HEAD_COUNT           no member / not exactly one household head
CODE_NOT_IN_LIST                  a code not in the version's code list
NATIONAL_ID_FORMAT                national ID is not 13 digits
NATIONAL_ID_FIRST_DIGIT           first digit is not 1-8
NATIONAL_ID_CHECK_DIGIT           check digit does not match
NATIONAL_ID_DUPLICATE             the same national ID twice in the household
BIRTH_DATE_FORMAT                 not dd/mm/yyyy
BIRTH_DATE_INVALID                no such calendar date
BIRTH_DATE_FUTURE                 after the interview date
BIRTH_DATE_TOO_OLD                more than 120 years before the interview date
UNKNOWN_QUESTION                  an answer to a question id the version does not have
ANSWER_NOT_EXPECTED               an answer to a computed item or a heading
TEXT_INVALID_CHARACTER            a control or bidirectional-override character in any text
TEXT_TOO_LONG                     longer than the field's column (``TEXT_LIMITS``)
NAME_NOT_TEXT                     a name with no letter (only marks, zero-width characters …)
MEMBERS_TOO_MANY                  more members than ``MAX_MEMBERS``
AMOUNT_OUT_OF_RANGE               a baht amount above ``MAX_AMOUNT_BAHT`` (not a real household)
ANSWER_TYPE                       the answer has the wrong JSON shape for its widget
OPTION_NOT_ALLOWED                an option the question does not offer
OPTION_DUPLICATE / OPTION_EXCLUSIVE  a ticked option repeated / an exclusive option combined
TOO_FEW_OPTIONS                   fewer ticked options than the question requires
INPUT_REQUIRED / INPUT_NOT_ALLOWED   a missing input of the chosen option / an unexpected key
NOT_AN_INTEGER                    a number that is not a JSON integer
NEGATIVE_COUNT / NEGATIVE_AMOUNT  a negative count of persons / amount of baht
COUNT_BELOW_MINIMUM               e.g. "ไม่ได้รับ 0 คน"
COUNT_EXCEEDS_MEMBERS             more persons than the roster (or the group counted) has
COUNT_EXCEEDS_ANSWER              more persons than the earlier answer it refines
VALUE_OUT_OF_RANGE                hours, times, ตารางวา outside their range
ANSWER_REQUIRED                   a relevant required question is unanswered and no
                                  ``incomplete_reason`` says why
ANSWER_MISSING (W)                the same, with an ``incomplete_reason``: stored as partial
REASON_NOT_NEEDED (W)             ``incomplete_reason`` / ``incomplete_note`` on a household
                                  with nothing missing: dropped
ANSWER_NOT_RELEVANT (W)           an answer to a question the household is not asked: dropped
                                  (``ValidationReport.dropped``), never scored or stored
MEMBERS_MANY (W)                  more members than ``MEMBERS_WARNING``
AMOUNT_IMPLAUSIBLE (W)            a baht amount above the version's plausibility limit
INCOME_IMPLAUSIBLE (W)            household income above 10,000,000 baht/year
INCOME_PER_PERSON_IMPLAUSIBLE (W) income above 2,000,000 baht per person/year
WELFARE_CARD_MISMATCH (W)         23.3 disagrees with the members' welfare-card flags
                                  (the version's ``member_count_checks``)
AGE_RELATIONSHIP (W)              e.g. a child of the head who is not younger than the head
PREFIX_SEX_MISMATCH (W)           e.g. นาย for a woman
PREFIX_AGE_MISMATCH (W)           e.g. เด็กชาย at 20, นาย at 10
NO_INFORMANT (W)                  nobody is marked as the informant
================================  =============================================================
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.text import ANY_TEXT_LIMIT, has_letter, text_problem
from survey.questionnaires import (
    InputSpec,
    Option,
    Person,
    Question,
    QuestionnaireVersion,
    as_version,
)

# Column sizes of the free-text fields (the models use the same numbers).
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "house_number": 40,
               "gps_missing_reason": 200, "signed_by": 200, "name": 200,
               "incomplete_note": 200}
NOT_TEXT = {"signature_png"}  # data, not text: checked (and bounded) where it is decoded
MAX_MEMBERS = 50              # above: an error (no household is this large)
MEMBERS_WARNING = 20          # above: a warning to double-check
MAX_AMOUNT_BAHT = 10_000_000_000  # one item above ten billion baht a year is not a household
INCOMPLETE_REASONS = "incomplete_reason"  # the version's code list of reasons for gaps

_NATIONAL_ID = re.compile(r"[0-9]{13}")
_BE_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
HOUSE_CODE = re.compile(r"[0-9]{11}")
_MOO = re.compile(r"[0-9]{1,3}")
_BE_OFFSET = 543


# ---------------------------------------------------------------- pure helpers

def national_id_check_digit(first_twelve: str) -> int:
    """(11 − (Σ_{i=1..12} d_i × (14 − i)) mod 11) mod 10: weights 13 down to 2."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def national_id_problem(value: Any) -> str | None:
    """The error code that makes ``value`` an invalid Thai national ID, or ``None``."""
    if not isinstance(value, str) or not _NATIONAL_ID.fullmatch(value):
        return "NATIONAL_ID_FORMAT"
    if value[0] not in "12345678":
        return "NATIONAL_ID_FIRST_DIGIT"
    if national_id_check_digit(value[:12]) != int(value[12]):
        return "NATIONAL_ID_CHECK_DIGIT"
    return None


def national_id_is_valid(value: Any) -> bool:
    return national_id_problem(value) is None


def mask_national_id(value: Any) -> str:
    """``1-xxxx-xxxxx-xx-3``: only the first and last digit stay visible (PDPA)."""
    if isinstance(value, str) and _NATIONAL_ID.fullmatch(value):
        return f"{value[0]}-xxxx-xxxxx-xx-{value[12]}"
    return "x-xxxx-xxxxx-xx-x"


def parse_be_date(value: Any) -> date:
    """``"15/04/2530"`` (day/month/Buddhist-Era year) → ``date(1987, 4, 15)``.

    Raises ``ValueError`` for any other shape (ISO dates included) or a non-existent date.
    """
    match = _BE_DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a dd/mm/yyyy Buddhist-Era date: {value!r}")
    day, month, year = (int(g) for g in match.groups())
    return date(year - _BE_OFFSET, month, day)


def format_be_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year + _BE_OFFSET}"


def age_in_months(birth: date, as_of: date) -> int:
    """Completed months from ``birth`` to ``as_of`` (negative if ``birth`` is later)."""
    months = (as_of.year - birth.year) * 12 + as_of.month - birth.month
    return months - (as_of.day < birth.day)


def age_in_years(birth: date, as_of: date) -> int:
    """Completed years from ``birth`` to ``as_of``; a 29 February birthday counts from 1 March."""
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def roster_of(members: Any, as_of: date) -> list[Person]:
    """The roster as member-group facts; a member without a valid past birth date has no age."""
    roster = []
    for member in members if isinstance(members, list) else []:
        member = member if isinstance(member, Mapping) else {}
        try:
            birth = parse_be_date(member.get("birth_date"))
        except ValueError:
            birth = None
        known = birth is not None and birth <= as_of
        roster.append(Person(age_years=age_in_years(birth, as_of) if known else None,
                             age_months=age_in_months(birth, as_of) if known else None,
                             sex=member.get("sex"), health=member.get("health"),
                             self_care=member.get("self_care"),
                             occupation=member.get("occupation")))
    return roster


def is_integer(value: Any) -> bool:
    """A JSON integer: ``True`` and ``False`` are not numbers here."""
    return isinstance(value, int) and not isinstance(value, bool)


def answer_count(answer: Any) -> int | None:
    """The ``count`` carried by a choice answer, or a number answer itself."""
    if is_integer(answer):
        return answer
    if isinstance(answer, Mapping) and is_integer(answer.get("count")):
        return answer["count"]
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _baht(amount: int) -> str:
    return f"{amount:,} บาท"


# ---------------------------------------------------------------- report

@dataclass(frozen=True)
class Issue:
    field: str
    error_code: str
    message_th: str


@dataclass(frozen=True)
class ValidationReport:
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    dropped: tuple[str, ...] = ()  # question ids answered although not asked: not kept
    # Required answers are missing and ``incomplete_reason`` says why: keep the reason.
    # False for a complete household, whose reason (if any) is dropped.
    partial: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_household(version: QuestionnaireVersion | str, payload: Any, *,
                       today: date) -> ValidationReport:
    """Check a household payload against ``version`` as of the interview date ``today``."""
    checker = _Checker(as_version(version), today)
    if not isinstance(payload, Mapping):
        checker.error("", "PAYLOAD_TYPE", "ข้อมูลครัวเรือนต้องเป็น JSON object")
    else:
        checker.household(payload)
    return ValidationReport(tuple(checker.errors), tuple(checker.warnings),
                            tuple(checker.dropped), checker.partial)


@dataclass
class _Checker:
    version: QuestionnaireVersion
    today: date
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    roster: list[Person] = field(default_factory=list)
    answers: Mapping = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    partial: bool = False
    relevance: dict = field(default_factory=dict)  # memo of relevance under ``answers``

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append(Issue(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Issue(path, code, message))

    def household(self, payload: Mapping) -> None:
        self.characters("", payload)
        self.header(payload)
        self.members(payload.get("members"))
        answers = payload.get("answers", {})
        if isinstance(answers, Mapping):
            self.answers = answers
            self.check_answers()
            self.explain_gaps(payload, self.unanswered())
        else:
            self.error("answers", "FIELD_TYPE", "คำตอบต้องเป็น JSON object แยกตามรหัสข้อ")
        self.cross_checks(payload)

    # ------------------------------------------------------------ header

    def header(self, payload: Mapping) -> None:
        house_code = payload.get("house_code")
        if not _blank(house_code) and not (isinstance(house_code, str)
                                           and HOUSE_CODE.fullmatch(house_code)):
            self.error("house_code", "HOUSE_CODE_FORMAT", "รหัสประจำบ้านต้องเป็นตัวเลข 11 หลัก")
        for name, label in (("house_number", "เลขที่บ้าน"), ("village_code", "หมู่บ้าน/ชุมชน")):
            self.required_text(name, payload.get(name), label)
        address = payload.get("address")
        if address is not None and not isinstance(address, Mapping):
            self.error("address", "FIELD_TYPE", "ที่อยู่ต้องเป็น JSON object (moo, soi, road)")
        elif address:
            moo = address.get("moo")
            if not _blank(moo) and not (isinstance(moo, str) and _MOO.fullmatch(moo)):
                self.error("address.moo", "MOO_FORMAT", "หมู่ที่ต้องเป็นตัวเลขไม่เกิน 3 หลัก")
        for name in ("residence_land", "occupation_land"):
            spec = self.version.household_fields[name]
            value = payload.get(name)
            if value is None:
                self.error(name, "FIELD_REQUIRED", f"กรุณาระบุ{spec.label_th}")
            else:
                self.choice(name, spec.label_th, spec.options, value)
        self.happiness(payload.get("happiness"))

    def characters(self, path: str, value: Any) -> None:
        """Every string anywhere in the payload: no control or bidi-override characters,
        no longer than its column (``TEXT_LIMITS`` by the key holding it, else
        ``ANY_TEXT_LIMIT``). A string's path is spelled out only for an error."""
        if isinstance(value, Mapping):
            def spelled(key) -> str:
                return f"{path}.{key}" if path else str(key)
            for key, item in value.items():
                if isinstance(item, str):
                    self.text(item, str(key), lambda key=key: spelled(key))
                elif isinstance(item, (list, Mapping)):
                    self.characters(spelled(key), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self.text(item, "", lambda i=i: f"{path}[{i}]")
                elif isinstance(item, (list, Mapping)):
                    self.characters(f"{path}[{i}]", item)

    def text(self, value: str, name: str, path: Callable[[], str]) -> None:
        if name not in NOT_TEXT:
            problem = text_problem(value, TEXT_LIMITS.get(name, ANY_TEXT_LIMIT))
            if problem:
                self.error(path() or "_", *problem)

    def required_text(self, path: str, value: Any, label: str, *, name: bool = False) -> None:
        if _blank(value):
            self.error(path, "FIELD_REQUIRED", f"กรุณาระบุ{label}")
        elif not isinstance(value, str):
            self.error(path, "FIELD_TYPE", f"{label}ต้องเป็นข้อความ")
        elif name and not has_letter(value):
            self.error(path, "NAME_NOT_TEXT", f"{label}ต้องมีตัวอักษร")

    def happiness(self, score: Any) -> None:
        low, high = self.version.happiness["min"], self.version.happiness["max"]
        if score is None:
            self.error("happiness", "FIELD_REQUIRED", "กรุณาประเมินระดับความสุข")
        elif not is_integer(score):
            self.error("happiness", "NOT_AN_INTEGER", "คะแนนความสุขต้องเป็นจำนวนเต็ม")
        elif not low <= score <= high:
            self.error("happiness", "HAPPINESS_RANGE",
                       f"คะแนนความสุขต้องอยู่ระหว่าง {low} ถึง {high}")

    # ------------------------------------------------------------ roster

    def members(self, members: Any) -> None:
        if members is None or members == []:
            self.error("members", "NO_MEMBERS", "ครัวเรือนต้องมีสมาชิกอย่างน้อย 1 คน")
            return
        if not isinstance(members, list):
            self.error("members", "FIELD_TYPE", "รายชื่อสมาชิกต้องเป็น JSON array")
            return
        if len(members) > MAX_MEMBERS:
            self.error("members", "MEMBERS_TOO_MANY",
                       f"สมาชิก {len(members):,} คน เกินกว่าที่ครัวเรือนหนึ่งจะมีได้ "
                       f"(ไม่เกิน {MAX_MEMBERS} คน)")
            return
        if len(members) > MEMBERS_WARNING:
            self.warn("members", "MEMBERS_MANY",
                      f"สมาชิก {len(members)} คน มากผิดปกติ กรุณาตรวจสอบว่าไม่ได้บันทึกซ้ำ")
        self.roster = roster_of(members, self.today)
        for i, member in enumerate(members):
            if isinstance(member, Mapping):
                self.member(f"members[{i}]", member)
            else:
                self.error(f"members[{i}]", "FIELD_TYPE",
                           f"ข้อมูลสมาชิกคนที่ {i + 1} ต้องเป็น JSON object")
        members = [m if isinstance(m, Mapping) else {} for m in members]
        heads = [i for i, m in enumerate(members) if m.get("is_head") is True]
        if len(heads) != 1:
            self.error("members", "HEAD_COUNT",
                       f"ครัวเรือนต้องมีหัวหน้าครัวเรือน 1 คน (พบ {len(heads)} คน)")
        self.duplicate_ids(members)
        if len(heads) == 1:
            self.relationship_ages(members, heads[0])
        if not any(m.get("informant") is True for m in members):
            self.warn("members", "NO_INFORMANT", "ไม่ได้ระบุว่าสมาชิกคนใดเป็นผู้ให้ข้อมูล")

    def member(self, path: str, member: Mapping) -> None:
        is_head = member.get("is_head") is True
        for spec in self.version.member_fields:
            where, value = f"{path}.{spec.name}", member.get(spec.name)
            if spec.applies_to == "non_head" and is_head:
                if not _blank(value):
                    self.error(where, "FIELD_NOT_APPLICABLE",
                               f"หัวหน้าครัวเรือนไม่ต้องระบุ{spec.label_th}")
            elif _blank(value):
                if spec.required:
                    self.error(where, "FIELD_REQUIRED", f"กรุณาระบุ{spec.label_th}")
            elif spec.type == "text":
                self.required_text(where, value, spec.label_th, name=True)
            elif spec.type == "boolean" and not isinstance(value, bool):
                self.error(where, "FIELD_TYPE", f"{spec.label_th}ต้องเป็น true หรือ false")
            elif spec.type == "code":
                self.code(where, spec.label_th, spec.code_list, value)
            elif spec.type == "national_id":
                self.national_id(where, value)
            elif spec.type == "be_date":
                self.birth_date(where, value)
        self.prefix_consistency(path, member)

    def code(self, path: str, label: str, code_list: str, value: Any) -> None:
        if value not in self.version.code_lists[code_list]:
            self.error(path, "CODE_NOT_IN_LIST", f"{label}: ไม่มีรหัส {value!r} ในรายการ")

    def national_id(self, path: str, value: Any) -> None:
        messages = {
            "NATIONAL_ID_FORMAT": "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก",
            "NATIONAL_ID_FIRST_DIGIT": "เลขประจำตัวประชาชนหลักแรกต้องเป็นเลข 1 ถึง 8",
            "NATIONAL_ID_CHECK_DIGIT":
                "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขหลักสุดท้ายไม่ตรงกับเลขตรวจสอบ)",
        }
        problem = national_id_problem(value)
        if problem:
            self.error(path, problem, messages[problem])

    def birth_date(self, path: str, value: Any) -> None:
        if not isinstance(value, str) or not _BE_DATE.fullmatch(value):
            self.error(path, "BIRTH_DATE_FORMAT",
                       "วันเกิดต้องอยู่ในรูปแบบ วว/ดด/ปปปป เป็นปี พ.ศ. เช่น 15/04/2530")
            return
        try:
            birth = parse_be_date(value)
        except ValueError:
            self.error(path, "BIRTH_DATE_INVALID", f"ไม่มีวันที่ {value} ในปฏิทิน")
            return
        max_age = self.version.thresholds["max_age_years"]
        if birth > self.today:
            self.error(path, "BIRTH_DATE_FUTURE",
                       f"วันเกิด {value} อยู่หลังวันที่สำรวจ {format_be_date(self.today)}")
        elif age_in_years(birth, self.today) > max_age:
            hint = (" ปีเกิดดูเหมือนเป็นปี ค.ศ. กรุณาระบุเป็นปี พ.ศ. (ค.ศ. + 543)"
                    if int(value[-4:]) < 2400 else "")
            self.error(path, "BIRTH_DATE_TOO_OLD",
                       f"วันเกิด {value} ทำให้อายุเกิน {max_age} ปี{hint}")

    def prefix_consistency(self, path: str, member: Mapping) -> None:
        prefix = self.version.code_lists["prefix"].entry(member.get("prefix"))
        if prefix is None:
            return
        sex = self.version.code_lists["sex"].entry(member.get("sex"))
        if sex and prefix.get("sex") not in (None, sex["value"]):
            self.warn(f"{path}.prefix", "PREFIX_SEX_MISMATCH",
                      f"คำนำหน้าชื่อ \"{prefix['label_th']}\" ไม่ตรงกับเพศ \"{sex['label_th']}\"")
        age = _age_of(member, self.today)
        if age is None:
            return
        if "max_age" in prefix and age > prefix["max_age"]:
            self.warn(f"{path}.prefix", "PREFIX_AGE_MISMATCH",
                      f"คำนำหน้าชื่อ \"{prefix['label_th']}\" ใช้กับผู้ที่อายุไม่เกิน "
                      f"{prefix['max_age']} ปี แต่สมาชิกอายุ {age} ปี")
        if "min_age" in prefix and age < prefix["min_age"]:
            self.warn(f"{path}.prefix", "PREFIX_AGE_MISMATCH",
                      f"คำนำหน้าชื่อ \"{prefix['label_th']}\" ใช้กับผู้ที่อายุ "
                      f"{prefix['min_age']} ปีขึ้นไป แต่สมาชิกอายุ {age} ปี")

    def duplicate_ids(self, members: Sequence[Mapping]) -> None:
        seen: set[str] = set()
        for i, member in enumerate(members):
            national_id = member.get("national_id")
            if not national_id_is_valid(national_id):
                continue
            if national_id in seen:
                self.error(f"members[{i}].national_id", "NATIONAL_ID_DUPLICATE",
                           "เลขประจำตัวประชาชนซ้ำกับสมาชิกคนอื่นในครัวเรือน")
            seen.add(national_id)

    def relationship_ages(self, members: Sequence[Mapping], head: int) -> None:
        head_age = _age_of(members[head], self.today)
        relationships = self.version.code_lists["relationship"]
        for i, member in enumerate(members):
            relation = relationships.entry(member.get("relationship"))
            age = _age_of(member, self.today)
            if i == head or relation is None or age is None or head_age is None:
                continue
            if relation.get("younger_than_head") and age >= head_age:
                problem = "ไม่น้อยกว่า"
            elif relation.get("older_than_head") and age <= head_age:
                problem = "ไม่มากกว่า"
            else:
                continue
            self.warn(f"members[{i}].relationship", "AGE_RELATIONSHIP",
                      f"เป็น{relation['label_th']}ของหัวหน้าครัวเรือน แต่อายุ {age} ปี "
                      f"{problem}หัวหน้าครัวเรือน (อายุ {head_age} ปี)")

    # ------------------------------------------------------------ answers

    def drop_not_relevant(self) -> None:
        """Answers to questions this household is not asked are dropped with a warning (a
        client cannot know every relevance rule). Dropping one can make another irrelevant,
        so repeat until nothing changes. Without a usable roster, NO_MEMBERS says it all."""
        if not self.roster:
            return
        kept = dict(self.answers)
        while True:
            memo = {}
            gone = [qid for qid, value in kept.items()
                    if value is not None and qid in self.version.questions
                    and self.version.questions[qid].answerable
                    and self.version.is_relevant(qid, kept, self.roster, memo) is False]
            if not gone:
                self.relevance = memo  # worked out on the answers as they will stay
                break
            for qid in gone:
                del kept[qid]
                self.dropped.append(qid)
                self.warn(f"answers.{qid}", "ANSWER_NOT_RELEVANT",
                          f"ข้อ {qid} ไม่ต้องตอบสำหรับครัวเรือนนี้ คำตอบนี้จึงไม่ถูกบันทึก")
        self.answers = kept

    def check_answers(self) -> None:
        self.drop_not_relevant()
        for qid, value in self.answers.items():
            path = f"answers.{qid}"
            question = self.version.questions.get(qid)
            if question is None:
                self.error(path, "UNKNOWN_QUESTION",
                           f"ไม่มีข้อ {qid} ในแบบสอบถามฉบับ {self.version.id}")
            elif not question.answerable:
                self.error(path, "ANSWER_NOT_EXPECTED",
                           f"ข้อ {qid} คำนวณจากข้อมูลอื่นหรือเป็นหัวข้อ ไม่ต้องส่งคำตอบ")
            elif value is not None:
                self.answer(path, question, value)

    def unanswered(self) -> list[tuple[str, str]]:
        """``(path, "ข้อ …")`` of each relevant required question left unanswered; an
        either/or pair is named once, by its first question."""
        order = list(self.version.questions)
        gaps = []
        for question in self.version.questions.values():
            if not self.missing(question):
                continue
            other = question.required_unless_answered
            if question.required:
                gaps.append((f"answers.{question.id}", f"ข้อ {question.id}"))
            elif order.index(question.id) < order.index(other):
                gaps.append((f"answers.{question.id}", f"ข้อ {question.id} หรือข้อ {other}"))
        return gaps

    def explain_gaps(self, payload: Mapping, gaps: list[tuple[str, str]]) -> None:
        """Unanswered questions are errors unless ``incomplete_reason`` says why, then
        warnings and the household is partial (see the module's decisions)."""
        reason, note = payload.get("incomplete_reason"), payload.get("incomplete_note")
        given = not _blank(reason)
        entry = self.reason_entry(reason) if given else None
        if not gaps:
            if given or not _blank(note):
                self.warn("incomplete_reason" if given else "incomplete_note",
                          "REASON_NOT_NEEDED",
                          "ตอบครบทุกข้อแล้ว จึงไม่บันทึกเหตุผลที่ข้อมูลไม่ครบ")
            return
        if not given:
            for path, question in gaps:
                self.error(path, "ANSWER_REQUIRED", f"ยังไม่ได้ตอบ{question} กรุณาตอบ "
                           "หรือเลือกเหตุผลที่ครัวเรือนตอบไม่ครบ")
            return
        for path, question in gaps:
            self.warn(path, "ANSWER_MISSING", f"ยังไม่ได้ตอบ{question}")
        self.partial = entry is not None
        if entry is not None and (entry.get("note_required") or not _blank(note)):
            self.required_text("incomplete_note", note,
                               f"รายละเอียดของเหตุผล \"{entry['label_th']}\"")

    def reason_entry(self, value: Any) -> Mapping | None:
        """The entry of an ``incomplete_reason`` code; an error when it is not in the list."""
        reasons = self.version.code_lists.get(INCOMPLETE_REASONS)
        entry = reasons.entry(value) if reasons else None
        if entry is None:
            self.error("incomplete_reason", "CODE_NOT_IN_LIST",
                       f"เหตุผลที่ข้อมูลไม่ครบ: ไม่มีรหัส {value!r} ในรายการ")
        return entry

    def missing(self, question: Question) -> bool:
        """A relevant question the form requires (alone, or as one of a pair) is unanswered."""
        if not question.answerable or self.answers.get(question.id) is not None:
            return False
        other = question.required_unless_answered
        required = question.required or (other is not None and self.answers.get(other) is None)
        return required and self.version.is_relevant(
            question.id, self.answers, self.roster, self.relevance) is True

    def answer(self, path: str, question: Question, value: Any) -> None:
        label = f"ข้อ {question.id}"
        if question.widget == "choice":
            self.choice(path, label, question.options, value)
        elif question.widget == "multi_choice":
            self.multi_choice(path, question, value)
        elif question.widget == "number":
            self.value(path, question.value_spec, value, label)
        elif not isinstance(value, bool):
            self.error(path, "ANSWER_TYPE", f"คำตอบ{label} ต้องเป็น true หรือ false")

    def choice(self, path: str, label: str, options: Sequence[Option], value: Any) -> None:
        if not isinstance(value, Mapping) or not isinstance(value.get("option"), str):
            self.error(path, "ANSWER_TYPE", f"คำตอบ{label} ต้องอยู่ในรูป {{\"option\": \"…\"}}")
            return
        option = next((o for o in options if o.value == value["option"]), None)
        if option is None:
            self.error(path, "OPTION_NOT_ALLOWED", f"{label} ไม่มีตัวเลือก {value['option']!r}")
        else:
            self.inputs(path, option, value)

    def multi_choice(self, path: str, question: Question, value: Any) -> None:
        label = f"ข้อ {question.id}"
        if not isinstance(value, list):
            self.error(path, "ANSWER_TYPE", f"คำตอบ{label} ต้องเป็นรายการตัวเลือก (JSON array)")
            return
        if len(value) < question.min_selected:
            self.error(path, "TOO_FEW_OPTIONS",
                       f"{label} ต้องเลือกอย่างน้อย {question.min_selected} ข้อ")
        seen: set[str] = set()
        for i, entry in enumerate(value):
            where = f"{path}[{i}]"
            self.choice(where, label, question.options, entry)
            option = question.option(entry.get("option")) if isinstance(entry, Mapping) else None
            if option is None:
                continue
            if option.value in seen:
                self.error(where, "OPTION_DUPLICATE",
                           f"{label} เลือกตัวเลือก \"{option.label_th}\" ซ้ำ")
            elif option.exclusive and len(value) > 1:
                self.error(where, "OPTION_EXCLUSIVE",
                           f"{label} ตัวเลือก \"{option.label_th}\" "
                           "เลือกร่วมกับตัวเลือกอื่นไม่ได้")
            seen.add(option.value)

    def inputs(self, path: str, option: Option, entry: Mapping) -> None:
        names = {spec.name for spec in option.inputs}
        for key in entry:
            if key != "option" and key not in names:
                self.error(f"{path}.{key}", "INPUT_NOT_ALLOWED",
                           f"ตัวเลือก \"{option.label_th}\" ไม่มีช่อง {key!r}")
        for spec in option.inputs:
            value = entry.get(spec.name)
            if _blank(value):
                if spec.required:
                    self.error(f"{path}.{spec.name}", "INPUT_REQUIRED",
                               f"กรุณาระบุ{spec.label_th} ของตัวเลือก \"{option.label_th}\"")
            else:
                self.value(f"{path}.{spec.name}", spec, value, spec.label_th)

    def value(self, path: str, spec: InputSpec, value: Any, label: str) -> None:
        if spec.kind == "text":
            if not isinstance(value, str):
                self.error(path, "ANSWER_TYPE", f"{label} ต้องเป็นข้อความ")
        elif spec.kind == "code":
            self.code(path, label, spec.code_list, value)
        elif not is_integer(value):
            self.error(path, "NOT_AN_INTEGER", f"{label} ต้องเป็นจำนวนเต็ม")
        elif spec.kind == "persons":
            self.persons(path, spec, value)
        elif spec.kind == "baht":
            self.amount(path, value)
        elif ((spec.min is not None and value < spec.min)
              or (spec.max is not None and value > spec.max)):
            self.error(path, "VALUE_OUT_OF_RANGE", f"{label} {_range_th(spec)}")

    def persons(self, path: str, spec: InputSpec, count: int) -> None:
        if count < 0:
            self.error(path, "NEGATIVE_COUNT", "จำนวนคนต้องไม่ติดลบ")
        elif spec.min is not None and count < spec.min:
            self.error(path, "COUNT_BELOW_MINIMUM", f"จำนวนคนต้องไม่น้อยกว่า {spec.min} คน")
        elif spec.max_group:
            members = self.version.group_members(spec.max_group, self.roster)
            if members is not None and count > len(members):
                group = self.version.group_label(spec.max_group)
                self.error(path, "COUNT_EXCEEDS_MEMBERS",
                           f"จำนวน {count} คน มากกว่าจำนวน{group}ในครัวเรือน ({len(members)} คน)")
        elif spec.max_answer_count:
            bound = answer_count(self.answers.get(spec.max_answer_count))
            if bound is not None and count > bound:
                self.error(path, "COUNT_EXCEEDS_ANSWER",
                           f"จำนวน {count} คน มากกว่าจำนวนที่ตอบในข้อ "
                           f"{spec.max_answer_count} ({bound} คน)")

    def amount(self, path: str, amount: int) -> None:
        limit = self.version.thresholds["implausible_amount_baht"]
        if amount < 0:
            self.error(path, "NEGATIVE_AMOUNT", "จำนวนเงินต้องไม่ติดลบ")
        elif amount > MAX_AMOUNT_BAHT:
            self.error(path, "AMOUNT_OUT_OF_RANGE",
                       f"จำนวนเงินต้องไม่เกิน {_baht(MAX_AMOUNT_BAHT)}")
        elif amount > limit and path.removeprefix("answers.") not in self.version.income_questions:
            self.warn(path, "AMOUNT_IMPLAUSIBLE",
                      f"จำนวนเงิน {_baht(amount)} สูงผิดปกติ (เกิน {_baht(limit)})")

    # ------------------------------------------------------------ cross checks

    def cross_checks(self, payload: Mapping) -> None:
        self.income_plausibility()
        members = payload.get("members")
        if isinstance(members, list):
            for check in self.version.member_count_checks:
                self.member_count(check, members)

    def income_plausibility(self) -> None:
        items = [self.answers.get(qid) for qid in self.version.income_questions]
        if not all(is_integer(v) and v >= 0 for v in items):
            return
        total, limits = sum(items), self.version.thresholds
        household_limit = limits["implausible_household_income_baht_year"]
        person_limit = limits["implausible_income_per_person_baht_year"]
        if total > household_limit:
            self.warn(f"answers.{self.version.income_total_question}", "INCOME_IMPLAUSIBLE",
                      f"รายได้รวมของครัวเรือน {_baht(total)}/ปี สูงผิดปกติ "
                      f"(เกิน {_baht(household_limit)})")
        if self.roster and total // len(self.roster) > person_limit:
            self.warn(f"answers.{self.version.income_per_member_question}",
                      "INCOME_PER_PERSON_IMPLAUSIBLE",
                      f"รายได้เฉลี่ย {_baht(total // len(self.roster))}/คน/ปี สูงผิดปกติ "
                      f"(เกิน {_baht(person_limit)})")

    def member_count(self, check: Mapping, members: list) -> None:
        """An answered count that must equal the members carrying a flag (e.g. welfare cards)."""
        qid = check["question"]
        answer = self.answers.get(qid)
        if not isinstance(answer, Mapping) or not isinstance(answer.get("option"), str):
            return
        stated = answer_count(answer) if answer["option"] == check["option"] else 0
        flagged = sum(1 for m in members
                      if isinstance(m, Mapping) and m.get(check["members_with"]) is True)
        if stated is not None and stated != flagged:
            self.warn(f"answers.{qid}", check["error_code"],
                      f"ข้อ {qid} ระบุ{check['label_th']} {stated} คน "
                      f"แต่ในรายชื่อสมาชิกมี{check['label_th']} {flagged} คน")


def _range_th(spec: InputSpec) -> str:
    unit = f" {spec.unit_th}" if spec.unit_th else ""
    if spec.max is None:
        return f"ต้องไม่น้อยกว่า {spec.min}{unit}"
    return f"ต้องอยู่ระหว่าง {spec.min} ถึง {spec.max}{unit}"


def _age_of(member: Mapping, as_of: date) -> int | None:
    try:
        birth = parse_be_date(member.get("birth_date"))
    except ValueError:
        return None
    return age_in_years(birth, as_of) if birth <= as_of else None
