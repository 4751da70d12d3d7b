"""Shared fixtures: one migrated throwaway database per run, the app, users per role.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set;
either way it makes its own database (a temporary file, or a new PostgreSQL
database named grantflow_test_<random>) and drops it at the end.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import make_url

from grants import create_app
from grants.extensions import db, limiter


def _postgres_admin_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgresql", "postgres")):
        import psycopg

        if base.startswith("postgres://"):
            base = "postgresql://" + base[len("postgres://") :]
        name = f"grantflow_test_{secrets.token_hex(4)}"
        admin = _postgres_admin_url(base)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(base).set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tempfile.mkdtemp(prefix="grantflow-test-")
        yield f"sqlite:///{Path(folder) / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str):
    from flask_migrate import upgrade

    application = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    with application.app_context():
        upgrade()
        db.session.remove()
    return application


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            limiter.reset()
    yield


def _delete_everything() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def committed_db(app):
    """Real commits (for other threads and the browser's server); every row deleted afterwards."""
    with app.app_context():
        yield db
        db.session.rollback()
        db.session.remove()
        _delete_everything()
        db.session.remove()


class _ConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session, always on the test's connection (its get_bind picks the engine)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def db_session(app, request):
    """Each test in a transaction that is rolled back at the end; services' commits become savepoints."""
    if "committed_db" in request.fixturenames:
        yield db.session
        return
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "class_": _ConnectionSession, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()
