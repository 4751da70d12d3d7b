"""Two people act on the same case at the same moment: exactly one wins, the other is told."""

from __future__ import annotations

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
