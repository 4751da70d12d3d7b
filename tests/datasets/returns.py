"""Building blocks for the returns tests: a return open on one of the shipped forms, good answers for
each of its sections, and posting a section as the browser does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from grants.extensions import db
from grants.models import MonitoringReturn, QuestionSet
from grants.setup.seed import seed_return_forms, seed_vocabularies
from tests.factories import AwardFactory, OrganisationFactory, ReturnFactory, member_of
from tests.fixtures import csrf_token

EIA = {
    "eia_actions-0-action": "Translate leaflets into Urdu and Polish",
    "eia_actions-0-progress": "Done in May",
    "eia_actions-0-status": "green",
}

GOOD: dict[str, dict[str, dict[str, str]]] = {
    "mscf-progress": {
        "delivery": {"delivery_summary": "Twelve cooking sessions in Bramley and Armley.", "on_track": "yes"},
        "reach": {"people_reached": "140", "volunteers": "6"},
        "spend": {"spend_to_date": "2,500.50", "spend_notes": ""},
        "outcomes": {"outcomes_progress": "Families eat together; two cooks now run sessions."},
        "case_study": {"case_study": "A father who had been isolated now volunteers.", "case_study_consent": "no"},
        "risks": {"risks": "None"},
        "equality": EIA,
        "evidence": {"evidence_note": ""},
    },
    "moj-quarterly": {
        "victims": {"victims_supported": "1,204", "idva_domestic_abuse": "310", "isva_sexual_abuse": "72"},
        "reporting": {"reported_before": "900", "reported_during_or_after": "12"},
        "support": {"mental_health_referrals": "41", "restorative_justice": "88"},
        "spend": {"spend_to_date": "30000", "spend_notes": ""},
        "narrative": {"narrative": "Demand rose after the campaign; waiting times held at nine days."},
        "risks": {"risks": "An IDVA post is vacant; recruiting."},
        "equality": EIA,
    },
}


def question_set(name: str) -> QuestionSet:
    seed_vocabularies()
    seed_return_forms()
    found = db.session.scalar(select(QuestionSet).where(QuestionSet.name == name))
    assert found is not None, name
    return found


def open_return(
    form: str = "mscf-progress", *, organisation=None, amount_pence: int = 798_550, **overrides
) -> MonitoringReturn:
    """A return of an accepted award, open for the organisation (monitoring_return v2) on one of the shipped forms."""
    organisation = organisation or OrganisationFactory(name="Bramley Community Kitchen")
    award = AwardFactory(
        organisation=organisation,
        amount_pence=amount_pence,
        title="Bramley cooks together",
        public_reference=f"MSCF-R3-{organisation.id:04d}",
    )
    values = {
        "award": award,
        "period_label": "Months 1-6",
        "period_starts_on": date(2025, 4, 1),
        "period_ends_on": date(2025, 9, 30),
        "due_date": datetime.now(UTC).date() + timedelta(days=14),
        "opens_on": datetime.now(UTC).date() - timedelta(days=7),
        "workflow_version": 2,
        "state": "open",
        "question_set_id": question_set(form).id,
        "kind": "progress",
    }
    values.update(overrides)
    ret = ReturnFactory(**values)
    db.session.commit()
    return ret


def member(organisation, **kwargs):
    return member_of(organisation, **kwargs)


def version_on(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="version_id" value="', 1)[1].split('"', 1)[0]


def save(
    client,
    ret,
    section: str,
    fields: dict[str, str],
    *,
    action: str = "continue",
    files=None,
    version=None,
    query: str = "",
):
    """Post a section of the return as the browser does: with the version the page showed (or `version`)."""
    url = f"/returns/{ret.id}/sections/{section}{query}"
    data = MultiDict(list(fields.items()))
    data.add("csrf_token", csrf_token(client, "/sign-out"))
    data.add("version_id", version if version is not None else version_on(client, url))
    data.add("action", action)
    for key, value in (files or {}).items():
        data.add(key, value)
    return client.post(url, data=data, content_type="multipart/form-data")


def complete(client, ret, form: str = "mscf-progress") -> None:
    for section, fields in GOOD[form].items():
        response = save(client, ret, section, fields)
        assert response.status_code == 302, (section, response.get_data(as_text=True)[:3000])


def send(client, ret):
    token = csrf_token(client, "/sign-out")
    db.session.refresh(ret)
    return client.post(f"/returns/{ret.id}/check", data={"csrf_token": token, "version_id": ret.version_id})
