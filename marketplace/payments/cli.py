"""`flask payments …`: the operators' payment commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.payments import reconcile as books

payments_cli = AppGroup("payments", help="Payments, refunds and the sellers' ledger.")


@payments_cli.command("reconcile")
@click.option("--no-stripe", is_flag=True, help="Check the ledger only; do not ask Stripe.")
def reconcile_command(no_stripe: bool) -> None:
    """Check every shop's ledger against its orders, refunds and payouts, and every card
    payment and refund against Stripe. Prints each difference; exits 1 if there is any."""
    differences = books.reconcile(check_stripe=not no_stripe)
    for line in differences:
        click.echo(line)
    if differences:
        click.echo(f"{len(differences)} difference(s) found.")
        raise SystemExit(1)
    click.echo("The books agree: no differences.")
