"""New households — one, or a phone's whole outbox — stored in a few set-based statements.

The rules are those of every household operation in ``survey.households``: the same
validation and scoring, history row, duplicate-ID flags and exact village rollup; only the
writing differs. Every household is validated and scored in Python before anything is
written, so a bad one costs no statement. Then one ``INSERT … ON CONFLICT DO NOTHING`` of
all the households (the UUID and the round's house code are unique keys, so a replay or a
house code already taken is found by the insert itself and looked into only then), with
the members and history rows of those inserted (``multirow.insert_with_children``: on
PostgreSQL the same statement), one query for national IDs held elsewhere, and one rollup
update per village with the sum of its households' deltas and one per district
(``rollup.apply_many``: the rows' locks in the one order every writer keeps, so that
concurrent batches and single POSTs cannot deadlock). The caller commits: whatever is
acknowledged is in that commit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from app.areas.models import VILLAGE_LEVELS, Area
from app.auth.models import User
from app.db_types import utcnow
from app.errors import Problem
from app.extensions import db
from app.multirow import insert_with_children
from survey import rollup
from survey.access import assigned_column, require_assignment
from survey.households import (
    check_house_code_free,
    flag_duplicate_ids,
    history_row,
    household_values,
    member_rows,
    partial_detail,
    replay,
    submission_hash,
    unknown_village,
    validated,
)
from survey.models import (
    Household,
    HouseholdAction,
    HouseholdHistory,
    HouseholdStatus,
    Member,
    SurveyRound,
)


@dataclass
class Stored:
    """What a phone needs back for a stored household (the full record is at GET)."""

    id: str
    version: int
    status: str
    incomplete_reason: str | None
    indicator_results: list
    warnings: list
    created: bool

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @classmethod
    def of(cls, household: Household, *, created: bool = False) -> "Stored":
        return cls(household.id, household.version, household.status,
                   household.incomplete_reason, household.indicator_results,
                   household.warnings or [], created)


@dataclass(frozen=True)
class Target:
    """Where a household goes: its village, its round (None: no such round) and whether
    the submitting user is assigned there, looked up together."""

    village: Area
    round_: SurveyRound | None
    assigned: bool


def targets(user: User, keys: set[tuple[int, str]]) -> dict[tuple[int, str], Target]:
    """Where households go, for (round, village code) pairs: one query per round for any
    number of villages. A code that names no village/community is left out."""
    found = {}
    for year in sorted({year for year, _ in keys}):
        codes = sorted({code for y, code in keys if y == year and isinstance(code, str)})
        rows = db.session.execute(
            select(Area, SurveyRound, assigned_column(user, year, Area.code))
            .outerjoin(SurveyRound, SurveyRound.year == year)
            .where(Area.code.in_(codes), Area.level.in_(VILLAGE_LEVELS))) if codes else ()
        for row in rows:
            found[year, row.Area.code] = Target(row.Area, row.SurveyRound, bool(row.assigned))
    return found


def target(user: User, round_year: int, village_code: str) -> Target:
    """Where one household goes; 422 for a code that names no village/community."""
    return target_in(targets(user, {(round_year, village_code)}), round_year, village_code)


def target_in(found: dict[tuple[int, str], Target], round_year: int,
              village_code: str) -> Target:
    """One household's target among those ``targets`` found; 422 for a code that names no
    village/community."""
    where = found.get((round_year, village_code))
    if where is None:
        raise unknown_village(village_code)
    return where


@dataclass
class Item:
    """One household to store: the parsed body, the JSON as sent (a replay is recognised
    by its hash) and where it goes; the caller authorised the user on its village."""

    payload: dict
    raw: dict
    target: Target


@dataclass
class _Ready:
    """A validated, scored household: its row, its members' rows, what it adds to its
    village's rollup."""

    index: int
    row: dict
    members: list[dict]
    contribution: rollup.Contribution


def submit(user: User, item: Item) -> Stored:
    """Store one new household (or find the stored one when this is a replay); a
    ``Problem`` when it is refused."""
    result = submit_many(user, [item])[0]
    if isinstance(result, Problem):
        raise result
    return result


