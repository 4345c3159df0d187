"""Configuration from environment variables, with an embedded SQLite default.

Every setting a deployment changes is read from the environment so that the same
code runs the quick-start demo, the test suite and a PostgreSQL + PostGIS server.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Where Swagger UI's files are served from (the swagger-ui-bundle wheel).
DOCS_ASSETS = "/api/v1/docs-assets/"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(instance_path: str) -> str:
    """`DATABASE_URL`, normalised to the psycopg 3 driver; SQLite under `instance/` otherwise."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "bmn.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """Connection settings. ``hide_parameters``: a database error never carries the row's
    values (names, IDs) into an exception message or a log line. PostgreSQL's JIT is off
    for the app's sessions: its statements are short, and when table statistics lag (after
    a bulk load, before autovacuum's ANALYZE) the planner's inflated estimates made it
    compile a 0.1 ms lookup for 19 ms. Behind PgBouncer in transaction mode
    (``BMN_PGBOUNCER=1``) consecutive transactions may run on different server
    connections, so psycopg must not prepare statements on them, and startup options do
    not pass (set ``jit = off`` on the database there)."""
    options = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("postgresql"):
        options.update(pool_size=_int("BMN_DB_POOL_SIZE", 5),
                       max_overflow=_int("BMN_DB_POOL_OVERFLOW", 10))
        options["connect_args"] = {"prepare_threshold": None} if _flag("BMN_PGBOUNCER", False) \
            else {"options": "-c jit=off"}
    return options


def secret_key(instance_path: str) -> str:
    """`SECRET_KEY`, or a random key kept in `instance/` so sessions survive restarts."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """The whole configuration as a dict, read once when the app is created."""
    url = database_url(instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "SECRET_KEY": secret_key(instance_path),
        # Browser sessions: HttpOnly always; Secure unless explicitly running over plain HTTP.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("BMN_SECURE_COOKIES", True),
        "REMEMBER_COOKIE_SECURE": _flag("BMN_SECURE_COOKIES", True),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("BMN_SESSION_HOURS", 12)),
        # CSRF is checked explicitly for cookie-authenticated writes (see app.auth.csrf).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        # Login throttling: consecutive failures before a temporary lock, and its length.
        "BMN_LOGIN_MAX_FAILURES": _int("BMN_LOGIN_MAX_FAILURES", 5),
        "BMN_LOGIN_LOCK_MINUTES": _int("BMN_LOGIN_LOCK_MINUTES", 15),
        # Failed sign-ins from one client address (any usernames) before it must wait.
        "BMN_LOGIN_MAX_PER_ADDRESS": _int("BMN_LOGIN_MAX_PER_ADDRESS", 30),
        # Bearer tokens for phones and scripts: long-lived (days offline), revocable.
        "BMN_TOKEN_DAYS": _int("BMN_TOKEN_DAYS", 90),
        # Key for hashing and encrypting national IDs (SECRET_KEY when unset).
        "BMN_DATA_KEY": os.environ.get("BMN_DATA_KEY"),
        # An optional background tile layer for the map dashboard (the map works without):
        # e.g. https://tiles.example.org/{z}/{x}/{y}.png on the office's own tile server.
        "BMN_MAP_TILES_URL": os.environ.get("BMN_MAP_TILES_URL"),
        # The address phones reach the server at, for the enrolment QR codes (e.g.
        # https://bmn.province.go.th); unset: the address the coordinator's browser used.
        "BMN_PUBLIC_URL": (os.environ.get("BMN_PUBLIC_URL") or "").rstrip("/") or None,
        # Paths answered in JSON (errors included) and authenticated before anything else.
        "BMN_API_PREFIXES": ["/api/"],
        # The packages that plug into the app (each has ``init_app(app)``).
        "BMN_PACKAGES": ["survey", "certification", "gis"],
        "MAX_CONTENT_LENGTH": _int("BMN_MAX_UPLOAD_MB", 32) * 1024 * 1024,
        # Compress text responses (brotli or gzip, see app.compression); 0 when a reverse
        # proxy in front already does.
        "BMN_COMPRESS": _flag("BMN_COMPRESS", True),
        # OpenAPI (flask-smorest).
        "API_TITLE": "BMN (จปฐ.) survey API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS,
        # Every operation needs a bearer token or a browser session unless it says not.
        "API_SPEC_OPTIONS": {"security": [{"bearerToken": []}, {"browserSession": []}]},
    }
