"""Mermaid diagrams of workflow definitions, as shown to officers beside a case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from tests.definitions.support import SHIPPED_FILES, shipped, vocabulary
from workflows import Engine
from workflows.definition import load_file, parse
from workflows.diagram import diagram


def application():
    return shipped().get("application", 1)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def state_line(text: str, name: str) -> str:
    [line] = [line for line in lines_of(text) if line.startswith("state ") and line.endswith(f" as {name}")]
    return line


def edge_lines(text: str) -> list[str]:
    return [line for line in lines_of(text) if " --> " in line and "[*]" not in line]


@dataclass
class FakeHost:
    records: list[Any] = field(default_factory=list)

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return frozenset()

    def record(self, event: Any) -> None:
        self.records.append(event)

    def notify(self, context: Any, audience: str) -> None:
        pass


@dataclass
class FakeSubject:
    workflow: str
    workflow_version: int
    state: str
    state_changed_at: datetime | None = None
    version_id: int = 1


def odd_definition():
    return parse(
        {
            "name": "odd",
            "version": 1,
            "initial": "new",
            "states": [
                {"name": "new", "label": 'Stage 1: "new" #1; {draft} [x] <b>'},
                {"name": "done", "label": "Done", "terminal": True},
            ],
            "transitions": [
                {
                    "name": "finish",
                    "label": 'Finish: say "done"; --> now #2',
                    "from": ["new"],
                    "to": "done",
                    "roles": ["officer"],
                }
            ],
        },
        source="odd.toml",
    )


# -- shape ---------------------------------------------------------------------------------------------


def test_a_diagram_is_a_mermaid_state_diagram():
    assert diagram(application()).splitlines()[0] == "stateDiagram-v2"


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_state_appears_in_the_diagram(path):
    definition = load_file(path)
    declared = {line.rsplit(" as ", 1)[1] for line in lines_of(diagram(definition)) if line.startswith('state "')}

    assert declared == set(definition.states)


def test_each_state_is_shown_by_its_label():
    text = diagram(application())

    assert state_line(text, "information_requested") == 'state "More information requested" as information_requested'


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_transition_appears_once_for_each_state_it_leaves(path):
    definition = load_file(path)
    arrows = {line.split(" : ")[0] for line in edge_lines(diagram(definition))}
    expected = {f"{source} --> {t.target}" for t in definition.transitions.values() for source in t.sources}

    assert arrows == expected


def test_each_transition_is_labelled_on_its_arrow():
    text = diagram(application())

    assert "submitted --> eligible : Mark as eligible" in lines_of(text)


def test_a_transition_from_several_states_is_labelled_on_every_arrow():
    text = diagram(application())
    withdraw = [line for line in edge_lines(text) if line.endswith(" : Withdraw application")]

    assert len(withdraw) == len(application().transitions["withdraw"].sources)


def test_the_diagram_starts_at_the_initial_state():
    assert "[*] --> draft" in lines_of(diagram(application()))


def test_the_diagram_has_exactly_one_starting_arrow():
    assert sum(line.startswith("[*] -->") for line in lines_of(diagram(application()))) == 1


def test_every_terminal_state_leads_to_the_end():
    ends = {line.split(" --> ")[0] for line in lines_of(diagram(application())) if line.endswith("--> [*]")}

    assert ends == {"approved", "unsuccessful", "ineligible", "withdrawn"}


def test_an_automatic_transition_says_it_is_automatic_and_when():
    text = diagram(shipped().get("contract", 1))

    assert "delivering --> in_review : Review before the end date (automatic, end_date - 90 days)" in lines_of(text)


def test_a_diagram_ends_with_a_newline():
    assert diagram(application()).endswith("\n")


# -- highlighting the current state -------------------------------------------------------------------


def test_the_current_state_is_highlighted():
    text = diagram(application(), current="submitted")

    assert "class submitted current" in lines_of(text)


def test_the_highlight_style_is_defined_when_a_state_is_highlighted():
    text = diagram(application(), current="submitted")

    assert any(line.startswith("classDef current ") for line in lines_of(text))


def test_nothing_is_highlighted_without_a_current_state():
    assert "current" not in diagram(application())


def test_a_current_state_the_workflow_does_not_have_is_not_highlighted():
    assert "current" not in diagram(application(), current="lost_in_the_post")


def test_the_engine_draws_a_cases_own_workflow_version_with_its_state_highlighted():
    engine = Engine(shipped(), FakeHost(), vocabulary())
    subject = FakeSubject(workflow="application", workflow_version=1, state="eligible")

    assert engine.diagram(subject) == diagram(application(), current="eligible")


# -- awkward labels -----------------------------------------------------------------------------------


def test_quotes_in_a_state_label_cannot_break_out_of_the_state_name():
    line = state_line(diagram(odd_definition()), "new")

    assert line.count('"') == 2


def test_a_colon_in_a_state_label_is_removed():
    label = state_line(diagram(odd_definition()), "new").split('"')[1]

    assert ":" not in label


def test_a_transition_label_has_only_the_one_colon_mermaid_expects():
    [edge] = edge_lines(diagram(odd_definition()))

    assert edge.count(":") == 1


def test_a_transition_label_cannot_start_another_arrow_or_statement():
    [edge] = edge_lines(diagram(odd_definition()))
    label = edge.split(" : ", 1)[1]

    assert re.search(r'-->|[;"#{}\[\]<>]', label) is None


def test_the_words_of_an_awkward_label_survive_sanitising():
    [edge] = edge_lines(diagram(odd_definition()))

    assert edge.split(" : ", 1)[1].split() == ["Finish", "say", "done", "--", "now", "2"]


def test_ordinary_punctuation_in_labels_is_kept():
    text = diagram(shipped().get("contract", 1))

    assert "need_identified --> route_direct_award : Direct award (with written justification)" in lines_of(text)
