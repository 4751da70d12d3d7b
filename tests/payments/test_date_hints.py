"""The payments pages' date hints show an example ahead of today, never a year gone by."""

from __future__ import annotations

import re
from datetime import date

from tests.factories import staff_user

EXAMPLE = re.compile(r"For example, (\d{1,2}) (\d{1,2}) (\d{4})")


def test_the_payments_due_filter_hints_at_dates_ahead_of_today(app_context, client, sign_in):
    sign_in(staff_user("finance"))
    page = client.get("/payments/due").get_data(as_text=True)
    examples = [date(int(y), int(m), int(d)) for d, m, y in EXAMPLE.findall(page)]
    assert examples, "the date filters show an example"
    assert all(example > date.today() for example in examples)
