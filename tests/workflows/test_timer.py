"""Timed transitions' `after`: a date-time field of the case plus an offset, as a definition writes it and the
case page shows it (workflows.definition.Timer)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflows.definition import Timer


@pytest.mark.parametrize(
    ("written", "field", "offset"),
    [
        ("closes_at", "closes_at", timedelta()),
        ("due_date + 7 days", "due_date", timedelta(days=7)),
        ("due_date + 1 day", "due_date", timedelta(days=1)),
        ("due_date+7days", "due_date", timedelta(days=7)),
        ("  opens_at  ", "opens_at", timedelta()),
        ("opens_at - 2 hours", "opens_at", timedelta(hours=-2)),
        ("opens_at + 1 hour", "opens_at", timedelta(hours=1)),
        ("closes_at + 30 minutes", "closes_at", timedelta(minutes=30)),
        ("closes_at - 1 minute", "closes_at", timedelta(minutes=-1)),
        ("due_date + 0 days", "due_date", timedelta()),
    ],
)
def test_a_timer_written_in_a_definition_is_read_as_a_field_and_an_offset(written, field, offset):
    assert Timer.parse(written) == Timer(field=field, offset=offset)


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "Closes_at",
        "closes_at + 7",
        "closes_at + days",
        "closes_at + 7 weeks",
        "closes_at * 2 days",
        "7 days",
        "closes_at + 1.5 days",
        "closes-at",
        "closes_at + 7 days later",
        "closes_at\x00",
    ],
)
def test_a_timer_that_cannot_be_read_says_how_to_write_one(written):
    with pytest.raises(ValueError, match=r"cannot read timer .*write e\.g\. 'closes_at' or 'due_date \+ 7 days'"):
        Timer.parse(written)


@pytest.mark.parametrize(
    ("timer", "shown"),
    [
        (Timer("closes_at", timedelta()), "closes_at"),
        (Timer("due_date", timedelta(days=7)), "due_date + 7 days"),
        (Timer("due_date", timedelta(days=1)), "due_date + 1 day"),
        (Timer("due_date", timedelta(days=-1)), "due_date - 1 day"),
        (Timer("due_date", timedelta(days=-14)), "due_date - 14 days"),
        (Timer("opens_at", timedelta(hours=2)), "opens_at + 120 minutes"),
        (Timer("opens_at", timedelta(minutes=-30)), "opens_at - 30 minutes"),
    ],
)
def test_a_timer_is_shown_the_way_a_definition_writes_it(timer, shown):
    assert str(timer) == shown


@pytest.mark.parametrize("written", ["closes_at", "due_date + 7 days", "due_date - 1 day", "opens_at - 45 minutes"])
def test_a_timer_shown_reads_back_as_the_same_timer(written):
    assert Timer.parse(str(Timer.parse(written))) == Timer.parse(written)
