"""The Alembic migrations build the schema the models describe, and run down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from grants.extensions import db


def test_the_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_migrations_go_down_to_nothing_and_up_again(app, committed_db, database_url):
    db.session.remove()
    downgrade(revision="base")
    engine = create_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()

    upgrade()

    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "applications", "audit_events", "outbox_messages", "role_grants"} <= tables
