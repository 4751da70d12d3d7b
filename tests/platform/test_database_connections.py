"""Pooled PostgreSQL connections: no ping on every request, and a restart of the server costs no request.

Without the pool's pre-ping, grants/database.py notices on checkout a connection the server has closed
(something to read on an idle socket) or one idle for long, pings only those, and replaces one that
does not answer together with every older connection of the pool."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import make_url

from grants import database
from grants.extensions import db


@pytest.fixture
def postgres(committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL's connections: SQLite has no server to restart")
    return committed_db


def _end_every_connection_but_this() -> int:
    """What a restart does to the app's connections: the server ends each one (pg_terminate_backend
    sends the same 'terminating connection' message and closes the socket). Returns how many."""
    url = make_url(db.engine.url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        for (pid,) in ended:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # the backends end a moment after they are told to
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            if left is not None and left[0] == 0:
                break
            time.sleep(0.05)
    return len(ended)


def test_the_pool_does_not_ping_on_every_checkout(postgres, app):
    assert not db.engine.pool._pre_ping
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def _get(client, url: str):
    """A request, its connection back in the pool after it (as after each request outside the tests,
    where the app context and its session end with the request)."""
    try:
        return client.get(url)
    finally:
        db.session.remove()


def test_a_page_after_the_server_ended_every_connection_is_served(postgres, client):
    assert _get(client, "/rounds").status_code == 200
    assert db.engine.pool.checkedin() >= 1  # the connection waits in the pool for the next request

    assert _end_every_connection_but_this() >= 1

    response = _get(client, "/rounds")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert _get(client, "/rounds").status_code == 200


def test_a_connection_is_pinged_only_when_it_has_been_idle_for_long(postgres, client, monkeypatch):
    pings = []
    real = database._answers
    monkeypatch.setattr(database, "_answers", lambda connection: pings.append(1) or real(connection))
    _get(client, "/rounds")
    _get(client, "/rounds")
    assert pings == []  # busy: no round trip before a request

    monkeypatch.setattr(database, "_PING_AFTER_IDLE", 0.0)
    time.sleep(0.01)
    assert _get(client, "/rounds").status_code == 200
    assert pings  # idle past the limit: pinged first
