"""A provider's staff see only their own: every signed-in route that takes an id or a reference,
given another provider's contract, allocation, offer, return, document, application or organisation,
answers 404 and changes nothing; the same route with the provider's own ids is reachable, so the 404 is
about whose it is. A new route of this kind fails here until it is added to the sweep."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from grants.auth.permissions import rule_for
from grants.extensions import db
from grants.models import Award, Contract, MonitoringReturn
from grants.models.base import utcnow
from tests.apply.helpers import open_round
from tests.commissioning.helpers import need_recorded
from tests.datasets.returns import open_return
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    BackgroundJobFactory,
    DocumentFactory,
    OrganisationFactory,
    ProgrammeFactory,
    member_of,
)
from tests.fixtures import csrf_token

pytestmark = pytest.mark.usefixtures("db_session")

# Routes that take no one's id: a token sent to one address, a round open to everyone.
NOT_OWNED = {"organisations.invitation", "apply.eligibility", "apply.start"}


def _holdings(name: str, reference: str, moj, round_) -> dict[str, Any]:
    organisation = OrganisationFactory(name=name, org_type="registered_charity")
    contract = need_recorded(
        programme=moj, provider=organisation, state="delivering", title=f"{name} advocacy", public_reference=reference
    )
    ret = open_return("moj-quarterly", organisation=organisation, sign_off_required=True)
    ret.award.contract = contract
    offered = AwardFactory(programme=moj, organisation=organisation, state="offered", contract=contract)
    application = ApplicationFactory(round=round_, organisation=organisation)
    db.session.flush()
    return {
        "organisation": organisation,
        "contract": contract,
        "allocation": ret.award,
        "offered": offered,
        "return": ret,
        "return_document": DocumentFactory(application=None, monitoring_return_id=ret.id),
        "application": application,
        "application_document": DocumentFactory(application=application),
    }


@pytest.fixture
def providers():
    moj = ProgrammeFactory(code="MOJ", kind="sub_grant", budget_stream="victims_of_crime")
    round_ = open_round()
    own, other = (
        _holdings("Airedale Women's Aid", "MOJ-S-001", moj, round_),
        _holdings("Calder Victim Support", "MOJ-S-002", moj, round_),
    )
    chief = member_of(own["organisation"], email="chief@airedale.example.org")
    own["job"] = _finished_job(chief)
    other["job"] = _finished_job(member_of(other["organisation"]))
    db.session.commit()
    return chief, own, other


@pytest.fixture(autouse=True)
def _own_files_kind(monkeypatch):
    """A kind of job whose file only the person it was made for may fetch (no kind a provider asks for yet)."""
    from grants.jobs.kinds import KINDS, JobKind

    def build(parameters: dict[str, Any], target: Any, progress: Any) -> None:
        raise AssertionError("the sweep's files are made by the test")

    kind = JobKind(name="own_file", build=build, may_see=lambda user, parameters: user.id == parameters.get("owner"))
    monkeypatch.setitem(KINDS, kind.name, kind)


def _finished_job(user: Any) -> Any:
    """A background job's file, kept, that only the person who asked for it may fetch."""
    from grants.jobs.services import folder

    job = BackgroundJobFactory(
        kind="own_file",
        parameters={"owner": user.id},
        requested_by_id=user.id,
        state="done",
        stored_name=f"sweep-{user.id}.xlsx",
        expires_at=utcnow() + timedelta(days=1),
    )
    (folder() / job.stored_name).write_bytes(b"PK sweep")
    return job


def _url(endpoint: str, arguments: set[str], held: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for name in arguments:
        if name == "reference":
            values[name] = held["contract"].public_reference
        elif name == "award_id":
            values[name] = (held["offered"] if endpoint.startswith("awards.") else held["allocation"]).id
        elif name == "return_id":
            values[name] = held["return"].id
        elif name == "application_id":
            values[name] = held["application"].id
        elif name == "organisation_id":
            values[name] = held["organisation"].id
        elif name == "document_id":
            values[name] = held["return_document" if endpoint.startswith("returns.") else "application_document"].id
        elif name == "part":
            values[name] = "bank"
        elif name == "kind" and endpoint.startswith("correspondence."):
            values[name] = "contract"  # the messages on a provider's contract
        elif name == "case_id" and endpoint.startswith("correspondence."):
            values[name] = held["contract"].id
        elif name == "job_id":
            values[name] = held["job"].id
        elif name == "extension":
            values[name] = "xlsx"
        elif name == "key":
            values[name] = "victims" if endpoint.startswith("returns.") else "project"
        else:
            raise AssertionError(f"{endpoint}: add <{name}> to the provider isolation sweep")
    from flask import url_for

    return url_for(endpoint, **values)


def _provider_routes(app: Flask) -> list[tuple[str, set[str], set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        permission = rule_for(app, rule.endpoint)
        if permission is None or permission.kind != "signed_in" or not rule.arguments:
            continue
        if rule.endpoint in NOT_OWNED:
            continue
        found.append((rule.endpoint, set(rule.arguments), set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return sorted(found, key=lambda route: route[0])


def _states() -> dict[str, str]:
    rows = [
        *db.session.execute(select(Contract.public_reference, Contract.state)).all(),
        *db.session.execute(select(Award.public_reference, Award.state)).all(),
        *db.session.execute(select(MonitoringReturn.id, MonitoringReturn.state)).all(),
    ]
    return {str(key): state for key, state in rows}


def test_every_provider_route_given_another_providers_ids_is_not_found(app, client, sign_in, providers):
    chief, own, other = providers
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    for held in (own, other):
        for kind in ("return_document", "application_document"):
            (folder / held[kind].stored_name).write_bytes(b"%PDF-1.4 evidence")
    sign_in(chief)
    token = csrf_token(client, "/sign-out")
    routes = _provider_routes(app)
    assert {"provider_portal.contract", "monitoring.your_grant", "returns.section", "awards.offer_page"} <= {
        endpoint for endpoint, _, _ in routes
    }
    before = _states()

    refused, reachable = [], []
    with app.test_request_context():
        urls = [(endpoint, methods, _url(endpoint, arguments, own), _url(endpoint, arguments, other))
                for endpoint, arguments, methods in routes]  # fmt: skip
    for endpoint, methods, own_url, other_url in urls:
        if "GET" in methods:
            if client.get(other_url).status_code != 404:
                refused.append(f"GET {other_url} ({endpoint})")
            if client.get(own_url).status_code == 404:
                reachable.append(f"GET {own_url} ({endpoint})")
        if "POST" in methods:
            answer = client.post(other_url, data={"csrf_token": token, "version_id": "1"})
            if answer.status_code != 404:
                refused.append(f"POST {other_url} ({endpoint}): {answer.status_code}")

    assert refused == []
    assert reachable == []
    assert _states() == before
