"""Exact per-village and per-district totals, kept current by deltas.

Every change to a household (submit, correction, return, lock) subtracts the household's old
``Contribution`` from its village's rollup and adds the new one, in the same transaction, and
bumps the village's revision; the same delta goes to the village's district row. Every count
is a plain integer column of the row (one per indicator count, sex and age band, money item:
see ``survey.models``), so reports are sums the database computes: over district rows for
the nation and a province (878 and about 12 rows), over village rows below; their time grows
with villages, not households. ``recompute`` rebuilds a village's totals from its households
and ``recompute_district`` a district's from its villages; the property test holds them
equal.

Small areas: a district row also sums apart its villages that are ``small`` under the
round's ``min_area_households`` (what a caller without personal-data rights does not see).
A change in a small village adds its delta there too; a change that moves a village across
the threshold moves its whole totals into or out of those sums (read after the village
UPDATE, which returns the households after the change: before = after − delta). A change of
the threshold rebuilds the round's district rows (``rebuild_districts``) in the same
transaction.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping

from sqlalchemy import (
    BigInteger,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app import driver_sql
from app.db_types import on_postgresql, upsert_insert
from app.extensions import db
from survey.models import (
    AGE_BANDS,
    INDICATOR_COLUMNS,
    ITEM_COLUMNS,
    PEOPLE_COLUMNS,
    SEXES,
    DistrictRollup,
    Household,
    HouseholdStatus,
    SurveyRound,
    VillageRollup,
    indicator_column,
    item_column,
    people_column,
    small_column,
)
from survey.questionnaires import as_version


def age_band(age: int | None) -> int | None:
    return None if age is None else min(age // 5, AGE_BANDS - 1)


@dataclass
class Contribution:
    """What one household adds to its village's totals."""

    households: int = 0
    returned_households: int = 0
    partial_households: int = 0
    people: int = 0
    people_by_sex_age: dict = field(default_factory=dict)  # sex → Counter(band → n)
    applicable: Counter = field(default_factory=Counter)   # indicator number → n
    passed: Counter = field(default_factory=Counter)
    incomplete: Counter = field(default_factory=Counter)
    income_households: int = 0
    income_people: int = 0
    income_sum: int = 0
    expense_households: int = 0
    expense_people: int = 0
    expense_sum: int = 0
    # item position (1-based, in the questionnaire's order) → baht
    income_items: Counter = field(default_factory=Counter)
    expense_items: Counter = field(default_factory=Counter)
    below_income_line: int = 0


# Plain counters a contribution adds to its village's row.
COUNTERS = ("households", "returned_households", "partial_households", "people",
            "income_households", "income_people", "income_sum", "expense_households",
            "expense_people", "expense_sum", "below_income_line")
TOTALS = COUNTERS + INDICATOR_COLUMNS + PEOPLE_COLUMNS + ITEM_COLUMNS
_TOTAL_NAMES = frozenset(TOTALS)


def _bits(mask: int) -> list[int]:
    return [n + 1 for n in range(mask.bit_length()) if mask >> n & 1]


def contribution(household: Household, round_: SurveyRound) -> Contribution:
    """What the household adds, from what was stored when it was scored (a ``Household``,
    or any object with its columns and ``members``: the batch path scores rows). Income and
    expense count only when every item is answered, so sums and their items agree. A
    partial household (stored with a reason for its missing answers) is a household like
    any other and is also counted apart."""
    version = as_version(round_.questionnaire_version)
    c = Contribution(households=1, people=household.member_count,
                     returned_households=int(household.status == HouseholdStatus.RETURNED.value),
                     partial_households=int(household.incomplete_reason is not None))
    for member in household.members:
        band = age_band(member.age_years)
        key = "unknown" if band is None else band
        c.people_by_sex_age.setdefault(member.sex, Counter())[key] += 1
    c.applicable.update(_bits(household.applicable_mask))
    c.passed.update(_bits(household.passed_mask))
    c.incomplete.update(_bits(household.incomplete_mask))
    answers = household.answers or {}
    if household.income_total is not None:
        c.income_households, c.income_people = 1, household.member_count
        c.income_sum = household.income_total
        c.income_items.update({p: answers[q] for p, q in
                               enumerate(version.income_questions, 1)})
    if household.expense_total is not None:
        c.expense_households, c.expense_people = 1, household.member_count
        c.expense_sum = household.expense_total
        c.expense_items.update({p: answers[q] for p, q in
                                enumerate(version.expense_questions, 1)})
    c.below_income_line = int(bool(household.below_income_line))
    return c


def _empty_row_values(round_year: int, area_code: str) -> dict:
    return dict(round_year=round_year, area_code=area_code, province_code=area_code[:2],
                revision=0, **dict.fromkeys(TOTALS, 0))


