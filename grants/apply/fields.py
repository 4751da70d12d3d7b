"""WTForms fields that read what people type the way people type it, with GOV.UK messages."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, StringField
from wtforms.validators import StopValidation

from grants.form_fields import date_hint, future_example, month_number
from grants.formatting import london_today, money, pence_from_pounds, whole_number


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class MoneyField(StringField):
    """Pounds and pence as typed ('£1,250.50', '1250.5', '1250') → integer pence in .data."""

    def __init__(
        self,
        *args: Any,
        minimum: int | None = None,
        maximum: int | None = None,
        noun: str = "the amount",
        too_much: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum, self.noun = minimum, maximum, noun
        self.too_much = too_much  # the message above the maximum, with {maximum} for the amount in pounds
        self.typed = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.typed = (valuelist[0] if valuelist else "").strip()
        self.data = pence_from_pounds(self.typed) if self.typed else None  # type: ignore[assignment]

    def process_data(self, value: Any) -> None:
        self.data = value
        self.typed = f"{Decimal(value) / 100:.2f}" if isinstance(value, int) else ""

    def _value(self) -> str:
        return self.typed

    def pre_validate(self, form: Any) -> None:
        if not self.typed:
            return
        text = self.typed.replace(" ", "")
        if text.startswith("-") or text.startswith("£-"):
            raise StopValidation(f"{_capital(self.noun)} must be £0 or more")
        if self.data is None:
            raise StopValidation(f"Enter {self.noun} in pounds and pence, like 1250 or 1250.50")
        if self.minimum is not None and self.data < self.minimum:
            raise StopValidation(f"{_capital(self.noun)} must be {money(self.minimum)} or more")
        if self.maximum is not None and self.data > self.maximum:
            if self.too_much:
                raise StopValidation(self.too_much.format(maximum=money(self.maximum)))
            raise StopValidation(f"{_capital(self.noun)} must be {money(self.maximum)} or less")


class WholeNumberField(StringField):
    """A whole number, commas allowed ('1,200')."""

    def __init__(
        self,
        *args: Any,
        minimum: int | None = None,
        maximum: int | None = None,
        noun: str = "the number",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum, self.noun = minimum, maximum, noun
        self.typed = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.typed = (valuelist[0] if valuelist else "").strip()
        cleaned = self.typed.replace(",", "")
        self.data = int(cleaned) if re.fullmatch(r"-?\d+", cleaned) else None  # type: ignore[assignment]

    def process_data(self, value: Any) -> None:
        self.data = value
        self.typed = "" if value is None else str(value)

    def _value(self) -> str:
        return self.typed

    def pre_validate(self, form: Any) -> None:
        if not self.typed:
            return
        if self.data is None:
            raise StopValidation(f"{_capital(self.noun)} must be a whole number, like 25")
        if self.minimum is not None and self.data < self.minimum:
            raise StopValidation(f"{_capital(self.noun)} must be {self.minimum:,} or more")
        if self.maximum is not None and self.data > self.maximum:
            raise StopValidation(f"{_capital(self.noun)} must be {self.maximum:,} or fewer")


def today() -> date:
    return london_today()


class CountField(WholeNumberField):
    """A count of people, cases or sessions: a whole number, 0 or more, and not absurdly large.

    Every message names the answer and keeps what was typed; the field is never stored as anything
    but a whole number that fits in the database.
    """

    CEILING = 100_000_000

    def __init__(self, *args: Any, maximum: int | None = None, noun: str = "the number", **kwargs: Any):
        super().__init__(*args, minimum=0, maximum=maximum, noun=noun, **kwargs)
        self.too_long = False

    def process_formdata(self, valuelist: list[str]) -> None:
        self.typed = (valuelist[0] if valuelist else "").strip()
        cleaned = self.typed.replace(",", "").replace(" ", "")
        # More than 18 digits is never a count (and Python refuses to read thousands of them).
        self.data = int(cleaned) if re.fullmatch(r"\d{1,18}", cleaned) else None  # type: ignore[assignment]
        self.too_long = bool(re.fullmatch(r"\d{19,}", cleaned))

    def pre_validate(self, form: Any) -> None:
        if not self.typed:
            return
        cleaned = self.typed.replace(",", "").replace(" ", "")
        if re.fullmatch(r"-\d+(\.\d*)?", cleaned):
            raise StopValidation(f"Enter 0 or more for {self.noun}")
        if self.data is None and re.fullmatch(r"\d*\.\d+", cleaned):
            raise StopValidation(f"Enter {self.noun} as a whole number, like 25, not a fraction")
        ceiling = self.maximum if self.maximum is not None else self.CEILING
        if self.too_long:
            raise StopValidation(f"{_capital(self.noun)} must be {ceiling:,} or fewer: check the figure")
        if self.data is None:
            raise StopValidation(f"Enter {self.noun} as a number, like 25")
        if self.data > ceiling:
            raise StopValidation(f"{_capital(self.noun)} must be {ceiling:,} or fewer: check the figure")


class DayMonthYearField(Field):
    """GOV.UK date input: three boxes with the same name; kept as typed when not a real date.

    The month may be typed as a number or a name ('3', 'March', 'mar', 'Sept'). `example` makes the
    hint's example on each form built: "future" (next year), "today", or a date; any example written
    into the description is replaced, so a hint never shows a year gone by.
    """

    raw_data: list[str] | None

    def __init__(self, *args: Any, noun: str = "the date", example: str | date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_parts: list[str] = []
        self.noun = noun
        if example is not None:
            self.description: str = example_hint(str(kwargs.get("description") or ""), example)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_parts = [v.strip() for v in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        self.raw_data = self.raw_parts
        self.data = None
        day, year = whole_number(self.raw_parts[0]), whole_number(self.raw_parts[2])
        month = month_number(self.raw_parts[1])
        if day is not None and month is not None and year is not None and year >= 1900:
            try:
                self.data = date(year, month, day)
            except ValueError:
                self.data = None

    def process_data(self, value: Any) -> None:
        self.data = value
        self.raw_parts = [str(value.day), str(value.month), str(value.year)] if isinstance(value, date) else []
        self.raw_data = self.raw_parts or None

    def _value(self) -> str:
        return " ".join(self.raw_parts)

    @property
    def is_blank(self) -> bool:
        return not any(self.raw_parts)

    def pre_validate(self, form: Any) -> None:
        if self.is_blank:
            return
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, self.raw_parts) if not part]
        if missing:
            raise StopValidation(f"{_capital(self.noun)} must include a {' and '.join(missing)}")
        if self.data is None:
            raise StopValidation(f"{_capital(self.noun)} must be a real date")


def example_hint(hint: str, example: str | date) -> str:
    """`hint` with its example date made now: "future" (1 April next year), "today", or the date given."""
    if isinstance(example, date):
        return date_hint(hint, example)
    return date_hint(hint, today() if example == "today" else future_example(today()))


def date_input(label: str, **kwargs: Any) -> DayMonthYearField:
    """A GOV.UK date input (day, month and year boxes)."""
    return DayMonthYearField(label, widget=GovDateInput(), **kwargs)
