"""``flask survey`` commands: rounds, targets, households from a file, the demo round."""
from __future__ import annotations

import random
import time
from datetime import date
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from app.areas.models import VILLAGE_LEVELS, Area
from app.auth.models import Role, User
from app.errors import Problem
from app.extensions import db
from app.units import Unit
from survey import allocation, bulk_import, planning
from survey.models import SurveyRound, Target

survey_cli = click.Group("survey", help="Survey rounds, targets and assignments.")


@survey_cli.command("create-round")
@click.argument("year", type=int)
@click.option("--questionnaire", "version", default="2560-2564", show_default=True)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--income-line", type=int, help="Baht per person per year (default: the "
                                              "questionnaire's, 38,000 for 2560-2564).")
def create_round_command(year, version, start, end, income_line):
    """Open a survey round (YEAR in the Buddhist Era)."""
    try:
        round_ = planning.create_round(year, version, start.date(), end.date(), income_line)
    except Problem as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"round {round_.year}: questionnaire {round_.questionnaire_version}, "
               f"{round_.collection_start} – {round_.collection_end}, "
               f"income line {round_.income_line:,} baht/person/year")


@survey_cli.command("import-targets")
@click.argument("year", type=int)
@click.argument("csv_file", type=click.File("rb"))
def import_targets_command(year, csv_file):
    """Set target household counts (village_code,target_households) for a round."""
    round_ = db.session.get(SurveyRound, year)
    if round_ is None:
        raise click.ClickException(f"no round {year}")
    report = planning.import_targets(round_, csv_file.read())
    for e in report.errors:
        click.echo(f"line {e.line}: {e.field}: {e.error_code}: {e.message}", err=True)
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} bad row(s); nothing was saved")
    db.session.commit()
    click.echo(f"{report.saved} targets saved")


@survey_cli.command("import-households")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--enumerator", "username", required=True,
              help="The enumerator account the households belong to (who may correct them).")
@click.option("--chunk", default=bulk_import.CHUNK, show_default=True,
              type=click.IntRange(1, 5000), help="Households per transaction.")
@click.option("--restart", is_flag=True, help="Read the file from its first line again, "
              "ignoring the saved progress (households already stored are not stored twice).")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Where progress is kept  [default: JSONL.progress]")
@click.option("--part", default="1/1", show_default=True, metavar="K/N",
              help="Only every N-th line from the K-th: run N processes, K = 1 … N, to use "
                   "N cores (each keeps its own progress).")
def import_households_command(jsonl, username, chunk, restart, state, part):
    """Store the households of a JSON Lines file (one POST /households body per line)
    through the API's validation and scoring. Refused lines are listed on stderr with their
    numbers and reasons; the import goes on. Interrupted, it resumes where it stopped. Exit
    status 2 when some lines were refused."""
    enumerator = db.session.scalar(select(User).where(User.username == username))
    if enumerator is None or enumerator.role != Role.ENUMERATOR.value or not enumerator.active:
        raise click.ClickException(f"{username} is not an active enumerator account")
    try:
        k, n = (int(x) for x in part.split("/"))
        if not 1 <= k <= n:
            raise ValueError
    except ValueError:
        raise click.BadParameter("K/N with 1 ≤ K ≤ N, e.g. 2/4", param_hint="--part") from None
    progress = bulk_import.ImportState(jsonl, state, (k, n))
    if restart:
        progress.clear()
    try:
        skip = progress.lines_done()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if skip:
        click.echo(f"resuming after line {skip:,} (--restart reads the file again)")
    started = time.monotonic()

    def committed(lines_done: int, report: bulk_import.ImportReport) -> None:
        progress.save(lines_done)
        rate = report.lines / max(time.monotonic() - started, 1e-9)
        click.echo(f"… line {lines_done:,}: {report.stored:,} stored, {report.already_stored:,} "
                   f"already stored, {report.refused:,} refused ({rate:,.0f} lines/s)", err=True)

    with jsonl.open("rb") as lines:
        report = bulk_import.import_households(
            lines, enumerator, skip=skip, chunk=chunk, part=(k, n), on_commit=committed,
            on_error=lambda error: click.echo(error.describe(), err=True))
    if report.stored:
        bulk_import.refresh_statistics()
    seconds = time.monotonic() - started
    click.echo(f"{report.lines:,} lines read in {seconds:,.1f} s: {report.stored:,} households "
               f"stored, {report.already_stored:,} already stored, {report.refused:,} refused"
               + (f" ({report.skipped:,} lines done before)" if report.skipped else ""))
    if report.refused:
        raise click.exceptions.Exit(2)


@survey_cli.command("demo")
@click.option("--province", "province_code", default="75", show_default=True)
def demo_command(province_code):
    """Round 2565 with plausible targets for the demo province, and every demo enumerator
    assigned to the villages of their scope (run after ``flask demo setup``)."""
    round_ = db.session.get(SurveyRound, 2565) or planning.create_round(
        2565, "2560-2564", date(2022, 1, 1), date(2022, 5, 31))
    rng = random.Random(province_code)
    villages = db.session.scalars(select(Area).where(
        Area.province_code == province_code,
        Area.level.in_(VILLAGE_LEVELS))
        .order_by(Area.code)).all()
    rows = "\n".join(f"{v.code},{rng.randint(40, 220)}" for v in villages)
    report = planning.import_targets(round_, f"village_code,target_households\n{rows}".encode())
    click.echo(f"round {round_.year}: {report.saved} village targets")
    _demo_plan(round_, province_code)
    enumerators = db.session.scalars(select(User).where(
        User.role == Role.ENUMERATOR.value,
        User.scope_area_code.startswith(province_code))).all()
    for enumerator in enumerators:
        for village in villages:
            if village.code.startswith(enumerator.scope_area_code):
                planning.assign(round_, enumerator, village)
        click.echo(f"  {enumerator.username} assigned in {enumerator.scope_area_code}")
    db.session.commit()


def _demo_plan(round_: SurveyRound, province_code: str) -> None:
    """Allocations that add up from the top: each district gets its villages' targets, the
    province their sum, and the national target is the province's (the demo has one)."""
    districts: dict[str, int] = {}
    for code, n in db.session.execute(select(Target.area_code, Target.households).where(
            Target.round_year == round_.year, Target.area_code.startswith(province_code))):
        districts[code[:4]] = districts.get(code[:4], 0) + n
    round_.national_target = sum(districts.values())
    for unit, rows in ((Unit.nation(), {province_code: round_.national_target}),
                       (Unit.named(area=province_code), districts)):
        report = allocation.set_allocations(round_, unit, [
            (line, {"area_code": code, "target_households": str(n)})
            for line, (code, n) in enumerate(rows.items(), start=1)])
        if not report.ok:
            raise click.ClickException("; ".join(e.message for e in report.errors))
    click.echo(f"  allocated {round_.national_target:,} households to province "
               f"{province_code} and its {len(districts)} districts")


def register(app: Flask) -> None:
    app.cli.add_command(survey_cli)
