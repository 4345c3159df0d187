"""``flask certification`` commands."""
from __future__ import annotations

import click
from flask import Flask

from certification import log

certification_cli = click.Group("certification", help="Certification and its log.")


@certification_cli.command("verify-log")
def verify_log_command():
    """Recompute the hash chain of the certification log; name the first broken link."""
    result = log.verify()
    if result.ok:
        click.echo(f"log intact: {result.events:,} events, every hash and link holds")
        return
    raise click.ClickException(f"log broken at event {result.broken_at}: {result.problem} "
                               f"({result.events:,} events read)")


def register(app: Flask) -> None:
    app.cli.add_command(certification_cli)