def column_deltas(c: Contribution, sign: int) -> Counter:
    """The contribution as column → amount, times ``sign`` (a negative sign takes it away;
    the bulk loader passes a household's multiplicity)."""
    out = Counter({name: sign * getattr(c, name) for name in COUNTERS})
    for sex, bands in c.people_by_sex_age.items():
        if sex not in SEXES:
            raise ValueError(f"sex code {sex!r} has no rollup column")
        for band, n in bands.items():
            out[people_column(sex, str(band))] += sign * n
    for count, numbers in (("applicable", c.applicable), ("passed", c.passed),
                           ("incomplete", c.incomplete)):
        for number, n in numbers.items():
            out[indicator_column(count, number)] += sign * n
    for kind, items in (("income", c.income_items), ("expense", c.expense_items)):
        for position, baht in items.items():
            out[item_column(kind, position)] += sign * baht
    return out


def _apply(row: VillageRollup, c: Contribution, sign: int) -> None:
    """Add ``sign`` times the contribution to a row object (recomputation, bulk load)."""
    for name, n in column_deltas(c, sign).items():
        setattr(row, name, getattr(row, name) + n)


def small(households, threshold):
    """The small-area rule: a village with households, but fewer than ``threshold``, is
    left out of the figures a caller without personal-data rights sees. On integers, or
    on SQL expressions (a clause)."""
    if isinstance(households, int) and isinstance(threshold, int):
        return 0 < households < threshold
    return and_(households > 0, households < threshold)


def district_of(area_code: str) -> str:
    """The district a village/community code lies in (its first four digits)."""
    return area_code[:4]


def _change_row(key: str, *amounts: str):
    """PostgreSQL: the change as a one-row relation, joined to the row it changes by
    ``key``, with one ``bigint[]`` column per group of ``amounts`` (sent as the array's text,
    which psycopg passes on as it is; a list it dumps element by element in Python). The
    statement then has a handful of parameters: psycopg converts one of more than 50 anew on
    every execution, which made the two 156-column rollup UPDATEs a sixth of a single
    submission's CPU."""
    return select(bindparam(key).label("key"),
                  *(cast(bindparam(name), ARRAY(BigInteger)).label(name) for name in amounts)) \
        .subquery("change")


def _adding(table, change, param: str, column: Callable[[str], str] = str) -> dict:
    """``column(name)`` plus its amount, for each name of ``TOTALS``: from the ``change``
    row's array ``param``, or (no change row: SQLite) one parameter per column,
    ``{param}_{name}``."""
    if change is not None:
        return {table.c[column(name)]:
                table.c[column(name)] + change.c[param][literal_column(str(i))]
                for i, name in enumerate(TOTALS, 1)}
    return {table.c[column(name)]: table.c[column(name)] + bindparam(f"{param}_{name}")
            for name in TOTALS}


def _amounts(param: str, deltas: Mapping, packed: bool) -> dict:
    """The parameters ``_adding`` reads: each total's amount in ``deltas`` (0 when absent)."""
    values = [deltas.get(name, 0) for name in TOTALS]
    if packed:
        return {param: "{" + ",".join(map(str, values)) + "}"}
    return dict(zip((f"{param}_{n}" for n in TOTALS), values))


@functools.cache
def _add_to_village(packed: bool):
    """One UPDATE adding a delta to every total and 1 to the revision, returning the
    households after it and the round's small-area threshold: the same statement for every
    change (compiled once), atomic under the row's lock, no read first. The threshold is
    read by this statement, whose snapshot is taken after its lock on the table: a
    threshold change (``rebuild_districts`` holds the table in SHARE mode until it commits)
    is either wholly before it or waits for it."""
    table = VillageRollup.__table__
    change = _change_row("key_area", "d") if packed else None
    threshold = (select(SurveyRound.min_area_households)
                 .where(SurveyRound.year == table.c.round_year).scalar_subquery())
    return (update(table)
            .where(table.c.round_year == bindparam("key_round"),
                   table.c.area_code == (bindparam("key_area") if change is None
                                         else change.c.key))
            .values(_adding(table, change, "d") | {table.c.revision: table.c.revision + 1})
            .returning(table.c.households, threshold.label("threshold")))


