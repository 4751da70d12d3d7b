"""Two finance officers act on the same money at the same moment: one effect, one audit row."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from grants.cases import services as case_pages
from grants.extensions import db
from grants.models import Payment, User
from grants.payments import instalments, services
from tests.factories import PaymentFactory
from tests.payments.helpers import audit_count, award, people
from workflows import Conflict, TransitionRefused

MAY = date(2023, 5, 1)


def _race(app, jobs: dict[str, tuple[int, int, object]]) -> dict[str, str]:
    """Run each job (user id, payment id, action) in its own thread, all loaded before any acts."""
    loaded = threading.Barrier(len(jobs), timeout=20)
    outcomes: dict[str, str] = {}

    def run(name: str, user_id: int, payment_id: int, action) -> None:  # type: ignore[no-untyped-def]
        with app.app_context():
            try:
                payment = db.session.get(Payment, payment_id)
                user = db.session.get(User, user_id)
                version = payment.version_id
                loaded.wait()
                action(user, payment, version)
                outcomes[name] = "applied"
            except (Conflict, services.Stale):
                outcomes[name] = "conflict"
            except TransitionRefused as exc:
                outcomes[name] = "refused: " + " ".join(exc.reasons)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name, *job)) for name, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_finance_officers_marking_one_instalment_paid_at_once_pay_it_once(app, committed_db):
    team = people()
    second = people(team.programme).finance
    payment = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")
    payment_id, users = payment.id, {"first": team.finance.id, "second": second.id}
    db.session.remove()

    def pay_as(reference: str):  # type: ignore[no-untyped-def]
        return lambda user, payment, version: instalments.mark_paid(
            user, payment, ("2", "5", "2023"), reference, version, today=date(2023, 5, 3)
        )

    outcomes = _race(
        app,
        {
            "first": (users["first"], payment_id, pay_as("SAP-FIRST")),
            "second": (users["second"], payment_id, pay_as("SAP-SECOND")),
        },
    )

    assert sorted(outcomes.values()) == ["applied", "conflict"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "applied")
    paid = db.session.get(Payment, payment_id)
    assert (paid.state, paid.finance_reference) == ("paid", f"SAP-{winner.upper()}")
    assert audit_count("payment", payment_id, "mark_paid") == 1


@pytest.mark.postgres_only
def test_two_instalments_approved_at_once_cannot_together_go_over_the_award(app, committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("row locks need PostgreSQL")
    team = people()
    second = people(team.programme).finance
    grant = award(team.programme)  # £7,985.00
    one = PaymentFactory(award=grant, instalment=1, amount_pence=500_000, due_on=MAY)
    two = PaymentFactory(award=grant, instalment=2, amount_pence=500_000, due_on=MAY)
    jobs = {
        "one": (team.finance.id, one.id, lambda user, payment, version: instalments.approve(user, payment, version)),
        "two": (second.id, two.id, lambda user, payment, version: instalments.approve(user, payment, version)),
    }
    db.session.remove()

    outcomes = _race(app, jobs)

    assert sorted(outcomes.values()) == [
        "applied",
        "refused: This payment is more than the award's unpaid balance (£2,985.00).",
    ]
    states = sorted(db.session.get(Payment, pid).state for pid in (jobs["one"][1], jobs["two"][1]))
    assert states == ["approved", "scheduled"]


def _through_the_case_page(user, payment, version):  # type: ignore[no-untyped-def]
    """The generic case page's route: grants.cases.services.transition, as its view calls it."""
    return case_pages.transition("payment", payment.id, "approve", user, None, version)


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "routes",
    [("case page", "case page"), ("case page", "payments page"), ("payments page", "case page")],
    ids=lambda r: " + ".join(r),
)
def test_two_approvals_through_any_mix_of_pages_cannot_together_go_over_the_award(
    app, committed_db, is_postgres, routes
):
    if not is_postgres:
        pytest.skip("row locks need PostgreSQL")
    team = people()
    second = people(team.programme).finance
    grant = award(team.programme)  # £7,985.00
    one = PaymentFactory(award=grant, instalment=1, amount_pence=500_000, due_on=MAY)
    two = PaymentFactory(award=grant, instalment=2, amount_pence=500_000, due_on=MAY)
    by_page = {
        "case page": _through_the_case_page,
        "payments page": lambda user, payment, version: instalments.approve(user, payment, version),
    }
    jobs = {
        "one": (team.finance.id, one.id, by_page[routes[0]]),
        "two": (second.id, two.id, by_page[routes[1]]),
    }
    db.session.remove()

    outcomes = _race(app, jobs)

    assert sorted(outcomes.values()) == [
        "applied",
        "refused: This payment is more than the award's unpaid balance (£2,985.00).",
    ]
    states = sorted(db.session.get(Payment, pid).state for pid in (jobs["one"][1], jobs["two"][1]))
    assert states == ["approved", "scheduled"]


