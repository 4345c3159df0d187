"""The four standard reports every certification meeting is shown, for any area:
population, indicators passing/failing, income and expense averages, and the households
below the income line (indicator 22).

Aggregate reports sum village rollups (time grows with villages, not households); the
indicator-22 list streams households. ``breakdown`` gives one row per child area, as each
tier's meeting sees it (per village at the LAO, per subdistrict at the district …).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import func, select

from app.areas.models import Area, Lao
from app.extensions import db
from app.personal_data import decrypt
from survey.models import Household, Member, SurveyRound, VillageRollup
from survey.questionnaires import as_version
from survey.rollup import AGE_BANDS

BAND_LABELS = [f"{5 * b}-{5 * b + 4}" for b in range(AGE_BANDS - 1)] + ["100+", "unknown"]
BAND_KEYS = [str(b) for b in range(AGE_BANDS)] + ["unknown"]


@dataclass(frozen=True)
class Unit:
    """What a report covers: an area (by code prefix) or an LAO."""

    code: str
    name_th: str
    kind: str  # "area" or "lao"

    def rollup_filter(self):
        if self.kind == "lao":
            villages = select(Area.code).where(Area.lao_code == self.code)
            return VillageRollup.area_code.in_(villages)
        return VillageRollup.area_code.startswith(self.code)

    def household_filter(self):
        if self.kind == "lao":
            return Household.lao_code == self.code
        return Household.village_code.startswith(self.code)


def unit_of(area: Area | None = None, lao: Lao | None = None) -> Unit:
    if lao is not None:
        return Unit(lao.code, lao.name_th, "lao")
    if area is None:
        return Unit("", "ทั่วประเทศ", "area")
    return Unit(area.code, area.name_th, "area")


@dataclass
class Totals:
    households: int = 0
    returned_households: int = 0
    people: int = 0
    by_sex_age: dict = None
    applicable: list = None
    passed: list = None
    incomplete: list = None
    income_sum: int = 0
    expense_sum: int = 0
    income_items: Counter = None
    expense_items: Counter = None
    below_income_line: int = 0
    revision: int = 0

    @classmethod
    def empty(cls, indicators: int) -> "Totals":
        return cls(by_sex_age={}, applicable=[0] * indicators, passed=[0] * indicators,
                   incomplete=[0] * indicators, income_items=Counter(),
                   expense_items=Counter())

    def add(self, row: VillageRollup) -> None:
        self.households += row.households
        self.returned_households += row.returned_households
        self.people += row.people
        for sex, bands in row.people_by_sex_age.items():
            self.by_sex_age.setdefault(sex, Counter()).update(bands)
        for target, values in ((self.applicable, row.indicator_applicable),
                               (self.passed, row.indicator_passed),
                               (self.incomplete, row.indicator_incomplete)):
            for i, n in enumerate(values):
                target[i] += n
        self.income_sum += row.income_sum
        self.expense_sum += row.expense_sum
        self.income_items.update(row.income_items)
        self.expense_items.update(row.expense_items)
        self.below_income_line += row.below_income_line
        self.revision += row.revision

    def merge(self, other: "Totals") -> None:
        """Add another area's totals (e.g. a province's) into these."""
        for name in ("households", "returned_households", "people", "income_sum",
                     "expense_sum", "below_income_line", "revision"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for sex, bands in other.by_sex_age.items():
            self.by_sex_age.setdefault(sex, Counter()).update(bands)
        for mine, theirs in ((self.applicable, other.applicable), (self.passed, other.passed),
                             (self.incomplete, other.incomplete)):
            for i, n in enumerate(theirs):
                mine[i] += n
        self.income_items.update(other.income_items)
        self.expense_items.update(other.expense_items)


def _child_key(unit: Unit) -> tuple[int, str]:
    """How rows break down below a unit: code prefix length of the next level."""
    if unit.kind == "lao":
        return 8, "village"
    return {0: (2, "province"), 2: (4, "district"), 4: (6, "subdistrict")}.get(
        len(unit.code), (8, "village"))


# (database, round, province) → ((revision sum, village count), Totals). A province's totals
# are summed again only when one of its villages changed: every change bumps a village's
# revision, so the sum of revisions and the row count identify the data exactly.
_province_cache: dict[tuple[str, int, str], tuple[tuple[int, int], Totals]] = {}


def province_totals(round_: SurveyRound) -> dict[str, Totals]:
    """Every province's totals, from the cache where still current."""
    indicators = len(as_version(round_.questionnaire_version).indicators)
    database = str(db.engine.url)
    stamps = db.session.execute(
        select(VillageRollup.province_code, func.sum(VillageRollup.revision), func.count())
        .where(VillageRollup.round_year == round_.year)
        .group_by(VillageRollup.province_code)).all()
    out = {}
    for province, revisions, villages in stamps:
        key, stamp = (database, round_.year, province), (int(revisions), villages)
        cached = _province_cache.get(key)
        if cached is None or cached[0] != stamp:
            t = Totals.empty(indicators)
            for row in db.session.scalars(select(VillageRollup).where(
                    VillageRollup.round_year == round_.year,
                    VillageRollup.province_code == province)):
                t.add(row)
            cached = _province_cache[key] = (stamp, t)
        out[province] = cached[1]
    return out


