"""The demo's clock: London wall-clock times, as the UTC the database keeps."""

from __future__ import annotations

from datetime import date, datetime

from grants.formatting import london_to_utc


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """That London date and time (9 o'clock unless told), in UTC."""
    return london_to_utc(datetime(year, month, day, hour, minute))


def on(day: date, hour: int, minute: int = 0) -> datetime:
    """The day at that London time, in UTC (hour 0: London's midnight at its start)."""
    return local(day.year, day.month, day.day, hour, minute)
