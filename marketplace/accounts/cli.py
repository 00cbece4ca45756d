"""Operator commands: `flask users create` and `flask tokens create`."""
import click
from flask.cli import AppGroup

from marketplace.accounts import services
from marketplace.accounts.models import ROLE_VALUES, User
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_VALUES),
              help="Repeat for several roles.")
@click.option("--org", "organization", default=None, help="Organization slug (officers).")
@click.option("--name", default="", help="Display name (defaults to the email's local part).")
@click.option("--password", default=None,
              help="Initial password; without it the account sets one through a reset link.")
def create_user_command(email, roles, organization, name, password):
    """Create an account with the given role(s)."""
    try:
        user = services.create_user(
            email=email, roles=roles, name=name, password=password, organization_slug=organization
        )
    except ValidationFailed as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token_command(email, name):
    """Print a new personal API token for EMAIL (shown only this once)."""
    user = db.session.scalar(User.by_email(email))
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    click.echo(services.create_api_token(user, name).secret)
