"""Shared fixtures: one migrated throwaway database per run, the app, a client, signing in, the demo.

Every test runs in a transaction rolled back at the end (`db_session`, autouse through `_isolated`);
tests that need real commits ask for `committed_db`. Tests of pure functions (marked `unit`), of the
engine (tests/workflows/) and of the definitions (tests/definitions/) get no database at all.

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
from tests.factories import PASSWORD
from tests.fixtures import allow_audit_purge, sign_in_as


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


@pytest.fixture(autouse=True)
def _fresh_form_definitions():
    """A question set's name and version never change their questions in a real database, so parsed
    forms are cached by them; tests empty the database between them and reuse a name and version
    for different forms, so each test starts with an empty cache."""
    from grants.apply import services as apply_services

    apply_services.clear_form_caches()
    yield


def _delete_everything() -> None:
    allow_audit_purge()
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


TESTS = Path(__file__).parent
NO_DATABASE = {"workflows", "definitions"}  # the engine on its own definitions; the grant workflows' files


@pytest.fixture(autouse=True)
def _isolated(request):
    """Every test runs in its own rolled-back transaction, except the engine's, the definitions' and `unit` ones."""
    folder = request.path.relative_to(TESTS).parts[0]
    if folder in NO_DATABASE or request.node.get_closest_marker("unit"):
        yield None
    else:
        yield request.getfixturevalue("db_session")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(client):
    def _sign_in(user, password: str = PASSWORD):
        response = sign_in_as(client, user.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


@pytest.fixture(scope="module")
def demo_loaded(app):
    """The whole demo, committed once for the module that asks (tests.demo_data); removed after."""
    from tests import demo_data

    with app.app_context():
        demo_data.load()
    yield
    with app.app_context():
        _delete_everything()
        db.session.remove()
