"""The questionnaire as phones download it: the bytes of a version and their ETag.

A version's document does not change while the server runs (it is a file in the
package), so its JSON is encoded once and tagged with a hash of its bytes. Every phone opens
the app several times a day; with the tag it keeps its copy (``If-None-Match`` → 304, or
the service worker's precached copy) and the 200 KB come down once per deploy, not per open.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from flask import Response, request

from survey.questionnaires import available_versions, get_version


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str  # quoted, strong


@functools.cache
def document(version_id: str) -> Document:
    """The encoded version (UTF-8, compact); UnknownQuestionnaireVersion if there is none."""
    body = json.dumps(get_version(version_id).to_dict(), ensure_ascii=False,
                      separators=(",", ":")).encode()
    return Document(body, f'"q-{hashlib.sha256(body).hexdigest()[:20]}"')


def all_etags() -> dict[str, str]:
    """Every shipped version's tag (the service worker's version depends on them)."""
    return {version_id: document(version_id).etag for version_id in available_versions()}


def respond(version_id: str, *, cache_control: str) -> Response:
    """The document with its ETag; Werkzeug answers 304 when ``If-None-Match`` names it."""
    doc = document(version_id)
    response = Response(doc.body, mimetype="application/json",
                        headers={"ETag": doc.etag, "Cache-Control": cache_control})
    return response.make_conditional(request)
