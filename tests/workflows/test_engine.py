"""The engine on a workflow of its own (a help-desk ticket): no grant word, no database, no Flask.

What a host relies on: who may act and why not, reasons, guards, effects after the change, one
record per change, stale versions, timers, state tags and versions side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.workflows.support import ticket_vocabulary
from workflows import Conflict, Engine, ReasonRequired, Registry, TransitionEvent, TransitionRefused
from workflows.definition import parse

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def ticket(version: int = 1) -> dict[str, Any]:
    return {
        "name": "ticket",
        "version": version,
        "initial": "open",
        "states": [
            {"name": "open", "label": "Open"},
            {"name": "waiting", "label": "Waiting for the customer"},
            {"name": "closed", "label": "Closed", "terminal": True, "tags": ["ended"]},
            {"name": "expired", "label": "Expired", "terminal": True, "tags": ["ended"]},
        ],
        "transitions": [
            {"name": "ask", "from": ["open"], "to": "waiting", "roles": ["officer"], "effects": ["email_officers"]},
            {"name": "answer", "from": "waiting", "to": "open", "roles": ["customer"]},
            {"name": "close", "from": ["open", "waiting"], "to": "closed", "roles": ["officer"],
             "conditions": ["has_amount"], "reason_required": True},
            {"name": "expire", "from": ["waiting"], "to": "expired", "roles": ["system"],
             "after": "asked_on + 14 days"},
        ],
    }  # fmt: skip


@dataclass
class Ticket:
    state: str = "open"
    workflow: str = "ticket"
    workflow_version: int = 1
    version_id: int = 1
    amount: int = 1
    asked_on: date | None = None
    state_changed_at: datetime | None = None


@dataclass
class Host:
    roles: frozenset[str] = frozenset()
    records: list[TransitionEvent] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return self.roles

    def record(self, event: TransitionEvent) -> None:
        self.records.append(event)


def engine(*roles: str, versions: tuple[int, ...] = (1,)) -> tuple[Engine, Host]:
    registry = Registry([parse(ticket(v), source=f"ticket.v{v}.toml") for v in versions])
    host = Host(roles=frozenset(roles))
    return Engine(registry, host, ticket_vocabulary(), clock=lambda: NOW), host


def test_apply_changes_the_state_records_it_once_and_then_runs_the_effects():
    eng, host = engine("officer")
    subject = Ticket()

    event = eng.apply(subject, "ask", user="olu")

    assert subject.state == "waiting"
    assert (event.from_state, event.to_state, event.user) == ("open", "waiting", "olu")
    assert host.records == [event]
    assert host.sent == ["ask"]


def test_someone_without_the_role_is_told_who_may_act_in_the_host_s_words():
    eng, host = engine("customer")

    with pytest.raises(TransitionRefused) as refused:
        eng.apply(Ticket(), "ask", user="cat")

    assert refused.value.reasons == ["Only an officer can do this."]
    assert host.records == []


def test_available_lists_each_way_out_with_why_not():
    eng, _ = engine("officer")
    options = {o.name: o for o in eng.available(Ticket(state="waiting"), user="olu")}

    assert options["answer"].reasons == ["Only the customer can do this."]
    assert options["close"].allowed
    assert options["expire"].reasons == ["This happens automatically."]


def test_a_guard_s_sentence_blocks_the_transition():
    eng, _ = engine("officer")

    with pytest.raises(TransitionRefused) as refused:
        eng.apply(Ticket(amount=0), "close", user="olu", reason="Done")

    assert refused.value.reasons == ["Give an amount first."]


def test_a_transition_that_needs_a_reason_is_refused_without_one():
    eng, _ = engine("officer")

    with pytest.raises(ReasonRequired):
        eng.apply(Ticket(), "close", user="olu", reason="   ")


def test_a_stale_version_is_a_conflict_and_changes_nothing():
    eng, host = engine("officer")
    subject = Ticket(version_id=3)

    with pytest.raises(Conflict):
        eng.apply(subject, "ask", user="olu", expected_version=2)

    assert (subject.state, host.records) == ("open", [])


def test_a_timed_transition_falls_due_on_the_local_calendar_and_not_before():
    eng, _ = engine()
    early = Ticket(state="waiting", asked_on=date(2024, 2, 20))
    due = Ticket(state="waiting", asked_on=date(2024, 2, 16))

    assert eng.due_transition(early, now=NOW) is None
    assert eng.due_transition(due, now=NOW).name == "expire"
    with pytest.raises(TransitionRefused):
        eng.apply(early, "expire", user=None)


def test_tagged_states_cover_every_version_of_a_workflow():
    eng, _ = engine(versions=(1, 2))

    assert eng.registry.tagged("ticket", "ended") == {"closed", "expired"}
    assert [d.version for d in eng.registry.versions("ticket")] == [1, 2]


def test_a_running_case_keeps_the_version_it_started_on():
    eng, _ = engine("officer", versions=(1, 2))
    subject = Ticket()
    eng.start(subject, "ticket")

    assert subject.workflow_version == 2
    assert eng.definition_for(Ticket(workflow_version=1)).version == 1
