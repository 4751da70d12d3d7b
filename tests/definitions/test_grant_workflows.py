"""The workflow engine, run against the shipped definitions with fake subjects and a fake host.

No database and no Flask: subjects are small dataclasses with the attributes the engine and the
named conditions read, and the host hands out a fixed set of roles and keeps what it is given.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from tests.definitions.support import DEFINITIONS, shipped, vocabulary
from workflows import Conflict, DefinitionError, Engine, TransitionEvent, TransitionRefused, load_registry

NOW = datetime(2023, 5, 10, 9, 30, tzinfo=UTC)
SUMMER_CLOSE = datetime(2023, 6, 30, 11, 0, tzinfo=UTC)  # 12:00 BST
WINTER_CLOSE = datetime(2022, 11, 4, 12, 0, tzinfo=UTC)  # 12:00 GMT

# workflows/engine.py Engine.due_at converts midnight London to UTC *before* adding the offset, so a
# day offset that crosses a clock change lands an hour early (autumn) or late (spring).

APPLICANT = "amy (applicant)"
OFFICER = "olu (officer)"
FINANCE = "fran (finance)"
SYSTEM = None  # the engine treats "no user" as the system


# -- fakes --------------------------------------------------------------------------------------------


class Notice(NamedTuple):
    transition: str
    audience: str
    event: TransitionEvent | None
    records_so_far: int
    submitted_at: datetime | None


@dataclass
class FakeHost:
    roles: frozenset[str] = frozenset()
    records: list[TransitionEvent] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return self.roles

    def record(self, event: TransitionEvent) -> None:
        self.records.append(event)

    def assign_reference(self, subject: Any) -> None:
        if getattr(subject, "public_reference", None) is None:
            subject.public_reference = "R-0001"

    def notify(self, context, audience: str) -> None:
        self.notices.append(
            Notice(
                transition=context.transition.name,
                audience=audience,
                event=context.event,
                records_so_far=len(self.records),
                submitted_at=getattr(context.subject, "submitted_at", None),
            )
        )


@dataclass
class FakeRound:
    state: str = "open"
    opens_at: datetime | None = None
    closes_at: datetime | None = SUMMER_CLOSE
    workflow: str = "round"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1


@dataclass
class FakeApplication:
    round: FakeRound = field(default_factory=FakeRound)
    state: str = "draft"
    submitted_at: datetime | None = None
    workflow: str = "application"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1
    screening: str | None = None
    below_minimum: str | None = None
    approvals_missing: str | None = None

    def screening_problem(self) -> str | None:
        return self.screening

    def minimum_score_problem(self) -> str | None:
        return self.below_minimum

    def approval_problem(self) -> str | None:
        return self.approvals_missing


@dataclass
class FakeReturn:
    due_date: Any = None
    state: str = "awaiting"
    submitted_at: datetime | None = None
    workflow: str = "monitoring_return"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1


@dataclass
class FakeContract:
    end_date: date | None = None
    state: str = "delivering"
    amount_pence: int = 0
    workflow: str = "contract"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1


@dataclass
class FakeAward:
    state: str = "accepted"
    amount_pence: int | None = 500_000
    unpaid: int = 500_000
    asked_excluding: list[Any] = field(default_factory=list, compare=False)
    workflow: str = "award"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1

    def unpaid_pence(self, excluding: Any) -> int:
        self.asked_excluding.append(excluding)
        return self.unpaid


@dataclass
class FakePayment:
    award: FakeAward = field(default_factory=FakeAward)
    amount_pence: int = 100_000
    state: str = "scheduled"
    paid_at: datetime | None = None
    workflow: str = "payment"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1


@dataclass
class FakeTicket:
    state: str = "open"
    amount_pence: int = 0
    chase_at: datetime | None = None
    workflow: str = "ticket"
    workflow_version: int = 1
    state_changed_at: datetime | None = None
    version_id: int = 1


def engine_for(*roles: str, registry=None) -> tuple[Engine, FakeHost]:
    host = FakeHost(roles=frozenset(roles))
    return Engine(registry or shipped(), host, vocabulary(), clock=lambda: NOW), host


def option(engine: Engine, subject: Any, user: Any, name: str, now: datetime = NOW):
    [found] = [o for o in engine.available(subject, user, now=now) if o.name == name]
    return found


def submitted_application() -> FakeApplication:
    return FakeApplication(state="submitted")


def closed_round_application() -> FakeApplication:
    return FakeApplication(round=FakeRound(closes_at=WINTER_CLOSE))


# -- available(): what each user is offered -----------------------------------------------------


def test_an_officer_sees_every_way_out_of_a_submitted_application():
    engine, _ = engine_for("officer")

    names = [o.name for o in engine.available(submitted_application(), OFFICER, now=NOW)]

    assert names == ["request_information", "mark_eligible", "mark_ineligible", "withdraw"]


def test_each_option_is_shown_with_its_label():
    engine, _ = engine_for("officer")

    assert option(engine, submitted_application(), OFFICER, "mark_eligible").label == "Mark as eligible"


def test_an_officer_may_mark_a_submitted_application_eligible():
    engine, _ = engine_for("officer")

    found = option(engine, submitted_application(), OFFICER, "mark_eligible")

    assert (found.allowed, found.reasons) == (True, [])


def test_an_applicant_is_told_only_an_officer_can_mark_an_application_eligible():
    engine, _ = engine_for("applicant")

    found = option(engine, submitted_application(), APPLICANT, "mark_eligible")

    assert (found.allowed, found.reasons) == (False, ["Only an officer can do this."])


def test_an_applicant_may_withdraw_their_submitted_application():
    engine, _ = engine_for("applicant")

    found = option(engine, submitted_application(), APPLICANT, "withdraw")

    assert (found.allowed, found.reasons) == (True, [])


def test_an_applicant_is_told_everyone_who_may_cancel_an_award():
    engine, _ = engine_for("applicant")

    found = option(engine, FakeAward(state="offered"), APPLICANT, "cancel")

    assert found.reasons == ["Only the decision maker or an officer can do this."]


def test_an_applicant_may_submit_while_the_round_is_open():
    engine, _ = engine_for("applicant")

    found = option(engine, FakeApplication(), APPLICANT, "submit")

    assert (found.allowed, found.reasons) == (True, [])


def test_an_applicant_is_told_why_they_cannot_submit_after_the_round_closed():
    engine, _ = engine_for("applicant")

    found = option(engine, closed_round_application(), APPLICANT, "submit")

    assert (found.allowed, found.reasons) == (False, ["The round closed on 4 November 2022 at 12:00."])


def test_someone_without_the_role_is_told_about_the_role_rather_than_the_deadline():
    engine, _ = engine_for("officer")

    found = option(engine, closed_round_application(), OFFICER, "submit")

    assert found.reasons == ["Only the applicant can do this."]


def test_an_open_round_says_when_it_will_close_itself_in_british_summer_time():
    engine, _ = engine_for("officer")

    found = option(engine, FakeRound(closes_at=SUMMER_CLOSE), OFFICER, "close")

    assert (found.allowed, found.reasons) == (False, ["This happens automatically on 30 June 2023 at 12:00."])


def test_an_open_round_says_when_it_will_close_itself_in_winter_time():
    engine, _ = engine_for("officer")

    found = option(engine, FakeRound(closes_at=WINTER_CLOSE), OFFICER, "close", now=datetime(2022, 10, 1, tzinfo=UTC))

    assert found.reasons == ["This happens automatically on 4 November 2022 at 12:00."]


def test_an_automatic_transition_without_a_date_just_says_it_happens_automatically():
    engine, _ = engine_for("officer")

    found = option(engine, FakeRound(closes_at=None), OFFICER, "close")

    assert (found.allowed, found.reasons) == (False, ["This happens automatically."])


def test_an_officer_may_still_close_an_open_round_early():
    engine, _ = engine_for("officer")

    found = option(engine, FakeRound(), OFFICER, "close_early")

    assert (found.allowed, found.reasons) == (True, [])


def test_a_monitoring_return_says_it_falls_overdue_at_midnight_after_its_due_date():
    engine, _ = engine_for("officer")

    found = option(engine, FakeReturn(due_date=date(2023, 6, 15)), OFFICER, "become_overdue")

    assert found.reasons == ["This happens automatically on 16 June 2023 at 00:00."]


def test_a_return_due_on_the_day_the_clocks_go_back_says_it_falls_overdue_at_midnight():
    engine, _ = engine_for("officer")

    found = option(engine, FakeReturn(due_date=date(2022, 10, 30)), OFFICER, "become_overdue")

    assert found.reasons == ["This happens automatically on 31 October 2022 at 00:00."]


def test_an_officer_may_bring_a_contract_to_review_before_the_automatic_date():
    engine, _ = engine_for("officer")

    found = option(engine, FakeContract(end_date=date(2024, 9, 30)), OFFICER, "review")

    assert (found.allowed, found.reasons) == (True, [])


def test_nothing_more_can_happen_to_an_approved_application():
    engine, _ = engine_for("officer", "decision_maker", "applicant", "admin")

    assert engine.available(FakeApplication(state="approved"), OFFICER, now=NOW) == []


def test_available_uses_the_engine_clock_when_no_time_is_given():
    engine, _ = engine_for("applicant")
    application = FakeApplication(round=FakeRound(closes_at=NOW))

    [submit] = [o for o in engine.available(application, APPLICANT) if o.name == "submit"]

    assert submit.reasons == ["The round closed on 10 May 2023 at 10:30."]


# -- apply(): what happens when a transition goes ahead ---------------------------------------------


def test_marking_a_submitted_application_eligible_makes_it_eligible():
    engine, _ = engine_for("officer")
    application = submitted_application()

    engine.apply(application, "mark_eligible", OFFICER, now=NOW)

    assert application.state == "eligible"


def test_applying_a_transition_stamps_when_the_state_changed():
    engine, _ = engine_for("officer")
    application = submitted_application()

    engine.apply(application, "mark_eligible", OFFICER, now=NOW)

    assert application.state_changed_at == NOW


def test_applying_a_transition_records_one_audit_event_with_who_what_and_why():
    engine, host = engine_for("officer")
    application = submitted_application()

    engine.apply(application, "mark_ineligible", OFFICER, "Outside West Yorkshire.", now=NOW)

    assert host.records == [
        TransitionEvent(
            subject=application,
            workflow="application",
            workflow_version=1,
            transition="mark_ineligible",
            from_state="submitted",
            to_state="ineligible",
            user=OFFICER,
            reason="Outside West Yorkshire.",
            at=NOW,
        )
    ]


def test_apply_hands_back_the_event_it_recorded():
    engine, host = engine_for("officer")

    event = engine.apply(submitted_application(), "mark_eligible", OFFICER, now=NOW)

    assert host.records == [event]


def test_a_reason_is_recorded_without_surrounding_whitespace():
    engine, host = engine_for("officer")

    engine.apply(submitted_application(), "mark_ineligible", OFFICER, "  Outside the area.\n", now=NOW)

    assert host.records[0].reason == "Outside the area."


def test_a_blank_reason_where_none_is_needed_is_recorded_as_no_reason():
    engine, host = engine_for("officer")

    engine.apply(submitted_application(), "mark_eligible", OFFICER, "   ", now=NOW)

    assert host.records[0].reason is None


def test_apply_uses_the_engine_clock_when_no_time_is_given():
    engine, _ = engine_for("officer")
    application = submitted_application()

    engine.apply(application, "mark_eligible", OFFICER)

    assert application.state_changed_at == NOW


def test_a_transition_listed_from_several_states_works_from_each_of_them():
    engine, _ = engine_for("officer")
    application = FakeApplication(state="eligible")

    engine.apply(application, "request_information", OFFICER, "Please send your accounts.", now=NOW)

    assert application.state == "information_requested"


def test_the_system_can_close_a_round_at_its_deadline():
    engine, _ = engine_for()
    round_ = FakeRound(closes_at=SUMMER_CLOSE)

    engine.apply(round_, "close", SYSTEM, now=SUMMER_CLOSE)

    assert round_.state == "closed"


def test_when_the_system_acts_the_audit_event_names_no_user():
    engine, host = engine_for()

    engine.apply(FakeRound(closes_at=SUMMER_CLOSE), "close", SYSTEM, now=SUMMER_CLOSE)

    assert host.records[0].user is None


# -- effects --------------------------------------------------------------------------------------------


def test_submitting_an_application_records_the_submission_time():
    engine, _ = engine_for("applicant")
    application = FakeApplication()

    engine.apply(application, "submit", APPLICANT, now=NOW)

    assert application.submitted_at == NOW


def test_submitting_an_application_emails_the_organisation():
    engine, host = engine_for("applicant")

    engine.apply(FakeApplication(), "submit", APPLICANT, now=NOW)

    assert [(n.transition, n.audience) for n in host.notices] == [("submit", "organisation")]


def test_withdrawing_an_application_emails_the_officers():
    engine, host = engine_for("applicant")

    engine.apply(submitted_application(), "withdraw", APPLICANT, "We merged with another charity.", now=NOW)

    assert [(n.transition, n.audience) for n in host.notices] == [("withdraw", "officers")]


def test_marking_an_application_eligible_sends_no_email():
    engine, host = engine_for("officer")

    engine.apply(submitted_application(), "mark_eligible", OFFICER, now=NOW)

    assert host.notices == []


def test_effects_run_in_the_order_the_definition_lists_them():
    # submit lists record_submission_time before email_organisation, so the email sees the time.
    engine, host = engine_for("applicant")

    engine.apply(FakeApplication(), "submit", APPLICANT, now=NOW)

    assert host.notices[0].submitted_at == NOW


def test_effects_run_after_the_audit_event_is_recorded():
    engine, host = engine_for("applicant")

    engine.apply(FakeApplication(), "submit", APPLICANT, now=NOW)

    assert host.notices[0].records_so_far == 1


def test_an_email_is_told_about_the_event_that_was_recorded():
    engine, host = engine_for("applicant")

    engine.apply(FakeApplication(), "submit", APPLICANT, now=NOW)

    assert host.notices[0].event is host.records[0]


def test_marking_a_payment_paid_records_when_it_was_paid():
    engine, _ = engine_for("finance")
    payment = FakePayment(state="approved")

    engine.apply(payment, "mark_paid", FINANCE, now=NOW)

    assert payment.paid_at == NOW


def test_submitting_a_monitoring_return_records_the_submission_time():
    engine, _ = engine_for("applicant")
    monitoring_return = FakeReturn(due_date=date(2023, 6, 15), state="overdue")

    engine.apply(monitoring_return, "submit", APPLICANT, now=NOW)

    assert monitoring_return.submitted_at == NOW


# -- apply(): refusals leave everything as it was ---------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    id: str
    roles: tuple[str, ...]
    make: Any
    transition: str
    user: Any
    reasons: list[str]
    reason: str | None = None
    now: datetime = NOW


REFUSALS = [
    Refusal(
        "an_applicant_cannot_mark_an_application_eligible",
        ("applicant",),
        submitted_application,
        "mark_eligible",
        APPLICANT,
        ["Only an officer can do this."],
    ),
    Refusal(
        "an_officer_cannot_mark_a_draft_application_eligible",
        ("officer",),
        FakeApplication,
        "mark_eligible",
        OFFICER,
        ["'Mark as eligible' is not possible while this is draft."],
    ),
    Refusal(
        "an_applicant_cannot_submit_an_application_twice",
        ("applicant",),
        submitted_application,
        "submit",
        APPLICANT,
        ["'Submit application' is not possible while this is submitted."],
    ),
    Refusal(
        "a_transition_the_workflow_does_not_have_is_not_possible",
        ("officer",),
        FakeApplication,
        "fast_track",
        OFFICER,
        ["'fast_track' is not possible while this is draft."],
    ),
    Refusal(
        "an_officer_cannot_mark_an_application_ineligible_without_a_reason",
        ("officer",),
        submitted_application,
        "mark_ineligible",
        OFFICER,
        ["Enter a reason to 'mark as ineligible'"],
    ),
    Refusal(
        "an_empty_reason_is_no_reason",
        ("officer",),
        submitted_application,
        "mark_ineligible",
        OFFICER,
        ["Enter a reason to 'mark as ineligible'"],
        reason="",
    ),
    Refusal(
        "a_reason_of_only_spaces_is_no_reason",
        ("officer",),
        submitted_application,
        "mark_ineligible",
        OFFICER,
        ["Enter a reason to 'mark as ineligible'"],
        reason=" \n\t ",
    ),
    Refusal(
        "an_applicant_cannot_submit_after_the_round_closed",
        ("applicant",),
        closed_round_application,
        "submit",
        APPLICANT,
        ["The round closed on 4 November 2022 at 12:00."],
    ),
    Refusal(
        "an_officer_cannot_close_a_round_that_closes_by_itself",
        ("officer",),
        FakeRound,
        "close",
        OFFICER,
        ["Only the system can do this."],
    ),
    Refusal(
        "the_system_cannot_mark_an_application_eligible",
        ("officer",),
        submitted_application,
        "mark_eligible",
        SYSTEM,
        ["Only an officer can do this."],
    ),
    Refusal(
        "finance_cannot_approve_a_payment_on_an_award_not_yet_accepted",
        ("finance",),
        lambda: FakePayment(award=FakeAward(state="offered")),
        "approve",
        FINANCE,
        ["The award must be accepted by the grantee before a payment is approved."],
    ),
]


def _refuse(case: Refusal):
    engine, host = engine_for(*case.roles)
    subject = case.make()
    before = copy.deepcopy(subject)
    with pytest.raises(TransitionRefused) as refused:
        engine.apply(subject, case.transition, case.user, case.reason, now=case.now)
    return refused.value, subject, before, host


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.id)
def test_a_refused_transition_says_why(case):
    refused, *_ = _refuse(case)

    assert refused.reasons == case.reasons


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.id)
def test_a_refused_transition_leaves_the_subject_as_it_was(case):
    _, subject, before, _ = _refuse(case)

    assert subject == before


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.id)
def test_a_refused_transition_is_not_recorded_and_emails_nobody(case):
    *_, host = _refuse(case)

    assert (host.records, host.notices) == ([], [])


def test_a_refusal_reads_as_its_reasons():
    refused, *_ = _refuse(REFUSALS[0])

    assert str(refused) == "Only an officer can do this."


def test_every_failing_condition_is_given_as_a_reason():
    engine, _ = engine_for("finance")
    payment = FakePayment(amount_pence=200_000, award=FakeAward(state="offered", unpaid=150_000))

    with pytest.raises(TransitionRefused) as refused:
        engine.apply(payment, "approve", FINANCE, now=NOW)

    assert refused.value.reasons == [
        "The award must be accepted by the grantee before a payment is approved.",
        "This payment is more than the award's unpaid balance (£1,500.00).",
    ]


# -- apply(): someone else got there first ---------------------------------------------------------


def _stale_apply():
    """An officer acts on a page loaded at version 1, but someone has since saved version 2."""
    engine, host = engine_for("officer")
    application = FakeApplication(state="submitted", version_id=2)
    before = copy.deepcopy(application)
    with pytest.raises(Conflict) as conflict:
        engine.apply(application, "mark_eligible", OFFICER, expected_version=1, now=NOW)
    return conflict.value, application, before, host


def test_saving_over_someone_elses_change_is_a_conflict():
    conflict, *_ = _stale_apply()

    assert str(conflict) == "Someone else changed this while you were looking at it."


def test_a_conflict_names_the_subject_that_changed():
    conflict, application, *_ = _stale_apply()

    assert conflict.subject is application


def test_a_conflict_leaves_the_subject_as_it_was():
    _, application, before, _ = _stale_apply()

    assert application == before


def test_a_conflict_is_not_recorded():
    *_, host = _stale_apply()

    assert host.records == []


def test_a_stale_page_is_reported_as_a_conflict_even_if_the_user_lacks_the_role():
    engine, _ = engine_for("applicant")
    application = FakeApplication(state="submitted", version_id=2)

    with pytest.raises(Conflict):
        engine.apply(application, "mark_eligible", APPLICANT, expected_version=1, now=NOW)


def test_a_transition_goes_ahead_when_nobody_else_changed_the_subject():
    engine, _ = engine_for("officer")
    application = FakeApplication(state="submitted", version_id=7)

    engine.apply(application, "mark_eligible", OFFICER, expected_version=7, now=NOW)

    assert application.state == "eligible"


# -- start() --------------------------------------------------------------------------------------------


def test_a_new_application_starts_as_a_draft():
    engine, _ = engine_for("applicant")
    application = FakeApplication(state="")

    engine.start(application, "application", APPLICANT, now=NOW)

    assert (application.workflow, application.workflow_version, application.state) == (
        "application",
        1,
        "draft",
    )


def test_starting_a_workflow_stamps_when_the_first_state_began():
    engine, _ = engine_for("applicant")
    application = FakeApplication(state="")

    engine.start(application, "application", APPLICANT)

    assert application.state_changed_at == NOW


def test_starting_a_workflow_records_a_create_event():
    engine, host = engine_for("applicant")
    application = FakeApplication(state="")

    engine.start(application, "application", APPLICANT, now=NOW)

    assert host.records == [
        TransitionEvent(
            subject=application,
            workflow="application",
            workflow_version=1,
            transition="create",
            from_state=None,
            to_state="draft",
            user=APPLICANT,
            reason=None,
            at=NOW,
        )
    ]


def test_starting_a_workflow_that_does_not_exist_is_an_error():
    engine, _ = engine_for("officer")

    with pytest.raises(DefinitionError, match="no workflow named 'grant_thing'"):
        engine.start(FakeApplication(), "grant_thing", OFFICER, now=NOW)


# -- versions: running cases keep the version they started on --------------------------------------

TICKET_V1 = """\
name = "ticket"
version = 1
initial = "open"

