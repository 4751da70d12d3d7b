"""The deadline rush's load generator: the applicants of the rush (an open system), then the capacity clients
(a closed loop, no think time), each with its own simulated browser (rush_browser.py).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rush_browser import Browser, Recorder, Sample, form_token, form_version, page_problem, redirect_to
from rush_fixture import CAPACITY_SECTION, PASSWORD, Account, Fixture, answers
from rush_server import CpuMeter


# -- the rush: an open system ----------------------------------------------------------------------------
async def sign_in(browser: Browser, email: str, pause: Callable[[], Awaitable[None]] | None = None) -> str | None:
    """GET then POST /sign-in (with `pause` between, if given); the page's CSRF token if signed in, else None."""
    page = await browser.request("sign_in_page", "GET", "/sign-in", check=page_problem)
    if page is None:
        return None
    token = form_token(page)
    if pause is not None:
        await pause()
    done = await browser.request(
        "sign_in",
        "POST",
        "/sign-in",
        form=[("csrf_token", token), ("email", email), ("password", PASSWORD), ("submit", "Sign in")],
        expect=302,
    )
    return token if done is not None else None


@dataclass
class RushRun:
    """What the rush did: every request, when it started and ended, who got through, who was cut off."""

    recorder: Recorder
    t0: float  # perf_counter
    t1: float
    finished: set[int]  # organisation ids of the applicants whose every request succeeded
    unfinished: int  # applicants cut off by the time limit


@dataclass
class Journey:
    think: tuple[float, float]
    sections: list[str]
    round_code: str

    async def pause(self, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(*self.think))


async def applicant(
    base: str | list[str],
    account: Account,
    journey: Journey,
    start_at: float,
    timeout: float,
    recorder: Recorder,
    seed: int,
) -> bool:
    """One applicant's visit: sign in, start, six sections (open, save), check, submit. True if it got to the end."""
    rng = random.Random(seed)
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    browser = Browser(base, timeout, recorder)
    try:
        token = await sign_in(browser, account.email, pause=lambda: journey.pause(rng))
        if token is None:
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
            page = await browser.request("page", "GET", url, check=page_problem)
            if page is None:
                return False
            await journey.pause(rng)
            following = journey.sections[index + 1] if index + 1 < len(journey.sections) else None
            saved = await browser.request(
                "save",
                "POST",
                url,
                form=[
                    ("csrf_token", form_token(page)),
                    ("version_id", form_version(page)),
                    *answers(key, account.n),
                    ("action", "continue"),
                ],
                as_multipart=True,
                expect=302,
                check=redirect_to(f"/sections/{following}" if following else f"/applications/{application_id}"),
            )
            if saved is None:
                return False
        await journey.pause(rng)
        check = await browser.request("check", "GET", f"/applications/{application_id}/check", check=page_problem)
        if check is None:
            return False
        await journey.pause(rng)
        submitted = await browser.request(
            "submit",
            "POST",
            f"/applications/{application_id}/check",
            form=[("csrf_token", form_token(check)), ("version_id", form_version(check))],
            expect=302,
            check=redirect_to(f"/applications/{application_id}/confirmation"),
        )
        return submitted is not None
    finally:
        await browser.close()


async def rush(
    base: str | list[str],
    fixture: Fixture,
    ramp: float,
    think: tuple[float, float],
    timeout: float,
    limit: float,
    seed: int,
) -> RushRun:
    """Every applicant, each starting at a uniformly random moment of the ramp. Bounded by `limit` seconds."""
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
    return RushRun(recorder, t0, time.perf_counter(), finished, len(pending))


# -- capacity: closed loop, no think time ----------------------------------------------------------------
@dataclass
class CapacityClient:
    browser: Browser
    account: Account
    url: str
    next_url: str
    token: str = ""
    version: int = 0


async def prepare_capacity(base: str | list[str], fixture: Fixture, timeout: float) -> list[CapacityClient]:
    """Sign each capacity client in and save its section once (not timed), so every page shows answers."""
    clients = []
    for acct in fixture.capacity:
        browser = Browser(base, timeout, None)
        if await sign_in(browser, acct.email) is None:
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
    page = await client.browser.request("capacity_page", "GET", client.url, check=page_problem)
    if page is None:
        raise RuntimeError(f"{client.url} did not load")
    client.token, client.version = form_token(page), int(form_version(page) or 0)


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
        check=redirect_to(client.next_url),
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
                await client.browser.request("page", "GET", client.url, check=page_problem)
            elif not await save_once(client):
                client.browser.recorder = None  # resynchronise the version, untimed
                await refresh(client)
                client.browser.recorder = recorder

    await asyncio.gather(*(loop(client) for client in clients))
    elapsed = time.perf_counter() - t0
    for client in clients:
        client.browser.recorder = None
    return recorder, elapsed


async def capacity(
    base: str | list[str], fixture: Fixture, timeout: float, seconds: float, meter: Callable[[], CpuMeter]
) -> dict[str, tuple[Recorder, float, CpuMeter]]:
    """The capacity windows, "page" then "save": for each, its requests, its length and its CPU (`meter`)."""
    clients = await prepare_capacity(base, fixture, timeout)
    windows: dict[str, tuple[Recorder, float, CpuMeter]] = {}
    try:
        for kind in ("page", "save"):
            with meter() as cpu:
                window, elapsed = await capacity_window(clients, kind, seconds)
            windows[kind] = (window, elapsed, cpu)
    finally:
        for client in clients:
            await client.browser.close()
    return windows
