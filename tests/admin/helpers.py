"""Reference data an admin edits: a browser per user, the seeded programmes' terms, audit rows, errors."""

from __future__ import annotations

import html
import re

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from grants.awards.creation import STANDARD_AGREEMENT_TERMS
from grants.extensions import db
from grants.models import AgreementTerms, AuditEvent, Term
from tests.factories import PASSWORD
from tests.fixtures import sign_in_as

NEW_TERMS = "1. Use of the grant. Spend it on the project.\n2. Monitoring. Send the returns on time."


class Browser(FlaskClient):
    """A browser that starts each request with an empty `flask.g` (role grants are cached there)."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


def browser_for(app, user) -> Browser:
    browser = Browser(app, app.response_class, use_cookies=True)
    response = sign_in_as(browser, user.email, PASSWORD)
    assert response.status_code == 302
    return browser


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def terms_versions(programme) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(AgreementTerms.version, AgreementTerms.text)
        .where(AgreementTerms.programme_id == programme.id)
        .order_by(AgreementTerms.version)
    )
    return [(version, text) for version, text in rows]


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def programme_fields(programme, **changes) -> dict[str, str]:
    db.session.refresh(programme)
    versions = terms_versions(programme)
    fields = {
        "name": programme.name,
        "agreement_terms": versions[-1][1] if versions else STANDARD_AGREEMENT_TERMS,
        "version_id": str(programme.version_id),
        "terms_version": str(versions[-1][0] if versions else 0),
    }
    return fields | changes


def term(vocabulary: str, code: str) -> Term:
    found = db.session.scalar(select(Term).where(Term.vocabulary == vocabulary, Term.code == code))
    assert found is not None
    db.session.refresh(found)
    return found


def inline_error(page: str, field: str) -> str:
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">\s*<span[^>]*>Error:</span>\s*([^<]+)', page)
    assert match, f"no inline error on {field}"
    return match.group(1).strip()
