"""Schemathesis against the API's own OpenAPI description: every operation, hundreds of
generated requests (valid and invalid), each sent as an enumerator and as a district
officer. Fails on any 500 and on any response that breaks its documented schema.

Slow, so it runs once per suite run (``-m fuzz``; ``scripts/test`` runs it on PostgreSQL,
whose column types are the strictest, when PostgreSQL is configured)."""
from __future__ import annotations

import os
import tempfile
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from app.areas.queries import get_area
from app.auth.models import Role
from app.auth.services import create_user, issue_token
from app.extensions import db
from survey import planning
from tests.conftest import TEST_PASSWORD, make_app

# Per operation and generation mode (valid, invalid); each example is sent as two users.
EXAMPLES = int(os.environ.get("BMN_FUZZ_EXAMPLES", "100"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

pytestmark = pytest.mark.fuzz


@pytest.fixture
def fuzz_app(database_url, tmp_path):
    """The app with a round, an assigned enumerator and a district officer. No app context
    stays pushed: each generated request gets its own, as under gunicorn."""
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        round_ = planning.create_round(2565, "2560-2564", date(2022, 1, 1), date(2022, 5, 31))
        enumerator = create_user("fuzz-enum", TEST_PASSWORD, Role.ENUMERATOR,
                                 area_code="650102")
        for code in ("65010201", "65010202"):
            planning.assign(round_, enumerator, get_area(code))
        officer = create_user("fuzz-district", TEST_PASSWORD, Role.DISTRICT_OFFICER,
                              area_code="6501")
        db.session.commit()
        # identity: the WSGI client does not decode gzip/brotli (tests/app/test_compression.py
        # covers compressed answers)
        app.config["FUZZ_HEADERS"] = [
            {"Authorization": f"Bearer {issue_token(user, 'fuzz').token}",
             "Accept-Encoding": "identity"} for user in (enumerator, officer)]
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _operation_labels() -> list[str]:
    """Every operation of the description (read from an app with an empty database)."""
    instance = tempfile.mkdtemp(prefix="bmn-fuzz-")
    app = make_app("sqlite://", instance)
    labels = [result.ok().label for result in schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app).get_all_operations()]
    # Revoking the caller's own token would only end the run early.
    return [label for label in labels if label != "DELETE /api/v1/auth/tokens/current"]


@pytest.mark.parametrize("label", _operation_labels())
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_every_operation_conforms_to_its_description(fuzz_app, label, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operation = next(result.ok() for result in schema.get_all_operations()
                     if result.ok().label == label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def conforms(case):
        for headers in fuzz_app.config["FUZZ_HEADERS"]:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

    conforms()
