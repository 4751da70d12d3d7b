"""Two gunicorn instances on different ports, one PostgreSQL database and one Redis, as production runs
them: a person signed in on one is signed in on the other, a rate limit counts across both, with
Redis gone sign-in still works (each worker counting in its own memory until Redis is back), and a
background export asked for on one, made by a `grantflow worker` process taking jobs from Redis into a
shared export folder, is followed and downloaded on the other.

Each gunicorn runs with `--no-control-socket`: gunicorn 26 and later open a control socket at one
fixed default path, which a second instance on the same host would fight over.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pyotp
import pytest
from openpyxl import load_workbook

from tests.datasets.finance import build_finance_data, database_totals, pence, sheet_rows
from tests.factories import PASSWORD, OrganisationFactory, member_of, staff_user

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REDIS = ("127.0.0.1", 6379)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_SECONDS = 300  # starting Python and the app is slow on a busy machine


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def shared(committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("scale-out runs on PostgreSQL: SQLite is the one-process embedded default")
    if not _redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    organisation = OrganisationFactory(name="Bramley Community Kitchen")
    person = member_of(organisation, email="sam@example.org")
    committed_db.session.commit()
    return person


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _instance(database_url: str, secret: str, limits: str, prefix: str, **settings: str) -> Iterator[str]:
    """One gunicorn (production config, one sync worker) on its own port; its base address."""
    port = _free_port()
    env = {
        **os.environ,
        "GRANTFLOW_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": limits,
        "RATELIMIT_KEY_PREFIX": prefix,
        "SCHEDULER_EXPECTED": "0",
        "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="grantflow-scale-"),
        "MAIL_SERVER": "",
        **settings,
    }
    command = [GUNICORN, "-w", "1", "-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer /healthz within {START_SECONDS} s"
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


class Person:
    """One browser: cookies kept by hand (production's are Secure, and this talks plain HTTP)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        response = httpx.request(method, url, headers=headers, follow_redirects=False, timeout=30, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def sign_in(self, base: str, email: str, password: str) -> httpx.Response:
        token = _CSRF.search(self.request("GET", base + "/sign-in").text)
        assert token, "no CSRF token on the sign-in page"
        return self.request(
            "POST", base + "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": password}
        )


@pytest.fixture
def two(shared, database_url):
    secret, prefix = secrets.token_urlsafe(48), f"grantflow-test-{secrets.token_hex(4)}"
    with (
        _instance(database_url, secret, "redis://127.0.0.1:6379/0", prefix) as first,
        _instance(database_url, secret, "redis://127.0.0.1:6379/0", prefix) as second,
    ):
        yield first, second


def test_signed_in_on_one_instance_is_signed_in_on_the_other_and_signed_out_on_both(two, shared):
    first, second = two
    person = Person()
    assert person.request("GET", second + "/applications").status_code == 302  # not yet signed in

    assert person.sign_in(first, shared.email, PASSWORD).status_code == 302
    page = person.request("GET", second + "/applications")
    assert page.status_code == 200 and "Your applications" in page.text

    token = _CSRF.search(person.request("GET", second + "/sign-out").text)
    assert token
    copied = Person()  # the session cookie as it was before signing out, e.g. taken from the browser
    copied.cookies = dict(person.cookies)
    assert person.request("POST", second + "/sign-out", data={"csrf_token": token.group(1)}).status_code == 302
    assert copied.request("GET", first + "/applications").status_code == 302  # ended for both instances


def test_a_rate_limit_counts_across_both_instances(two, shared):
    first, second = two
    person = Person()
    answers = [
        person.sign_in(base, shared.email, "not the password").status_code
        for base in (first, second, first, second, first, second)
    ]
    # Five failed sign-ins a minute per account, however they are shared out between the instances:
    # counted in each instance's memory it would be ten.
    assert answers[:5] == [200] * 5, answers
    assert answers[5] == 429, answers


def test_with_redis_gone_people_can_still_sign_in(shared, database_url):
    dead = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    with _instance(database_url, secrets.token_urlsafe(48), dead, "grantflow-test-dead") as base:
        person = Person()
        assert person.sign_in(base, shared.email, PASSWORD).status_code == 302
        assert person.request("GET", base + "/applications").status_code == 200


# -- a background export asked for on one instance, downloaded on the other ---------------------------------
@contextmanager
def _worker(
    database_url: str, secret: str, limits: str, prefix: str, **settings: str
) -> Iterator[subprocess.Popen[bytes]]:
    """One `grantflow worker` process (production config), until it says it is taking jobs."""
    env = {
        **os.environ,
        "GRANTFLOW_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": limits,
        "RATELIMIT_KEY_PREFIX": prefix,
        "SCHEDULER_EXPECTED": "0",
        "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="grantflow-scale-"),
        "MAIL_SERVER": "",
        **settings,
    }
    log = tempfile.NamedTemporaryFile(prefix="grantflow-worker-", suffix=".log")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "grantflow", "worker"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while b"worker: taking jobs" not in Path(log.name).read_bytes():
            assert process.poll() is None, Path(log.name).read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"the worker did not start in {START_SECONDS} s"
            time.sleep(0.2)
        yield process
        assert process.poll() is None, Path(log.name).read_text(errors="replace")[-3000:]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _absolute(base: str, location: str) -> str:
    return location if location.startswith("http") else base + location


