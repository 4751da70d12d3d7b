"""How money and times are shown: £1,234.56 and Europe/London."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def money(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds = Decimal(abs(pence)) / 100
    return f"{sign}£{pounds:,.2f}"


def london(moment: datetime | None) -> str:
    """A moment as shown to users: '4 November 2022, 12:00pm' in UK local time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        clock = "midday"
    elif local.hour == 0 and local.minute == 0:
        clock = "midnight"
    else:
        clock = f"{hour}:{local.minute:02d}{suffix}"
    return f"{local.day} {local:%B %Y}, {clock}"


def london_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def london_to_utc(local: datetime) -> datetime:
    """A wall-clock time in West Yorkshire (naive) as an aware UTC moment."""
    return local.replace(tzinfo=LONDON).astimezone(UTC)
