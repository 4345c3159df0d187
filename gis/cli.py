"""``flask gis`` commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.extensions import db
from gis.boundaries import BoundaryFileError, import_boundaries

gis_cli = click.Group("gis", help="Boundaries, maps and GPS checks.")


@gis_cli.command("import-boundaries")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(["province", "district", "subdistrict"]),
              help="The level of the file's areas (found from the code length otherwise).")
@click.option("--code-field", help="The field holding the DOPA code (ADM3_PCODE …).")
@click.option("--code-prefix", default="TH", show_default=True,
              help="Removed from the start of every code.")
@click.option("--name-field", help="The Thai name field, for the report (ADM3_TH …).")
@click.option("--encoding", help="The text encoding, when the file does not say and it is "
                                 "neither UTF-8 nor TIS-620.")
@click.option("--dry-run", is_flag=True, help="Check and report; store nothing.")
def import_boundaries_command(file, level, code_field, code_prefix, name_field, encoding,
                              dry_run):
    """Store the boundaries of FILE (zipped shapefile, GeoPackage, GeoJSON) in the area
    registry, dissolve districts and provinces without their own, and report how the file
    and the registry reconcile."""
    try:
        report = import_boundaries(file, level=level, code_field=code_field,
                                   code_prefix=code_prefix, name_field=name_field,
                                   encoding=encoding, dry_run=dry_run)
    except BoundaryFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc}; nothing was changed") from exc
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was stored")


@gis_cli.command("check-gps")
@click.option("--round", "year", type=int, required=True, help="The round (Buddhist Era).")
@click.option("--area", help="Only this province, district or subdistrict.")
def check_gps_command(year, area):
    """Flag households whose GPS point is outside their subdistrict (beyond 500 m) or less
    accurate than the round allows; the flags are quality issues the gates count."""
    from app.units import Unit
    from gis.quality import check_gps
    from survey.households import get_round
    result = check_gps(get_round(year), Unit.named(area=area))
    db.session.commit()
    click.echo(f"{result.households_checked:,} households with GPS checked: "
               f"{result.outside:,} outside their subdistrict, "
               f"{result.inaccurate:,} less accurate than the round allows")


def register(app: Flask) -> None:
    app.cli.add_command(gis_cli)
