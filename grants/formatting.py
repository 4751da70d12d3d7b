"""How money and times are shown: £1,234.56, 1234.56 and Europe/London.

A leaf module: it imports nothing of grants, so exports/ may use it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PENNY = Decimal("0.01")


def money(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    amount = Decimal(abs(pence)) / 100
    return f"{sign}£{amount:,.2f}"


def pounds(pence: int) -> Decimal:
    """Integer pence as pounds with exactly two decimals, never through a float: 250050 -> Decimal('2500.50')."""
    return (Decimal(pence) / 100).quantize(PENNY)


def pounds_text(pence: int | None) -> str:
    """Pence as a plain number of pounds, exactly, by integer arithmetic: 123456 -> '1234.56', -5 -> '-0.05'.

    No currency sign, no thousands separator ("" for none): for the API, JSON and CSV.
    """
    if pence is None:
        return ""
    whole, part = divmod(-pence if pence < 0 else pence, 100)
    return f"{'-' if pence < 0 else ''}{whole}.{part:02d}"


_POUNDS = re.compile(r"^£?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def pence_from_pounds(typed: str) -> int | None:
    """What people type for money ('£1,250.50', '1250.5', '1 250') as pence; None if it is not an amount.

    Negative amounts are not amounts here: callers tell people so.
    """
    text = typed.replace(" ", "")
    if not _POUNDS.match(text):
        return None
    try:
        return int(Decimal(text.lstrip("£").replace(",", "")) * 100)
    except InvalidOperation:
        return None


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


def london_day(moment: datetime) -> date:
    """The day a moment falls on in West Yorkshire (naive moments are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LONDON).date()


def london_today(now: datetime | None = None) -> date:
    """Today in West Yorkshire: the day `now` (default: this moment; naive moments are UTC) falls on in UK time."""
    return london_day(now or datetime.now(UTC))


def london_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = london_day(value)
    return f"{value.day} {value:%B %Y}"


def london_to_utc(local: datetime) -> datetime:
    """A wall-clock time in West Yorkshire (naive) as an aware UTC moment."""
    return local.replace(tzinfo=LONDON).astimezone(UTC)


_WHOLE = re.compile(r"[0-9]{1,9}")


def whole_number(typed: str) -> int | None:
    """A whole number typed or posted as ASCII digits (at most nine, so it fits any id or year); else None.

    `str.isdigit()` is not enough: it accepts '²' and other digits int() refuses, and a long run of
    digits overflows a date or a database integer.
    """
    text = typed.strip()
    return int(text) if _WHOLE.fullmatch(text) else None