def _national(round_: SurveyRound, breakdown: bool):
    indicators = len(as_version(round_.questionnaire_version).indicators)
    provinces = province_totals(round_)
    whole = Totals.empty(indicators)
    for t in provinces.values():
        whole.merge(t)
    if not breakdown:
        return whole, []
    areas = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(list(provinces))))}
    return whole, [(areas[c], provinces[c]) for c in sorted(provinces)]


def totals(round_: SurveyRound, unit: Unit, *, breakdown: bool = False
           ) -> tuple[Totals, list[tuple[Area, Totals]]]:
    """The unit's totals and, when asked, one Totals per child area."""
    if unit.kind == "area" and not unit.code:
        return _national(round_, breakdown)
    indicators = len(as_version(round_.questionnaire_version).indicators)
    whole = Totals.empty(indicators)
    children: dict[str, Totals] = {}
    length, _ = _child_key(unit)
    rows = db.session.scalars(select(VillageRollup).where(
        VillageRollup.round_year == round_.year, unit.rollup_filter()))
    for row in rows:
        whole.add(row)
        if breakdown:
            children.setdefault(row.area_code[:length], Totals.empty(indicators)).add(row)
    areas = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(list(children))))} if children else {}
    return whole, [(areas[c], children[c]) for c in sorted(children)]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def population(t: Totals) -> dict:
    by_sex = {sex: [bands.get(k, 0) for k in BAND_KEYS] for sex, bands in
              sorted(t.by_sex_age.items())}
    return {"households": t.households, "people": t.people, "age_bands": BAND_LABELS,
            "people_by_sex_age": by_sex,
            "people_by_sex": {sex: sum(v) for sex, v in by_sex.items()}}


def indicators(round_: SurveyRound, t: Totals) -> list[dict]:
    version = as_version(round_.questionnaire_version)
    rows = []
    for ind in version.indicators:
        i = ind.number - 1
        applicable, passed = t.applicable[i], t.passed[i]
        rows.append({"number": ind.number, "title_th": ind.title_th, "surveyed": t.households,
                     "applicable": applicable, "passed": passed,
                     "failed": applicable - passed, "incomplete": t.incomplete[i],
                     "not_applicable": t.households - applicable - t.incomplete[i],
                     "pct_passed": _pct(passed, applicable),
                     "pct_failed": _pct(applicable - passed, applicable)})
    return rows


def income_expense(round_: SurveyRound, t: Totals) -> dict:
    version = as_version(round_.questionnaire_version)

    def items(questions, sums):
        return [{"item": q, "label_th": version.questions[q].text_th, "sum": sums.get(q, 0),
                 "per_household": _avg(sums.get(q, 0), t.households),
                 "per_person": _avg(sums.get(q, 0), t.people)} for q in questions]
    return {"households": t.households, "people": t.people, "income_line": round_.income_line,
            "income": {"sum": t.income_sum, "per_household": _avg(t.income_sum, t.households),
                       "per_person": _avg(t.income_sum, t.people),
                       "items": items(version.income_questions, t.income_items)},
            "expense": {"sum": t.expense_sum, "per_household": _avg(t.expense_sum, t.households),
                        "per_person": _avg(t.expense_sum, t.people),
                        "items": items(version.expense_questions, t.expense_items)},
            "below_income_line": t.below_income_line,
            "pct_below_income_line": _pct(t.below_income_line, t.households)}


def _avg(total: int, n: int) -> float | None:
    return round(total / n, 2) if n else None


