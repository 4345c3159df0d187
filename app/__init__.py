"""The BMN (จปฐ.) survey application: ``create_app`` builds it from the environment."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

import swagger_ui_bundle
from flask import Flask, send_from_directory

from app import compression, errors, thai
from app import config as app_config
from app.db_types import utcnow
from app.extensions import api, db, migrate
from app.input_limits import BoundedJSONProvider, reject_nul_characters

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests use it)."""
    app = Flask(__name__, instance_path=os.environ.get("BMN_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.json = BoundedJSONProvider(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(app_config.from_environment(app.instance_path))
    app.config.update(config or {})
    compression.init_app(app)  # first, so that it sees each response last

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    api.init_app(app)
    _document_security(api)
    _register_parts(app)
    app.before_request(reject_nul_characters)  # after authentication (app.auth.guard)
    for name in app.config["BMN_PACKAGES"]:
        # The higher packages (survey, certification, gis) plug themselves in; app never
        # imports them by name, so dependencies keep pointing one way.
        importlib.import_module(name).init_app(app)
    errors.register(app)  # after flask-smorest, so our error shape wins
    thai.register(app)
    app.context_processor(lambda: {"now": utcnow()})
    return app


def _document_security(api) -> None:
    api.spec.components.security_scheme("bearerToken", {
        "type": "http", "scheme": "bearer",
        "description": "A device or script token from POST /api/v1/auth/tokens"})
    api.spec.components.security_scheme("browserSession", {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "The signed-in browser session; writes also need X-CSRFToken"})


def _register_parts(app: Flask) -> None:
    from app import cli
    from app.areas import models as _area_models  # noqa: F401  (models for Alembic)
    from app.areas.routes import blp as areas_blp
    from app.auth import guard
    from app.auth.routes import blp as auth_blp
    from app.web.routes import bp as web_bp

    guard.init_app(app)
    api.register_blueprint(auth_blp)
    api.register_blueprint(areas_blp)
    app.register_blueprint(web_bp)
    cli.register(app)

    @app.get(app_config.DOCS_ASSETS + "<path:name>")
    def docs_assets(name):
        """Swagger UI, served from the swagger-ui-bundle wheel (no CDN)."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)
