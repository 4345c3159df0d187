"""The four standard reports every certification meeting is shown, for any area:
population, indicators passing/failing, income and expense averages, and the households
below the income line (indicator 22).

Aggregate reports are sums of rollups' integer columns computed by the database in one
grouped statement: of district rows for the nation and a province (878 and about 12 rows),
of village rows for a district, an LAO or a subdistrict (time grows with villages, not
households, and a worker's first request costs what every later one does); the
indicator-22 list streams households. ``breakdown`` gives one row per child area, as each
tier's meeting sees it (per village at the LAO, per subdistrict at the district …).

Partial households (stored with the reason their required answers are missing) are
surveyed households in every figure — their unanswered items are "incomplete" in the
indicator report and their income counts only when every item is answered — and every
report also gives their number (``partial_households``) so a meeting sees them apart.

Small areas: for a caller without personal-data rights, a village/community with fewer
than ``min_households`` households is left out of every figure (it is counted only in
``suppressed_households`` / ``suppressed_villages``). Every published figure is then a sum
of whole villages that each have at least that many households, so no difference of two
figures (a parent minus its other children, an LAO minus a subdistrict …) can isolate
fewer households than the threshold.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import func, literal, select

from app.areas.models import Area
from app.auth.policy import Action, may
from app.extensions import db
from app.personal_data import decrypt
from app.units import Unit
from survey.access import in_unit
from survey.models import (
    AGE_BAND_KEYS,
    INDICATOR_COLUMNS,
    ITEM_COLUMNS,
    PEOPLE_COLUMNS,
    SEXES,
    DistrictRollup,
    Household,
    Member,
    SurveyRound,
    VillageRollup,
    indicator_column,
    item_column,
    people_column,
    small_column,
)
from survey.questionnaires import as_version
from survey.rollup import AGE_BANDS, small
from survey.rollup import COUNTERS as rollup_counters

BAND_LABELS = [f"{5 * b}-{5 * b + 4}" for b in range(AGE_BANDS - 1)] + ["100+", "unknown"]
BAND_KEYS = list(AGE_BAND_KEYS)

# The rollup columns each aggregate report needs besides the plain counters: a report sums
# only its own (the certification snapshot, every part).
PARTS = {"population": PEOPLE_COLUMNS, "indicators": INDICATOR_COLUMNS,
         "income-expense": ITEM_COLUMNS}
ALL_PARTS = tuple(PARTS)


@dataclass
class Totals:
    households: int = 0
    returned_households: int = 0
    partial_households: int = 0
    people: int = 0
    by_sex_age: dict = None
    applicable: list = None
    passed: list = None
    incomplete: list = None
    income_households: int = 0
    income_people: int = 0
    income_sum: int = 0
    expense_households: int = 0
    expense_people: int = 0
    expense_sum: int = 0
    income_items: Counter = None
    expense_items: Counter = None
    below_income_line: int = 0
    revision: int = 0
    # Households and villages left out of the figures (small areas, see the module doc).
    suppressed_households: int = 0
    suppressed_villages: int = 0

    COUNTERS = ("households", "returned_households", "partial_households", "people",
                "income_households",
                "income_people", "income_sum", "expense_households", "expense_people",
                "expense_sum", "below_income_line", "revision", "suppressed_households",
                "suppressed_villages")

    @classmethod
    def empty(cls, indicators: int) -> "Totals":
        return cls(by_sex_age={}, applicable=[0] * indicators, passed=[0] * indicators,
                   incomplete=[0] * indicators, income_items=Counter(),
                   expense_items=Counter())

    @property
    def suppressed(self) -> bool:
        """Nothing can be shown: every household is in a small area."""
        return self.households == 0 and self.suppressed_households > 0

    def add_sums(self, sums: dict, version) -> None:
        """Add the database's sums of some village rows (column name → sum; columns of
        parts not asked for are absent and count as 0)."""
        for name in rollup_counters:
            setattr(self, name, getattr(self, name) + sums[name])
        for sex in SEXES:
            for band in AGE_BAND_KEYS:
                n = sums.get(people_column(sex, band))
                if n:
                    self.by_sex_age.setdefault(sex, Counter())[band] += n
        for count, target in (("applicable", self.applicable), ("passed", self.passed),
                              ("incomplete", self.incomplete)):
            for i in range(len(target)):
                target[i] += sums.get(indicator_column(count, i + 1), 0)
        for kind, target, questions in (
                ("income", self.income_items, version.income_questions),
                ("expense", self.expense_items, version.expense_questions)):
            for position, question in enumerate(questions, 1):
                n = sums.get(item_column(kind, position))
                if n:
                    target[question] += n

    def merge(self, other: "Totals") -> None:
        """Add another area's totals (e.g. a province's) into these."""
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for sex, bands in other.by_sex_age.items():
            self.by_sex_age.setdefault(sex, Counter()).update(bands)
        for mine, theirs in ((self.applicable, other.applicable), (self.passed, other.passed),
                             (self.incomplete, other.incomplete)):
            for i, n in enumerate(theirs):
                mine[i] += n
        self.income_items.update(other.income_items)
        self.expense_items.update(other.expense_items)


def small_area_threshold(user, unit: Unit, round_: SurveyRound) -> int:
    """0 for a caller allowed personal data in the unit; else the round's threshold."""
    if may(user, Action.PERSONAL_DATA_READ, unit=unit):
        return 0
    return round_.min_area_households