def _run_race(app, payer_ids: dict[str, int], chosen: dict[str, list[int]]) -> dict[str, str]:
    """Two finance users make a payment run at the same moment, each from the list they were offered."""
    from grants.payments import runs

    loaded = threading.Barrier(len(payer_ids), timeout=20)
    outcomes: dict[str, str] = {}

    def run(name: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, payer_ids[name])
                runs.candidates(user)
                loaded.wait()
                made = runs.make_run(user, [str(i) for i in chosen[name]], ("3", "12", "2026"), f"BACS-{name}",
                                     today=date(2026, 12, 3))  # fmt: skip
                outcomes[name] = made.reference
            except services.Invalid as exc:
                outcomes[name] = "refused: " + exc.errors.get("payments", str(exc.errors))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,)) for name in payer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _approved_instalments(count: int):  # type: ignore[no-untyped-def]
    from grants.workflow import apply_transition

    team = people()
    payers = {"first": people(team.programme).finance.id, "second": people(team.programme).finance.id}
    grant = award(team.programme, state="active")
    payments = [PaymentFactory(award=grant, instalment=n + 1, amount_pence=100_000, due_on=MAY) for n in range(count)]
    for payment in payments:
        apply_transition(payment, "approve", team.finance)
    db.session.commit()
    ids = [p.id for p in payments]
    db.session.remove()
    return payers, ids


def test_two_finance_users_paying_the_same_run_at_once_pay_each_instalment_once(app, committed_db):
    from grants.models import PaymentRun

    payers, ids = _approved_instalments(3)

    outcomes = _run_race(app, payers, {"first": ids, "second": ids})

    made = [o for o in outcomes.values() if o.startswith("PR-")]
    assert len(made) == 1, outcomes
    loser = next(o for o in outcomes.values() if not o.startswith("PR-"))
    assert "Nothing was paid: another finance user paid or changed" in loser and "Start the run again" in loser, loser
    runs_made = db.session.scalars(db.select(PaymentRun)).all()
    assert [(r.reference, r.instalments, r.total_pence) for r in runs_made] == [(made[0], 3, 300_000)]
    paid = [db.session.get(Payment, i) for i in ids]
    assert {(p.state, p.payment_run_id) for p in paid} == {("paid", runs_made[0].id)}
    for payment_id in ids:
        assert audit_count("payment", payment_id, "mark_paid") == 1


def test_two_runs_of_different_instalments_at_once_both_pay_with_their_own_references(app, committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite takes one writer at a time: the second run waits or is told to start again")
    from grants.models import PaymentRun

    payers, ids = _approved_instalments(4)

    outcomes = _run_race(app, payers, {"first": ids[:2], "second": ids[2:]})

    assert sorted(outcomes.values()) == ["PR-2026-0001", "PR-2026-0002"], outcomes
    runs_made = db.session.scalars(db.select(PaymentRun).order_by(PaymentRun.reference)).all()
    assert [(r.instalments, r.total_pence) for r in runs_made] == [(2, 200_000), (2, 200_000)]
    assert {db.session.get(Payment, i).state for i in ids} == {"paid"}
