"""`flask reports refresh-facts`: write every sale fact again (after a bulk import, say)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.core.transaction import commit
from marketplace.reports import facts

reports_cli = AppGroup("reports", help="Impact reports.")


@reports_cli.command("refresh-facts")
@click.option("--full", is_flag=True, help="Write every fact again, not only the changed parcels'.")
def refresh_facts_command(full: bool):
    written = facts.refresh_sale_facts(full=full)
    commit()
    click.echo(f"{written} sale facts written.")
