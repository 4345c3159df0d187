"""Households that arrive in a file — a province migrating last year's records, another
collection system's export — stored exactly as the API stores them.

The file is JSON Lines: one household per line, each the body ``POST /households`` takes.
Lines are read as a stream and stored in chunks through ``survey.submission`` (the same
validation, scoring, history, duplicate-ID flags and exact rollups as the API), each chunk
committed on its own. A bad line is reported with its number and reasons and never stops
the import; a line already stored (same UUID, same content) is counted as such, so running
a file again stores nothing twice. After every chunk, the number of lines done is written
to a state file, from which an interrupted import resumes.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import marshmallow as ma
from sqlalchemy import text

from app import input_limits
from app.auth.models import User
from app.db_types import on_postgresql
from app.errors import Problem
from app.extensions import db
from survey import submission
from survey.models import Household, HouseholdHistory, Member, QualityIssue
from survey.schemas import HOUSEHOLD_INPUT

CHUNK = 500


@dataclass
class LineError:
    """Why a line was not stored: the API's error code and message, and per field path
    the messages (Thai where the rule has one)."""

    line: int
    error_code: str
    message: str
    errors: dict

    def describe(self) -> str:
        fields = "; ".join(f"{name}: {' / '.join(messages)}"
                           for name, messages in self.errors.items())
        return f"line {self.line}: {self.error_code}: {self.message}" + (
            f" ({fields})" if fields else "")


@dataclass
class ImportReport:
    lines: int = 0            # lines read in this run (after those skipped on resuming)
    stored: int = 0           # new households
    already_stored: int = 0   # replays of households stored before
    skipped: int = 0          # lines done by an earlier run, not read again
    refused: int = 0          # lines reported to ``on_error``


class ImportState:
    """How far an import of one file got: lines done, kept in a small JSON file beside it
    and replaced atomically after every committed chunk."""

    def __init__(self, source: Path, path: Path | None = None, part: tuple[int, int] = (1, 1)):
        self.source = source
        suffix = ".progress" if part == (1, 1) else f".progress-{part[0]}-of-{part[1]}"
        self.path = path or source.with_name(source.name + suffix)

    def lines_done(self) -> int:
        """Lines committed by an earlier run of this same file (0 when none); a state left
        by a file that has since changed is refused."""
        if not self.path.exists():
            return 0
        state = json.loads(self.path.read_text())
        if state.get("size") != self.source.stat().st_size or state.get("name") != \
                self.source.name:
            raise ValueError(f"{self.path} belongs to another version of the file; "
                             "start again with --restart")
        return int(state["lines_done"])

    def save(self, lines_done: int) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"name": self.source.name,
                                         "size": self.source.stat().st_size,
                                         "lines_done": lines_done}))
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def import_households(lines: Iterator[bytes], enumerator: User, *,
                      on_error: Callable[[LineError], None], skip: int = 0,
                      chunk: int = CHUNK, part: tuple[int, int] = (1, 1),
                      on_commit: Callable[[int, ImportReport], None] = lambda n, r: None
                      ) -> ImportReport:
    """Store the households of ``lines`` as ``enumerator``'s (the account the records
    belong to), ``chunk`` lines per transaction, after skipping ``skip`` lines. The file's
    import is the operator's word for where each household belongs, so the account's
    village assignments are not asked for; every other rule is the API's. ``part`` (k, n):
    only every n-th line from the k-th, so that n processes share a file (each its own
    progress; the rollups take their locks in one order, so they never deadlock).
    ``on_commit`` gets the number of lines done after each commit; ``on_error`` each
    refused line, as it is found (a file may hold any number)."""
    report = ImportReport(skipped=skip)
    number, pending = 0, []
    targets: dict = {}
    k, n = part
    for number, line in enumerate(lines, start=1):
        if number <= skip or (number - 1) % n != k - 1:
            continue
        report.lines += 1
        if line.strip():
            pending.append((number, line))
        if len(pending) >= chunk:
            _store(enumerator, pending, targets, report, on_error)
            pending = []
            on_commit(number, report)
    if pending:
        _store(enumerator, pending, targets, report, on_error)
    on_commit(max(number, skip), report)
    return report


def refresh_statistics() -> None:
    """ANALYZE the tables an import filled (PostgreSQL), so the planner's estimates follow
    the new rows at once instead of when autovacuum gets to them."""
    if on_postgresql(db.session):
        db.session.commit()
        for table in (Household, Member, HouseholdHistory, QualityIssue):
            db.session.execute(text(f"ANALYZE {table.__tablename__}"))
        db.session.commit()


def _store(enumerator: User, lines: list[tuple[int, bytes]], targets: dict,
           report: ImportReport, on_error: Callable[[LineError], None]) -> None:
    refused, parsed = [], []
    for number, line in lines:
        try:
            parsed.append((number, *_parsed(line)))
        except _Refused as exc:
            refused.append(LineError(number, exc.error_code, exc.message, exc.errors))
    wanted = {(payload["round"], payload["village_code"]) for _, _, payload in parsed}
    # The file is the operator's word for where each household belongs: the account's
    # village assignments are not asked for.
    targets.update({key: replace(found, assigned=True) for key, found in
                    submission.targets(enumerator, wanted - targets.keys()).items()})
    items, numbers = [], []
    for number, raw, payload in parsed:
        try:
            where = submission.target_in(targets, payload["round"], payload["village_code"])
        except Problem as problem:
            refused.append(_line_error(number, problem))
            continue
        items.append(submission.Item(payload, raw, where))
        numbers.append(number)
    outcomes = submission.submit_many(enumerator, items)
    db.session.commit()
    for number, outcome in zip(numbers, outcomes):
        if isinstance(outcome, Problem):
            refused.append(_line_error(number, outcome))
        elif outcome.created:
            report.stored += 1
        else:
            report.already_stored += 1
    for error in sorted(refused, key=lambda e: e.line):
        on_error(error)
    report.refused += len(refused)
    db.session.expunge_all()  # a long import must not keep every object it touched


def _line_error(number: int, problem: Problem) -> LineError:
    return LineError(number, problem.error_code, problem.message_th, _messages(problem.errors))


class _Refused(Exception):
    def __init__(self, error_code: str, message: str, errors: dict):
        super().__init__(error_code)
        self.error_code, self.message, self.errors = error_code, message, errors


def _parsed(line: bytes) -> tuple[dict, dict]:
    """The line as sent and as the API's schema loads it."""
    try:
        raw = input_limits.loads(line)
    except (ValueError, input_limits.JsonLimitError) as exc:
        raise _Refused("MALFORMED_JSON", "บรรทัดนี้ไม่ใช่ JSON ที่ถูกต้อง", {"json": [str(exc)]}) \
            from exc
    if not isinstance(raw, dict):
        raise _Refused("MALFORMED_JSON", "หนึ่งบรรทัดต้องเป็นข้อมูลครัวเรือนหนึ่งรายการ (JSON object)",
                       {})
    try:
        return raw, HOUSEHOLD_INPUT.load(raw)
    except ma.ValidationError as exc:
        raise _Refused("VALIDATION_ERROR", "ข้อมูลครัวเรือนไม่ครบหรือผิดรูปแบบ",
                       _messages(exc.messages)) from exc


def _messages(errors, prefix: str = "") -> dict:
    """Field path → list of messages, from a schema's nested errors or a ``Problem``'s."""
    out: dict[str, list[str]] = {}
    for name, value in (errors or {}).items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            out.update(_messages(value, path))
        else:
            for message in value if isinstance(value, list) else [value]:
                if isinstance(message, dict):  # a rule's {error_code, message}
                    message = ": ".join(str(message[k]) for k in ("error_code", "message")
                                        if message.get(k))
                out.setdefault(path, []).append(str(message))
    return out
