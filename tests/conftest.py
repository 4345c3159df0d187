"""Test fixtures: a fresh database per test, on SQLite or on PostgreSQL + PostGIS.

Set ``BMN_TEST_DATABASE_URL`` to a PostgreSQL URL (any database on the server; it is used
only to create and drop the test databases) to run the suite on PostgreSQL; SQLite
otherwise. The schema comes from the real Alembic migrations, the areas from geothai and a
generated register for Phitsanulok (65) and Samut Songkhram (75); it is built once per run
as a template and copied for each test (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL).
"""
from __future__ import annotations

import os
import re
import shutil
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.areas.demo import demo_register_csv
from app.areas.official import load_official_areas
from app.areas.register import import_register
from app.auth.models import Role
from app.auth.services import create_user, issue_token
from app.extensions import db

# Shared fixtures of the higher packages (survey, and later certification and gis).
pytest_plugins = ["tests.fixtures.survey", "tests.fixtures.certification", "tests.fixtures.gis",
                  "tests.fixtures.server"]

PG_URL = os.environ.get("BMN_TEST_DATABASE_URL")
TEST_PASSWORD = "correct-horse-battery"
TEMPLATE_NAME = f"bmn_test_tpl_{uuid.uuid4().hex[:8]}"


def _pg_admin_engine():
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT"), url


def create_empty_database(tmp_path, name: str | None = None) -> str:
    """A new, empty database; its URL."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / ((name or 'empty') + '.sqlite3')}"
    engine, url = _pg_admin_engine()
    name = name or f"bmn_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    engine, _ = _pg_admin_engine()
    name = make_url(url).database
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def make_app(url: str, instance_path, **config):
    os.environ["BMN_INSTANCE_PATH"] = str(instance_path)
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "test-secret", **config})


@pytest.fixture(scope="session")
def template_url(tmp_path_factory):
    """The migrated, loaded template database, built once per test run."""
    base = tmp_path_factory.mktemp("template")
    url = create_empty_database(base, TEMPLATE_NAME if PG_URL else "template")
    app = make_app(url, base / "instance")
    with app.app_context():
        upgrade()
        load_official_areas()
        for province in ("65", "75"):
            assert import_register(demo_register_csv(province)).ok
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture
def database_url(template_url, tmp_path):
    """A private copy of the template for one test."""
    if not PG_URL:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(make_url(template_url).database, path)
        yield f"sqlite:///{path}"
        return
    engine, url = _pg_admin_engine()
    name = f"bmn_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_NAME}"'))
    engine.dispose()
    test_url = url.set(database=name).render_as_string(hide_password=False)
    yield test_url
    drop_database(test_url)


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: a fresh ``g`` and its own
    database session. The test's session is expired afterwards so it sees the changes."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user(Role.DISTRICT_OFFICER, area_code="6501")``."""
    counter = iter(range(1, 10_000))

    def factory(role: Role, *, username: str | None = None, password: str = TEST_PASSWORD,
                **scope):
        name = username or f"{role.value}{next(counter)}"
        return create_user(name, password, role, **scope)

    return factory


@pytest.fixture
def auth_header(app):
    """``auth_header(user)`` → an Authorization header with a fresh bearer token."""
    def factory(user) -> dict:
        return {"Authorization": f"Bearer {issue_token(user, 'test').token}"}

    return factory


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def login(client):
    """Sign ``user`` in through the login page; returns the CSRF token for later posts."""
    def do_login(user, password: str = TEST_PASSWORD):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": user.username, "password": password,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))

    return do_login
