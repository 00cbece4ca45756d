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


def test_migration_0007_remembers_programs_already_held_in_a_correctional_facility(db):
    db.session.remove()
    insert_program = sa.text(
        "INSERT INTO training_programs (organization_id, slug, title, kind, partners, techniques, description,"
        " venue, city, province, start_date, end_date, held_in_correctional_facility, created_at)"
        " VALUES (:org, :slug, 'Pelatihan', 'bimtek', '[]', '[]', '', 'Lapas', 'Kota Palembang',"
        " 'Sumatera Selatan', '2021-06-03', '2021-06-05', :held, '2021-06-01 00:00:00')")
    try:
        downgrade(revision="0006")
        with _db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO organizations (name, slug, kind, province, created_at) VALUES"
                " ('Dinas', 'dinas', 'government_office', 'Sumatera Selatan', '2021-01-01 00:00:00')"))
            org = connection.scalar(sa.text("SELECT id FROM organizations WHERE slug = 'dinas'"))
            connection.execute(insert_program, [{"org": org, "slug": "lapas", "held": True},
                                                {"org": org, "slug": "umum", "held": False}])
    finally:
        upgrade()
    with _db.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT slug, ever_held_in_correctional_facility FROM training_programs ORDER BY slug")).all()
    assert [(slug, bool(ever)) for slug, ever in rows] == [("lapas", True), ("umum", False)]
