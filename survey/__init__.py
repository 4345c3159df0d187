"""Household survey: questionnaire versions, indicator rules, validation and storage."""


def init_app(app) -> None:
    """Plug the survey into the application: its models, API and commands."""
    from app.extensions import api
    from survey import cli, models  # noqa: F401  (models: tables for Alembic and the ORM)
    from survey.batch_routes import blp as batch_blp
    from survey.report_routes import blp as reports_blp
    from survey.routes import blp

    api.register_blueprint(blp)
    api.register_blueprint(batch_blp)
    api.register_blueprint(reports_blp)
    cli.register(app)
    from survey.pwa.routes import bp as pwa_bp
    app.register_blueprint(pwa_bp)
    from survey import pages
    pages.init_app(app)
