"""Serve the enumerator PWA: the shell page, its manifest and its service worker.

The service worker is rendered with a version hashed from the static files and the
questionnaires, so a deploy that changes any of them installs a new worker and a fresh
cache; otherwise phones keep working from the cache with no network at all.

The questionnaire is part of the app (the form is rendered from it), so the worker
precaches it like the scripts: from ``/collect/questionnaires/{version}.json``, which needs
no sign-in because the worker installs before the volunteer has signed in. It is the same
document, with the same ETag, as ``GET /api/v1/questionnaires/{version}``, which the worker
answers from that copy.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, url_for

from survey import questionnaire_document
from survey.questionnaires import UnknownQuestionnaireVersion

bp = Blueprint("pwa", __name__, url_prefix="/collect", template_folder="templates",
               static_folder="static", static_url_path="/static")

STATIC = Path(__file__).parent / "static"
FONTS = ("/fonts/Sarabun-Regular.ttf", "/fonts/Sarabun-SemiBold.ttf")


def _static_files() -> list[str]:
    return sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*")
                  if p.is_file() and not p.name.endswith(".LICENSE"))


@functools.cache
def asset_version() -> str:
    digest = hashlib.sha256()
    for name in _static_files():
        digest.update(name.encode() + (STATIC / name).read_bytes())
    for template in sorted((Path(__file__).parent / "templates").iterdir()):
        digest.update(template.read_bytes())
    for version_id, etag in sorted(questionnaire_document.all_etags().items()):
        digest.update(f"{version_id}={etag}".encode())
    return digest.hexdigest()[:12]


def questionnaire_urls() -> dict[str, str]:
    """The API address of each questionnaire version → its precached copy in the app."""
    return {f"/api/v1/questionnaires/{version_id}":
            url_for("pwa.questionnaire", version_id=version_id)
            for version_id in questionnaire_document.all_etags()}


def shell_urls() -> list[str]:
    """Everything the app needs to start offline."""
    return (["/collect/", "/collect/manifest.webmanifest", *FONTS]
            + [url_for("pwa.static", filename=name) for name in _static_files()]
            + list(questionnaire_urls().values()))


def module_urls() -> list[str]:
    """Every ES module, for ``<link rel="modulepreload">``: the browser fetches them all at
    once instead of learning the imports level by level (one round trip each, 150 ms on a
    slow mobile link)."""
    return [url_for("pwa.static", filename=name) for name in _static_files()
            if name.endswith(".js") and name != "app.js"]


@bp.record_once
def _hash_at_start(state) -> None:
    """Hash the assets while the worker starts, not in the first phone's request."""
    asset_version()


@bp.get("/")
def shell():
    response = Response(render_template("collect.html", version=asset_version(),
                                        modules=module_urls()))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    response = Response(render_template("manifest.webmanifest"),
                        mimetype="application/manifest+json")
    return response


@bp.get("/questionnaires/<version_id>.json")
def questionnaire(version_id: str):
    """A questionnaire version for the service worker to precache (no sign-in: see above)."""
    try:
        return questionnaire_document.respond(version_id, cache_control="public, no-cache")
    except UnknownQuestionnaireVersion:
        abort(404)


@bp.get("/sw.js")
def service_worker():
    body = render_template("sw.js", version=asset_version(), urls=shell_urls(),
                           questionnaires=questionnaire_urls())
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/collect/"
    return response
