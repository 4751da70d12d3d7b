"""Building blocks for the apply tests: an open round with the Round 3 form, files to upload, and a page
rendered with the form caches off, cold and warm (the good answers are in tests/datasets/applications.py,
shared with the browser journeys)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from flask import Response

from grants.apply import rendering
from grants.apply import services as apply_services
from grants.apply.question_set_admin import load_shipped
from grants.setup.seed import seed_vocabularies
from tests.datasets.applications import PDF
from tests.factories import ProgrammeFactory, RoundFactory


def open_round(**overrides):
    seed_vocabularies()
    question_set = load_shipped("mscf-round-3.v1")
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    values = {
        "programme": programme,
        "code": "MSCF-R9",
        "number": 9,
        "title": "Safer Communities Fund Round 9",
        "question_set_id": question_set.id,
        "min_grant_pence": 50_000,
        "max_grant_pence": 800_000,
        "opens_at": datetime.now(UTC) - timedelta(days=10),
        "closes_at": datetime.now(UTC) + timedelta(days=10),
        "delivery_starts_on": date(2027, 4, 1),
        "delivery_ends_on": date(2028, 3, 31),
        "allowed_org_types": ["community_group", "registered_charity", "cio", "cic"],
    }
    values.update(overrides)
    return RoundFactory(**values)


def upload(name: str, content: bytes = PDF) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(content), name)


# -- the same page whatever the caches hold (tests/apply/test_section_html.py, tests/returns/) ----------
_CSRF = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"')
_VERSION = re.compile(r'(name="version_id" value=")\d+"')
_NONCE = re.compile(r'( nonce=")[^"]+"')


@contextmanager
def form_caches(app, on: bool):
    """The form caches on (as in production) or off (everything read and rendered afresh)."""
    before = app.config.get("FORM_CACHES", True)
    app.config["FORM_CACHES"] = on
    if not on:
        apply_services.clear_form_caches()
    try:
        yield
    finally:
        app.config["FORM_CACHES"] = before


def same_page(html: str) -> str:
    """The page without what differs between two requests of one page by design: the CSRF token (signed
    with the time), the scripts' nonce (new for each response) and, after a save, the section's version."""
    return _NONCE.sub(r'\1NONCE"', _VERSION.sub(r'\1N"', _CSRF.sub(r'\1TOKEN"', html)))


def page_every_way(app, show: Callable[[], Response], status: int = 200, fields: int = 1) -> str:
    """The page `show()` answers (with `status`) with the caches off, then on and cold, then on and warm:
    all the same HTML, and the warm page's `fields` or more fields each from a shape already rendered."""

    def html() -> str:
        response = show()
        assert response.status_code == status, response.get_data(as_text=True)[:3000]
        return same_page(response.get_data(as_text=True))

    with form_caches(app, on=False):
        off = html()
    apply_services.clear_form_caches()
    with form_caches(app, on=True):
        cold = html()
        before = dict(rendering.stats)
        warm = html()
    assert cold == off
    assert warm == off
    assert rendering.stats["hits"] - before["hits"] >= fields
    assert rendering.stats["misses"] == before["misses"]
    assert rendering.stats["fresh"] == before["fresh"]
    return off


def token_and_version(html: str) -> tuple[str, str]:
    """The CSRF token and the section's version a section page's form posts back."""
    return (
        _CSRF.search(html).group(0).split('value="')[1].rstrip('"'),
        _VERSION.search(html).group(0).split('value="')[1].rstrip('"'),
    )
