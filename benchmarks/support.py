"""What every benchmark shares: a throwaway PostgreSQL database, naming SQL statements, percentiles.

Scripts import it as a sibling module (`python benchmarks/NAME.py` puts this folder on sys.path).
"""

from __future__ import annotations

import math
import re
import resource
import secrets
from collections.abc import Iterator
from contextlib import contextmanager


def postgres_url(url: str) -> str:
    """The URL with the psycopg driver; anything but PostgreSQL is refused (the workloads are defined there)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith("postgresql+psycopg://"):
        raise SystemExit(f"--database-url must be a PostgreSQL URL; got {url!r}")
    return url


@contextmanager
def throwaway_database(url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """Create <prefix>_<random> on the server of `url`; yield (its URL, its name); drop it at the end."""
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    maintenance = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False), name
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def statement_kind(sql: str) -> str:
    """'SELECT payments JOIN awards', 'UPDATE payments', 'INSERT audit_events': verb and tables."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    if verb == "SELECT":
        match = re.search(r"\bFROM\s+\"?(\w+)", text, re.IGNORECASE)
        joins = re.findall(r"\bJOIN\s+\"?(\w+)", text, re.IGNORECASE)
        return "SELECT " + " JOIN ".join([match.group(1) if match else "?", *joins])
    match = re.search(r"^(?:UPDATE|INSERT INTO|DELETE FROM)\s+\"?(\w+)", text, re.IGNORECASE)
    return f"{verb} {match.group(1) if match else '?'}"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of a list (0 if empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# -- peak memory of a child process ------------------------------------------------------------
def status_mb(field: str) -> float | None:
    """A figure from /proc/self/status (VmRSS: resident now; VmHWM: peak resident), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Start the peak-RSS count afresh (Linux: clear_refs 5 resets VmHWM and ru_maxrss).

    Without this a child's ru_maxrss starts at the peak of the process it was spawned from
    (vfork: the parent's), and at app start-up, so the export's own peak would be hidden.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    peak = status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
