"""A worker process's own folder for temporary files, and removing those a killed worker left behind.

openpyxl's write-only workbooks (and anything else using `tempfile`) write to temporary files that are
removed when the file is saved; a worker killed with SIGKILL mid-job leaves them behind. So each worker
process puts its temporary files in `EXPORT_FOLDER/.worker-tmp/<host>-<pid>/` (`tempfile.tempdir` is one
setting per process, shared by the job threads, whose files get unique names), and the next worker to
start, or the scheduler's pass, removes the folders whose process is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)
FOLDER = ".worker-tmp"
OTHER_HOST_SECONDS = 24 * 3600  # another host's worker cannot be asked whether it lives: wait a day


def _host() -> str:
    return socket.gethostname().replace(os.sep, "_") or "host"


def own_folder(export_folder: str | Path, pid: int | None = None) -> Path:
    return Path(export_folder) / FOLDER / f"{_host()}-{pid or os.getpid()}"


def use_own_folder(export_folder: str | Path) -> Path:
    """Send this process's temporary files to its own folder (made now; `ensure` makes it again if removed)."""
    path = own_folder(export_folder)
    path.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(path)
    return path


def ensure(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _newest(path: Path) -> float:
    """When anything in the folder (or the folder itself) last changed."""
    times = [path.stat().st_mtime]
    for child in path.rglob("*"):
        try:
            times.append(child.stat().st_mtime)
        except FileNotFoundError:
            continue
    return max(times)


def remove_leftovers(export_folder: str | Path, older_than_seconds: float) -> int:
    """Remove the temporary folders of worker processes that are gone: on this host, its process no longer
    runs and the folder is untouched for `older_than_seconds`; otherwise (another host sharing the folder,
    or a process number taken by another process) untouched for a day. A live worker makes its folder again
    before each job. Returns the number of files removed."""
    base = Path(export_folder) / FOLDER
    if not base.is_dir():
        return 0
    now, host, removed = time.time(), _host(), 0
    for path in base.iterdir():
        name_host, _, pid = path.name.rpartition("-")
        if not path.is_dir() or not pid.isdigit():
            continue
        if name_host == host and int(pid) == os.getpid():
            continue
        if name_host == host and not _alive(int(pid)):
            wait = older_than_seconds
        else:  # alive (or its number reused), or on another host: only when untouched for a day
            wait = max(older_than_seconds, OTHER_HOST_SECONDS)
        try:
            if _newest(path) > now - wait:
                continue
            files = sum(1 for child in path.rglob("*") if not child.is_dir())
        except FileNotFoundError:  # another pass removed it meanwhile
            continue
        shutil.rmtree(path, ignore_errors=True)
        if files:
            log.info("jobs: %s temporary files of stopped worker %s removed", files, path.name)
        removed += files
    return removed