[[states]]
name = "open"

[[states]]
name = "closed"
terminal = true

[[transitions]]
name = "close"
from = ["open"]
to = "closed"
roles = ["officer"]
"""

TICKET_V2 = (
    TICKET_V1.replace("version = 1", "version = 2")
    + """
[[states]]
name = "escalated"
label = "Escalated"

[[transitions]]
name = "escalate"
from = ["open"]
to = "escalated"
roles = ["officer"]

[[transitions]]
name = "resolve"
from = ["escalated"]
to = "closed"
roles = ["officer"]
"""
)


@pytest.fixture
def versioned(tmp_path):
    (tmp_path / "ticket.v1.toml").write_text(TICKET_V1, encoding="utf-8")
    (tmp_path / "ticket.v2.toml").write_text(TICKET_V2, encoding="utf-8")
    return engine_for("officer", registry=load_registry(tmp_path, vocabulary()))


def test_a_new_case_starts_on_the_latest_version(versioned):
    engine, _ = versioned
    ticket = FakeTicket(workflow_version=0)

    engine.start(ticket, "ticket", OFFICER, now=NOW)

    assert ticket.workflow_version == 2


def test_a_case_on_the_latest_version_is_offered_the_new_transition(versioned):
    engine, _ = versioned
    ticket = FakeTicket(workflow_version=0)
    engine.start(ticket, "ticket", OFFICER, now=NOW)

    assert [o.name for o in engine.available(ticket, OFFICER, now=NOW)] == ["close", "escalate"]


def test_a_running_case_on_version_1_is_not_offered_what_version_2_added(versioned):
    engine, _ = versioned

    assert [o.name for o in engine.available(FakeTicket(workflow_version=1), OFFICER, now=NOW)] == ["close"]


def test_a_running_case_on_version_1_cannot_use_what_version_2_added(versioned):
    engine, _ = versioned

    with pytest.raises(TransitionRefused, match=re.escape("'escalate' is not possible while this is open.")):
        engine.apply(FakeTicket(workflow_version=1), "escalate", OFFICER, now=NOW)


def test_a_running_case_on_version_1_stays_on_version_1_when_it_moves(versioned):
    engine, host = versioned
    ticket = FakeTicket(workflow_version=1)

    engine.apply(ticket, "close", OFFICER, now=NOW)

    assert (ticket.workflow_version, host.records[0].workflow_version) == (1, 1)


def test_a_case_on_a_version_that_no_longer_exists_is_an_error(versioned):
    engine, _ = versioned

    with pytest.raises(DefinitionError, match="no workflow 'ticket' version 3"):
        engine.available(FakeTicket(workflow_version=3), OFFICER, now=NOW)


# -- timers: due_at and due_transition ------------------------------------------------------------------


def _round_transition(name: str):
    return shipped().get("round", 1).transitions[name]


def _overdue():
    return shipped().get("monitoring_return", 1).transitions["become_overdue"]


def test_an_open_round_past_its_closing_time_is_due_to_close():
    engine, _ = engine_for()

    due = engine.due_transition(FakeRound(closes_at=SUMMER_CLOSE), now=SUMMER_CLOSE + timedelta(minutes=1))

    assert due.name == "close"


def test_an_open_round_before_its_closing_time_is_not_due_to_close():
    engine, _ = engine_for()

    assert engine.due_transition(FakeRound(closes_at=SUMMER_CLOSE), now=SUMMER_CLOSE - timedelta(minutes=1)) is None


def test_a_round_is_due_to_close_at_the_exact_closing_time():
    engine, _ = engine_for()

    assert engine.due_transition(FakeRound(closes_at=SUMMER_CLOSE), now=SUMMER_CLOSE).name == "close"


def test_a_round_falls_due_to_close_at_its_closing_time():
    engine, _ = engine_for()

    assert engine.due_at(FakeRound(closes_at=SUMMER_CLOSE), _round_transition("close")) == SUMMER_CLOSE


def test_a_closing_time_stored_without_a_timezone_is_read_as_utc():
    engine, _ = engine_for()
    naive = SUMMER_CLOSE.replace(tzinfo=None)

    assert engine.due_at(FakeRound(closes_at=naive), _round_transition("close")) == SUMMER_CLOSE


def test_a_scheduled_round_is_due_to_open_at_its_opening_time():
    engine, _ = engine_for()
    round_ = FakeRound(state="scheduled", opens_at=NOW, closes_at=SUMMER_CLOSE)

    assert engine.due_transition(round_, now=NOW).name == "open"


def test_a_round_without_a_closing_time_never_closes_by_itself():
    engine, _ = engine_for()

    assert engine.due_transition(FakeRound(closes_at=None), now=datetime(2099, 1, 1, tzinfo=UTC)) is None


def test_a_draft_round_never_opens_by_itself_even_after_its_opening_time():
    engine, _ = engine_for()
    round_ = FakeRound(state="draft", opens_at=NOW - timedelta(days=1), closes_at=SUMMER_CLOSE)

    assert engine.due_transition(round_, now=NOW) is None


def test_due_transition_uses_the_engine_clock_when_no_time_is_given():
    engine, _ = engine_for()

    assert engine.due_transition(FakeRound(closes_at=NOW)).name == "close"


def test_a_return_falls_overdue_at_midnight_london_time_after_a_summer_due_date():
    engine, _ = engine_for()

    due = engine.due_at(FakeReturn(due_date=date(2023, 6, 15)), _overdue())

    assert due == datetime(2023, 6, 15, 23, 0, tzinfo=UTC)  # 00:00 BST on 16 June


def test_a_return_falls_overdue_at_midnight_london_time_after_a_winter_due_date():
    engine, _ = engine_for()

    due = engine.due_at(FakeReturn(due_date=date(2022, 12, 1)), _overdue())

    assert due == datetime(2022, 12, 2, 0, 0, tzinfo=UTC)  # 00:00 GMT on 2 December


def test_a_return_due_the_day_the_clocks_go_back_falls_overdue_at_midnight_gmt():
    engine, _ = engine_for()

    due = engine.due_at(FakeReturn(due_date=date(2022, 10, 30)), _overdue())

    assert due == datetime(2022, 10, 31, 0, 0, tzinfo=UTC)  # 00:00 GMT on 31 October


def test_a_return_due_the_day_the_clocks_go_forward_falls_overdue_at_midnight_bst():
    engine, _ = engine_for()

    due = engine.due_at(FakeReturn(due_date=date(2023, 3, 26)), _overdue())

    assert due == datetime(2023, 3, 26, 23, 0, tzinfo=UTC)  # 00:00 BST on 27 March


def test_a_return_due_the_day_the_clocks_go_back_is_not_overdue_late_that_evening():
    engine, _ = engine_for()
    late_on_due_date = datetime(2022, 10, 30, 23, 30, tzinfo=UTC)  # 23:30 GMT on 30 October

    assert engine.due_transition(FakeReturn(due_date=date(2022, 10, 30)), now=late_on_due_date) is None


def test_a_return_is_not_overdue_in_the_last_minute_of_its_due_date():
    engine, _ = engine_for()
    last_minute = datetime(2023, 6, 15, 22, 59, tzinfo=UTC)  # 23:59 BST on 15 June

    assert engine.due_transition(FakeReturn(due_date=date(2023, 6, 15)), now=last_minute) is None


def test_a_return_is_overdue_from_the_first_moment_of_the_next_day():
    engine, _ = engine_for()
    midnight = datetime(2023, 6, 15, 23, 0, tzinfo=UTC)  # 00:00 BST on 16 June

    assert engine.due_transition(FakeReturn(due_date=date(2023, 6, 15)), now=midnight).name == "become_overdue"


def test_a_return_with_no_due_date_never_falls_overdue():
    engine, _ = engine_for()

    assert engine.due_transition(FakeReturn(due_date=None), now=datetime(2099, 1, 1, tzinfo=UTC)) is None


def test_a_submitted_return_does_not_fall_overdue():
    engine, _ = engine_for()
    monitoring_return = FakeReturn(due_date=date(2023, 1, 1), state="submitted")

    assert engine.due_transition(monitoring_return, now=NOW) is None


def test_a_contract_comes_up_for_review_ninety_days_before_its_end_date():
    engine, _ = engine_for()
    review = shipped().get("contract", 1).transitions["review"]

    due = engine.due_at(FakeContract(end_date=date(2023, 9, 30)), review)

    assert due == datetime(2023, 7, 1, 23, 0, tzinfo=UTC)  # 00:00 BST on 2 July


def test_a_contract_ending_in_winter_comes_up_for_review_at_midnight_in_summer_time():
    engine, _ = engine_for()
    review = shipped().get("contract", 1).transitions["review"]

    due = engine.due_at(FakeContract(end_date=date(2023, 12, 31)), review)

    assert due == datetime(2023, 10, 1, 23, 0, tzinfo=UTC)  # 00:00 BST on 2 October


def test_a_timer_on_something_that_is_not_a_date_is_an_error():
    engine, _ = engine_for()

    with pytest.raises(TypeError, match="due_date is not a date or a date-time"):
        engine.due_at(FakeReturn(due_date="2023-06-15"), _overdue())


TIMED_TICKET = """\
name = "ticket"
version = 1
initial = "open"

