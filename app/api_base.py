"""Shared API pieces: the blueprint class (with the common JSON-error behaviour), the one
paging vocabulary (``limit``/``offset`` in, ``numberMatched``/``next`` out), committing a
write operation, and all-or-nothing CSV uploads."""
from __future__ import annotations

import json
from typing import Callable, TypeVar

import marshmallow as ma
from flask import g, request, url_for
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import missing
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from webargs.flaskparser import FlaskParser, is_json_request

from app import input_limits
from app.csv_import import CsvFileError
from app.errors import ApiError, Problem
from app.extensions import db
from app.input_limits import JsonLimitError

T = TypeVar("T")


def committed(operation: Callable[[], T]) -> T:
    """Run a write operation and commit it. A race lost to a concurrent request is answered
    as if the request had come second (a replay, a 409 or a 412), never a 500: a unique
    key taken meanwhile makes the operation run once more on what is now stored."""
    for attempt in (1, 2):
        try:
            result = operation()
            db.session.commit()
            return result
        except StaleDataError as exc:  # a concurrent correction committed first
            db.session.rollback()
            raise Problem("VERSION_MISMATCH") from exc
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def request_json():
    """The request's JSON body as sent, parsed once (by the argument parser, when the route
    has body arguments)."""
    return g.request_json if "request_json" in g else request.get_json()


class _Parser(FlaskParser):
    def _raw_load_json(self, req):
        """The body parsed within ``app.input_limits`` (depth, 64-bit integers, Unicode)."""
        if not is_json_request(req):
            return missing
        try:
            g.request_json = input_limits.loads(req.get_data(cache=True))
            return g.request_json
        except JsonLimitError as exc:
            raise ApiError(400, exc.error_code, str(exc), errors={"json": [str(exc)]},
                           message_th="ข้อมูลที่ส่งมามีรูปแบบเกินขอบเขตที่ระบบรับได้") from exc

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        where = f" at line {error.lineno} column {error.colno}" if isinstance(
            error, json.JSONDecodeError) else ""
        raise ApiError(400, "MALFORMED_JSON", f"the request body is not valid JSON{where}",
                       errors={"json": [str(error)]})


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = _Parser()


class InputSchema(ma.Schema):
    """Base for request bodies and query strings: unknown fields are errors."""

    class Meta:
        unknown = ma.RAISE


# Integers from the query string land in 32-bit database columns and OFFSET clauses.
MAX_OFFSET = 2 ** 31 - 1


def round_year_field(**kwargs) -> ma.fields.Integer:
    """A survey round: a Buddhist-Era year."""
    return ma.fields.Integer(validate=ma.validate.Range(min=2500, max=2700),
                             metadata={"description": "Buddhist Era, e.g. 2565"}, **kwargs)


class PageArgs(InputSchema):
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=MAX_OFFSET))


def page_links(total: int, limit: int, offset: int) -> list[dict]:
    """OGC-style links: ``self`` and, when more items remain, ``next``."""
    args = request.args.to_dict()
    links = [{"rel": "self", "href": request.full_path.rstrip("?")}]
    if offset + limit < total:
        args.update(limit=limit, offset=offset + limit)
        links.append({"rel": "next", "href": url_for(request.endpoint, **request.view_args,
                                                     **args)})
    return links


def page(items: list, total: int, limit: int, offset: int) -> dict:
    return {"items": items, "numberMatched": total, "numberReturned": len(items),
            "links": page_links(total, limit, offset)}


class LinkSchema(ma.Schema):
    rel = ma.fields.String()
    href = ma.fields.String()


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "numberMatched": ma.fields.Integer(),
        "numberReturned": ma.fields.Integer(),
        "links": ma.fields.List(ma.fields.Nested(LinkSchema)),
    }, name=name)


def csv_upload(run, *, invalid_code: str) -> dict:
    """Run an all-or-nothing CSV import on the uploaded multipart ``file`` and commit it:
    400 without a file, 422 for an unreadable file or with every bad row (nothing saved);
    the import's report otherwise."""
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "FILE_REQUIRED", "send the CSV as multipart field 'file'",
                       errors={"file": ["required"]})
    try:
        report = run(upload.read())
    except CsvFileError as exc:
        raise ApiError(422, exc.error_code, str(exc), errors={"file": [str(exc)]},
                       message_th=exc.message_th) from exc
    if not report.ok:
        db.session.rollback()
        raise ApiError(422, invalid_code, f"{len(report.errors)} bad row(s); nothing was saved",
                       errors={"rows": [e.as_dict() for e in report.errors]})
    db.session.commit()
    return report.as_dict()
