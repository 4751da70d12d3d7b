"""The settings of background jobs, each from the environment with a default (set where the app is made)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, tuple[str, Any]] = {
    # Where jobs wait: "sqlite:///path" (one host: `make run`), "redis://host:6379/1" (production, several
    # hosts), or "immediate" (run inside the asking request: tests). Unset: a SQLite file in the instance folder.
    "JOB_QUEUE_URL": ("JOB_QUEUE_URL", ""),
    # Where finished files are kept (every web host and worker must see the same folder).
    "EXPORT_FOLDER": ("EXPORT_FOLDER", ""),
    # A finance spreadsheet of more awards than this is made in the background.
    "BACKGROUND_EXPORT_ROWS": ("BACKGROUND_EXPORT_ROWS", 5000),
    # A round's panel pack of more bids than this is made in the background.
    "BACKGROUND_PANEL_PACK_ROWS": ("BACKGROUND_PANEL_PACK_ROWS", 1000),
    # A committee report spreadsheet over a round of more bids than this is made in the background.
    "BACKGROUND_REPORT_ROWS": ("BACKGROUND_REPORT_ROWS", 5000),
    # A 360Giving file of more grants than this is made in the background.
    "BACKGROUND_OPEN_DATA_ROWS": ("BACKGROUND_OPEN_DATA_ROWS", 5000),
    "JOB_KEEP_DAYS": ("JOB_KEEP_DAYS", 7),  # a finished file is removed after this many days
    "JOB_LIMIT_PER_USER": ("JOB_LIMIT_PER_USER", 3),  # files waiting or being made, per person
    "JOB_HEARTBEAT_SECONDS": ("JOB_HEARTBEAT_SECONDS", 10.0),  # a working job writes its progress this often
    "JOB_STALE_SECONDS": ("JOB_STALE_SECONDS", 120.0),  # no heartbeat for this long: its worker died
    "JOB_MAX_ATTEMPTS": ("JOB_MAX_ATTEMPTS", 3),  # a job whose worker died this often is failed
    "JOB_WORKER_THREADS": ("JOB_WORKER_THREADS", 1),  # jobs one worker process runs at once
    # Seconds to wait after each row: 0 but in tests and demonstrations that need a slow job.
    "JOB_ROW_PAUSE_SECONDS": ("JOB_ROW_PAUSE_SECONDS", 0.0),
}


def apply_defaults(config: dict[str, Any], instance_path: str) -> None:
    """Fill in each setting not given: from the environment, else its default."""
    for key, (variable, default) in DEFAULTS.items():
        if key in config:
            continue
        raw = os.environ.get(variable)
        config[key] = default if raw in (None, "") else type(default)(raw)
    if not config["JOB_QUEUE_URL"]:
        embedded = f"sqlite:///{Path(instance_path) / 'jobs.sqlite3'}"
        config["JOB_QUEUE_URL"] = "immediate" if config.get("TESTING") else embedded
    if not config["EXPORT_FOLDER"]:
        testing = config.get("TESTING")
        folder = tempfile.mkdtemp(prefix="grantflow-test-exports-") if testing else Path(instance_path) / "exports"
        if testing:  # a test app's files go with the process that made them
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        config["EXPORT_FOLDER"] = str(folder)
