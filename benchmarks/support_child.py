"""Timing an export in a child process, so that its peak memory is its own.

The parent runs its own script again with a hidden `--child MODE -o FILE` (`run_child`); the child does the
untimed part, then the timed part inside `measured()`, and prints the figures as its JSON last line.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support import last_json


# -- in the parent ------------------------------------------------------------------------------
def add_child_arguments(parser: argparse.ArgumentParser, modes: list[str]) -> None:
    """The hidden arguments a script's measuring child is run with: --child MODE and -o FILE."""
    parser.add_argument("--child", choices=modes, help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", help=argparse.SUPPRESS)


def run_child(script: str, mode: str, url: str, filename: str, *extra: str, timeout: float) -> dict[str, Any]:
    """`script --child MODE` on the database at `url`, writing `filename` in a temporary folder.

    Returns the figures of the child's JSON last line, with the size of what it wrote as `bytes`."""
    with tempfile.TemporaryDirectory(prefix=f"grantflow-{Path(script).stem}-") as folder:
        output = Path(folder) / filename
        done = subprocess.run(  # noqa: S603 - a benchmark script, with arguments we made
            [sys.executable, script, "--child", mode, "--database-url", url, *extra, "-o", str(output)],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {mode} child failed:\n{done.stderr[-3000:]}")
        figures = last_json(done.stdout)
        figures["bytes"] = output.stat().st_size
        return figures


# -- in the child -------------------------------------------------------------------------------
@contextmanager
def measured() -> Iterator[dict[str, Any]]:
    """Time the block (wall and CPU) and take its peak resident memory, counted from the block's start.

    Yields the figures, filled in at the end: seconds, cpu_seconds, peak_rss_mb, rss_before_mb (resident just
    before), reset (whether the peak could be reset; if not, the peak is the process's whole life's)."""
    figures: dict[str, Any] = {"reset": reset_peak(), "rss_before_mb": status_mb("VmRSS") or peak_mb()}
    t0, c0 = time.perf_counter(), time.process_time()
    yield figures
    figures.update(seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0, peak_rss_mb=peak_mb())


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
    """The peak resident memory since the last reset_peak (VmHWM; ru_maxrss where /proc is missing), in MB."""
    peak = status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
