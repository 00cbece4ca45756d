"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from marketplace.catalog.search import alembic_include_name
from marketplace.extensions import db as _db


def schema_diff():
    with _db.engine.connect() as connection:
        # include_name: the same filter env.py gives autogenerate (the search tables are no models).
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": False,
                                                               "include_name": alembic_include_name})
        return compare_metadata(context, _db.metadata)


def table_names() -> set[str]:
    with _db.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_the_migrated_schema_matches_the_models():
    # The session schema is built by `upgrade()` in conftest, never by create_all().
    assert schema_diff() == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(db):
    db.session.remove()  # no open transaction may hold a lock on a table being dropped
    try:
        downgrade(revision="base")
        assert table_names() <= {"alembic_version"}
    finally:
        upgrade()
    assert {table.name for table in _db.metadata.sorted_tables} <= table_names()
    assert schema_diff() == []
