"""The payments area's forms.

The services check what was typed and say what is wrong field by field (their messages name
the instalment, the award's date, the balance), so these forms carry the CSRF token and the
version the page was drawn from, and read the typed values as they are: nothing is lost when
a page comes back with errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField

from grants.formatting import whole_number
from grants.payments.instalments import OUTSTANDING, Filters, state_choices
from grants.payments.schedules import MAX_ROWS, RowInput
from grants.payments.services import parse_date


class ActionForm(FlaskForm):
    """Any POST of the area: the CSRF token, and the version of the row the page showed."""

    version_id = HiddenField()


class ScheduleForm(FlaskForm):
    """The schedule's rows are read from the posted fields by `schedule_rows`."""

    fingerprint = HiddenField()


def date_parts(data: Mapping[str, Any], name: str) -> tuple[str, str, str]:
    return (
        str(data.get(f"{name}-day", "")).strip(),
        str(data.get(f"{name}-month", "")).strip(),
        str(data.get(f"{name}-year", "")).strip(),
    )


def text(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name, "")).replace("\x00", "")  # PostgreSQL text cannot hold a NUL


def read_fields(fields: dict[str, str], data: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed in each field ({name: "text" | "date"}): a date as its three boxes."""
    return {name: date_parts(data, name) if kind == "date" else text(data, name) for name, kind in fields.items()}


def blank_fields(fields: dict[str, str]) -> dict[str, Any]:
    return {name: ("", "", "") if kind == "date" else "" for name, kind in fields.items()}


# -- the schedule's rows -----------------------------------------------------------------------------
def _row_indexes(data: Mapping[str, Any]) -> list[int]:
    found = set()
    for key in data:
        if key.startswith("instalments-"):
            part = key.split("-", 2)[1]
            number = whole_number(part)
            if number is not None and number < MAX_ROWS:
                found.add(number)
    return sorted(found)


def schedule_rows(data: Mapping[str, Any]) -> list[RowInput]:
    """The editable rows as posted (instalments-0-amount, instalments-0-due-day, …), in order."""
    rows = []
    for index in _row_indexes(data):
        prefix = f"instalments-{index}"
        payment_id = text(data, f"{prefix}-payment_id")
        rows.append(
            RowInput(
                payment_id=whole_number(payment_id),
                amount=text(data, f"{prefix}-amount"),
                due=date_parts(data, f"{prefix}-due"),
                return_id=text(data, f"{prefix}-return").strip(),
            )
        )
    return rows


def apply_row_action(rows: list[RowInput], action: str, *, keep_one: bool) -> list[RowInput] | None:
    """Rows after "add" or "remove-N"; None when the action is to save."""
    if action == "add":
        return rows + [RowInput()] if len(rows) < MAX_ROWS else rows
    index = whole_number(action[7:]) if action.startswith("remove-") else None
    if index is not None:
        if 0 <= index < len(rows) and (len(rows) > 1 or not keep_one):
            return rows[:index] + rows[index + 1 :]
        return rows
    return None


# -- the due list's filters ----------------------------------------------------------------------------
@dataclass
class DueFilterForm:
    """A GET form, so a filtered list has its own address; it changes nothing (no CSRF)."""

    due_from: tuple[str, str, str] = ("", "", "")
    due_to: tuple[str, str, str] = ("", "", "")
    state: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    choices: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, args: Mapping[str, Any]) -> DueFilterForm:
        form = cls(
            due_from=date_parts(args, "from"),
            due_to=date_parts(args, "to"),
            state=text(args, "state").strip() if "state" in args else OUTSTANDING,
            choices=state_choices(),
        )
        form.check()
        return form

    def _date(self, parts: tuple[str, str, str], key: str, noun: str) -> date | None:
        day, problem = parse_date(parts)
        if problem and problem != "blank":
            self.errors[key] = f"The {noun} date {problem}"
        return day

    def check(self) -> None:
        start = self._date(self.due_from, "from", "‘from’")
        end = self._date(self.due_to, "to", "‘to’")
        if start is not None and end is not None and start > end:
            self.errors["to"] = "The ‘to’ date must be the same as or after the ‘from’ date"
        if self.state not in {code for code, _ in self.choices}:
            self.errors["state"] = "Choose a state from the list"

    def filters(self) -> Filters:
        return Filters(
            due_from=parse_date(self.due_from)[0],
            due_to=parse_date(self.due_to)[0],
            state=self.state,
        )
