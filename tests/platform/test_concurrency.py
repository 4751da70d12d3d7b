"""Two people act on the same case at the same moment: exactly one wins, the other is told."""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Application, AuditEvent
from grants.workflow import apply_transition
from tests.factories import ApplicationFactory, passed_screening, staff_user
from workflows import Conflict


def test_two_officers_acting_at_once_one_wins_and_the_other_gets_a_conflict(app, committed_db):
    application = ApplicationFactory(state="submitted")
    passed_screening(application)
    officers = [staff_user("officer").id, staff_user("officer").id]
    case_id = application.id
    db.session.remove()

    both_loaded = threading.Barrier(2, timeout=20)
    outcomes: dict[str, str] = {}

    def act(name: str, officer_id: int, transition: str, reason: str | None) -> None:
        from grants.models import User

        with app.app_context():
            try:
                case = db.session.get(Application, case_id)
                user = db.session.get(User, officer_id)
                both_loaded.wait()
                apply_transition(case, transition, user, reason)
                outcomes[name] = "applied"
            except Conflict:
                outcomes[name] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=("eligible", officers[0], "mark_eligible", None)),
        threading.Thread(target=act, args=("ineligible", officers[1], "mark_ineligible", "Not in West Yorkshire")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["applied", "conflict"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "applied")
    final = db.session.get(Application, case_id)
    assert final.state == winner
    transitions = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_type == "application", AuditEvent.subject_id == case_id)
        .where(AuditEvent.action.in_(["mark_eligible", "mark_ineligible"]))
    )
    assert transitions == 1


# -- check-then-insert: two requests that would each make the same new row --------------------------
def _together(app, monkeypatch, module, name: str, jobs: dict[str, object]) -> dict[str, object]:
    """Run each job in its own thread, holding each one just after `module.name` (its check that nothing
    exists yet) until the other has checked too, or for two seconds if the other is kept waiting by a
    lock: without a lock both pass the check, which is the race."""
    checked = threading.Barrier(len(jobs), timeout=2)
    real = getattr(module, name)

    def check_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other is waiting for the lock
            checked.wait()
        return found

    monkeypatch.setattr(module, name, check_then_wait)
    outcomes: dict[str, object] = {}

    def run(key: str, job) -> None:  # type: ignore[no-untyped-def]
        with app.app_context():
            try:
                outcomes[key] = job()
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
                outcomes[key] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_members_starting_an_application_at_once_get_the_same_draft(app, committed_db, monkeypatch):
    from grants.apply import services
    from grants.models import Round, User
    from tests.factories import OrganisationFactory, QuestionSetFactory, RoundFactory, member_of

    organisation = OrganisationFactory()
    round_ = RoundFactory(question_set=QuestionSetFactory())
    members = [member_of(organisation).id, member_of(organisation).id]
    round_id, organisation_id = round_.id, organisation.id
    db.session.remove()

    def start(user_id: int):  # type: ignore[no-untyped-def]
        return lambda: (
            services.start_application(
                db.session.get(User, user_id), db.session.get(Round, round_id), organisation_id
            ).id
        )

    outcomes = _together(app, monkeypatch, services, "under_way", {"a": start(members[0]), "b": start(members[1])})

    drafts = db.session.scalars(select(Application.id).where(Application.organisation_id == organisation_id)).all()
    assert len(drafts) == 1
    assert outcomes == {"a": drafts[0], "b": drafts[0]}


def test_one_organisation_sent_twice_at_once_is_made_once(app, committed_db, monkeypatch):
    from grants.models import Organisation, User
    from grants.organisations import services
    from grants.organisations.details import Details
    from tests.factories import UserFactory

    user_id = UserFactory().id
    db.session.remove()
    details = Details(
        name="Holme Valley Youth Trust",
        org_type="community_group",
        address_line_1="12 Station Road",
        town="Holmfirth",
        postcode="HD9 6AA",
        district="kirklees",
        annual_income="12,500",
        safeguarding_lead_name="Grace Oduya",
        safeguarding_lead_email="grace@holmevalley.example.org",
        bank_account_name="HVYT General Account",
        bank_sort_code="30-94-30",
        bank_account_number="31926819",
    )

    def create():  # type: ignore[no-untyped-def]
        return services.create_organisation(db.session.get(User, user_id), details).id

    outcomes = _together(app, monkeypatch, services, "own_organisation_named", {"a": create, "b": create})

    made = db.session.scalars(select(Organisation.id).where(Organisation.name == details.name)).all()
    assert len(made) == 1
    assert sorted(type(outcome).__name__ for outcome in outcomes.values()) == ["AlreadyMember", "int"]
    assert [o.organisation.id for o in outcomes.values() if isinstance(o, services.AlreadyMember)] == made