def _child_key(unit: Unit) -> tuple[int, str]:
    """How rows break down below a unit: code prefix length of the next level."""
    if unit.kind == "lao":
        return 8, "village"
    return {0: (2, "province"), 2: (4, "district"), 4: (6, "subdistrict")}.get(
        len(unit.code), (8, "village"))


def _summed_groups(round_: SurveyRound, unit: Unit, length: int | None, min_households: int,
                   columns: tuple[str, ...]):
    """One SQL statement: the unit's rollups summed per child area (the code's first
    ``length`` characters; no grouping without a length), and apart for small villages, so
    that the database, not Python, adds the rows. Yields ``(child code or "", small?,
    column name → sum)`` with ``villages`` and ``revision``. The nation and a province (by
    province or district) read district rows; smaller units, village rows."""
    if _from_districts(round_, unit, length, min_households):
        return _district_groups(round_, unit, length, min_households, columns)
    return _village_groups(round_, unit, length, min_households, columns)


def _from_districts(round_: SurveyRound, unit: Unit, length: int | None,
                    min_households: int) -> bool:
    """District rows answer for the nation and a province, grouped by nothing, province or
    district, for callers who see everything or whose threshold is the round's (the one
    their small-village sums follow); any other threshold is summed from village rows."""
    whole_districts = unit.kind == "nation" or (unit.kind == "area" and len(unit.code) == 2)
    return (whole_districts and length in (None, 2, 4)
            and min_households in (0, round_.min_area_households))


def _groups(query, keys):
    if keys:
        query = query.group_by(*keys)
    for row in db.session.execute(query).mappings():
        values = {name: int(row[name] or 0) for name in row.keys()
                  if name not in ("code", "small")}
        yield row.get("code", ""), bool(row.get("small")), values


def _village_groups(round_: SurveyRound, unit: Unit, length: int | None,
                    min_households: int, columns: tuple[str, ...]):
    r = VillageRollup
    keys = []
    if length:
        keys.append((r.province_code if length == 2 else func.substr(r.area_code, 1, length))
                    .label("code"))
    if min_households:
        keys.append(small(r.households, min_households).label("small"))
    sums = [func.sum(getattr(r, name)).label(name)
            for name in (*rollup_counters, "revision", *columns)]
    yield from _groups(select(*keys, func.count().label("villages"), *sums)
                       .where(r.round_year == round_.year, unit.village_filter(r.area_code)),
                       keys)


