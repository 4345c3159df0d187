"""Page routes. They parse forms, ask ``app.auth.guard.require`` and render templates."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import fontpkg_sarabun
from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.areas import queries
from app.areas.register import import_register
from app.auth.guard import authenticated_user, client_ip, require
from app.auth.policy import Action, may, visible_areas_clause
from app.auth.routes import login_error
from app.auth.services import LoginError, authenticate, end_sessions
from app.csv_import import CsvFileError
from app.extensions import db
from app.units import Unit

bp = Blueprint("web", __name__)

# Menu entries the higher packages add (label, endpoint, the action it needs), so that app
# never names them; ``HOME`` is the page a signed-in officer lands on, when one is set.
MENU: list[tuple[str, str, Action]] = []
HOME: list[tuple[str, Action]] = []


def add_menu_item(label_th: str, endpoint: str, action: Action, *, home: bool = False) -> None:
    if (label_th, endpoint, action) not in MENU:
        MENU.append((label_th, endpoint, action))
    if home and (endpoint, action) not in HOME:
        HOME.append((endpoint, action))


def menu_for(user) -> list[tuple[str, str]]:
    """The menu entries ``user`` may open (the top bar and the home page show them)."""
    if user is None or not user.is_authenticated:
        return []
    return [(label, endpoint) for label, endpoint, action in MENU if may(user, action)]


@bp.app_context_processor
def _menu():
    return {"menu_for": menu_for}

FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
SERVED_FONTS = {"Sarabun-Regular.ttf", "Sarabun-SemiBold.ttf"}


@bp.get("/fonts/<name>")
def font(name: str):
    """The bundled Sarabun font (from the fontpkg-sarabun wheel; no CDN)."""
    if name not in SERVED_FONTS:
        return "", 404
    return send_from_directory(FONT_DIR, name, max_age=30 * 24 * 3600)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login page can't redirect elsewhere."""
    if not target or urlparse(target).netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("web.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        try:
            user = authenticate(request.form.get("username", "").strip(),
                                request.form.get("password", ""), ip=client_ip())
        except LoginError as exc:
            failure = login_error(exc)
            error, status = failure.message_th, failure.code
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error,
                           username=request.form.get("username", "")), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object(), ip=client_ip())
    logout_user()
    return redirect(url_for("web.login"))


@bp.get("/")
def home():
    """An officer's home is the page a package set (progress); others get their scope and
    the menu (an enumerator: the collection app)."""
    user = authenticated_user()
    for endpoint, action in HOME:
        if may(user, action) and request.args.get("menu") is None:
            return redirect(url_for(endpoint))
    scope = Unit.of_scope(user)
    area = user.scope_area
    context = {"user": user, "scope": scope, "area": area,
               "ancestors": queries.ancestors(area) if area else [],
               "can_import": may(user, Action.REGISTER_IMPORT),
               "menu": menu_for(user)}
    if scope.kind == "lao":
        context["lao_areas"] = queries.lao_areas(scope.code)
    else:
        context["children"], context["children_total"] = queries.children(
            area.code if area else None, visible_areas_clause(user), limit=200, offset=0)
    return render_template("home.html", **context)


@bp.route("/register", methods=["GET", "POST"])
def register_upload():
    """Upload the village/community register; every bad row is listed in Thai."""
    user = require(Action.REGISTER_IMPORT)
    report, file_error = None, None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            file_error, status = "กรุณาเลือกไฟล์ CSV", 400
        else:
            try:
                report = import_register(
                    upload.read(), dry_run=bool(request.form.get("dry_run")),
                    allowed=lambda sub: may(user, Action.REGISTER_IMPORT, area=sub))
            except CsvFileError as exc:
                file_error, status = f"{exc.message_th} ({exc})", 422
            else:
                status = 200 if report.ok else 422
                if report.ok:
                    db.session.commit()
    return render_template("register.html", report=report, file_error=file_error), status
