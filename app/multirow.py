"""Many rows into one table in one statement, on both databases.

On PostgreSQL the rows travel as one JSON document, turned back into rows by
``json_to_recordset``. The statement is then the same whatever the number of rows, with one
parameter, so psycopg converts it once and the server prepares it, and the rows are encoded
by the C JSON encoder. (A multi-row ``VALUES`` of 100 households has 4,400 parameters, which
psycopg parsed anew on every execution: a fifth of a batch's CPU; arrays per column, through
``unnest``, cost more still, psycopg escaping every element of a text array in Python.)
Child rows (a household's members and history) go in the same statement, for the parents
inserted. Elsewhere (SQLite) each table's rows go as one executemany.
"""
from __future__ import annotations

import functools
import json
from datetime import date, datetime

import orjson
from sqlalchemy import JSON, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import NullType

from app.db_types import on_postgresql


def insert_with_children(session, table: Table, rows: list[dict], key: str,
                         children: list[tuple[Table, str, list[dict]]] = ()) -> list:
    """Insert ``rows`` (dicts with the same keys; columns not named take their defaults),
    leaving out those that would break a unique key, and of each ``(child table, its column
    naming the parent's key, child rows)`` the rows whose parent was inserted; the keys
    inserted. On PostgreSQL one statement (the children's inserts are data-modifying CTEs
    reading the parents' ``RETURNING``): one round trip where a single submission made
    three."""
    if not rows:
        return []
    children = [(child, parent_key, child_rows) for child, parent_key, child_rows in children
                if child_rows]
    if not on_postgresql(session):
        inserted = _executemany(session, table, rows, returning=key)
        kept = set(inserted)
        for child, parent_key, child_rows in children:
            _executemany(session, child, [r for r in child_rows if r[parent_key] in kept])
        return inserted
    statement = _with_children(table, _names(rows), key, tuple(
        (child, parent_key, _names(child_rows)) for child, parent_key, child_rows in children))
    params = {"rows": _document(rows)}
    params.update((f"child_{n}", _document(child_rows))
                  for n, (_, _, child_rows) in enumerate(children))
    return list(session.execute(statement, params).scalars())


@functools.cache
def _with_children(table: Table, names: tuple[str, ...], key: str, children: tuple) -> text:
    """PostgreSQL: the one statement for these tables and columns, built once (a ``text``
    construct parses its SQL for parameters, a tenth of the insert's CPU on every call)."""
    ctes = [f"parents AS ({_recordset_insert(table, names, 'rows', True, key)})"]
    for n, (child, parent_key, child_names) in enumerate(children):
        ctes.append(f"child_{n} AS ({_recordset_insert(child, child_names, f'child_{n}')}"
                    f' WHERE r."{parent_key}" IN (SELECT "{key}" FROM parents))')
    return text(f'WITH {", ".join(ctes)} SELECT "{key}" FROM parents')


def _executemany(session, table: Table, rows: list[dict], *, returning: str | None = None):
    """SQLite: the rows as one executemany; with ``returning``, as the parents (a row on a
    taken unique key left out) and the list of their keys."""
    if not rows:
        return []
    _names(rows)
    statement = sqlite.insert(table)
    if returning is None:
        session.execute(statement, rows)
        return []
    statement = statement.on_conflict_do_nothing().returning(table.c[returning])
    return list(session.execute(statement, rows).scalars())


def _names(rows: list[dict]) -> tuple[str, ...]:
    names = tuple(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("insert_with_children: every row must name the same columns")
    return names


def _document(rows: list[dict]) -> str:
    """The rows as JSON text: by orjson (a third of the time), or by ``json`` for what orjson
    refuses (an integer beyond 64 bits, a lone surrogate, a key that is not a string), so
    that both give PostgreSQL the same values."""
    try:
        return orjson.dumps(rows, default=_as_json,
                            option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except orjson.JSONEncodeError:
        return json.dumps(rows, default=_as_json)


def _as_json(value):
    """What JSON cannot hold, as PostgreSQL's text input reads it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} has no JSON form for insert_with_children")


def _recordset_insert(table: Table, names: tuple[str, ...], param: str,
                      skip_conflicts: bool = False, returning: str | None = None) -> str:
    """``INSERT … SELECT … FROM json_to_recordset(:param) AS r(…)``: the rows of one JSON
    parameter, each column in its own type."""
    dialect = postgresql.psycopg.dialect()
    columns = [table.c[name] for name in names]
    record = ", ".join(f'"{c.name}" {_type_of(c).compile(dialect=dialect)}' for c in columns)
    values = ", ".join(
        # A JSON column stores Python's None as JSON null (as one-row inserts do), which
        # json_to_recordset would make SQL NULL.
        f"coalesce(r.\"{c.name}\", 'null'::json)"
        if isinstance(c.type, JSON) and not c.type.none_as_null else f'r."{c.name}"'
        for c in columns)
    return (f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
            f"SELECT {values} FROM json_to_recordset(CAST(:{param} AS json)) AS r({record})"
            + (" ON CONFLICT DO NOTHING" if skip_conflicts else "")
            + (f' RETURNING "{returning}"' if returning is not None else ""))


def _type_of(column):
    """The column's type; a foreign key declared without one has its target's."""
    if isinstance(column.type, NullType) and column.foreign_keys:
        return next(iter(column.foreign_keys)).column.type
    return column.type
