"""Compressed text responses (brotli, else gzip) through Flask-Compress.

A volunteer's phone is often on a slow mobile link: the app's scripts, its questionnaire
(about 200 KB of JSON, mostly Thai) and the Sarabun fonts shrink to a fifth and a half of
that. Brotli is what browsers ask for over HTTPS; gzip is what they ask for over plain HTTP
(the demo on a local network). Images, PDFs, spreadsheets and zips are compressed already
and are left alone.

Two departures from Flask-Compress's defaults, both about ETags:

- It turns a strong ``ETag: "x"`` into ``"x:gzip"``. Ours name a version of the data
  (households, certification units, map data, the questionnaire) and clients send them back
  in ``If-Match``: a suffixed tag would make every correction a 412. The tag is kept as the
  route set it (the decoded body is the same whatever the encoding; ``Vary:
  Accept-Encoding`` keeps caches from mixing the encodings up).
- It re-evaluates ``If-None-Match`` against the suffixed tag; the routes that offer 304s
  (static files, fonts, the questionnaire, maps) already answer them themselves.

``BMN_COMPRESS=0`` turns it off, e.g. behind a reverse proxy that compresses.
"""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress

MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript",
    "application/javascript", "application/json", "application/geo+json",
    "application/manifest+json", "application/problem+json", "image/svg+xml",
    # TrueType is not compressed inside (unlike WOFF2): Sarabun shrinks from 88 to 42 KiB.
    "font/ttf",
]


class _KeepETags(Compress):
    def after_request(self, response):
        if response.status_code == 206:  # a byte range of the identity body: leave it so
            return response
        etag = response.headers.get("ETag")
        response = super().after_request(response)
        if etag:
            response.headers["ETag"] = etag
        return response


def init_app(app: Flask) -> None:
    if not app.config.get("BMN_COMPRESS", True):
        return
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)
    _KeepETags(app)
