"""``flask`` commands: the area registry, users and tokens, and the demo province."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.areas.demo import demo_register_csv
from app.areas.official import load_official_areas
from app.areas.register import import_register
from app.auth.models import Role, User
from app.auth.services import UserError, create_user, issue_token
from app.csv_import import CsvFileError
from app.extensions import db

areas_cli = click.Group("areas", help="The official area registry and the village register.")
users_cli = click.Group("users", help="Users and bearer tokens.")
demo_cli = click.Group("demo", help="A demo province with users.")

DEMO_PASSWORD = "bmn-demo-2565"


@areas_cli.command("load-official")
def load_official():
    """Load (or refresh) the 77 provinces, 928 districts and 7,436 subdistricts."""
    result = load_official_areas()
    click.echo(f"official areas (geothai {result.data_version}): "
               f"{result.created} created, {result.updated} renamed")


def _import(data: bytes) -> None:
    try:
        report = import_register(data)
    except CsvFileError as exc:
        raise click.ClickException(f"{exc.error_code}: {exc}") from exc
    if not report.ok:
        for e in report.errors:
            click.echo(f"line {e.line}: {e.field}: {e.error_code}: {e.message}", err=True)
        raise click.ClickException(f"{len(report.errors)} bad row(s); nothing was imported")
    db.session.commit()
    click.echo(f"register ({report.encoding}): {report.villages_created} villages/communities "
               f"created, {report.villages_updated} updated; {report.laos_created} LAOs "
               f"created, {report.laos_updated} updated")


@areas_cli.command("import-register")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_register_command(csv_file: Path):
    """Import a village/community + LAO register CSV (all rows or none)."""
    _import(csv_file.read_bytes())


@areas_cli.command("demo-register")
@click.argument("province_code")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV here instead of importing it.")
def demo_register(province_code: str, out: Path | None):
    """Generate a plausible register for one province (and import it unless --out)."""
    data = demo_register_csv(province_code)
    if out:
        out.write_bytes(data)
        click.echo(f"wrote {out}")
    else:
        _import(data)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--area", "area_code", help="Area code of the user's scope.")
@click.option("--lao", "lao_code", help="LAO code of the user's scope.")
@click.option("--name", "display_name", help="Display name.")
@click.password_option()
def create_user_command(username, role, area_code, lao_code, display_name, password):
    """Create a user with one scope (an area or an LAO; none for the nation)."""
    try:
        user = create_user(username, password, Role(role), display_name=display_name,
                           area_code=area_code, lao_code=lao_code)
    except UserError as exc:
        raise click.ClickException(f"{exc.field}: {exc}") from exc
    click.echo(f"created {user.username} ({user.role})")


@users_cli.command("token")
@click.argument("username")
@click.option("--label", default="cli", help="What the token is for.")
@click.option("--days", type=int, help="Lifetime in days.")
def token_command(username, label, days):
    """Issue a bearer token for a user; it is printed once."""
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    issued = issue_token(user, label, days=days)
    click.echo(issued.token)


def demo_accounts(province_code: str) -> list[tuple[str, Role, dict, str]]:
    """The demo users of a province: (username, role, scope, Thai display name)."""
    district = province_code + "01"
    village_sub = district + "02"
    return [
        ("admin", Role.DEPARTMENT_ADMIN, {}, "ผู้ดูแลระบบ (กรม)"),
        (f"province{province_code}", Role.PROVINCE_OFFICER, {"area_code": province_code},
         "พัฒนาการจังหวัด"),
        (f"district{district}", Role.DISTRICT_OFFICER, {"area_code": district}, "พัฒนาการอำเภอ"),
        (f"coord{village_sub}", Role.SUBDISTRICT_COORDINATOR, {"area_code": village_sub},
         "พัฒนากรผู้ประสานงานตำบล"),
        (f"lao6{village_sub}", Role.LAO_CERTIFIER, {"lao_code": "6" + village_sub},
         "ผู้รับรองข้อมูล อบต."),
        (f"enum{village_sub}01", Role.ENUMERATOR, {"area_code": village_sub + "01"},
         "อาสาสมัครจัดเก็บข้อมูล"),
        (f"viewer{province_code}", Role.VIEWER, {"area_code": province_code}, "ผู้ชมข้อมูลภาพรวม"),
    ]


@demo_cli.command("setup")
@click.option("--province", "province_code", default="75", show_default=True)
def demo_setup(province_code: str):
    """Official areas, a demo register for one province and one user per role.
    Safe to run again: what exists is kept."""
    result = load_official_areas()
    click.echo(f"official areas: {result.created} created")
    _import(demo_register_csv(province_code))
    click.echo(f"demo accounts (password: {DEMO_PASSWORD}):")
    for username, role, scope, name in demo_accounts(province_code):
        exists = db.session.scalar(db.select(User.id).where(User.username == username))
        if not exists:
            create_user(username, DEMO_PASSWORD, role, display_name=name, **scope)
        where = scope.get("area_code") or scope.get("lao_code") or "ทั่วประเทศ"
        click.echo(f"  {username:<22} {role.value:<24} {where}")


def register(app: Flask) -> None:
    for group in (areas_cli, users_cli, demo_cli):
        app.cli.add_command(group)
