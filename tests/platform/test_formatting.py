"""Money and times as people see them and type them (grants.formatting: pure functions, no app)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from grants.formatting import (
    london,
    london_date,
    london_day,
    london_to_utc,
    london_today,
    money,
    pence_from_pounds,
    pounds,
    pounds_text,
)

pytestmark = pytest.mark.unit


# -- money: what a page shows -------------------------------------------------------------------


def test_a_page_shows_pounds_with_a_pound_sign_thousands_separators_and_pence():
    assert money(125050) == "£1,250.50"
    assert money(100) == "£1.00"
    assert money(0) == "£0.00"


def test_a_page_shows_a_negative_amount_with_the_minus_before_the_pound_sign():
    assert money(-5) == "-£0.05"
    assert money(-125050) == "-£1,250.50"


def test_a_page_shows_nothing_for_no_amount():
    assert money(None) == ""


def test_a_page_shows_a_huge_amount_exactly():
    assert money(123_456_789_012_345_678) == "£1,234,567,890,123,456.78"


# -- pounds and pounds_text: what spreadsheets, the API, JSON and CSV carry ---------------------


def test_a_spreadsheet_cell_holds_exact_pounds_with_two_decimals():
    assert pounds(250050) == Decimal("2500.50")
    assert str(pounds(250050)) == "2500.50"
    assert str(pounds(7)) == "0.07"
    assert str(pounds(-5)) == "-0.05"


def test_a_spreadsheet_cell_holds_a_huge_amount_without_float_rounding():
    assert pounds(10**20 + 1) == Decimal("1000000000000000000.01")


def test_the_api_and_csv_show_plain_pounds_without_sign_or_separators():
    assert pounds_text(123456) == "1234.56"
    assert pounds_text(0) == "0.00"
    assert pounds_text(5) == "0.05"
    assert pounds_text(100_000_000) == "1000000.00"


def test_the_api_and_csv_show_a_negative_amount_with_a_leading_minus():
    assert pounds_text(-5) == "-0.05"
    assert pounds_text(-123456) == "-1234.56"


def test_the_api_and_csv_show_nothing_for_no_amount():
    assert pounds_text(None) == ""


def test_the_api_and_csv_show_a_huge_amount_exactly():
    assert pounds_text(10**20 + 1) == "1000000000000000000.01"


# -- pence_from_pounds: what people type in a money box -----------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,250.50", 125050),
        ("1250.5", 125050),
        ("1250.50", 125050),
        ("1250", 125000),
        ("1 250", 125000),
        ("£ 1 250.50", 125050),
        ("1,250", 125000),
        ("1,000,000", 100_000_000),
        ("0", 0),
        ("0.01", 1),
        ("£12", 1200),
    ],
)
def test_an_amount_typed_the_way_people_type_money_is_understood(typed, pence):
    assert pence_from_pounds(typed) == pence


@pytest.mark.parametrize("typed", ["-5", "-£5", "£-5", "-1,250.50"])
def test_a_negative_amount_is_not_an_amount(typed):
    assert pence_from_pounds(typed) is None


@pytest.mark.parametrize("typed", ["", " ", "     "])
def test_a_box_of_spaces_is_not_an_amount(typed):
    assert pence_from_pounds(typed) is None


@pytest.mark.parametrize("typed", ["12\x0050", "\x00", "1250\x00", "\x001250"])
def test_an_amount_with_a_nul_byte_in_it_is_not_an_amount(typed):
    assert pence_from_pounds(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["12.345", "1,25", "12,50", "1,2500", "£", ".50", "1.", "£1.2.3", "ten pounds", "1e3", "£1,250.50p", "$100"],
)
def test_something_that_is_not_pounds_and_pence_is_not_an_amount(typed):
    assert pence_from_pounds(typed) is None


def test_a_huge_amount_is_converted_exactly_without_float_rounding():
    assert pence_from_pounds("12345678901234567.89") == 1_234_567_890_123_456_789
    assert pence_from_pounds("99,999,999,999,999,999,999.99") == 9_999_999_999_999_999_999_999


# -- times and dates in UK local time -----------------------------------------------------------


def test_a_moment_is_shown_in_uk_time_with_am_or_pm():
    assert london(datetime(2022, 11, 4, 15, 5, tzinfo=UTC)) == "4 November 2022, 3:05pm"
    assert london(datetime(2022, 11, 4, 9, 30, tzinfo=UTC)) == "4 November 2022, 9:30am"


def test_a_summer_moment_is_shown_an_hour_ahead_of_utc():
    assert london(datetime(2022, 7, 1, 14, 0, tzinfo=UTC)) == "1 July 2022, 3:00pm"


def test_noon_and_midnight_are_shown_as_midday_and_midnight():
    assert london(datetime(2022, 11, 4, 12, 0, tzinfo=UTC)) == "4 November 2022, midday"
    assert london(datetime(2022, 11, 4, 0, 0, tzinfo=UTC)) == "4 November 2022, midnight"
    assert london(datetime(2022, 7, 1, 11, 0, tzinfo=UTC)) == "1 July 2022, midday"


def test_a_moment_without_a_time_zone_is_taken_as_utc():
    assert london(datetime(2022, 7, 1, 14, 0)) == "1 July 2022, 3:00pm"


def test_no_moment_is_shown_as_nothing():
    assert london(None) == ""
    assert london_date(None) == ""


def test_a_late_summer_evening_in_utc_is_the_next_day_in_the_uk():
    assert london_day(datetime(2022, 6, 30, 23, 30, tzinfo=UTC)) == date(2022, 7, 1)
    assert london_date(datetime(2022, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2022"


def test_today_is_the_uk_day_not_the_utc_one():
    assert london_today(datetime(2022, 6, 30, 23, 30, tzinfo=UTC)) == date(2022, 7, 1)
    assert london_today(datetime(2022, 12, 31, 23, 30, tzinfo=UTC)) == date(2022, 12, 31)


def test_a_date_is_shown_as_day_month_year_without_a_leading_zero():
    assert london_date(date(2023, 3, 5)) == "5 March 2023"


def test_a_uk_wall_clock_time_is_stored_as_utc():
    assert london_to_utc(datetime(2022, 7, 1, 12, 0)) == datetime(2022, 7, 1, 11, 0, tzinfo=UTC)
    assert london_to_utc(datetime(2022, 12, 1, 12, 0)) == datetime(2022, 12, 1, 12, 0, tzinfo=UTC)
