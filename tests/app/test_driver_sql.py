"""``driver_sql``: a statement compiled once gives what SQLAlchemy's own execution gives,
its fixed values included; a statement it cannot pass on as it is is refused, not run
wrong."""
import pytest
from sqlalchemy import bindparam, literal, select

from app import driver_sql
from app.db_types import TZDateTime, on_postgresql, utcnow
from app.extensions import db

STATEMENT = select(bindparam("a") + 1, literal("fixed") + bindparam("b"))


@pytest.fixture
def session(app):
    return db.session


def test_the_same_rows_as_sqlalchemy_with_the_fixed_values(session):
    if not on_postgresql(session):
        pytest.skip("the compiled path is PostgreSQL's (SQLite's parameters are positional)")
    for a, b in ((1, "x"), (41, "ดี")):
        params = {"a": a, "b": b}
        assert driver_sql.execute(session, STATEMENT, params).all() == \
            session.execute(STATEMENT, params).all() == [(a + 1, "fixed" + b)]


def test_positional_parameters_are_refused(session):
    if on_postgresql(session):
        pytest.skip("PostgreSQL's parameters are named")
    with pytest.raises(ValueError, match="positional"):
        driver_sql.execute(session, STATEMENT, {"a": 1, "b": "x"})


def test_a_parameter_sqlalchemy_must_convert_is_refused(session):
    if not on_postgresql(session):
        pytest.skip("SQLite is refused before that (positional)")
    statement = select(bindparam("at", type_=TZDateTime))
    with pytest.raises(ValueError, match=r"\['at'\]"):
        driver_sql.execute(session, statement, {"at": utcnow()})
