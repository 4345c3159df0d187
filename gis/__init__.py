"""GIS: boundaries and their reconciliation, village points, choropleth map data, the
provincial dashboard, print maps, OGC API – Features and GPS quality checks. May import
``certification``, ``survey`` and ``app``; only the app factory imports it."""

OGC_PREFIX = "/ogc"


def init_app(app) -> None:
    from app.auth.policy import Action
    from app.extensions import api
    from app.web.routes import add_menu_item
    from gis import cli
    from gis.features import bp as ogc_bp
    from gis.pages import bp as pages_bp
    from gis.routes import blp

    # /ogc answers in JSON (OGC exception bodies) and authenticates first, like /api/.
    app.config["BMN_API_PREFIXES"] = [*app.config["BMN_API_PREFIXES"], OGC_PREFIX]
    app.config["BMN_OGC_PREFIXES"] = [OGC_PREFIX]
    api.register_blueprint(blp)
    app.register_blueprint(ogc_bp)
    app.register_blueprint(pages_bp)
    cli.register(app)
    from certification.packs import add_figure
    from gis.printing import pack_map
    add_figure(pack_map)
    add_menu_item("แผนที่ข้อมูล จปฐ.", "gis_pages.dashboard", Action.AGGREGATE_READ)
