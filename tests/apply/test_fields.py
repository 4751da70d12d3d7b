"""The form fields that read what people type: money, whole numbers and GOV.UK dates (grants.apply.fields)."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from grants.apply.fields import DayMonthYearField, MoneyField, WholeNumberField

pytestmark = pytest.mark.unit


class _Form(Form):
    amount = MoneyField(minimum=100, maximum=800_000, noun="the amount you are asking for")
    people = WholeNumberField(minimum=1, maximum=10_000, noun="the number of people")
    starts_on = DayMonthYearField(noun="the start date")


def _posted(**fields) -> _Form:
    data = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(name, item)
    form = _Form(formdata=data)
    form.validate()
    return form


# -- money ---------------------------------------------------------------------------------------


def test_an_amount_typed_with_a_pound_sign_and_commas_is_read_as_pence():
    form = _posted(amount="£1,250.50")
    assert form.amount.data == 125050
    assert form.amount.errors == []


def test_a_negative_amount_is_told_it_must_be_zero_or_more():
    assert _posted(amount="-5").amount.errors == ["The amount you are asking for must be £0 or more"]
    assert _posted(amount="£-5").amount.errors == ["The amount you are asking for must be £0 or more"]


def test_an_amount_that_is_not_money_is_told_how_to_write_it():
    assert _posted(amount="ten pounds").amount.errors == [
        "Enter the amount you are asking for in pounds and pence, like 1250 or 1250.50"
    ]


def test_an_amount_outside_the_limits_is_told_the_limit_in_pounds():
    assert _posted(amount="0.50").amount.errors == ["The amount you are asking for must be £1.00 or more"]
    assert _posted(amount="8000.01").amount.errors == ["The amount you are asking for must be £8,000.00 or less"]


def test_an_amount_is_shown_back_as_it_was_typed():
    assert _posted(amount=" 1 250 ").amount._value() == "1 250"


def test_a_saved_amount_is_shown_in_pounds_and_pence():
    form = _Form(data={"amount": 125050})
    assert form.amount._value() == "1250.50"


# -- whole numbers -------------------------------------------------------------------------------


def test_a_whole_number_may_have_thousands_commas():
    form = _posted(people="1,200")
    assert form.people.data == 1200
    assert form.people.errors == []


def test_a_number_that_is_not_whole_is_told_so():
    assert _posted(people="12.5").people.errors == ["The number of people must be a whole number, like 25"]


def test_a_number_outside_the_limits_is_told_the_limit():
    assert _posted(people="0").people.errors == ["The number of people must be 1 or more"]
    assert _posted(people="10001").people.errors == ["The number of people must be 10,000 or fewer"]


# -- GOV.UK dates: three boxes with the same name ------------------------------------------------


def test_a_real_date_typed_in_the_three_boxes_is_read():
    form = _posted(starts_on=["1", "4", "2027"])
    assert form.starts_on.data == date(2027, 4, 1)
    assert form.starts_on.errors == []


def test_three_empty_date_boxes_are_no_date_and_no_error():
    form = _posted(starts_on=["", "", ""])
    assert form.starts_on.data is None
    assert form.starts_on.is_blank
    assert form.starts_on.errors == []


def test_the_user_is_told_which_parts_of_the_date_are_missing():
    assert _posted(starts_on=["1", "", "2027"]).starts_on.errors == ["The start date must include a month"]
    assert _posted(starts_on=["", "", "2027"]).starts_on.errors == ["The start date must include a day and month"]


@pytest.mark.parametrize(
    "parts", [["31", "2", "2027"], ["1", "13", "2027"], ["1", "4", "27"], ["1", "4", "1899"], ["first", "4", "2027"]]
)
def test_a_date_that_is_not_real_is_told_so_and_kept_as_typed(parts):
    form = _posted(starts_on=parts)
    assert form.starts_on.data is None
    assert form.starts_on.errors == ["The start date must be a real date"]
    assert form.starts_on._value() == " ".join(parts)


def test_a_saved_date_is_shown_in_the_three_boxes():
    form = _Form(data={"starts_on": date(2027, 4, 1)})
    assert form.starts_on.raw_parts == ["1", "4", "2027"]


def test_a_huge_year_is_not_a_real_date():
    assert _posted(starts_on=["1", "4", "99999999999999999999"]).starts_on.errors == [
        "The start date must be a real date"
    ]


def test_a_superscript_digit_in_the_year_is_not_a_real_date():
    assert _posted(starts_on=["1", "4", "²"]).starts_on.errors == ["The start date must be a real date"]


@pytest.mark.parametrize(
    ("month", "number"),
    [("March", 3), ("mar", 3), ("MAR", 3), ("Sept", 9), ("sep", 9), ("september", 9), ("Dec.", 12), ("03", 3)],
)
def test_a_month_may_be_typed_as_its_name_or_a_short_name(month, number):
    form = _posted(starts_on=["27", month, "2027"])
    assert form.starts_on.errors == []
    assert form.starts_on.data == date(2027, number, 27)
    assert form.starts_on._value() == f"27 {month} 2027"  # shown back as typed


@pytest.mark.parametrize("month", ["ma", "ju", "Marchy", "Smarch", "3rd"])
def test_a_month_that_is_no_month_is_not_a_real_date(month):
    assert _posted(starts_on=["27", month, "2027"]).starts_on.errors == ["The start date must be a real date"]


def test_a_date_hint_replaces_an_old_example_with_one_that_is_still_to_come():
    from grants.form_fields import date_hint, future_example

    today = date(2026, 12, 2)
    assert future_example(today) == date(2027, 4, 1)
    assert date_hint("For example, 1 4 2023", future_example(today)) == "For example, 1 4 2027"
    assert date_hint("When it starts. For example, 31 3 2024", date(2027, 9, 30)) == (
        "When it starts. For example, 30 9 2027"
    )
    assert date_hint("", date(2027, 4, 1)) == "For example, 1 4 2027"


def test_a_date_field_told_to_show_an_example_shows_one_from_today(monkeypatch):
    from grants.apply import fields

    monkeypatch.setattr(fields, "today", lambda: date(2031, 6, 15))

    class _Dated(Form):
        ends_on = DayMonthYearField(description="For example, 31 3 2024", example="future")
        signed_on = DayMonthYearField(example="today")

    form = _Dated()
    assert form.ends_on.description == "For example, 1 4 2032"
    assert form.signed_on.description == "For example, 15 6 2031"
