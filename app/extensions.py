"""The Flask extensions, created unbound so that models and blueprints can import them."""
import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from app.errors import ErrorSchema

# Stable constraint names, so that Alembic migrations can drop and alter them on
# both SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Objects stay loaded after commit: a request that commits and then serialises what it
# wrote needs no second round of SELECTs.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                session_options={"expire_on_commit": False})
migrate = Migrate()


class BmnApi(Api):
    """flask-smorest, documenting our error shape (``app.errors``) for every error."""

    ERROR_SCHEMA = ErrorSchema


api = BmnApi()
login_manager = LoginManager()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, let readers run beside a writer (WAL), make every
    commit durable before it is acknowledged, and wait for a busy writer instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL",
                       "busy_timeout=10000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