@functools.cache
def _add_to_district(with_small: bool, packed: bool):
    """The district row's UPDATE: the villages' summed delta to every total and their number
    to the revision; ``with_small``, also what the change does to the small villages' sums
    and number (a statement of its own, so that the common change, in a village that stays
    published, sends half the values)."""
    table = DistrictRollup.__table__
    change = _change_row("key_district", "d", *(("s",) if with_small else ())) \
        if packed else None
    values = _adding(table, change, "d")
    values[table.c.revision] = table.c.revision + bindparam("d_revision")
    if with_small:
        values[table.c.small_villages] = table.c.small_villages + bindparam("s_villages")
        values.update(_adding(table, change, "s", small_column))
    return (update(table)
            .where(table.c.round_year == bindparam("key_round"),
                   table.c.district_code == (bindparam("key_district") if change is None
                                             else change.c.key))
            .values(values)
            .returning(table.c.revision))


def _small_change(round_year: int, area_code: str, households: int, deltas: Counter,
                  threshold: int) -> Counter:
    """What a village's change does to its district's small-village sums (``villages``:
    their number): nothing while the village stays published, the delta while it stays
    small, its whole totals after the change in (or before it out) when it crosses the
    threshold — read from its row, which this transaction has just updated."""
    was_small = small(households - deltas.get("households", 0), threshold)
    is_small = small(households, threshold)
    if was_small == is_small:
        return Counter(deltas) if is_small else Counter()
    after = _run(_village_totals(), {"key_round": round_year, "key_area": area_code}) \
        .mappings().one()
    if is_small:
        return Counter({name: after[name] for name in TOTALS}, villages=1)
    return Counter({name: deltas.get(name, 0) - after[name] for name in TOTALS}, villages=-1)


def _run(statement, params: dict):
    """A statement built once: on PostgreSQL as driver SQL compiled once (``driver_sql``)."""
    if on_postgresql(db.session):
        return driver_sql.execute(db.session, statement, params)
    return db.session.execute(statement, params)


@functools.cache
def _village_totals():
    """A village row's totals (built once: its 156 columns made building and keying the
    SELECT cost more than running it)."""
    table = VillageRollup.__table__
    return select(*(table.c[name] for name in TOTALS)).where(
        table.c.round_year == bindparam("key_round"), table.c.area_code == bindparam("key_area"))


def _update_or_insert(statement, params: dict, table, key: dict):
    """Run the row's UPDATE … RETURNING and give back the returned row; when the row does
    not exist yet, insert-or-ignore the row of ``key`` (column → value) with every total 0
    (two first changes may race) and run it again."""
    row = _run(statement, params).first()
    if row is None:
        _run(_insert_empty(table, upsert_insert(db.session)),
             {f"key_{name}": value for name, value in key.items()})
        row = _run(statement, params).one()
    return row


@functools.cache
def _insert_empty(table, insert_):
    """Insert-or-ignore of a new row (``insert_``: the dialect's, ``upsert_insert``): its key
    columns and province from parameters (``key_…``), every other column 0, written in the SQL (a statement of three parameters,
    built once; with 470 bound zeros it was a tenth of a batch's CPU on a round's first
    households)."""
    named = {c.name for c in table.primary_key.columns} | {"province_code"}
    values = {c.name: bindparam(f"key_{c.name}") if c.name in named else literal_column("0")
              for c in table.columns}
    return insert_(table).values(values).on_conflict_do_nothing()


def apply_deltas(round_year: int, area_code: str, deltas: Counter) -> None:
    """Add one village's deltas (column → amount, as ``column_deltas`` gives them: one
    change, or a batch's sum of many) to its row and its district's, each revision + 1."""
    apply_many(round_year, {area_code: deltas})


def apply_many(round_year: int, changes: dict[str, Counter]) -> None:
    """Add each village's deltas to its row (revision + 1) and their sums to the districts'
    rows (revision + the number of their villages changed). Every writer takes the rows'
    locks in one order — the village rows first, by code, then the district rows, by
    code — so that transactions touching several villages (a batch, a move, a unit's
    returns) cannot deadlock with each other or with a single change. Each village's
    UPDATE also reads the small-area threshold (see ``_add_to_village``)."""
    packed = on_postgresql(db.session)
    districts: dict[str, _DistrictChange] = {}
    for area_code in sorted(changes):
        deltas = changes[area_code]
        unknown = deltas.keys() - _TOTAL_NAMES
        if unknown:
            raise ValueError(f"no rollup column {sorted(unknown)}")
        params = {"key_round": round_year, "key_area": area_code,
                  **_amounts("d", deltas, packed)}
        households, threshold = _update_or_insert(
            _add_to_village(packed), params, VillageRollup.__table__,
            dict(round_year=round_year, area_code=area_code, province_code=area_code[:2]))
        district = districts.setdefault(district_of(area_code), _DistrictChange())
        district.villages += 1
        district.deltas.update(deltas)
        district.small.update(_small_change(round_year, area_code, households, deltas,
                                            threshold))
        _expire(VillageRollup, (round_year, area_code))
    for code in sorted(districts):
        change = districts[code]
        with_small = any(change.small.values())
        params = {"key_round": round_year, "key_district": code,
                  "d_revision": change.villages, **_amounts("d", change.deltas, packed)}
        if with_small:
            params.update(_amounts("s", change.small, packed),
                          s_villages=change.small.get("villages", 0))
        _update_or_insert(_add_to_district(with_small, packed), params,
                          DistrictRollup.__table__,
                          dict(round_year=round_year, district_code=code, province_code=code[:2]))
        _expire(DistrictRollup, (round_year, code))


