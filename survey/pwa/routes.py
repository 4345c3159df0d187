"""Serve the enumerator PWA: the shell page, its manifest and its service worker.

The service worker is rendered with a version hashed from the static files, so a deploy
that changes any asset installs a new worker and a fresh cache; otherwise phones keep
working from the cache with no network at all.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, render_template, url_for

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
    return digest.hexdigest()[:12]


def shell_urls() -> list[str]:
    """Everything the app needs to start offline."""
    return (["/collect/", "/collect/manifest.webmanifest", *FONTS]
            + [url_for("pwa.static", filename=name) for name in _static_files()])


@bp.get("/")
def shell():
    response = Response(render_template("collect.html", version=asset_version()))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    response = Response(render_template("manifest.webmanifest"),
                        mimetype="application/manifest+json")
    return response


@bp.get("/sw.js")
def service_worker():
    body = render_template("sw.js", version=asset_version(), urls=shell_urls())
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/collect/"
    return response
