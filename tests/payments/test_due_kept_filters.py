"""Payments due keeps its filter form's HTML (made from the typed dates, state, errors and hints alone, with
grants.layout's shared parts): the page is the same HTML, byte for byte, with the caches off, on and cold,
and on and warm, whatever is typed, and a new day's hint or a new typed date shows at once."""

from __future__ import annotations

import re
from datetime import date

import pytest

import grants.form_fields
from grants import layout
from tests.factories import PaymentFactory
from tests.payments.helpers import award, people

_VOLATILE = re.compile(
    r'((?:nonce|data-csrf-token|data-seconds-left)=")[^"]*"|(name="csrf_token" type="hidden" value=")[^"]*"'
)


def _same(html: str) -> str:
    """The page without what differs between two requests by design (the nonce, the signed CSRF token)."""
    return _VOLATILE.sub(lambda found: (found.group(1) or found.group(2)) + 'X"', html)


def _every_way(app, client, url: str, status: int) -> str:
    def html() -> str:
        response = client.get(url)
        assert response.status_code == status
        return _same(response.get_data(as_text=True))

    app.config["FORM_CACHES"] = False
    off = html()
    app.config["FORM_CACHES"] = True
    layout.clear()
    assert html() == off  # cold
    before = dict(layout.stats)
    assert html() == off  # warm
    assert layout.stats["hits"] > before["hits"]
    assert layout.stats["misses"] == before["misses"]
    return off


@pytest.fixture
def finance(client, sign_in):
    team = people()
    for n, state in enumerate(("scheduled", "approved", "held", "paid", "cancelled")):
        PaymentFactory(award=award(team.programme), due_on=date(2023, 5, n + 1), state=state)
    sign_in(team.finance)
    return team.finance


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/payments/due", 200),
        ("/payments/due?state=", 200),
        ("/payments/due?state=held&sort=amount&dir=desc", 200),
        ("/payments/due?from-day=1&from-month=5&from-year=2023&to-day=2&to-month=5&to-year=2023", 200),
        ("/payments/due?from-day=%3Cb%3E&from-month=13&from-year=20x3&state=nonsense", 400),
        ("/payments/due?from-day=9&from-month=5&from-year=2023&to-day=1&to-month=5&to-year=2023", 400),
        ("/payments/due?to-day=+1+&to-month=%22&to-year=2023", 400),
    ],
)
def test_payments_due_is_the_same_page_with_its_filters_kept(app, client, finance, url, status):
    _every_way(app, client, url, status)


def test_a_new_typed_date_and_a_new_day_show_at_once(app, client, finance, monkeypatch):
    app.config["FORM_CACHES"] = True
    first = client.get("/payments/due?from-day=1&from-month=5&from-year=2023").get_data(as_text=True)
    assert 'name="from-day" type="text" value="1"' in first
    second = client.get("/payments/due?from-day=2&from-month=5&from-year=2023").get_data(as_text=True)
    assert 'name="from-day" type="text" value="2"' in second

    class NextYear(date):
        @classmethod
        def today(cls) -> date:
            return date(date.today().year + 1, 6, 1)

    monkeypatch.setattr(grants.form_fields, "date", NextYear)
    later = client.get("/payments/due?from-day=2&from-month=5&from-year=2023").get_data(as_text=True)
    assert f"For example, 1 4 {date.today().year + 2}" in later
    assert f"For example, 1 4 {date.today().year + 1}" not in later