def _district_groups(round_: SurveyRound, unit: Unit, length: int | None,
                     min_households: int, columns: tuple[str, ...]):
    """The same groups from district rows: all their sums for a caller who sees
    everything; else all minus the small villages' sums, and those (their households and
    number) as the small group."""
    d = DistrictRollup
    keys = []
    if length:
        keys.append((d.province_code if length == 2 else d.district_code).label("code"))
    where = [d.round_year == round_.year]
    if unit.kind == "area":
        where.append(d.province_code == unit.code)
    figures = (*rollup_counters, *columns)
    if not min_households:
        sums = [func.sum(getattr(d, name)).label(name) for name in (*figures, "revision")]
        yield from _groups(select(*keys, literal(0).label("villages"), *sums).where(*where),
                           keys)
        return
    sums = [(func.sum(getattr(d, name)) - func.sum(getattr(d, small_column(name))))
            .label(name) for name in figures]
    left_out = [func.sum(d.small_households).label("small_households"),
                func.sum(d.small_villages).label("small_villages")]
    for code, _, values in _groups(
            select(*keys, func.sum(d.revision).label("revision"), *sums, *left_out)
            .where(*where), keys):
        yield code, False, {**values, "villages": 0}
        yield code, True, {"households": values["small_households"],
                           "villages": values["small_villages"], "revision": 0}


