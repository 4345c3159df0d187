"""``flask survey import-households``: a file of households stored as the API stores them,
bad lines reported by number without stopping, nothing stored twice, resumable."""
import json

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from survey import bulk_import, rollup
from survey.models import Household, HouseholdHistory, QualityIssue, VillageRollup
from tests.fixtures.survey import OTHER_VILLAGE, VILLAGE


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def write_lines(path, lines) -> None:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                            for line in lines))


def run(app, path, *args):
    return app.test_cli_runner().invoke(
        args=["survey", "import-households", str(path), *args])


@pytest.fixture
def owner(enumerator):
    return enumerator.username


def test_a_file_is_stored_as_the_api_stores_it_and_bad_lines_are_reported(
        app, tmp_path, owner, survey_round, household_payload):
    good = [household_payload(n, village_code=v) for n, v in
            ((1, VILLAGE), (2, VILLAGE), (3, OTHER_VILLAGE))]
    twin = household_payload(4)
    twin["members"][0]["national_id"] = good[0]["members"][0]["national_id"]
    no_signoff = household_payload(5)
    del no_signoff["head_signoff"]
    wrong_office = household_payload(6, house_code="1001" + "0000006")
    taken = household_payload(7, house_code=good[1]["house_code"])
    path = tmp_path / "households.jsonl"
    write_lines(path, [good[0], good[1], "{not json", "", good[2], no_signoff, twin,
                       wrong_office, taken, "[1, 2]"])
    result = run(app, path, "--enumerator", owner, "--chunk", "3")
    assert result.exit_code == 2, result.stdout + result.stderr
    refused = {line.split(":")[0]: line for line in result.stderr.splitlines()
               if line.startswith("line ")}
    assert set(refused) == {"line 3", "line 6", "line 8", "line 9", "line 10"}
    assert "MALFORMED_JSON" in refused["line 3"] and "MALFORMED_JSON" in refused["line 10"]
    assert "head_signoff" in refused["line 6"]
    assert "HOUSE_CODE_OFFICE" in refused["line 8"] and "DUPLICATE_HOUSE_CODE" in refused["line 9"]
    assert "10 lines read" in result.stdout and "4 households stored" in result.stdout
    assert "5 refused" in result.stdout
    # Stored exactly as the API would: history, shared-ID flags both ways, exact rollups.
    assert count(Household) == 4 and count(HouseholdHistory) == 4
    assert count(QualityIssue) == 2
    for village in (VILLAGE, OTHER_VILLAGE):
        row = db.session.get(VillageRollup, (2565, village))
        assert rollup.totals_of(row) == rollup.recompute(survey_round, village)
    stored = db.session.get(Household, good[0]["client_uuid"])
    assert stored.enumerator_id is not None and len(stored.indicator_results) == 31


def test_an_interrupted_import_resumes_and_nothing_is_stored_twice(
        app, tmp_path, owner, enumerator, household_payload):
    bodies = [household_payload(n) for n in range(10, 17)]
    path = tmp_path / "households.jsonl"
    write_lines(path, bodies)
    state = bulk_import.ImportState(path)

    def stop_after_first_commit(lines_done, report):
        state.save(lines_done)
        raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down

    with path.open("rb") as lines, pytest.raises(KeyboardInterrupt):
        bulk_import.import_households(lines, enumerator, chunk=3, on_error=print,
                                      on_commit=stop_after_first_commit)
    assert count(Household) == 3
    resumed = run(app, path, "--enumerator", owner)
    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr
    assert "resuming after line 3" in resumed.stdout and "4 households stored" in resumed.stdout
    assert count(Household) == 7 and db.session.get(VillageRollup, (2565, VILLAGE)).households == 7
    # Run again from the start: every household is recognised, none stored twice.
    again = run(app, path, "--enumerator", owner, "--restart")
    assert again.exit_code == 0 and "0 households stored, 7 already stored" in again.stdout
    assert count(Household) == 7 and count(HouseholdHistory) == 7


def test_a_changed_file_does_not_resume_from_the_old_progress(
        app, tmp_path, owner, household_payload):
    path = tmp_path / "households.jsonl"
    write_lines(path, [household_payload(20)])
    assert run(app, path, "--enumerator", owner).exit_code == 0
    write_lines(path, [household_payload(20), household_payload(21)])
    result = run(app, path, "--enumerator", owner)
    assert result.exit_code == 1 and "--restart" in result.stderr
    assert count(Household) == 1


def test_only_an_active_enumerator_account_can_own_imported_households(
        app, tmp_path, make_user, survey_round, household_payload):
    officer = make_user(Role.DISTRICT_OFFICER, area_code="6501")
    path = tmp_path / "households.jsonl"
    write_lines(path, [household_payload(30)])
    result = run(app, path, "--enumerator", officer.username)
    assert result.exit_code == 1 and "not an active enumerator" in result.stderr
    assert count(Household) == 0


def test_two_processes_share_a_file_by_parts_each_line_stored_once(
        app, tmp_path, owner, household_payload):
    bodies = [household_payload(n) for n in range(40, 45)]
    path = tmp_path / "households.jsonl"
    write_lines(path, bodies)
    first = run(app, path, "--enumerator", owner, "--part", "1/2")
    assert first.exit_code == 0 and "3 households stored" in first.stdout
    stored = set(db.session.scalars(select(Household.id)))
    assert stored == {bodies[i]["client_uuid"] for i in (0, 2, 4)}  # lines 1, 3, 5
    second = run(app, path, "--enumerator", owner, "--part", "2/2")
    assert second.exit_code == 0 and "2 households stored" in second.stdout
    assert count(Household) == 5 and count(HouseholdHistory) == 5
    assert run(app, path, "--enumerator", owner, "--part", "3/2").exit_code == 2  # bad K/N