[[states]]
name = "open"

[[states]]
name = "chased"
terminal = true

[[transitions]]
name = "chase"
from = ["open"]
to = "chased"
roles = ["system"]
after = "chase_at + 2 hours"
conditions = ["has_amount"]
"""


@pytest.fixture
def timed(tmp_path):
    (tmp_path / "ticket.v1.toml").write_text(TIMED_TICKET, encoding="utf-8")
    engine, _ = engine_for(registry=load_registry(tmp_path, vocabulary()))
    return engine


def test_a_timer_with_an_hours_offset_falls_due_that_many_hours_later(timed):
    transition = timed.registry.get("ticket", 1).transitions["chase"]

    assert timed.due_at(FakeTicket(chase_at=NOW), transition) == NOW + timedelta(hours=2)


def test_a_timed_transition_whose_condition_fails_is_not_due(timed):
    ticket = FakeTicket(chase_at=NOW, amount_pence=0)

    assert timed.due_transition(ticket, now=NOW + timedelta(days=1)) is None


def test_a_timed_transition_whose_condition_passes_is_due(timed):
    ticket = FakeTicket(chase_at=NOW, amount_pence=100)

    assert timed.due_transition(ticket, now=NOW + timedelta(days=1)).name == "chase"


# -- round_accepts_submissions ---------------------------------------------------------------------------


def _submit(application: FakeApplication, now: datetime) -> list[str]:
    """The reasons an applicant may not submit, or [] after submitting."""
    engine, _ = engine_for("applicant")
    try:
        engine.apply(application, "submit", APPLICANT, now=now)
    except TransitionRefused as refused:
        return refused.reasons
    return []


def test_after_a_winter_deadline_an_applicant_is_told_the_closing_time_in_gmt():
    application = FakeApplication(round=FakeRound(closes_at=WINTER_CLOSE))

    assert _submit(application, WINTER_CLOSE + timedelta(days=1)) == ["The round closed on 4 November 2022 at 12:00."]


def test_after_a_summer_deadline_an_applicant_is_told_the_closing_time_in_bst():
    application = FakeApplication(round=FakeRound(closes_at=SUMMER_CLOSE))

    assert _submit(application, SUMMER_CLOSE + timedelta(hours=3)) == ["The round closed on 30 June 2023 at 12:00."]


def test_an_applicant_cannot_submit_at_the_moment_the_round_closes():
    application = FakeApplication(round=FakeRound(closes_at=SUMMER_CLOSE))

    assert _submit(application, SUMMER_CLOSE) == ["The round closed on 30 June 2023 at 12:00."]


def test_an_applicant_can_submit_one_minute_before_the_round_closes():
    application = FakeApplication(round=FakeRound(closes_at=WINTER_CLOSE))

    _submit(application, WINTER_CLOSE - timedelta(minutes=1))

    assert application.state == "submitted"


def test_an_applicant_cannot_submit_before_the_round_opens():
    application = FakeApplication(round=FakeRound(state="scheduled", closes_at=SUMMER_CLOSE))

    assert _submit(application, NOW) == ["The round is not open for applications."]


def test_an_applicant_cannot_submit_to_a_round_an_officer_closed_early():
    application = FakeApplication(round=FakeRound(state="closed", closes_at=SUMMER_CLOSE))

    assert _submit(application, NOW) == ["The round is not open for applications."]


def test_an_applicant_is_told_when_a_closed_round_passed_its_deadline():
    application = FakeApplication(round=FakeRound(state="closed", closes_at=WINTER_CLOSE))

    assert _submit(application, NOW) == ["The round closed on 4 November 2022 at 12:00."]


def test_an_applicant_can_submit_to_an_open_round_with_no_closing_time():
    application = FakeApplication(round=FakeRound(closes_at=None))

    _submit(application, NOW)

    assert application.state == "submitted"


def test_a_closing_time_without_a_timezone_is_shown_as_london_time():
    application = FakeApplication(round=FakeRound(closes_at=SUMMER_CLOSE.replace(tzinfo=None)))

    assert _submit(application, SUMMER_CLOSE) == ["The round closed on 30 June 2023 at 12:00."]


# -- the other named conditions ---------------------------------------------------------------------------


def _publish(round_: FakeRound) -> list[str]:
    engine, _ = engine_for("officer")
    try:
        engine.apply(round_, "publish", OFFICER, now=NOW)
    except TransitionRefused as refused:
        return refused.reasons
    return []


def test_a_round_cannot_be_published_without_a_closing_time():
    assert _publish(FakeRound(state="draft", opens_at=NOW, closes_at=None)) == [
        "Set the opening and closing times first."
    ]


def test_a_round_cannot_be_published_without_an_opening_time():
    assert _publish(FakeRound(state="draft", opens_at=None, closes_at=SUMMER_CLOSE)) == [
        "Set the opening and closing times first."
    ]


def test_a_round_cannot_be_published_if_it_closes_when_it_opens():
    assert _publish(FakeRound(state="draft", opens_at=SUMMER_CLOSE, closes_at=SUMMER_CLOSE)) == [
        "The closing time must be after the opening time."
    ]


def test_a_round_with_a_sensible_schedule_can_be_published():
    round_ = FakeRound(state="draft", opens_at=NOW, closes_at=SUMMER_CLOSE)

    _publish(round_)

    assert round_.state == "scheduled"


@pytest.mark.parametrize("amount", [0, None, -100], ids=["zero", "not_set", "negative"])
def test_an_award_of_nothing_cannot_be_offered(amount):
    engine, _ = engine_for("officer")

    with pytest.raises(TransitionRefused) as refused:
        engine.apply(FakeAward(state="preparing", amount_pence=amount), "offer", OFFICER, now=NOW)

    assert refused.value.reasons == ["The amount must be more than £0."]


def test_an_award_with_an_amount_can_be_offered():
    engine, _ = engine_for("officer")
    award = FakeAward(state="preparing", amount_pence=1)

    engine.apply(award, "offer", OFFICER, now=NOW)

    assert award.state == "offered"


def test_finance_cannot_approve_a_payment_larger_than_the_unpaid_balance():
    engine, _ = engine_for("finance")
    payment = FakePayment(amount_pence=150_001, award=FakeAward(unpaid=150_000))

    with pytest.raises(TransitionRefused) as refused:
        engine.apply(payment, "approve", FINANCE, now=NOW)

    assert refused.value.reasons == ["This payment is more than the award's unpaid balance (£1,500.00)."]


def test_finance_can_approve_a_payment_of_exactly_the_unpaid_balance():
    engine, _ = engine_for("finance")
    payment = FakePayment(amount_pence=150_000, award=FakeAward(state="active", unpaid=150_000))

    engine.apply(payment, "approve", FINANCE, now=NOW)

    assert payment.state == "approved"


def test_the_unpaid_balance_leaves_out_the_payment_being_approved():
    engine, _ = engine_for("finance")
    payment = FakePayment()

    engine.apply(payment, "approve", FINANCE, now=NOW)

    assert payment.award.asked_excluding == [payment]


def test_an_officer_cannot_mark_an_application_eligible_until_screening_passes():
    application = FakeApplication(state="submitted", screening="Screening found problems: Bank details checked.")
    host = FakeHost(roles=frozenset({"officer"}))
    engine = Engine(load_registry(DEFINITIONS, vocabulary()), host, vocabulary())

    with pytest.raises(TransitionRefused) as refused:
        engine.apply(application, "mark_eligible", object())

    assert refused.value.reasons == ["Screening found problems: Bank details checked."]
    assert application.state == "submitted" and host.records == []


def test_a_large_award_waits_for_a_second_approval():
    application = FakeApplication(state="recommended", approvals_missing="Awards above £100,000 need a second approval")
    engine = Engine(
        load_registry(DEFINITIONS, vocabulary()), FakeHost(roles=frozenset({"decision_maker"})), vocabulary()
    )

    options = {o.name: o for o in engine.available(application, object())}

    assert options["approve"].allowed is False
    assert options["approve"].reasons == ["Awards above £100,000 need a second approval"]
