"""Exact per-village totals, kept current by deltas.

Every change to a household (submit, correction, return, lock) subtracts the household's old
``Contribution`` from its village's rollup and adds the new one, in the same transaction, and
bumps the village's revision. Every count is a plain integer column of the row (one per
indicator count, sex and age band, money item: see ``survey.models``), so reports over any
area are sums the database computes over village rows: their time grows with villages, not
households. ``recompute`` rebuilds a rollup from the households
themselves; the property test holds the two equal.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from app.db_types import upsert_insert
from app.extensions import db
from survey.models import (
    AGE_BANDS,
    INDICATOR_COLUMNS,
    ITEM_COLUMNS,
    PEOPLE_COLUMNS,
    SEXES,
    Household,
    HouseholdStatus,
    SurveyRound,
    VillageRollup,
    indicator_column,
    item_column,
    people_column,
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


def _bits(mask: int) -> list[int]:
    return [n + 1 for n in range(mask.bit_length()) if mask >> n & 1]


def contribution(household: Household, round_: SurveyRound) -> Contribution:
    """What the household adds, from what was stored when it was scored. Income and
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


def _deltas(c: Contribution, sign: int) -> Counter:
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
    for name, n in _deltas(c, sign).items():
        setattr(row, name, getattr(row, name) + n)


@functools.cache
def _increment():
    """One UPDATE adding a delta to every total and 1 to the revision: the same statement
    for every change (compiled once), atomic under the row's lock, no read first."""
    table = VillageRollup.__table__
    return (update(table)
            .where(table.c.round_year == bindparam("key_round"),
                   table.c.area_code == bindparam("key_area"))
            .values({table.c[name]: table.c[name] + bindparam(f"d_{name}") for name in TOTALS}
                    | {table.c.revision: table.c.revision + 1}))


def apply_change(round_: SurveyRound, area_code: str, *, old: Contribution | None,
                 new: Contribution | None) -> None:
    """Replace ``old`` by ``new`` in the village's totals and bump its revision. Concurrent
    first submissions in a village both insert-or-ignore the row, then update it in turn."""
    deltas = Counter()
    for c, sign in ((old, -1), (new, +1)):
        if c is not None:
            deltas.update(_deltas(c, sign))
    params = {"key_round": round_.year, "key_area": area_code,
              **{f"d_{name}": deltas.get(name, 0) for name in TOTALS}}
    if db.session.execute(_increment(), params).rowcount == 0:
        insert = upsert_insert(db.session)
        db.session.execute(insert(VillageRollup).values(
            **_empty_row_values(round_.year, area_code)).on_conflict_do_nothing())
        db.session.execute(_increment(), params)
    stale = db.session.identity_map.get(db.session.identity_key(
        VillageRollup, (round_.year, area_code)))
    if stale is not None:  # a row object read earlier in this transaction
        db.session.expire(stale)


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