def failing_income_households(round_: SurveyRound, unit: Unit, *, personal: bool
                              ) -> Iterator[dict]:
    """Households below the income line, village by village, streamed from the database.
    The head's name and national ID only when ``personal``."""
    query = (select(Household.id, Household.house_code, Household.village_code,
                    Area.name_th.label("village_name_th"), Household.member_count,
                    Household.income_total, Household.income_per_person, Household.status,
                    Member.first_name, Member.last_name, Member.national_id_encrypted)
             .join(Area, Area.code == Household.village_code)
             .outerjoin(Member, (Member.household_id == Household.id) & Member.is_head)
             .where(Household.round_year == round_.year, unit.household_filter(),
                    Household.income_per_person < round_.income_line)
             .order_by(Household.village_code, Household.house_code, Household.id)
             .execution_options(yield_per=2000))
    for row in db.session.execute(query):
        item = {"village_code": row.village_code, "village_name_th": row.village_name_th,
                "house_code": row.house_code, "members": row.member_count,
                "income_total": row.income_total, "income_per_person": row.income_per_person,
                "status": row.status, "household_id": row.id}
        if personal:
            item["head_name"] = f"{row.first_name} {row.last_name}" if row.first_name else None
            item["head_national_id"] = (decrypt(row.national_id_encrypted)
                                        if row.national_id_encrypted else None)
        yield item


# ---------------------------------------------------------------- tables for CSV / XLSX

SEX_TH = {"1": "ชาย", "2": "หญิง"}


def _labelled(unit: Unit, whole: Totals, children: list[tuple[Area, Totals]]):
    yield unit.code or "TH", unit.name_th, whole
    for area, t in children:
        yield area.code, area.name_th, t


def population_table(round_, unit, whole, children):
    header = ["รหัสพื้นที่", "ชื่อพื้นที่", "ครัวเรือน", "เพศ", "รวม", *BAND_LABELS]
    rows = []
    for code, name, t in _labelled(unit, whole, children):
        for sex, bands in population(t)["people_by_sex_age"].items():
            rows.append([code, name, t.households, SEX_TH.get(sex, sex), sum(bands), *bands])
    return header, rows


def indicators_table(round_, unit, whole, children):
    header = ["รหัสพื้นที่", "ชื่อพื้นที่", "ตัวชี้วัด", "ชื่อตัวชี้วัด", "ครัวเรือนที่สำรวจ",
              "ครัวเรือนที่เกี่ยวข้อง", "ผ่านเกณฑ์", "ไม่ผ่านเกณฑ์", "ข้อมูลไม่ครบ",
              "ร้อยละผ่าน", "ร้อยละไม่ผ่าน"]
    rows = [[code, name, r["number"], r["title_th"], r["surveyed"], r["applicable"],
             r["passed"], r["failed"], r["incomplete"], r["pct_passed"], r["pct_failed"]]
            for code, name, t in _labelled(unit, whole, children)
            for r in indicators(round_, t)]
    return header, rows


def income_expense_table(round_, unit, whole, children):
    header = ["รหัสพื้นที่", "ชื่อพื้นที่", "ประเภท", "รายการ", "รวม (บาท)",
              "เฉลี่ยต่อครัวเรือน", "เฉลี่ยต่อคน"]
    rows = []
    for code, name, t in _labelled(unit, whole, children):
        report = income_expense(round_, t)
        for kind, kind_th in (("income", "รายได้"), ("expense", "รายจ่าย")):
            part = report[kind]
            rows.append([code, name, kind_th, "รวม", part["sum"], part["per_household"],
                         part["per_person"]])
            rows.extend([code, name, kind_th, i["label_th"], i["sum"], i["per_household"],
                         i["per_person"]] for i in part["items"])
    return header, rows


FAILING_COLUMNS = [("village_code", "รหัสหมู่บ้าน/ชุมชน"), ("village_name_th", "หมู่บ้าน/ชุมชน"),
                   ("house_code", "รหัสบ้าน"), ("members", "จำนวนสมาชิก"),
                   ("income_total", "รายได้รวม (บาท/ปี)"),
                   ("income_per_person", "รายได้เฉลี่ย (บาท/คน/ปี)"), ("status", "สถานะ")]
PERSONAL_COLUMNS = [("head_name", "ชื่อหัวหน้าครัวเรือน"),
                    ("head_national_id", "เลขประจำตัวประชาชน")]


def failing_table(items: Iterator[dict], *, personal: bool):
    columns = FAILING_COLUMNS + (PERSONAL_COLUMNS if personal else [])
    return [label for _, label in columns], ([item.get(k) for k, _ in columns] for item in items)
