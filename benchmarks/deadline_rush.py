"""The last hour before a round closes: applicants sign in, fill six sections and submit.

The workload is defined in docs/benchmarks.md:

* **deadline rush** (an open system): N applicants (default 300; --quick 100), each with an
  existing account and organisation, start at uniformly random moments over a ramp of R
  seconds (default 60; quick 20). Each signs in (GET then POST /sign-in), starts an
  application (POST /rounds/<code>/start), then six times opens a section page and saves
  it with valid answers, opens check-your-answers and submits. Between requests it waits
  a uniformly random think time (default 1-3 s; quick 0.25-1 s).
* **capacity** (a closed loop, after the rush): 16 clients, no think time, 20 s (quick 10 s),
  first only "open a section page", then only "save a section", with the server's CPU per
  request over each window (gunicorn master and workers, and the PostgreSQL backends of the
  benchmark database, from /proc).

The server is a real one: gunicorn with 2 sync workers, GRANTFLOW_ENV=production, on a
throwaway PostgreSQL database (grantflow_rush_<random>) that this script creates, migrates
and drops at the end, even on error or Ctrl+C. This script is the load generator: asyncio
and httpx, one client (own cookies) per applicant, 127.0.0.1 only. Latencies are per HTTP
request, measured at the client with perf_counter. "lost" is counted in the database after
the run: applicants whose application is not 'submitted' with all six sections completed
and holding every required answer.

Production limits sign-in to 5 a minute per IP address and all the load comes from
127.0.0.1, so gunicorn serves benchmarks/rush_wsgi.py, a benchmark-only wrapper that builds
the production app with RATELIMIT_ENABLED=False (config.py does not read it from the
environment). Passwords are hashed with the production Argon2 parameters, so sign-in costs
what it costs in production.

    .venv/bin/python benchmarks/deadline_rush.py --quick     # 100 applicants, about 1 min
    .venv/bin/python benchmarks/deadline_rush.py             # 300 applicants, about 2.5 min

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent

from support import percentile, postgres_url, statement_kind, throwaway_database  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FORM = Path(__file__).resolve().parent / "rush_form.toml"
ROUND_CODE = "RUSH-R1"
PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - throwaway accounts in a throwaway database
CAPACITY_SECTION = "project"
TARGET_P95_MS = 250
TIMED_KINDS = ("sign_in_page", "sign_in", "start", "page", "save", "check", "submit")

# -- the answers posted (valid for benchmarks/rush_form.toml and the round made below) -----------
_YEAR = datetime.now(UTC).year
DELIVERY_STARTS = date(_YEAR + 1, 4, 1)
DELIVERY_ENDS = date(_YEAR + 2, 3, 31)


def answers(section: str, n: int) -> list[tuple[str, str]]:
    """Valid answers to one section, as a browser posts them (dates: three fields of one name)."""
    by_section: dict[str, list[tuple[str, str]]] = {
        "contact": [
            ("contact_name", f"Applicant {n}"),
            ("contact_phone", "0113 496 0000"),
            ("what_you_do", "We cook evening meals with young people and run a homework club twice a week."),
        ],
        "project": [
            ("project_title", f"Safe Suppers {n}"),
            ("summary", "Evening meals and activities for young people in Bramley."),
            ("start_date", "1"),
            ("start_date", "5"),
            ("start_date", str(DELIVERY_STARTS.year)),
            ("end_date", "28"),
            ("end_date", "2"),
            ("end_date", str(DELIVERY_ENDS.year)),
        ],
        "focus": [
            ("districts", "leeds"),
            ("districts", "bradford"),
            ("areas_of_focus", "neighbourhood_crime_and_asb"),
            ("areas_of_focus", "drugs_and_alcohol"),
            ("mental_health", "yes"),
        ],
        "people": [("people_reached", "1,200"), ("who", "Young people aged 11 to 16 and their families.")],
        "budget": [("amount", "£4,500.50"), ("match_funding", "250"), ("spend_kind", "revenue")],
        "declarations": [
            ("declarations", "true_and_complete"),
            ("declarations", "terms"),
            ("declared_by", f"Applicant {n}"),
            ("declared_position", "Chair"),
        ],
    }
    return by_section[section]


# -- the throwaway database ---------------------------------------------------------------------
# -- setup (not timed) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    n: int
    email: str
    organisation_id: int
    application_id: int | None = None  # capacity clients start with a draft


@dataclass
class Fixture:
    round_code: str
    section_keys: list[str]
    required: dict[str, list[str]]  # section key -> keys of its required questions
    rush: list[Account]
    capacity: list[Account]
    probe: Account


# What-if only (--password-hash owasp): the stored hashes' parameters decide what a sign-in costs, since
# argon2 reads them from the hash when it verifies. OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
HASH_PROFILES = {"production": None, "owasp": {"time_cost": 2, "memory_cost": 19_456, "parallelism": 1}}


def build_fixture(db: Any, applicants: int, capacity_clients: int, hash_profile: str = "production") -> Fixture:
    """Vocabularies, a programme, an officer, a round open for one more hour with the benchmark form,
    and the applicants: each an account (create_user, production Argon2) owning its own organisation."""
    from grants.apply import services as apply_services
    from grants.apply.question_set_admin import load_question_set, use_for_round
    from grants.apply.questions import load_text
    from grants.auth import services as auth_services
    from grants.models import Programme, RoleGrant, Round
    from grants.organisations.details import Details
    from grants.organisations.services import create_organisation
    from grants.setup.seed import seed_vocabularies
    from grants.workflow import apply_transition, start_case

    seed_vocabularies()
    db.session.commit()
    officer = auth_services.create_user("Bench Officer", "officer@rush.example", PASSWORD)
    programme = Programme(code="RUSH", name="Deadline rush benchmark programme", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=programme.id))
    db.session.commit()

    now = datetime.now(UTC)
    round_ = Round(
        programme_id=programme.id,
        number=1,
        code=ROUND_CODE,
        title="Deadline rush benchmark round",
        guidance="A benchmark round.",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(hours=1),
        min_grant_pence=10_000,
        max_grant_pence=800_000,
        budget_pence=50_000_000,
        delivery_starts_on=DELIVERY_STARTS,
        delivery_ends_on=DELIVERY_ENDS,
        allowed_org_types=["community_group", "registered_charity", "cio", "cic"],
    )
    start_case(round_, "round", officer, now=now - timedelta(days=45))
    db.session.commit()
    apply_transition(round_, "publish", officer, now=now - timedelta(days=40))
    apply_transition(round_, "open", None, now=now - timedelta(days=30))
    question_set = load_question_set(FORM.read_text(encoding="utf-8"), FORM.name, officer)
    use_for_round(ROUND_CODE, question_set, officer)
    definition, _ = load_text(FORM.read_text(encoding="utf-8"), FORM.name)

    # Every account gets the production Argon2id hash of the same password, computed once: the
    # stored hash, and so the cost of checking it at sign-in, is what production stores.
    shared_hash = auth_services.hash_password(PASSWORD)
    if HASH_PROFILES[hash_profile] is not None:
        from argon2 import PasswordHasher

        shared_hash = PasswordHasher(**HASH_PROFILES[hash_profile]).hash(PASSWORD)

    def account(n: int, prefix: str) -> tuple[Any, Any]:
        with mock.patch.object(auth_services, "hash_password", lambda _password: shared_hash):
            user = auth_services.create_user(f"{prefix.title()} Applicant {n}", f"{prefix}{n}@rush.example", PASSWORD)
        db.session.flush()
        organisation = create_organisation(
            user,
            Details(
                name=f"{prefix.title()} Community Group {n}",
                org_type="community_group",
                address_line_1=f"{n} High Street",
                town="Leeds",
                postcode="LS1 2AB",
                district="leeds",
                annual_income="25,000",
                safeguarding_lead_name="Sam Lead",
                safeguarding_lead_email=f"safeguarding{n}@rush.example",
                bank_account_name=f"{prefix.title()} Community Group {n}",
                bank_sort_code="30-94-30",
                bank_account_number="00733445",
            ),
        )
        return user, organisation

    rush = []
    for n in range(applicants):
        user, organisation = account(n, "rush")
        rush.append(Account(n, user.email, organisation.id))
    round_ = db.session.get(Round, round_.id)
    extra = []
    for n in range(capacity_clients + 1):
        user, organisation = account(n, "capacity")
        application = apply_services.start_application(user, round_, organisation.id)
        extra.append(Account(10_000 + n, user.email, organisation.id, application.id))
    db.session.commit()
    db.session.remove()
    return Fixture(
        round_code=ROUND_CODE,
        section_keys=[s.key for s in definition.sections],
        required={s.key: [q.key for q in s.questions if q.required] for s in definition.sections},
        rush=rush,
        capacity=extra[:-1],
        probe=extra[-1],
    )


# -- the server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str, workers: int, log_path: Path, worker_class: str = "sync", threads: int = 1
) -> Iterator[tuple[subprocess.Popen, str]]:
    """gunicorn serving the benchmark wrapper in production mode; stopped at the end, whatever happens."""
    import httpx

    port = free_port()
    upload_dir = tempfile.mkdtemp(prefix="grantflow-rush-uploads-")
    env = dict(
        os.environ,
        GRANTFLOW_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ENABLED="0",  # not read by config.py today; the wrapper switches the limiter off
        UPLOAD_FOLDER=upload_dir,
        MAIL_SERVER="",
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        *(["-k", worker_class, "--threads", str(threads)] if worker_class != "sync" else []),
        "benchmarks.rush_wsgi:app",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    failed = True
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {log_path}")
            time.sleep(0.2)
        yield process, base
        failed = False
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        if failed:
            print(f"  gunicorn's log is kept at {log_path}", file=sys.stderr)
        else:
            log_path.unlink(missing_ok=True)


# -- server CPU from /proc --------------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(comm, ppid, utime+stime seconds) of a process, or None if it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return comm, int(rest[1]), (int(rest[11]) + int(rest[12])) / TICK


def server_cpu(master_pid: int, database: str) -> dict[str, float]:
    """CPU seconds so far of gunicorn (master and workers) and of the PostgreSQL backends of `database`."""
    gunicorn_s = postgres_s = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        found = _stat(pid)
        if found is None:
            continue
        comm, ppid, seconds = found
        if int(pid) == master_pid or ppid == master_pid:
            gunicorn_s += seconds
        elif comm == "postgres":
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f" {database} " in cmdline:
                postgres_s += seconds
    return {"gunicorn": gunicorn_s, "postgres": postgres_s}


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait left out)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(v) for v in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """Server CPU (gunicorn + the benchmark database's backends), this process's CPU, and everything else
    on the machine (other people's tests, say), over one stretch of time."""

    master_pid: int
    database: str

    def __enter__(self) -> CpuMeter:
        self.server0 = server_cpu(self.master_pid, self.database)
        self.own0, self.machine0, self.t0 = own_cpu(), machine_busy(), time.perf_counter()
        return self

    def __exit__(self, *_exc: Any) -> None:
        server1 = server_cpu(self.master_pid, self.database)
        self.wall = time.perf_counter() - self.t0
        self.server = {k: server1[k] - self.server0[k] for k in server1}
        self.own = own_cpu() - self.own0
        self.other = max(0.0, machine_busy() - self.machine0 - sum(self.server.values()) - self.own)

    @property
    def other_cores(self) -> float:
        return round(self.other / self.wall, 2) if self.wall else 0.0


def worker_pids(master_pid: int) -> set[int]:
    pids = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            found = _stat(pid)
            if found is not None and found[1] == master_pid:
                pids.add(int(pid))
    return pids


# -- the simulated browser -----------------------------------------------------------------------------
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version_id"[^>]*value="(\d*)"')


@dataclass
class Sample:
    kind: str
    started: float  # perf_counter
    seconds: float
    status: int | None  # None: no response (timeout, connection error)
    error: str | None


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        if sample.error:
            key = f"{sample.kind}: {sample.error}"
            self.error_kinds[key] = self.error_kinds.get(key, 0) + 1


def multipart(pairs: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser sends for <form enctype="multipart/form-data"> with no files chosen."""
    boundary = "----grantflowbench" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in pairs
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One person's browser: its own connection pool and cookies, no redirects followed.

    Production marks the session cookie Secure, and this talks plain HTTP to 127.0.0.1 (as a
    TLS-terminating proxy would), so cookies are kept here and sent as a header rather than by
    httpx's jar, which would hold Secure cookies back over http.
    """

    def __init__(self, base: str, timeout: float, recorder: Recorder | None):
        import httpx

        # No keep-alive: a connection per request, as most reverse proxies talk to gunicorn. (With gthread
        # workers, a reused connection that the server closes after its 2 s keep-alive would otherwise race
        # a request sent after a think time, and httpx does not retry as a browser would.)
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.cookies: dict[str, str] = {}
        self.recorder = recorder

    async def close(self) -> None:
        await self.client.aclose()

    def _keep_cookies(self, response: Any) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"])
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.client.cookies.clear()

    async def request(
        self,
        kind: str,
        method: str,
        url: str,
        *,
        form: list[tuple[str, str]] | None = None,
        as_multipart: bool = False,
        expect: int = 200,
        check: Any = None,
    ) -> Any:
        """Send one request and record it; returns the response, or None if there was none."""
        import httpx

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        content = None
        data = None
        if form is not None and as_multipart:
            content, headers["Content-Type"] = multipart(form)
        elif form is not None:
            data = {}
            for key, value in form:
                data.setdefault(key, []).append(value)
        clock = time.perf_counter
        t0 = clock()
        response = None
        error: str | None = None
        try:
            response = await self.client.request(method, url, headers=headers, content=content, data=data)
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        seconds = clock() - t0
        if response is not None:
            self._keep_cookies(response)
            if response.status_code != expect:
                error = f"HTTP {response.status_code}"
            elif check is not None:
                error = check(response)
        if self.recorder is not None:
            self.recorder.add(Sample(kind, t0, seconds, None if response is None else response.status_code, error))
        return response if error is None else None


def _page_problem(response: Any) -> str | None:
    text = response.text
    if "govuk-error-summary" in text:
        return "page shows an error summary"
    if not _CSRF.search(text):
        return "no CSRF token on the page"
    return None


def _redirect_to(suffix: str) -> Any:
    def check(response: Any) -> str | None:
        location = response.headers.get("location", "")
        return None if location.endswith(suffix) else f"redirected to {location or 'nowhere'}"

    return check


def _token(response: Any) -> str:
    return _CSRF.search(response.text).group(1)


def _version(response: Any) -> str:
    match = _VERSION.search(response.text)
    return match.group(1) if match else ""


async def sign_in(browser: Browser, email: str) -> bool:
    page = await browser.request("sign_in_page", "GET", "/sign-in", check=_page_problem)
    if page is None:
        return False
    done = await browser.request(
        "sign_in",
        "POST",
        "/sign-in",
        form=[("csrf_token", _token(page)), ("email", email), ("password", PASSWORD), ("submit", "Sign in")],
        expect=302,
    )
    return done is not None


@dataclass
class Journey:
    think: tuple[float, float]
    sections: list[str]
    round_code: str

    async def pause(self, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(*self.think))


async def applicant(
    base: str, account: Account, journey: Journey, start_at: float, timeout: float, recorder: Recorder, seed: int
) -> bool:
    """One applicant's visit: sign in, start, six sections (open, save), check, submit. True if it got to the end."""
    rng = random.Random(seed)
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    browser = Browser(base, timeout, recorder)
    try:
        page = await browser.request("sign_in_page", "GET", "/sign-in", check=_page_problem)
        if page is None:
            return False
        token = _token(page)
        await journey.pause(rng)
        signed_in = await browser.request(
            "sign_in",
            "POST",
            "/sign-in",
            form=[("csrf_token", token), ("email", account.email), ("password", PASSWORD), ("submit", "Sign in")],
            expect=302,
        )
        if signed_in is None:
            return False
        await journey.pause(rng)
        started = await browser.request(
            "start",
            "POST",
            f"/rounds/{journey.round_code}/start",
            form=[("csrf_token", token), ("organisation_id", str(account.organisation_id))],
            expect=302,
        )
        if started is None:
            return False
        location = started.headers.get("location", "")
        if not re.search(r"/applications/\d+$", location):
            recorder.add(Sample("start", time.perf_counter(), 0.0, 302, f"redirected to {location}"))
            return False
        application_id = int(location.rsplit("/", 1)[1])
        for index, key in enumerate(journey.sections):
            await journey.pause(rng)
            url = f"/applications/{application_id}/sections/{key}"
            page = await browser.request("page", "GET", url, check=_page_problem)
            if page is None:
                return False
            await journey.pause(rng)
            following = journey.sections[index + 1] if index + 1 < len(journey.sections) else None
            saved = await browser.request(
                "save",
                "POST",
                url,
                form=[
                    ("csrf_token", _token(page)),
                    ("version_id", _version(page)),
                    *answers(key, account.n),
                    ("action", "continue"),
                ],
                as_multipart=True,
                expect=302,
                check=_redirect_to(f"/sections/{following}" if following else f"/applications/{application_id}"),
            )
            if saved is None:
                return False
        await journey.pause(rng)
        check = await browser.request("check", "GET", f"/applications/{application_id}/check", check=_page_problem)
        if check is None:
            return False
        await journey.pause(rng)
        submitted = await browser.request(
            "submit",
            "POST",
            f"/applications/{application_id}/check",
            form=[("csrf_token", _token(check)), ("version_id", _version(check))],
            expect=302,
            check=_redirect_to(f"/applications/{application_id}/confirmation"),
        )
        return submitted is not None
    finally:
        await browser.close()


async def rush(
    base: str, fixture: Fixture, ramp: float, think: tuple[float, float], timeout: float, limit: float, seed: int
) -> tuple[Recorder, float, float, set[int], int]:
    """Every applicant, each starting at a uniformly random moment of the ramp. Bounded by `limit` seconds.

    Returns the recorder, start and end times, the organisation ids of applicants whose every request
    succeeded, and how many were cut off."""
    rng = random.Random(seed)
    recorder = Recorder()
    journey = Journey(think, fixture.section_keys, fixture.round_code)
    t0 = time.perf_counter()
    tasks = [
        asyncio.create_task(
            applicant(base, acct, journey, t0 + rng.uniform(0, ramp), timeout, recorder, rng.randrange(2**32))
        )
        for acct in fixture.rush
    ]
    done, pending = await asyncio.wait(tasks, timeout=limit)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    finished = {
        acct.organisation_id
        for acct, task in zip(fixture.rush, tasks)
        if task in done and not task.cancelled() and task.exception() is None and task.result()
    }
    crashed = [task.exception() for task in done if not task.cancelled() and task.exception() is not None]
    for exc in crashed[:3]:
        print(f"  an applicant's client raised {type(exc).__name__}: {exc}", file=sys.stderr)
    return recorder, t0, time.perf_counter(), finished, len(pending)


# -- capacity: closed loop, no think time ----------------------------------------------------------------
@dataclass
class CapacityClient:
    browser: Browser
    account: Account
    url: str
    next_url: str
    token: str = ""
    version: int = 0


async def prepare_capacity(base: str, fixture: Fixture, timeout: float) -> list[CapacityClient]:
    """Sign each capacity client in and save its section once (not timed), so every page shows answers."""
    clients = []
    for acct in fixture.capacity:
        browser = Browser(base, timeout, None)
        if not await sign_in(browser, acct.email):
            raise RuntimeError(f"capacity client {acct.email} could not sign in")
        url = f"/applications/{acct.application_id}/sections/{CAPACITY_SECTION}"
        keys = fixture.section_keys
        following = keys.index(CAPACITY_SECTION) + 1
        next_url = f"/sections/{keys[following]}" if following < len(keys) else f"/applications/{acct.application_id}"
        client = CapacityClient(browser, acct, url, next_url)
        await refresh(client)
        if not await save_once(client):
            raise RuntimeError(f"capacity client {acct.email} could not save {CAPACITY_SECTION}")
        await refresh(client)
        clients.append(client)
    return clients


async def refresh(client: CapacityClient) -> None:
    page = await client.browser.request("capacity_page", "GET", client.url, check=_page_problem)
    if page is None:
        raise RuntimeError(f"{client.url} did not load")
    client.token, client.version = _token(page), int(_version(page) or 0)


async def save_once(client: CapacityClient) -> bool:
    form = [
        ("csrf_token", client.token),
        ("version_id", str(client.version)),
        *answers(CAPACITY_SECTION, client.account.n),
        ("action", "continue"),
    ]
    saved = await client.browser.request(
        "capacity_save",
        "POST",
        client.url,
        form=form,
        as_multipart=True,
        expect=302,
        check=_redirect_to(client.next_url),
    )
    if saved is not None:
        client.version += 1  # version_id_col: each successful save adds one
    return saved is not None


async def capacity_window(clients: list[CapacityClient], kind: str, seconds: float) -> tuple[Recorder, float]:
    """Every client sends `kind` requests back to back until the window ends; returns the recorder and its length."""
    recorder = Recorder()
    for client in clients:
        client.browser.recorder = recorder
    t0 = time.perf_counter()
    end = t0 + seconds

    async def loop(client: CapacityClient) -> None:
        while time.perf_counter() < end:
            if kind == "page":
                await client.browser.request("page", "GET", client.url, check=_page_problem)
            elif not await save_once(client):
                client.browser.recorder = None  # resynchronise the version, untimed
                await refresh(client)
                client.browser.recorder = recorder

    await asyncio.gather(*(loop(client) for client in clients))
    elapsed = time.perf_counter() - t0
    for client in clients:
        client.browser.recorder = None
    return recorder, elapsed


# -- figures ---------------------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def kind_table(recorder: Recorder) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for kind in TIMED_KINDS:
        times = [s.seconds for s in recorder.samples if s.kind == kind]
        if times:
            table[kind] = {
                "n": len(times),
                "p50": ms(percentile(times, 50)),
                "p95": ms(percentile(times, 95)),
                "p99": ms(percentile(times, 99)),
                "max": ms(max(times)),
                "errors": sum(1 for s in recorder.samples if s.kind == kind and s.error),
            }
    return table


def peak_rps(recorder: Recorder, t0: float) -> int:
    """The most requests completed in any one-second interval (aligned to the start of the rush)."""
    buckets: dict[int, int] = {}
    for s in recorder.samples:
        second = int(s.started + s.seconds - t0)
        buckets[second] = buckets.get(second, 0) + 1
    return max(buckets.values(), default=0)


def count_lost(db: Any, fixture: Fixture) -> tuple[set[int], int, dict[str, int]]:
    """Applicants whose application is not submitted with all six sections completed and answered.

    Returns (their organisation ids, duplicates, why) where duplicates counts organisations with more than
    one application."""
    from sqlalchemy import select

    from grants.models import Application, ApplicationSection

    organisation_ids = [a.organisation_id for a in fixture.rush]
    applications = db.session.execute(
        select(Application.id, Application.organisation_id, Application.state, Application.submitted_at).where(
            Application.organisation_id.in_(organisation_ids)
        )
    ).all()
    by_org: dict[int, list[Any]] = {}
    for row in applications:
        by_org.setdefault(row.organisation_id, []).append(row)
    sections: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(
        select(
            ApplicationSection.application_id,
            ApplicationSection.section_key,
            ApplicationSection.status,
            ApplicationSection.answers,
        ).where(ApplicationSection.application_id.in_([a.id for a in applications]))
    ):
        sections.setdefault(row.application_id, {})[row.section_key] = row
    lost: set[int] = set()
    why: dict[str, int] = {}
    for org_id in organisation_ids:
        found = by_org.get(org_id, [])
        submitted = [a for a in found if a.state == "submitted" and a.submitted_at is not None]
        reason = None
        if not found:
            reason = "no application"
        elif not submitted:
            reason = f"state {found[0].state}"
        else:
            rows = sections.get(submitted[0].id, {})
            for key in fixture.section_keys:
                row = rows.get(key)
                values = (row.answers or {}).get("values", {}) if row else {}
                if row is None or row.status != "completed":
                    reason = f"section {key} not completed"
                    break
                if any(values.get(q) in (None, "", []) for q in fixture.required[key]):
                    reason = f"section {key} missing answers"
                    break
        if reason:
            lost.add(org_id)
            why[reason] = why.get(reason, 0) + 1
    duplicates = sum(1 for found in by_org.values() if len(found) > 1)
    db.session.remove()
    return lost, duplicates, why


def statements_per_request(app: Any, db: Any, fixture: Fixture) -> tuple[dict[str, int], dict[str, list[str]]]:
    """SQL statements each kind of request issues, counted in-process (same code, Flask test client),
    with what they are for the section page and the save."""
    from sqlalchemy import event

    counts: dict[str, int] = {}
    captured: dict[str, list[str]] = {}
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    probe = fixture.probe
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    # Requests run outside any app context of ours, so each gets its own (and its own session), as in gunicorn.
    event.listen(engine, "before_cursor_execute", count)
    try:

        def measure(kind: str | None, method: str, url: str, expect: int, **kwargs: Any) -> Any:
            before = len(seen)
            response = client.open(url, method=method, **kwargs)
            if kind is not None:
                counts[kind] = len(seen) - before
                captured[kind] = [statement_kind(sql) for sql in seen[before:]]
            if response.status_code != expect:
                raise RuntimeError(f"counting statements: {method} {url} answered {response.status_code}")
            return response

        def save(kind: str | None, key: str) -> None:
            url = f"/applications/{probe.application_id}/sections/{key}"
            html = client.get(url).get_data(as_text=True)
            pairs = [
                ("csrf_token", _CSRF.search(html).group(1)),
                ("version_id", _VERSION.search(html).group(1)),
                *answers(key, probe.n),
                ("action", "continue"),
            ]
            measure(kind, "POST", url, 302, data=_multidict(pairs), content_type="multipart/form-data")

        page = measure("sign_in_page", "GET", "/sign-in", 200)
        token = _CSRF.search(page.get_data(as_text=True)).group(1)
        form = {"csrf_token": token, "email": probe.email, "password": PASSWORD}
        measure("sign_in", "POST", "/sign-in", 302, data=form)
        # What one sign-in costs in CPU (Argon2 verify, production parameters; its threads included).
        cpu0 = time.process_time()
        for _ in range(5):
            client.post("/sign-in", data=form)
        counts["sign_in_cpu_ms"] = round((time.process_time() - cpu0) / 5 * 1000)
        url = f"/applications/{probe.application_id}/sections/{CAPACITY_SECTION}"
        measure("page_empty", "GET", url, 200)
        save("save_first", CAPACITY_SECTION)
        save("save", CAPACITY_SECTION)
        measure("page", "GET", url, 200)
        for key in fixture.section_keys:
            if key != CAPACITY_SECTION:
                save(None, key)
        check_url = f"/applications/{probe.application_id}/check"
        html = measure("check", "GET", check_url, 200).get_data(as_text=True)
        form = {"csrf_token": _CSRF.search(html).group(1), "version_id": _VERSION.search(html).group(1)}
        measure("submit", "POST", check_url, 302, data=form)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts, {kind: captured[kind] for kind in ("page", "save", "submit")}


def _multidict(pairs: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


# -- main ----------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="100 applicants, 20 s ramp, 0.25-1 s think, 10 s windows")
    parser.add_argument("--applicants", type=int, default=None, help="default 300 (quick 100)")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which applicants start (60; quick 20)")
    parser.add_argument("--think-min", type=float, default=None, help="seconds (1; quick 0.25)")
    parser.add_argument("--think-max", type=float, default=None, help="seconds (3; quick 1)")
    parser.add_argument("--capacity-clients", type=int, default=16)
    parser.add_argument("--capacity-seconds", type=float, default=None, help="each window (20; quick 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, as docs/benchmarks.md says; try gthread)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker with --worker-class gthread")
    parser.add_argument(
        "--password-hash",
        choices=sorted(HASH_PROFILES),
        default="production",
        help="what-if: store hashes made with OWASP's minimum Argon2id parameters instead of production's",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument("--limit", type=float, default=600.0, help="abort the rush this many seconds after the ramp")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL server and maintenance database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.applicants = args.applicants or (100 if quick else 300)
    args.ramp = args.ramp if args.ramp is not None else (20.0 if quick else 60.0)
    args.think_min = args.think_min if args.think_min is not None else (0.25 if quick else 1.0)
    args.think_max = args.think_max if args.think_max is not None else (1.0 if quick else 3.0)
    args.capacity_seconds = args.capacity_seconds or (10.0 if quick else 20.0)
    if args.think_max < args.think_min:
        parser.error("--think-max must be at least --think-min")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = postgres_url(args.database_url)

    from flask_migrate import upgrade

    from grants import create_app
    from grants.extensions import db

    log_path = Path(tempfile.gettempdir()) / f"grantflow-rush-gunicorn-{os.getpid()}.log"
    with throwaway_database(url, "grantflow_rush") as (bench_url, bench_name):
        # The in-process app is only for setup, the database check and counting statements; it uses the
        # production password hasher (development config: PASSWORD_HASH_FAST is not set).
        app = create_app("development", SQLALCHEMY_DATABASE_URI=bench_url, RATELIMIT_ENABLED=False)
        t0 = time.perf_counter()
        with app.app_context():
            upgrade()
            db.session.remove()
            fixture = build_fixture(db, args.applicants, args.capacity_clients, args.password_hash)
            db.engine.dispose()
        setup_seconds = time.perf_counter() - t0
        print(
            f"deadline_rush: {args.applicants} applicants over a {args.ramp:g} s ramp, think "
            f"{args.think_min:g}-{args.think_max:g} s, gunicorn -w {args.workers} -k {args.worker_class}"
            f"{f' --threads {args.threads}' if args.worker_class != 'sync' else ''} (production config"
            f"{'' if args.password_hash == 'production' else '; WHAT-IF password hashes: ' + args.password_hash}) on "
            f"PostgreSQL {bench_name} (setup {setup_seconds:.1f} s, not timed)",
            flush=True,
        )
        with gunicorn(bench_url, args.workers, log_path, args.worker_class, args.threads) as (server, base):
            workers_before = worker_pids(server.pid)
            with CpuMeter(server.pid, bench_name) as rush_cpu:
                recorder, rush_t0, rush_t1, finished, unfinished = asyncio.run(
                    rush(
                        base,
                        fixture,
                        args.ramp,
                        (args.think_min, args.think_max),
                        args.request_timeout,
                        args.ramp + args.limit,
                        args.seed,
                    )
                )
            print(f"  rush done in {rush_t1 - rush_t0:.1f} s; capacity windows next", flush=True)

            async def capacity() -> dict[str, Any]:
                clients = await prepare_capacity(base, fixture, args.request_timeout)
                figures: dict[str, Any] = {}
                try:
                    for kind in ("page", "save"):
                        with CpuMeter(server.pid, bench_name) as meter:
                            window, seconds = await capacity_window(clients, kind, args.capacity_seconds)
                        times = [s.seconds for s in window.samples]
                        n = len(times)
                        cpu = meter.server
                        figures[kind] = {
                            "rps": round(n / seconds, 1),
                            "p50_ms": ms(percentile(times, 50)),
                            "p95_ms": ms(percentile(times, 95)),
                            "cpu_ms": round(1000 * sum(cpu.values()) / n, 2) if n else 0.0,
                            "gunicorn_cpu_ms": round(1000 * cpu["gunicorn"] / n, 2) if n else 0.0,
                            "postgres_cpu_ms": round(1000 * cpu["postgres"] / n, 2) if n else 0.0,
                            "requests": n,
                            "client_cpu_ms": round(1000 * meter.own / n, 2) if n else 0.0,
                            "other_load_cores": meter.other_cores,
                            "errors": sum(1 for s in window.samples if s.error),
                            "error_kinds": window.error_kinds,
                        }
                finally:
                    for client in clients:
                        await client.browser.close()
                return figures

            cap = asyncio.run(capacity())
            worker_restarts = len(workers_before - worker_pids(server.pid))
        with app.app_context():
            lost_ids, duplicates, lost_why = count_lost(db, fixture)
        lost = len(lost_ids)
        lost_of_finished = len(lost_ids & finished)
        statements, statement_kinds = statements_per_request(app, db, fixture)
        with app.app_context():
            db.engine.dispose()

    samples = recorder.samples
    times = [s.seconds for s in samples]
    table = kind_table(recorder)
    errors = sum(1 for s in samples if s.error)
    server_seconds = sum(rush_cpu.server.values())
    client_seconds = rush_cpu.own
    result: dict[str, Any] = {
        "applicants": args.applicants,
        "requests": len(samples),
        "p50_ms": ms(percentile(times, 50)),
        "p95_ms": ms(percentile(times, 95)),
        "p99_ms": ms(percentile(times, 99)),
        "p95_sign_in_ms": table.get("sign_in", {}).get("p95", 0.0),
        "p95_save_ms": table.get("save", {}).get("p95", 0.0),
        "p95_submit_ms": table.get("submit", {}).get("p95", 0.0),
        "errors": errors,
        "lost": lost,
        "peak_rps": peak_rps(recorder, rush_t0),
        "capacity_page_rps": cap["page"]["rps"],
        "capacity_page_p95_ms": cap["page"]["p95_ms"],
        "capacity_page_cpu_ms": cap["page"]["cpu_ms"],
        "capacity_save_rps": cap["save"]["rps"],
        "capacity_save_p95_ms": cap["save"]["p95_ms"],
        "capacity_save_cpu_ms": cap["save"]["cpu_ms"],
        # more figures, after the ones docs/benchmarks.md names
        "p95_page_ms": table.get("page", {}).get("p95", 0.0),
        "p95_start_ms": table.get("start", {}).get("p95", 0.0),
        "p95_check_ms": table.get("check", {}).get("p95", 0.0),
        "rush_seconds": round(rush_t1 - rush_t0, 1),
        "finished": len(finished),
        "lost_of_finished": lost_of_finished,
        "unfinished": unfinished,
        "duplicates": duplicates,
        "worker_restarts": worker_restarts,
        "rush_server_cpu_ms_per_request": round(1000 * server_seconds / len(samples), 2) if samples else 0.0,
        "rush_client_cpu_ms_per_request": round(1000 * client_seconds / len(samples), 2) if samples else 0.0,
        "capacity_page_gunicorn_cpu_ms": cap["page"]["gunicorn_cpu_ms"],
        "capacity_page_postgres_cpu_ms": cap["page"]["postgres_cpu_ms"],
        "capacity_save_gunicorn_cpu_ms": cap["save"]["gunicorn_cpu_ms"],
        "capacity_save_postgres_cpu_ms": cap["save"]["postgres_cpu_ms"],
        "capacity_errors": cap["page"]["errors"] + cap["save"]["errors"],
        "statements_sign_in": statements.get("sign_in"),
        "statements_page": statements.get("page"),
        "statements_save": statements.get("save"),
        "statements_submit": statements.get("submit"),
        "sign_in_cpu_ms": statements.get("sign_in_cpu_ms"),
        "rush_other_load_cores": rush_cpu.other_cores,
        "capacity_page_other_load_cores": cap["page"]["other_load_cores"],
        "capacity_save_other_load_cores": cap["save"]["other_load_cores"],
        "target_p95_ms": TARGET_P95_MS,
        "error_kinds": recorder.error_kinds,
        "password_hash": args.password_hash,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "quick": args.quick,
    }

    print(
        f"  rush: {len(samples):,} requests in {result['rush_seconds']} s, peak {result['peak_rps']} req/s; "
        f"{len(finished)} of {args.applicants} applicants got through without an error "
        f"({unfinished} cut off by the time limit; an applicant stops at its first error)"
    )
    print(f"  {'request':<13}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind, row in table.items():
        print(
            f"  {kind:<13}{row['n']:>6}{row['p50']:>9}{row['p95']:>9}{row['p99']:>9}{row['max']:>9}{row['errors']:>8}"
        )
    print(
        f"  {'all':<13}{len(samples):>6}{result['p50_ms']:>9}{result['p95_ms']:>9}{result['p99_ms']:>9}"
        f"{ms(max(times, default=0)):>9}{errors:>8}"
    )
    for what, n in sorted(recorder.error_kinds.items(), key=lambda item: -item[1])[:8]:
        print(f"    error: {what} x{n}")
    print(
        f"  checked in the database: {lost} lost {lost_why or ''}; of the applicants whose every request "
        f"succeeded, {lost_of_finished} lost; {duplicates} organisations with two applications"
    )
    print(
        f"  server CPU over the rush: {result['rush_server_cpu_ms_per_request']} ms per request "
        f"(load generator {result['rush_client_cpu_ms_per_request']} ms); worker restarts: {worker_restarts}"
    )
    others = max(rush_cpu.other_cores, cap["page"]["other_load_cores"], cap["save"]["other_load_cores"])
    if others >= 0.2:
        print(
            f"  NOTE: other processes on this machine used up to {others} cores of CPU during the run "
            "(rush_other_load_cores, capacity_*_other_load_cores): the figures are pessimistic"
        )
    for kind, label in (("page", "open a section page"), ("save", "save a section")):
        row = cap[kind]
        print(
            f"  capacity, {label} ({CAPACITY_SECTION}), {args.capacity_clients} clients, no think time: "
            f"{row['rps']} req/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, server CPU {row['cpu_ms']} ms "
            f"per request (gunicorn {row['gunicorn_cpu_ms']}, PostgreSQL {row['postgres_cpu_ms']}; load generator "
            f"{row['client_cpu_ms']}), errors {row['errors']} {row['error_kinds'] or ''}"
        )
    counted = ", ".join(f"{kind} {n}" for kind, n in statements.items() if not kind.endswith("_cpu_ms"))
    print(f"  SQL statements per request (in-process, same code): {counted}")
    for kind, kinds in statement_kinds.items():
        print(f"    {kind}: " + "; ".join(kinds))
    print(
        f"  one sign-in costs {statements.get('sign_in_cpu_ms')} ms of CPU (Argon2id, {args.password_hash} "
        "parameters; in-process)"
    )
    verdict = "meets" if result["p95_ms"] < TARGET_P95_MS and errors == 0 and lost == 0 else "misses"
    print(f"  {verdict} the goal: p95 < {TARGET_P95_MS} ms, 0 errors, 0 lost")
    print(json.dumps(result))
    return 0 if lost == 0 else 1


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)  # `kill` cleans up as Ctrl+C does: gunicorn stopped, database dropped
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped and the database dropped", file=sys.stderr)
        sys.exit(130)
