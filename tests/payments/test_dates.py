"""A date typed in GOV.UK's three boxes on the payments pages (grants.payments.services.parse_date)."""

from __future__ import annotations

from datetime import date

import pytest

from grants.payments.services import parse_date

pytestmark = pytest.mark.unit


def test_a_real_date_typed_in_the_three_boxes_is_read():
    assert parse_date(("5", "3", "2023")) == (date(2023, 3, 5), None)
    assert parse_date(("05", "03", "2023")) == (date(2023, 3, 5), None)
    assert parse_date((" 29 ", " 2 ", " 2024 ")) == (date(2024, 2, 29), None)


def test_three_empty_boxes_are_blank():
    assert parse_date(("", "", "")) == (None, "blank")
    assert parse_date((" ", "  ", "")) == (None, "blank")


def test_the_user_is_told_which_part_of_the_date_is_missing():
    assert parse_date(("5", "", "2023")) == (None, "must include a month")
    assert parse_date(("", "", "2023")) == (None, "must include a day and a month")
    assert parse_date(("5", "3", "")) == (None, "must include a year")


@pytest.mark.parametrize(
    "parts",
    [
        ("31", "2", "2023"),
        ("29", "2", "2023"),
        ("0", "1", "2023"),
        ("1", "13", "2023"),
        ("1", "1", "1899"),
        ("1", "1", "23"),
        ("first", "March", "2023"),
        ("1.5", "3", "2023"),
        ("-1", "3", "2023"),
        ("1", "3", "2023\x00"),
        ("1", "3", "10000"),
    ],
)
def test_something_that_is_not_a_real_date_is_called_so(parts):
    assert parse_date(parts) == (None, "must be a real date")


def test_a_superscript_digit_in_the_year_is_not_a_real_date():
    assert parse_date(("1", "3", "²")) == (None, "must be a real date")


def test_a_huge_year_is_not_a_real_date():
    assert parse_date(("1", "3", "99999999999999999999")) == (None, "must be a real date")
