"""Batch sync: a phone's outbox in one request. Each household is answered on its own,
exactly as ``POST /households`` would answer it (201 stored, 200 a replay, 409, 422, 403 …);
one bad item never rejects the others. The stored items are written together in a few
set-based statements (``survey.submission``) and committed once, before the answer is
sent, so every acknowledged item is as durable and idempotent as a single POST."""
from __future__ import annotations

import marshmallow as ma
from flask import jsonify
from flask.views import MethodView
from werkzeug.exceptions import HTTPException

from app.api_base import Blueprint, committed, request_json
from app.auth.guard import require
from app.auth.policy import Action
from app.errors import ApiError, Problem, error_payload, problem_payload
from survey import submission
from survey.schemas import (
    HOUSEHOLD_INPUT,
    HouseholdBatchResultSchema,
    HouseholdBatchSchema,
    household_ack,
)

blp = Blueprint("households_batch_api", __name__, url_prefix="/api/v1",
                description="Batch sync of a phone's outbox")


@blp.route("/households:batch")
class HouseholdBatch(MethodView):
    @blp.arguments(HouseholdBatchSchema)
    @blp.response(200, HouseholdBatchResultSchema)
    def post(self, args):
        """Submit up to 100 households, each as ``POST /households`` takes it. The answer
        lists one result per item, in order: its status and either a short acknowledgement
        (id, version, ETag, the 31 results, warnings; the full record is at GET) or the
        error body a single POST would have returned. The stored households are committed
        together before the answer is sent. Safe to repeat, whole or in part. (The answer
        is built as ``HouseholdBatchResultSchema`` documents it, not dumped through it.)"""
        user = require(Action.HOUSEHOLD_WRITE)
        raws = request_json()["items"]  # as sent: a replay is recognised by its bytes
        parsed = [_parsed(raw) for raw in raws]
        targets = submission.targets(user, {(p["round"], p["village_code"]) for p in parsed
                                            if isinstance(p, dict)})
        items = [_item(raw, payload, targets) for raw, payload in zip(raws, parsed)]
        accepted = [item for item in items if isinstance(item, submission.Item)]
        stored = iter(committed(lambda: submission.submit_many(user, accepted)))
        return jsonify({"results": [
            {**_head(index, raw),
             **_answer(next(stored) if isinstance(item, submission.Item) else item)}
            for index, (raw, item) in enumerate(zip(raws, items))]})


def _head(index: int, raw: dict) -> dict:
    uuid = raw.get("client_uuid")
    return {"index": index, "client_uuid": uuid if isinstance(uuid, str) else None}


def _parsed(raw: dict) -> dict | Exception:
    try:
        return HOUSEHOLD_INPUT.load(raw)
    except ma.ValidationError as exc:
        return ApiError(422, "VALIDATION_ERROR", "the household does not match the schema",
                        errors=exc.messages, message_th="ข้อมูลครัวเรือนไม่ครบหรือผิดรูปแบบ")


def _item(raw: dict, payload: dict | Exception, targets: dict) -> submission.Item | Exception:
    """The item authorised on its village, or why it is refused."""
    if isinstance(payload, Exception):
        return payload
    try:
        where = submission.target_in(targets, payload["round"], payload["village_code"])
        require(Action.HOUSEHOLD_WRITE, area=where.village)
    except (Problem, HTTPException) as exc:
        return exc
    return submission.Item(payload, raw, where)


def _answer(outcome) -> dict:
    if isinstance(outcome, submission.Stored):
        return {"status": 201 if outcome.created else 200, "household": household_ack(outcome)}
    if isinstance(outcome, Problem):
        return {"status": outcome.status, "error": problem_payload(outcome)}
    return {"status": outcome.code, "error": error_payload(outcome)}
