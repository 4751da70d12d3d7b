"""Placeholders written GOV.UK Notify style, ((reference)): found, checked and filled in."""

from __future__ import annotations

import pytest

from grants.email_wording.placeholders import malformed, placeholders, render, unknown

pytestmark = pytest.mark.unit


def test_the_placeholders_of_a_text_are_listed_once_each_in_order():
    text = "Your ((case_label)) ((reference)) is now ((state)). See ((reference))."

    assert placeholders(text) == ["case_label", "reference", "state"]


def test_a_placeholder_the_email_does_not_know_is_named():
    assert unknown("((reference)) for ((amont))", ["reference", "amount"]) == ["amont"]


def test_placeholders_are_replaced_by_plain_text_values():
    assert render(
        "Your application ((reference)): ((amount))", {"reference": "MSCF-R4-0002", "amount": "£7,500.00"}
    ) == ("Your application MSCF-R4-0002: £7,500.00")


def test_an_unknown_placeholder_becomes_nothing_rather_than_showing_its_brackets():
    assert (
        render("Dear ((orgnisation)), see ((link))", {"link": "https://x.example/"}) == "Dear , see https://x.example/"
    )


def test_brackets_in_a_value_are_kept_as_typed():
    assert render("Reason: ((reason))", {"reason": "See ((note)) 2"}) == "Reason: See ((note)) 2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Your ((reference) is ready", "There is a (( with no )) to close it"),
        ("Dear (( )) team", "(()) has no name inside it"),
        ("Your ((Reference Number)) is ready", "((Reference Number)) is not written as a placeholder"),
        ("Your reference)) is ready", "There is a )) with no (( before it"),
    ],
)
def test_a_malformed_placeholder_is_described(text, message):
    assert message in (malformed(text) or "")


def test_well_formed_text_has_no_bracket_problem():
    assert malformed("Your ((reference)) (as agreed) is ready") is None


def test_a_placeholder_in_brackets_is_filled_in():
    assert render("Amount (((amount)))", {"amount": "£5"}) == "Amount (£5)"
