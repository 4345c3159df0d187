"""The phone's indicator engine gives the server's results: both run the shared vectors.

``tests/vectors/indicators.json`` holds households with the results of
:func:`survey.indicators.evaluate`; the same file goes through
``survey/pwa/static/indicators.js`` under Node. A rule changed in one engine only fails here.
"""
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from survey import questionnaire_document
from survey.indicators import (
    evaluate,
    household_expense,
    household_income,
    income_per_person,
    results_as_json,
)
from tests.vectors.generate_indicator_vectors import changed, coverage, gaps

VECTORS_DIR = Path(__file__).parents[1] / "vectors"
VECTORS = VECTORS_DIR / "indicators.json"
RUNNER = VECTORS_DIR / "run_indicator_vectors.mjs"
REGENERATE = ("run `python -m tests.vectors.generate_indicator_vectors`, then make "
              "survey/pwa/static/indicators.js agree")
SHOWN = 5  # differing cases shown in a failure


@pytest.fixture(scope="module")
def vectors():
    return json.loads(VECTORS.read_text("utf-8"))


def python_output(vector: dict) -> dict:
    version = changed(vector["version"], vector.get("question_changes"))
    household = vector["household"]
    results = evaluate(version, household, as_of=date.fromisoformat(vector["as_of"]),
                       income_line=vector["income_line"])
    return {"results": results_as_json(results),
            "income": {"household_income": household_income(version, household),
                       "household_expense": household_expense(version, household),
                       "income_per_person": income_per_person(version, household)}}


def differences(vector: dict, actual: dict) -> list[str]:
    """Readable lines for what ``actual`` ({results, income} or {error}) gets wrong."""
    if "error" in actual:
        return [f"  raised {actual['error']}"]
    lines = []
    for want, got in zip(vector["expected"], actual["results"]):
        if want != got:
            lines.append(f"  {want['number']:2}: expected {want['outcome']} {want['reason_th']!r}"
                         f"\n      got      {got.get('outcome')} {got.get('reason_th')!r}")
    if len(actual["results"]) != len(vector["expected"]):
        lines.append(f"  {len(actual['results'])} results, expected {len(vector['expected'])}")
    if actual["income"] != vector["expected_income"]:
        lines.append(f"  income: expected {vector['expected_income']}, got {actual['income']}")
    return lines


def report(engine: str, vectors: list[dict], outputs: list[dict]) -> str:
    failing = [(v, lines) for v, out in zip(vectors, outputs) if (lines := differences(v, out))]
    shown = "\n".join(f"{v['name']}:\n" + "\n".join(lines) for v, lines in failing[:SHOWN])
    return f"{engine} differs on {len(failing)} of {len(vectors)} vectors:\n{shown}"


def test_vectors_are_the_python_engines_results(vectors):
    outputs = [python_output(v) for v in vectors]
    assert all(not differences(v, out) for v, out in zip(vectors, outputs)), (
        report("survey.indicators", vectors, outputs)
        + f"\nThe rules or the questionnaire changed: {REGENERATE}.")


def test_vectors_show_every_outcome_of_every_indicator(vectors):
    assert not gaps(coverage(vectors))


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js (`node`) is not installed")
def test_phone_engine_gives_the_vectors_results(vectors, tmp_path):
    questionnaires = []
    for version in sorted({v["version"] for v in vectors}):  # the bytes phones download
        questionnaires.append(tmp_path / f"{version}.json")
        questionnaires[-1].write_bytes(questionnaire_document.document(version).body)
    run = subprocess.run(["node", str(RUNNER), str(VECTORS), *map(str, questionnaires)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0, run.stderr
    outputs = json.loads(run.stdout)
    assert [o["name"] for o in outputs] == [v["name"] for v in vectors]
    assert all(not differences(v, out) for v, out in zip(vectors, outputs)), (
        report("survey/pwa/static/indicators.js", vectors, outputs))
