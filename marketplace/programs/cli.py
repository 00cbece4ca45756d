"""Operator command `flask users create`: here, because an officer's account names its organization."""
import click
from flask.cli import AppGroup

from marketplace.accounts.models import ROLE_VALUES
from marketplace.core.errors import ValidationFailed
from marketplace.programs import officers

users_cli = AppGroup("users", help="Manage user accounts.")


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
        user = officers.create_user(
            email=email, roles=roles, name=name, password=password, organization_slug=organization
        )
    except ValidationFailed as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")