@dataclass
class _DistrictChange:
    """What a transaction's village changes add up to in one district."""
    villages: int = 0                                      # villages changed: the revision
    deltas: Counter = field(default_factory=Counter)       # column → amount
    small: Counter = field(default_factory=Counter)        # the small-village sums, "villages"


def _expire(model, key) -> None:
    stale = db.session.identity_map.get(db.session.identity_key(model, key))
    if stale is not None:  # a row object read earlier in this transaction
        db.session.expire(stale)


def apply_change(round_: SurveyRound, area_code: str, *, old: Contribution | None,
                 new: Contribution | None) -> None:
    """Replace ``old`` by ``new`` in the village's (and its district's) totals and bump
    their revisions. Concurrent first submissions in a village both insert-or-ignore the
    row, then update it in turn."""
    deltas = Counter()
    for c, sign in ((old, -1), (new, +1)):
        if c is not None:
            deltas.update(column_deltas(c, sign))
    apply_deltas(round_.year, area_code, deltas)


def _district_sums(round_year: int):
    """The round's village rows summed per district, as district rows' columns (a SELECT
    in ``_district_columns`` order), under the round's current threshold."""
    v = VillageRollup
    is_small = small(v.households, SurveyRound.min_area_households)
    district = func.substr(v.area_code, 1, 4)
    return (select(v.round_year, district, func.min(v.province_code),
                   func.sum(v.revision), func.sum(case((is_small, 1), else_=0)),
                   *(func.sum(getattr(v, name)) for name in TOTALS),
                   *(func.sum(case((is_small, getattr(v, name)), else_=0))
                     for name in TOTALS))
            .join(SurveyRound, SurveyRound.year == v.round_year)
            .where(v.round_year == round_year)
            .group_by(v.round_year, district))


# What names a district row rather than sums its villages.
_NAMING_COLUMNS = ("round_year", "district_code", "province_code")


def _district_columns() -> list[str]:
    return ["round_year", "district_code", "province_code", "revision", "small_villages",
            *TOTALS, *map(small_column, TOTALS)]


def rebuild_districts(round_year: int) -> None:
    """Recompute the round's district rows from its village rows: after a change of the
    small-area threshold (in the same transaction, after the round row is flushed) and
    after a bulk load. On PostgreSQL the village rows are locked against writers first
    (SHARE: readers go on), so that no change in flight applies a delta computed with the
    old threshold to rows rebuilt with the new one; SQLite has one writer anyway."""
    if on_postgresql(db.session):
        db.session.execute(text("LOCK TABLE village_rollups IN SHARE MODE"))
    db.session.execute(delete(DistrictRollup).where(DistrictRollup.round_year == round_year))
    db.session.execute(insert(DistrictRollup).from_select(_district_columns(),
                                                          _district_sums(round_year)))
    for key, row in list(db.session.identity_map.items()):
        if isinstance(row, DistrictRollup):
            db.session.expire(row)


def recompute_district(round_year: int, district_code: str) -> dict | None:
    """A district row's values summed afresh from its village rows (for checks, not the hot
    path): every column but the key and province; None when the district has no village
    rows."""
    query = _district_sums(round_year).where(
        func.substr(VillageRollup.area_code, 1, 4) == district_code)
    row = db.session.execute(query).one_or_none()
    if row is None:
        return None
    return {name: int(value) for name, value in zip(_district_columns(), row)
            if name not in _NAMING_COLUMNS}


def district_totals_of(row: DistrictRollup) -> dict:
    """A district row's values, comparable with ``recompute_district``."""
    return {name: getattr(row, name) for name in _district_columns()
            if name not in _NAMING_COLUMNS}


def recompute(round_: SurveyRound, area_code: str) -> dict:
    """The village's totals computed from its households (for checks, not the hot path)."""
    row = VillageRollup(**_empty_row_values(round_.year, area_code))
    for household in db.session.scalars(select(Household).where(
            Household.round_year == round_.year, Household.village_code == area_code)):
        _apply(row, contribution(household, round_), +1)
    return totals_of(row)


def totals_of(row: VillageRollup) -> dict:
    """The comparable totals of a rollup row (everything but its revision)."""
    return {name: getattr(row, name) for name in TOTALS}
