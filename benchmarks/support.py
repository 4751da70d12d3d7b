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
