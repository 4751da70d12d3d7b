"""The throwaway PostgreSQL database every benchmark makes and drops, and the app migrated onto it."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from grants import create_app
from grants.extensions import db

T = TypeVar("T")


def postgres_url(url: str) -> str:
    """The URL with the psycopg driver; anything but PostgreSQL is refused (the workloads are defined there)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith("postgresql+psycopg://"):
        raise SystemExit(f"--database-url must be a PostgreSQL URL; got {url!r}")
    return url


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg.connect takes it (no driver name, password kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def throwaway_database(url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """Create <prefix>_<random> on the server of `url`; yield (its URL, its name); drop it at the end."""
    parsed = make_url(url)
    maintenance = libpq_url(url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False), name
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Bench:
    """The app on a freshly migrated throwaway database."""

    app: Flask
    url: str  # the throwaway database's SQLAlchemy URL
    name: str  # its name
    started: float  # perf_counter just before the migrations: setup time counts from here

    def set_up(self, build: Callable[..., T], *args: Any) -> tuple[T, float]:
        """Run the setup `build(*args)` in an app context, then close the pool's connections (what is measured
        next, a server or a child process, has the database to itself).

        Returns what `build` returned, and the setup's seconds (migrations included; not timed)."""
        with self.app.app_context():
            made = build(*args)
            release_connections()
        return made, time.perf_counter() - self.started


@contextmanager
def migrated_app(database_url: str, prefix: str, config: str = "test", **overrides: Any) -> Iterator[Bench]:
    """A throwaway database <prefix>_<random>, the app on it (`config` and `overrides`), migrated with Alembic.

    At the end, even on error: the session removed, the engine's pool closed, the database dropped."""
    with throwaway_database(postgres_url(database_url), prefix) as (url, name):
        app = create_app(config, SQLALCHEMY_DATABASE_URI=url, **overrides)
        try:
            with app.app_context():
                started = time.perf_counter()
                upgrade()
                db.session.remove()
            yield Bench(app, url, name, started)
        finally:
            with app.app_context():
                release_connections()


@contextmanager
def app_on(url: str) -> Iterator[Flask]:
    """The test-config app on an existing database (a measuring child's), in an app context; pool closed after."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            yield app
        finally:
            release_connections()


def release_connections() -> None:
    """End the session and close the pool's connections (in an app context), e.g. before a server or child
    process takes over the database."""
    db.session.remove()
    db.engine.dispose()


def analyze() -> None:
    """Commit the rows set up, ANALYZE so the planner sees them, and end the session."""
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    db.session.remove()
