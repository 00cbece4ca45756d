"""Operator commands for the catalogue: `flask catalog reindex`."""
import click
from flask.cli import AppGroup

from marketplace.catalog import search
from marketplace.core.transaction import commit

catalog_cli = AppGroup("catalog", help="Manage the catalogue.")


@catalog_cli.command("reindex")
def reindex_command():
    """Rebuild the product search index from the products table."""
    count = search.rebuild_index()
    commit()
    click.echo(f"Indexed {count} products.")
