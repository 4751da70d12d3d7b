"""Failed sign-ins back off per account and per address; sign-ins that work never count; the counts
are shared by every worker through the limit storage (Redis in production).

The outside test found the opposite: every sign-in counted, keyed on the address only, so the sixth
person of a team behind one office address to sign in within a minute was refused, while each
worker kept its own count, so an attacker got workers × the limit.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.auth.test_auth import GENERIC_SIGN_IN_ERROR, is_signed_in, sign_in_with
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_a_team_behind_one_address_all_sign_in(app):
    team = [UserFactory() for _ in range(12)]
    for person in team:
        browser = app.test_client()
        assert sign_in_with(browser, person.email, PASSWORD).status_code == 302
        assert is_signed_in(browser)


def test_failures_back_off_one_account_not_the_others_at_the_same_address(app, client):
    target, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        response = sign_in_with(client, target.email, "not-the-password")
        assert response.status_code == 200
        assert GENERIC_SIGN_IN_ERROR in response.get_data(as_text=True)

    refused = sign_in_with(client, target.email.upper(), PASSWORD)  # the same account, however typed
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)

    other = app.test_client()
    assert sign_in_with(other, colleague.email, PASSWORD).status_code == 302


def test_an_unknown_account_backs_off_like_a_known_one(client):
    for _ in range(5):
        assert sign_in_with(client, "nobody@example.org", "guess").status_code == 200
    assert sign_in_with(client, "nobody@example.org", "guess").status_code == 429


def test_failures_across_many_accounts_back_off_the_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_ADDRESS_LIMIT", "4 per minute")
    person = UserFactory()
    for n in range(4):
        assert sign_in_with(client, f"guess{n}@example.org", "guess").status_code == 200
    assert sign_in_with(client, person.email, PASSWORD).status_code == 429


# -- shared by every worker: two processes, one Redis ---------------------------------------------
def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


WORKER = textwrap.dedent(
    """
    import json, sys
    from grants import create_app
    from grants.extensions import db

    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        WTF_CSRF_ENABLED=False,
        SIGN_IN_ADDRESS_LIMIT="1000 per minute",
        SIGN_IN_ACCOUNT_LIMIT="5 per hour",  # a worker slow to start (a loaded machine) still sees the other's
    )
    with app.app_context():
        db.create_all()  # a throwaway in-memory database for this worker: only the limits are shared
        client = app.test_client()
        codes = [
            client.post("/sign-in", data={"email": sys.argv[1], "password": "guess"}).status_code
            for _ in range(int(sys.argv[2]))
        ]
    print(json.dumps(codes))
    """
)


def _worker(email: str, attempts: int) -> list[int]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"GRANTFLOW_ENV": "test"}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, email, str(attempts)],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_workers_count_failures_together_through_redis():
    email = f"target-{uuid.uuid4().hex[:12]}@example.org"
    assert _worker(email, 3) == [200, 200, 200]
    assert _worker(email, 3) == [200, 200, 429]  # the second worker knows of the first one's three


def test_five_failures_in_any_sixty_seconds_are_refused_however_they_are_spread(app, client, monkeypatch):
    import limits.storage.memory

    class Clock:  # the limit storage's clock
        now = 1_800_000_000.0

        @classmethod
        def time(cls) -> float:
            return cls.now

    monkeypatch.setattr(limits.storage.memory, "time", Clock)
    target = UserFactory()
    assert sign_in_with(client, target.email, "not-the-password").status_code == 200
    Clock.now += 50
    for _ in range(4):
        assert sign_in_with(client, target.email, "not-the-password").status_code == 200

    Clock.now += 11  # the first guess is over a minute old: four in the last minute, so one more is let through
    assert sign_in_with(client, target.email, "not-the-password").status_code == 200
    Clock.now += 1  # five in the last minute: refused (a window begun at the first guess would have begun afresh)
    assert sign_in_with(client, target.email, PASSWORD).status_code == 429

    Clock.now += 60  # a minute after the last guess: none count
    assert sign_in_with(client, target.email, PASSWORD).status_code == 302