def submit_many(user: User, items: list[Item]) -> list[Stored | Problem]:
    """Store new households, each answered on its own, in the order given: the stored
    household (``created`` false for a replay of one already stored) or the ``Problem``
    that refused it. One refused household changes nothing for the others."""
    results: list[Stored | Problem | None] = [None] * len(items)
    ready: list[_Ready] = []
    for index, item in enumerate(items):
        try:
            ready.append(_prepare(user, index, item))
        except Problem as problem:
            # A replay is answered as the stored household even if the body would not be
            # accepted today (the round's window closed, the village was reassigned).
            results[index] = _stored_replay(user, item) or problem
    first, again = _first_of_each_key(ready)
    inserted = _insert_households(user, first)
    written = [r for r in first if r.row["id"] in inserted]
    for r in [r for r in first if r.row["id"] not in inserted] + again:
        results[r.index] = _conflict(user, r.row)
    if written:
        _flag_and_roll_up(written)
    for r in written:
        results[r.index] = Stored(r.row["id"], 1, r.row["status"], r.row["incomplete_reason"],
                                  r.row["indicator_results"], r.row["warnings"], created=True)
    return results


def _prepare(user: User, index: int, item: Item) -> _Ready:
    round_, village = item.target.round_, item.target.village
    if round_ is None:
        raise Problem("UNKNOWN_ROUND", year=item.payload["round"])
    require_assignment(user, round_.year, village.code, assigned=item.target.assigned)
    payload, warnings = validated(item.payload, round_, village)
    now = utcnow()
    row = household_values(payload, round_, village, warnings)
    row.update(id=str(payload["client_uuid"]), enumerator_id=user.id, updated_by_id=user.id,
               payload_hash=submission_hash(item.raw), status=HouseholdStatus.SUBMITTED.value,
               version=1, created_at=now, updated_at=now)
    members = member_rows(payload)
    stored = SimpleNamespace(**row, members=[SimpleNamespace(**m) for m in members])
    return _Ready(index, row, members, rollup.contribution(stored, round_))


def _stored_replay(user: User, item: Item) -> Stored | Problem | None:
    uuid = item.payload.get("client_uuid")
    if uuid is None:
        return None
    try:
        stored = replay(user, str(uuid), submission_hash(item.raw))
    except Problem as problem:  # the UUID holds other content
        return problem
    return None if stored is None else Stored.of(stored)


def _insert_households(user: User, ready: list[_Ready]) -> set[str]:
    """Insert the households that take no unique key already taken, with their members and
    history rows; the ids inserted."""
    rows = [r.row for r in ready]
    return set(insert_with_children(db.session, Household.__table__, rows, "id", [
        (Member.__table__, "household_id",
         [{**m, "household_id": r.row["id"]} for r in ready for m in r.members]),
        (HouseholdHistory.__table__, "household_id",
         [history_row(user, r.row["id"], r.row["round_year"], r.row["village_code"],
                      HouseholdAction.SUBMITTED, 1,
                      detail=partial_detail(r.row["incomplete_reason"]) or None)
          for r in ready])]))


def _first_of_each_key(ready: list[_Ready]) -> tuple[list[_Ready], list[_Ready]]:
    """The households whose UUID and house code no earlier one of the list holds, and the
    others (answered after the insert, as a replay or a conflict with the earlier one)."""
    seen, first, again = set(), [], []
    for r in ready:
        keys = {r.row["id"]} | ({(r.row["round_year"], r.row["house_code"])}
                               if r.row["house_code"] else set())
        (again if keys & seen else first).append(r)
        seen |= keys
    return first, again


def _conflict(user: User, row: dict) -> Stored | Problem:
    """Why a household was not inserted: the replay of a stored one (its
    acknowledgement), its UUID used by other content, or its house code taken (409s)."""
    try:
        stored = replay(user, row["id"], row["payload_hash"])
        if stored is not None:
            return Stored.of(stored)
        check_house_code_free(user, row["id"], row["round_year"], row["house_code"])
    except Problem as problem:
        return problem
    # Neither: the conflicting row went away meanwhile (a rolled-back concurrent insert).
    return Problem("SUBMISSION_RETRY")


def _flag_and_roll_up(written: list[_Ready]) -> None:
    """Duplicate-ID flags and rollups of the households just inserted."""
    for year in sorted({r.row["round_year"] for r in written}):
        flag_duplicate_ids(year, {r.row["id"]: (r.row["village_code"], {
            m["national_id_hash"]: m["line_no"] for m in r.members})
            for r in written if r.row["round_year"] == year})
    changes: dict[int, dict[str, Counter]] = {}
    for r in written:
        changes.setdefault(r.row["round_year"], {}).setdefault(
            r.row["village_code"], Counter()).update(rollup.column_deltas(r.contribution, +1))
    for year, villages in sorted(changes.items()):
        rollup.apply_many(year, villages)  # in the one lock order: no deadlock