def totals(round_: SurveyRound, unit: Unit, *, breakdown: bool = False,
           min_households: int = 0, parts: tuple[str, ...] = ALL_PARTS,
           ) -> tuple[Totals, list[tuple[Area, Totals]]]:
    """The unit's totals and, when asked, one Totals per child area; villages with fewer
    than ``min_households`` households are left out of the figures. Only the columns of
    ``parts`` (keys of ``PARTS``) are summed: a report asks for its own."""
    version = as_version(round_.questionnaire_version)
    indicators = len(version.indicators)
    columns = tuple(c for part in parts for c in PARTS[part])
    length = _child_key(unit)[0] if breakdown else None
    groups: dict[str, Totals] = {}
    for code, left_out, sums in _summed_groups(round_, unit, length, min_households,
                                               columns):
        t = groups.setdefault(code, Totals.empty(indicators))
        t.revision += sums["revision"]
        if left_out:
            t.suppressed_households += sums["households"]
            t.suppressed_villages += sums["villages"]
        else:
            t.add_sums(sums, version)
    if not breakdown:
        return groups.get("", Totals.empty(indicators)), []
    whole = Totals.empty(indicators)
    for t in groups.values():
        whole.merge(t)
    areas = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(list(groups))))} if groups else {}
    return whole, [(areas[c], groups[c]) for c in sorted(groups)]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def population(t: Totals) -> dict:
    by_sex = {sex: [bands.get(k, 0) for k in BAND_KEYS] for sex, bands in
              sorted(t.by_sex_age.items())}
    return {"households": t.households, "partial_households": t.partial_households,
            "people": t.people, "age_bands": BAND_LABELS,
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

    def part(total, households, people, questions, sums):
        """Sums and averages over the households whose items are all answered: the items
        add up to the total, and an unanswered item never counts as 0 baht."""
        return {"sum": total, "households": households, "people": people,
                "per_household": _avg(total, households), "per_person": _avg(total, people),
                "items": [{"item": q, "label_th": version.questions[q].text_th,
                           "sum": sums.get(q, 0), "per_household": _avg(sums.get(q, 0),
                                                                        households),
                           "per_person": _avg(sums.get(q, 0), people)} for q in questions]}
    return {"households": t.households, "people": t.people, "income_line": round_.income_line,
            "income": part(t.income_sum, t.income_households, t.income_people,
                           version.income_questions, t.income_items),
            "expense": part(t.expense_sum, t.expense_households, t.expense_people,
                            version.expense_questions, t.expense_items),
            "below_income_line": t.below_income_line,
            "pct_below_income_line": _pct(t.below_income_line, t.income_households)}


def _avg(total: int, n: int) -> float | None:
    return round(total / n, 2) if n else None


def failing_income_households(round_: SurveyRound, unit: Unit, *, personal: bool,
                              visible) -> Iterator[dict]:
    """Households below the income line (as scored when stored), village by village,
    streamed from the database; only those the ``visible`` clause admits. The head's name
    and national ID only when ``personal``."""
    query = (select(Household.id, Household.house_code, Household.village_code,
                    Area.name_th.label("village_name_th"), Household.member_count,
                    Household.income_total, Household.income_per_person, Household.status)
             .join(Area, Area.code == Household.village_code)
             .where(Household.round_year == round_.year,
                    in_unit(unit), visible,
                    Household.below_income_line.is_(True))
             .order_by(Household.village_code, Household.house_code, Household.id)
             .execution_options(yield_per=2000))
    if personal:  # the heads only when shown: for the nation, PostgreSQL scanned every member
        query = query.add_columns(Member.first_name, Member.last_name,
                                  Member.national_id_encrypted).outerjoin(
            Member, (Member.household_id == Household.id) & Member.is_head)
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
SUPPRESSED_TH = "ไม่แสดง: พื้นที่มีครัวเรือนน้อยเกินไป"
SUPPRESSED_COLUMN = "ครัวเรือนในพื้นที่เล็กที่ไม่นำมารวม"
PARTIAL_COLUMN = "ครัวเรือนที่ข้อมูลไม่สมบูรณ์ (มีเหตุผล)"


def _table(header: list[str], rows_of, unit: Unit, whole: Totals,
           children: list[tuple[Area, Totals]]):
    """A report table: for the unit and each child, ``rows_of(t)`` (values after code and
    name), each row ending with the partial households and the households left out as
    small areas; a child that is all small areas is one row saying so."""
    rows = []
    labelled = [(unit.code or "TH", unit.name_th, whole)] + [
        (area.code, area.name_th, t) for area, t in children]
    for code, name, t in labelled:
        if t.suppressed:
            rows.append([code, name, SUPPRESSED_TH])
            continue
        rows.extend([code, name, *values, t.partial_households, t.suppressed_households]
                    for values in rows_of(t))
    return ["รหัสพื้นที่", "ชื่อพื้นที่", *header, PARTIAL_COLUMN, SUPPRESSED_COLUMN], rows


def population_table(round_, unit, whole, children):
    def rows_of(t):
        return [[t.households, SEX_TH.get(sex, sex), sum(bands), *bands]
                for sex, bands in population(t)["people_by_sex_age"].items()]
    return _table(["ครัวเรือน", "เพศ", "รวม", *BAND_LABELS], rows_of, unit, whole, children)


def indicators_table(round_, unit, whole, children):
    def rows_of(t):
        return [[r["number"], r["title_th"], r["surveyed"], r["applicable"], r["passed"],
                 r["failed"], r["incomplete"], r["pct_passed"], r["pct_failed"]]
                for r in indicators(round_, t)]
    return _table(["ตัวชี้วัด", "ชื่อตัวชี้วัด", "ครัวเรือนที่สำรวจ", "ครัวเรือนที่เกี่ยวข้อง",
                   "ผ่านเกณฑ์", "ไม่ผ่านเกณฑ์", "ข้อมูลไม่ครบ", "ร้อยละผ่าน", "ร้อยละไม่ผ่าน"],
                  rows_of, unit, whole, children)


def income_expense_table(round_, unit, whole, children):
    def rows_of(t):
        report = income_expense(round_, t)
        rows = []
        for kind, kind_th in (("income", "รายได้"), ("expense", "รายจ่าย")):
            part = report[kind]
            rows.append([kind_th, "รวม", part["households"], part["sum"],
                         part["per_household"], part["per_person"]])
            rows.extend([kind_th, i["label_th"], part["households"], i["sum"],
                         i["per_household"], i["per_person"]] for i in part["items"])
        return rows
    return _table(["ประเภท", "รายการ", "ครัวเรือนที่ตอบครบ", "รวม (บาท)", "เฉลี่ยต่อครัวเรือน",
                   "เฉลี่ยต่อคน"], rows_of, unit, whole, children)


FAILING_COLUMNS = [("village_code", "รหัสหมู่บ้าน/ชุมชน"), ("village_name_th", "หมู่บ้าน/ชุมชน"),
                   ("house_code", "รหัสบ้าน"), ("members", "จำนวนสมาชิก"),
                   ("income_total", "รายได้รวม (บาท/ปี)"),
                   ("income_per_person", "รายได้เฉลี่ย (บาท/คน/ปี)"), ("status", "สถานะ")]
PERSONAL_COLUMNS = [("head_name", "ชื่อหัวหน้าครัวเรือน"),
                    ("head_national_id", "เลขประจำตัวประชาชน")]


def failing_table(items: Iterator[dict], *, personal: bool):
    columns = FAILING_COLUMNS + (PERSONAL_COLUMNS if personal else [])
    return [label for _, label in columns], ([item.get(k) for k, _ in columns] for item in items)
