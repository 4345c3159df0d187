"""Constant Core statements run as their driver's SQL, compiled once per statement.

On every execution SQLAlchemy looks a statement up in its compiled cache by a key it builds
by walking the whole statement: for the 156-column rollup UPDATEs that walk was about a
third of their CPU in a single submission. A statement built once (``functools.cache``)
whose parameters need no conversion by SQLAlchemy can skip it: it is compiled here once,
and its SQL and the parameters go to the driver as they are.
"""
from __future__ import annotations

import functools


def execute(session, statement, params: dict):
    """Run ``statement`` (built once, named parameters only) in the session's transaction;
    its result (``CursorResult``: rows as tuples, no ORM objects)."""
    connection = session.connection()
    sql, fixed = _compiled(statement, connection.dialect)
    return connection.exec_driver_sql(sql, {**fixed, **params} if fixed else params)


@functools.lru_cache(maxsize=128)
def _compiled(statement, dialect) -> tuple[str, dict]:
    """The statement's SQL and the values of the parameters it holds (``revision + 1``)."""
    compiled = statement.compile(dialect=dialect)
    if compiled.positional:
        raise ValueError(f"driver_sql: {dialect.name}'s parameters are positional")
    converted = sorted(name for name, bind in compiled.binds.items()
                       if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None)
    if converted:
        raise ValueError(f"driver_sql: parameters {converted} need SQLAlchemy's conversion")
    fixed = {name: value for name, value in compiled.params.items()
             if not compiled.binds[name].required}
    return compiled.string, fixed
