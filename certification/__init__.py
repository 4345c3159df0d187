"""Certification: the tiered sign-off LAO → district → province → department, with
quality gates, returns for correction, locks, a tamper-evident log, meeting packs and the
committee screens. Depends on ``survey`` and ``app``; nothing below imports it."""


def init_app(app) -> None:
    from app.extensions import api
    from certification import cli, models  # noqa: F401  (models: tables for Alembic)
    from certification.pages import bp as pages_bp
    from certification.routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    cli.register(app)
    from app.auth.policy import Action
    from app.web.routes import add_menu_item
    add_menu_item("การรับรองข้อมูล (อปท. → อำเภอ → จังหวัด → กรม)",
                  "certification_pages.units", Action.AGGREGATE_READ)
