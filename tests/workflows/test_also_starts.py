"""A second way in: a definition may let a case start in another state than `initial` (`also_starts`),
as a customer's own request starts a ticket "requested" while an officer's starts "open". The engine
starts a case there only when the host names it, records who and why, and checks every start."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.workflows.support import ticket_vocabulary
from workflows import Engine, Registry, TransitionEvent
from workflows.definition import parse, problems
from workflows.diagram import diagram

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def ticket(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "ticket",
        "version": 2,
        "initial": "open",
        "also_starts": ["requested"],
        "states": [
            {"name": "requested", "label": "Requested by the customer"},
            {"name": "open", "label": "Open"},
            {"name": "closed", "label": "Closed", "terminal": True},
        ],
        "transitions": [
            {"name": "accept", "from": ["requested"], "to": "open", "roles": ["officer"]},
            {"name": "close", "from": ["open", "requested"], "to": "closed", "roles": ["officer"]},
        ],
    }
    data.update(changes)
    return data


@dataclass
class Ticket:
    state: str | None = None
    workflow: str | None = None
    workflow_version: int | None = None
    state_changed_at: datetime | None = None
    version_id: int = 1


@dataclass
class Host:
    records: list[TransitionEvent] = field(default_factory=list)

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return frozenset({"officer"})

    def record(self, event: TransitionEvent) -> None:
        self.records.append(event)


def _engine(data: dict[str, Any]) -> tuple[Engine, Host]:
    host = Host()
    return Engine(Registry([parse(data, source="ticket.v2.toml")]), host, ticket_vocabulary(), clock=lambda: NOW), host


def test_a_case_starts_in_the_initial_state_unless_the_host_names_another_start():
    eng, host = _engine(ticket())
    usual, asked = Ticket(), Ticket()

    eng.start(usual, "ticket", "olu")
    eng.start(asked, "ticket", "cara", state="requested", reason="  The printer is on fire  ")

    assert (usual.state, asked.state) == ("open", "requested")
    assert [(e.transition, e.from_state, e.to_state, e.user, e.reason) for e in host.records] == [
        ("create", None, "open", "olu", None),
        ("create", None, "requested", "cara", "The printer is on fire"),
    ]
    assert asked.state_changed_at == NOW and asked.workflow_version == 2


def test_starting_in_a_state_the_definition_does_not_list_is_refused_and_changes_nothing():
    eng, host = _engine(ticket())
    subject = Ticket()

    with pytest.raises(
        ValueError, match="ticket version 2 cannot start in 'closed'; it starts in 'open' or 'requested'"
    ):
        eng.start(subject, "ticket", "olu", state="closed")

    assert subject.state is None and host.records == []


def test_a_state_reached_only_from_another_start_is_reachable():
    assert problems(parse(ticket()), ticket_vocabulary()) == []
    without = parse(ticket(also_starts=[]), source="ticket.v2.toml")
    assert problems(without, ticket_vocabulary()) == ["ticket.v2.toml: state 'requested' cannot be reached from 'open'"]


@pytest.mark.parametrize(
    ("starts", "problem"),
    [
        (["asked"], "also_starts names 'asked', which is not a state"),
        (["closed"], "also_starts names terminal state 'closed': a case would start finished"),
    ],
)
def test_another_start_must_be_a_state_a_case_can_go_on_from(starts, problem):
    found = problems(parse(ticket(also_starts=starts), source="ticket.v2.toml"), ticket_vocabulary())

    assert f"ticket.v2.toml: {problem}" in found


def test_the_diagram_draws_an_arrow_into_each_start():
    text = diagram(parse(ticket()), current="requested")

    assert "[*] --> open" in text and "[*] --> requested" in text
    assert text.count("[*] -->") == 2
