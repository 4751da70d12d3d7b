"""What every benchmark script shares: its arguments (--quick, --database-url), percentiles, its JSON last line.

The other shared modules: `support_db.py` (the throwaway PostgreSQL database and the app on it),
`support_sql.py` (counting and naming SQL statements), `support_child.py` (timing an export in a child
process, with its own peak memory). Scripts import them as sibling modules (`python benchmarks/NAME.py`
puts this folder on sys.path).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from typing import Any

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def bench_parser(doc: str, quick_help: str) -> argparse.ArgumentParser:
    """An argument parser described by the first paragraph of `doc`, with --quick and --database-url."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL server and maintenance database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    return parser


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of a list (0 if empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    """Seconds as milliseconds, to one decimal."""
    return round(seconds * 1000, 1)


def print_json(figures: dict[str, Any]) -> None:
    """The last line of every script (and of every measuring child): one JSON object of its figures."""
    print(json.dumps(figures), flush=True)


def last_json(output: str) -> dict[str, Any]:
    """The figures a script or child printed: the JSON object on the last line of its output."""
    return json.loads(output.strip().splitlines()[-1])


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str | None:
    """The CSRF token of a page with a form (every POST must send it back), or None if it has none."""
    match = _CSRF.search(html)
    return match.group(1) if match else None


_SETUP_KEY = re.compile(r'id="setup-key"><code>([A-Z2-7 ]+)</code>')
_RECOVERY_CODE = re.compile(r"\b[0-9a-f]{5}-[0-9a-f]{5}\b")
# Recovery codes of staff this process set up: a later sign-in spends one (an app code works once
# per 30 seconds, and a benchmark may sign the same person in several times within that).
_RECOVERY: dict[str, list[str]] = {}


def sign_in_staff(client: Any, email: str, password: str) -> None:
    """Sign a staff member in as a person does (a Flask test client): the password, then the second
    factor (staff give one before any staff page): setting up the authenticator app the first time,
    a recovery code from that set-up after; so the measured pages are the pages, not redirects."""
    import pyotp

    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    signed = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
    if signed.status_code != 302:
        raise RuntimeError(f"{email} could not sign in ({signed.status_code})")
    if not signed.headers["Location"].startswith("/sign-in/two-factor"):
        return
    step = client.get(signed.headers["Location"]).headers.get("Location", "")
    if "/set-up" not in step:
        if not _RECOVERY.get(email):
            raise RuntimeError(f"{email} has an authenticator app this process did not set up")
        page = client.get("/sign-in/recovery-code").get_data(as_text=True)
        used = client.post(
            "/sign-in/recovery-code", data={"csrf_token": csrf_token(page), "code": _RECOVERY[email].pop()}
        )
        if used.status_code != 302:
            raise RuntimeError(f"{email} could not sign in with a recovery code ({used.status_code})")
        return
    page = client.get(step).get_data(as_text=True)
    found = _SETUP_KEY.search(page)
    if found is None:
        raise RuntimeError("the two-factor set-up page shows no key")
    code = pyotp.TOTP(found.group(1).replace(" ", "")).now()
    enrolled = client.post(step, data={"csrf_token": csrf_token(page), "code": code})
    codes = _RECOVERY_CODE.findall(enrolled.get_data(as_text=True))
    if enrolled.status_code != 200 or not codes:
        raise RuntimeError(f"{email} could not set up two-factor sign-in ({enrolled.status_code})")
    _RECOVERY[email] = codes
