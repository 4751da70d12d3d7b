"""What the deadline rush left behind, checked after the run: who was lost (in the database), and the SQL
statements each kind of request sends (the same code driven in-process with Flask's test client).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from rush_browser import version_id
from rush_fixture import CAPACITY_SECTION, PASSWORD, Fixture, answers
from sqlalchemy import select
from support import csrf_token
from support_sql import counting_statements
from werkzeug.datastructures import MultiDict

from grants.extensions import db
from grants.models import Application, ApplicationSection


def count_lost(fixture: Fixture) -> tuple[set[int], int, dict[str, int]]:
    """Applicants whose application is not submitted with all six sections completed and answered.

    Returns (their organisation ids, duplicates, why) where duplicates counts organisations with more than
    one application."""
    organisation_ids = [a.organisation_id for a in fixture.rush]
    applications = db.session.execute(
        select(Application.id, Application.organisation_id, Application.state, Application.submitted_at).where(
            Application.organisation_id.in_(organisation_ids)
        )
    ).all()
    by_org: dict[int, list[Any]] = {}
    for row in applications:
        by_org.setdefault(row.organisation_id, []).append(row)
    sections: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(
        select(
            ApplicationSection.application_id,
            ApplicationSection.section_key,
            ApplicationSection.status,
            ApplicationSection.answers,
        ).where(ApplicationSection.application_id.in_([a.id for a in applications]))
    ):
        sections.setdefault(row.application_id, {})[row.section_key] = row
    lost: set[int] = set()
    why: dict[str, int] = {}
    for org_id in organisation_ids:
        found = by_org.get(org_id, [])
        submitted = [a for a in found if a.state == "submitted" and a.submitted_at is not None]
        reason = None
        if not found:
            reason = "no application"
        elif not submitted:
            reason = f"state {found[0].state}"
        else:
            rows = sections.get(submitted[0].id, {})
            for key in fixture.section_keys:
                row = rows.get(key)
                values = (row.answers or {}).get("values", {}) if row else {}
                if row is None or row.status != "completed":
                    reason = f"section {key} not completed"
                    break
                if any(values.get(q) in (None, "", []) for q in fixture.required[key]):
                    reason = f"section {key} missing answers"
                    break
        if reason:
            lost.add(org_id)
            why[reason] = why.get(reason, 0) + 1
    duplicates = sum(1 for found in by_org.values() if len(found) > 1)
    db.session.remove()
    return lost, duplicates, why


def statements_per_request(app: Flask, fixture: Fixture) -> tuple[dict[str, int], dict[str, list[str]]]:
    """SQL statements each kind of request issues, counted in-process (same code, Flask test client),
    with what they are for the section page, the save and the submit."""
    counts: dict[str, int] = {}
    captured: dict[str, list[str]] = {}
    probe = fixture.probe
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    # Requests run outside any app context of ours, so each gets its own (and its own session), as in gunicorn.
    with counting_statements(engine) as log:

        def measure(kind: str | None, method: str, url: str, expect: int, **kwargs: Any) -> Any:
            before = log.count
            response = client.open(url, method=method, **kwargs)
            if kind is not None:
                counts[kind] = log.count - before
                captured[kind] = log.kinds(since=before)
            if response.status_code != expect:
                raise RuntimeError(f"counting statements: {method} {url} answered {response.status_code}")
            return response

        def save(kind: str | None, key: str) -> None:
            url = f"/applications/{probe.application_id}/sections/{key}"
            html = client.get(url).get_data(as_text=True)
            pairs = [
                ("csrf_token", csrf_token(html) or ""),
                ("version_id", version_id(html)),
                *answers(key, probe.n),
                ("action", "continue"),
            ]
            measure(kind, "POST", url, 302, data=MultiDict(pairs), content_type="multipart/form-data")

        page = measure("sign_in_page", "GET", "/sign-in", 200)
        token = csrf_token(page.get_data(as_text=True))
        form = {"csrf_token": token, "email": probe.email, "password": PASSWORD}
        measure("sign_in", "POST", "/sign-in", 302, data=form)
        # What one sign-in costs in CPU (Argon2 verify, production parameters; its threads included).
        cpu0 = time.process_time()
        for _ in range(5):
            client.post("/sign-in", data=form)
        counts["sign_in_cpu_ms"] = round((time.process_time() - cpu0) / 5 * 1000)
        url = f"/applications/{probe.application_id}/sections/{CAPACITY_SECTION}"
        measure("page_empty", "GET", url, 200)
        save("save_first", CAPACITY_SECTION)
        save("save", CAPACITY_SECTION)
        measure("page", "GET", url, 200)
        for key in fixture.section_keys:
            if key != CAPACITY_SECTION:
                save(None, key)
        check_url = f"/applications/{probe.application_id}/check"
        html = measure("check", "GET", check_url, 200).get_data(as_text=True)
        form = {"csrf_token": csrf_token(html), "version_id": version_id(html)}
        measure("submit", "POST", check_url, 302, data=form)
    return counts, {kind: captured[kind] for kind in ("page", "save", "submit")}