def _sign_in_with_code(person: Person, base: str, user) -> None:
    """The password, then the code from the authenticator app, as staff sign in."""
    answer = person.sign_in(base, user.email, PASSWORD)
    assert answer.status_code == 302 and "/sign-in/two-factor" in answer.headers["Location"], answer.text[:500]
    asked = person.request("GET", _absolute(base, answer.headers["Location"]))
    assert asked.status_code == 302, asked.text[:500]
    form = _absolute(base, asked.headers["Location"])
    token = _CSRF.search(person.request("GET", form).text)
    assert token, "no CSRF token on the code page"
    code = pyotp.TOTP(user.totp_secret).now()
    signed_in = person.request("POST", form, data={"csrf_token": token.group(1), "code": code})
    assert signed_in.status_code == 302 and "/sign-in" not in signed_in.headers["Location"], signed_in.text[:500]


def test_a_background_export_asked_for_on_one_instance_is_downloaded_on_the_other(
    shared, app, committed_db, database_url, tmp_path
):
    data = build_finance_data()
    finance = staff_user("finance")
    committed_db.session.commit()
    secret = str(app.config["SECRET_KEY"])  # the key the tests' app sealed the officer's authenticator key with
    jobs = {
        "JOB_QUEUE_URL": f"redis://127.0.0.1:6379/0?queue=grantflow-test-{secrets.token_hex(6)}",
        "EXPORT_FOLDER": str(tmp_path / "exports"),  # one folder every instance and worker sees
        "BACKGROUND_EXPORT_ROWS": "2",  # the seven awards of the period are "big"
        "JOB_ROW_PAUSE_SECONDS": "0.5",  # slow enough to be seen being made
        "JOB_HEARTBEAT_SECONDS": "0.2",
    }
    limits, prefix = "redis://127.0.0.1:6379/0", f"grantflow-test-{secrets.token_hex(4)}"
    with (
        _instance(database_url, secret, limits, prefix, **jobs) as first,
        _instance(database_url, secret, limits, prefix, **jobs) as second,
        _worker(database_url, secret, limits, prefix, **jobs),
    ):
        person = Person()
        _sign_in_with_code(person, first, finance)
        token = _CSRF.search(person.request("GET", first + "/finance/").text)
        assert token, "no CSRF token on the finance export page"
        asked = person.request(
            "POST",
            first + "/finance/",
            data={
                "csrf_token": token.group(1),
                "programme": "FIN",
                "output_format": "xlsx",
                "starts_on": ["1", "4", "2022"],
                "ends_on": ["31", "3", "2023"],
            },
        )
        assert asked.status_code == 303, asked.text[:500]
        job_page = re.search(r"/jobs/(\d+)$", asked.headers["Location"])
        assert job_page, asked.headers["Location"]
        job_id = int(job_page.group(1))

        seen: list[str] = []  # what the job's page said while the file was being made
        deadline = time.monotonic() + 120
        while True:  # followed on the other instance, as the page's "Check again" button does
            page = person.request("GET", f"{second}/jobs/{job_id}")
            assert page.status_code == 200, page.text[:500]
            if "Your file is ready" in page.text:
                break
            assert "could not be made" not in page.text, page.text[:3000]
            progress = re.search(r'id="job-progress">(.*?)</p>', page.text, re.DOTALL)
            assert progress, page.text[:3000]
            seen.append(re.sub(r"<[^>]+>", "", progress.group(1)))
            assert time.monotonic() < deadline, f"job {job_id} was not ready in 120 s"
            time.sleep(0.3)
        assert f"{len(data.in_period):,} rows" in page.text
        link = f"/jobs/{job_id}/download.xlsx"
        assert link in page.text

        download = person.request("GET", second + link)
        assert download.status_code == 200, download.text[:500]
        assert "FIN-finance-2022-04-01-to-2023-03-31.xlsx" in download.headers["Content-Disposition"]
        rows = sheet_rows(load_workbook(io.BytesIO(download.content))["Awards"])
        references = {value for row in rows if str(value := next(iter(row.values())) or "").startswith("FIN")}
        assert references == {award.public_reference for award in data.in_period}
        assert sum(pence(row["Amount awarded (£)"]) for row in rows) == database_totals(data)["awarded"]
        assert person.request("GET", first + link).status_code == 200  # and on the instance it was asked on

    assert seen, "the job's page never showed the file being made"
    (made,) = [path.name for path in (tmp_path / "exports").iterdir() if not path.name.startswith(".")]
    assert made.startswith(f"{job_id}-")  # one file, made once
