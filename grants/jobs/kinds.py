"""What each kind of job makes and who may see it: areas register theirs (grants.finance_export.background)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Progress:
    """Rows done of rows in all, counted as a job's rows go by; a heartbeat thread writes them down."""

    def __init__(self, pause: float = 0.0) -> None:
        self.done = 0
        self.total: int | None = None
        self.pause = pause

    def counted(self, rows: Iterable[T]) -> Iterator[T]:
        for row in rows:
            self.done += 1
            if self.pause:
                time.sleep(self.pause)
            yield row


class JobFailed(Exception):
    """The job cannot be done; the message says why, for the person who asked."""


@dataclass(frozen=True)
class JobKind:
    name: str
    # Write the file to the path given (whole, or not at all), counting rows on the Progress.
    build: Callable[[dict[str, Any], Path, Progress], None]
    # Whether this person may see a job of this kind with these parameters that someone else asked for:
    # they hold the same rights (e.g. finance on the programme for a file with bank details in full).
    may_see: Callable[[Any, dict[str, Any]], bool]
    noun: str = "file"  # "finance spreadsheet": used in the email's subject


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    KINDS[kind.name] = kind


def kind_of(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise JobFailed(f"This service no longer makes files of the kind {name!r}.") from None
