"""Batch sync: a phone's outbox in one request. Each household is answered on its own,
exactly as ``POST /households`` would answer it (201 stored, 200 a replay, 409, 422, 403 …),
and is committed on its own before the next is read, so one bad item never rejects the
others and every acknowledged item is as durable and idempotent as a single POST."""
from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from werkzeug.exceptions import HTTPException

from app.api_base import Blueprint, committed
from app.auth.guard import require
from app.auth.models import User
from app.auth.policy import Action
from app.errors import ApiError, Problem, error_payload, problem_payload
from app.extensions import db
from survey import households as service
from survey.models import Household
from survey.schemas import (
    HouseholdBatchResultSchema,
    HouseholdBatchSchema,
    HouseholdInputSchema,
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
        error body a single POST would have returned. Safe to repeat, whole or in part."""
        user = require(Action.HOUSEHOLD_WRITE)
        items = request.get_json()["items"]  # as sent: a replay is recognised by its bytes
        return {"results": [submit_item(user, index, raw) for index, raw in enumerate(items)]}


def submit_item(user: User, index: int, raw: dict) -> dict:
    """One household of a batch, in its own transaction."""
    uuid = raw.get("client_uuid")
    result = {"index": index, "client_uuid": uuid if isinstance(uuid, str) else None}
    try:
        payload = HouseholdInputSchema().load(raw)
        village = service.get_village(payload["village_code"])
        require(Action.HOUSEHOLD_WRITE, area=village)
        written = committed(lambda: service.submit(user, payload, raw))
    except ma.ValidationError as exc:
        return {**result, "status": 422, "error": error_payload(ApiError(
            422, "VALIDATION_ERROR", "the household does not match the schema",
            errors=exc.messages, message_th="ข้อมูลครัวเรือนไม่ครบหรือผิดรูปแบบ"))}
    except Problem as exc:
        db.session.rollback()
        return {**result, "status": exc.status, "error": problem_payload(exc)}
    except HTTPException as exc:
        db.session.rollback()
        return {**result, "status": exc.code, "error": error_payload(exc)}
    return {**result, "status": 201 if written.created else 200,
            "household": acknowledgement(written.household)}


def acknowledgement(household: Household) -> dict:
    return {"id": household.id, "version": household.version, "etag": service.etag(household),
            "status": household.status, "incomplete_reason": household.incomplete_reason,
            "indicator_results": household.indicator_results,
            "warnings": household.warnings or []}
