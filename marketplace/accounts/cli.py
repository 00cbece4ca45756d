"""Operator command `flask tokens create` (`flask users create` is in programs/cli.py: officers
belong to an organization)."""
import click
from flask.cli import AppGroup

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.extensions import db

tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token_command(email, name):
    """Print a new personal API token for EMAIL (shown only this once)."""
    user = db.session.scalar(User.by_email(email))
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    click.echo(services.create_api_token(user, name).secret)
