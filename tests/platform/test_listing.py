"""The shared list machinery: a sort read from the address, and a day read from a filter's date box."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import column

from grants.listing import Column, Sort, SortSpec, read_day

SPEC = SortSpec(
    columns={"due": Column("Due", (column("due"),)), "amount": Column("Amount", (column("amount"),))},
    default=Sort("due", "asc"),
    tie_breaker=column("id"),
    aliases={"newest": Sort("due", "desc")},
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, Sort("due", "asc")),
        ({"sort": "amount", "dir": "desc"}, Sort("amount", "desc")),
        ({"sort": "amount"}, Sort("amount", "asc")),
        ({"sort": "amount", "dir": "sideways"}, Sort("amount", "asc")),
        ({"sort": "newest"}, Sort("due", "desc")),
        ({"sort": "\x00" + "x" * 5000, "dir": "desc"}, Sort("due", "asc")),
    ],
)
def test_a_sort_in_the_address_is_read_and_anything_else_is_the_default(args, expected):
    assert SPEC.read(args) == expected


def test_the_order_ends_with_the_id_in_the_same_direction_so_ties_never_swap_between_pages():
    order = [str(part) for part in SPEC.order_by(Sort("amount", "desc"))]

    assert order == ["amount DESC", "id DESC"]


def test_a_header_link_reverses_the_current_sort_and_starts_another_column_ascending():
    now = Sort("amount", "asc")

    assert now.args_for("amount") == {"sort": "amount", "dir": "desc"}
    assert now.args_for("due") == {"sort": "due", "dir": "asc"}
    assert (now.aria("amount"), now.aria("due")) == ("ascending", "none")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2023-05-31", (date(2023, 5, 31), None)),
        ("31/5/2023", (date(2023, 5, 31), None)),
        ("  ", (None, None)),
        ("2023-02-31", (None, "The day must be a real date, for example, 2023-05-31")),
        ("9" * 5000, (None, "The day must be a real date, for example, 2023-05-31")),
        ("2023-05-3\x001", (date(2023, 5, 31), None)),
        ("٢٠٢٣-05-31", (None, "The day must be a real date, for example, 2023-05-31")),
        ("0001-01-01", (None, "The day must be a year between 1900 and 2999, for example, 2023-05-31")),
    ],
)
def test_a_day_typed_in_a_date_box_is_read_or_gets_a_specific_message(typed, expected):
    assert read_day(typed, "The day") == expected
