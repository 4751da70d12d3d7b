"""Workflow definitions: broken ones are refused with a clear message naming the file and the name.

Broken definitions are written into pytest's tmp_path as TOML files, so each refusal goes through
the same loading and checking (registry.check_folder / load_registry) the application uses.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from tests.workflows.support import ticket_vocabulary as vocabulary
from workflows import Vocabulary
from workflows.definition import DefinitionError, Timer, parse, problems
from workflows.registry import Registry, check_folder, load_registry

# The smallest sound definition; each test breaks one thing in it.
VALID = """\
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

FILE = "ticket.v1.toml"


def write(folder: Path, text: str, filename: str = FILE) -> Path:
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str) -> str:
    """VALID with exactly one piece of text replaced (so a typo in a test cannot pass silently)."""
    assert VALID.count(old) == 1, f"{old!r} is not in VALID exactly once"
    return VALID.replace(old, new)


def folder_problems(folder: Path) -> list[str]:
    _, found = check_folder(folder, vocabulary())
    return found


def test_the_minimal_definition_these_tests_break_is_itself_sound(tmp_path):
    write(tmp_path, VALID)

    assert folder_problems(tmp_path) == []


def test_two_versions_of_the_same_workflow_can_live_side_by_side(tmp_path):
    write(tmp_path, VALID)
    write(tmp_path, changed("version = 1", "version = 2"), "ticket.v2.toml")

    registry = load_registry(tmp_path, vocabulary())

    assert [d.version for d in registry.all()] == [1, 2]


# -- refusing broken definitions -----------------------------------------------------------------


def test_a_transition_from_an_unknown_state_is_refused(tmp_path):
    write(tmp_path, changed('from = ["open"]', 'from = ["opne"]'))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' starts from unknown state 'opne'"]


def test_a_transition_to_an_unknown_state_is_refused(tmp_path):
    write(tmp_path, changed('to = "closed"', 'to = "shut"'))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' goes to unknown state 'shut'"]


def test_a_transition_for_an_unknown_role_is_refused(tmp_path):
    write(tmp_path, changed('roles = ["officer"]', 'roles = ["officer", "janitor"]'))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' names unknown role 'janitor'"]


def test_a_transition_nobody_may_apply_is_refused(tmp_path):
    write(tmp_path, changed('roles = ["officer"]', "roles = []"))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' names no role"]


def test_a_transition_guarded_by_an_unknown_condition_is_refused(tmp_path):
    write(tmp_path, VALID + 'conditions = ["moon_is_full"]\n')

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' names unknown condition 'moon_is_full'"]


def test_a_transition_with_an_unknown_effect_is_refused(tmp_path):
    write(tmp_path, VALID + 'effects = ["send_fax"]\n')

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' names unknown effect 'send_fax'"]


def test_a_state_that_can_never_be_reached_is_refused(tmp_path):
    write(tmp_path, VALID + '\n[[states]]\nname = "archived"\nterminal = true\n')

    assert folder_problems(tmp_path) == [f"{FILE}: state 'archived' cannot be reached from 'open'"]


def test_a_state_that_is_not_terminal_but_has_no_way_out_is_refused(tmp_path):
    write(
        tmp_path,
        VALID
        + '\n[[states]]\nname = "stuck"\n'
        + '\n[[transitions]]\nname = "get_stuck"\nfrom = ["open"]\nto = "stuck"\nroles = ["officer"]\n',
    )

    assert folder_problems(tmp_path) == [f"{FILE}: state 'stuck' is not terminal but has no way out"]


def test_a_transition_out_of_a_terminal_state_is_refused(tmp_path):
    write(
        tmp_path,
        VALID + '\n[[transitions]]\nname = "reopen"\nfrom = ["closed"]\nto = "open"\nroles = ["officer"]\n',
    )

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'reopen' leaves terminal state 'closed'"]


def test_a_timed_transition_the_system_may_not_apply_is_refused(tmp_path):
    write(tmp_path, VALID + 'after = "closes_at"\n')

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' is timed but 'system' may not apply it"]


def test_a_timed_transition_the_system_may_apply_is_accepted(tmp_path):
    write(tmp_path, changed('roles = ["officer"]', 'roles = ["system"]') + 'after = "closes_at"\n')

    assert folder_problems(tmp_path) == []


@pytest.mark.parametrize("timer", ["closes_at + 3 weeks", "next tuesday", "closes_at +", "closes_at + 1.5 days"])
def test_a_timer_that_cannot_be_read_is_refused(tmp_path, timer):
    write(tmp_path, changed('roles = ["officer"]', 'roles = ["system"]') + f'after = "{timer}"\n')

    assert folder_problems(tmp_path) == [
        f"{FILE}: transition 'close': cannot read timer {timer!r}; write e.g. 'closes_at' or 'due_date + 7 days'"
    ]


def test_a_file_that_is_not_valid_toml_is_refused(tmp_path):
    write(tmp_path, VALID.replace('name = "ticket"', 'name = "ticket'))

    [problem] = folder_problems(tmp_path)

    assert problem.startswith(f"{FILE}: not valid TOML (")


def test_two_files_defining_the_same_workflow_version_are_refused(tmp_path):
    write(tmp_path, VALID, "ticket.v1.toml")
    write(tmp_path, VALID, "ticket.v1-copy.toml")

    assert folder_problems(tmp_path) == ["ticket.v1.toml: ticket version 1 is also defined in ticket.v1-copy.toml"]


def test_a_registry_refuses_two_definitions_of_the_same_workflow_version():
    first = parse(_valid_data(), source="a.toml")
    second = parse(_valid_data(), source="b.toml")

    with pytest.raises(DefinitionError, match=r"^b\.toml: ticket version 1 is also defined in a\.toml$"):
        Registry([first, second])


def test_an_initial_state_that_does_not_exist_is_refused(tmp_path):
    write(tmp_path, changed('initial = "open"', 'initial = "new"'))

    assert folder_problems(tmp_path) == [f"{FILE}: initial state 'new' is not a state"]


def test_a_state_defined_twice_is_refused(tmp_path):
    write(tmp_path, VALID + '\n[[states]]\nname = "open"\n')

    assert folder_problems(tmp_path) == [f"{FILE}: state 'open' is defined twice"]


def test_a_transition_defined_twice_is_refused(tmp_path):
    write(
        tmp_path,
        VALID + '\n[[transitions]]\nname = "close"\nfrom = ["open"]\nto = "closed"\nroles = ["officer"]\n',
    )

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close' is defined twice"]


def test_a_transition_without_a_destination_is_refused(tmp_path):
    write(tmp_path, changed('to = "closed"\n', ""))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close': missing 'to'"]


def test_a_transition_without_a_starting_state_is_refused(tmp_path):
    write(tmp_path, changed('from = ["open"]\n', ""))

    assert folder_problems(tmp_path) == [f"{FILE}: transition 'close': missing 'from'"]


def test_a_definition_without_a_name_is_refused(tmp_path):
    write(tmp_path, changed('name = "ticket"\n', ""))

    assert folder_problems(tmp_path) == [f"{FILE}: missing 'name'"]


def test_a_definition_without_states_is_refused(tmp_path):
    write(tmp_path, 'name = "ticket"\nversion = 1\ninitial = "open"\nstates = []\n')

    assert folder_problems(tmp_path) == [f"{FILE}: no states"]


def test_an_empty_folder_is_reported(tmp_path):
    assert folder_problems(tmp_path) == [f"{tmp_path}: no workflow definitions (*.toml)"]


def test_a_version_that_is_not_a_number_is_reported_with_the_file_name(tmp_path):
    write(tmp_path, changed("version = 1", 'version = "one"'))

    [problem] = folder_problems(tmp_path)

    assert problem.startswith(f"{FILE}: ")


def test_a_broken_file_does_not_hide_the_problems_of_the_others(tmp_path):
    write(tmp_path, "this is = = not toml", "a-broken.toml")
    write(tmp_path, changed('to = "closed"', 'to = "shut"'), "b-ticket.toml")

    found = folder_problems(tmp_path)

    assert [p.split(":")[0] for p in found] == ["a-broken.toml", "b-ticket.toml"]


def test_loading_a_folder_with_problems_raises_naming_every_file_and_problem(tmp_path):
    write(tmp_path, changed('to = "closed"', 'to = "shut"'), "a.toml")
    write(
        tmp_path,
        changed('roles = ["officer"]', 'roles = ["janitor"]').replace("version = 1", "version = 2"),
        "b.toml",
    )

    with pytest.raises(DefinitionError) as refused:
        load_registry(tmp_path, vocabulary())

    assert str(refused.value) == (
        "a.toml: transition 'close' goes to unknown state 'shut'; "
        "b.toml: transition 'close' names unknown role 'janitor'"
    )


# -- problems() on its own --------------------------------------------------------------------------


def _valid_data() -> dict:
    return {
        "name": "ticket",
        "version": 1,
        "initial": "open",
        "states": [{"name": "open"}, {"name": "closed", "terminal": True}],
        "transitions": [
            {
                "name": "close",
                "from": "open",
                "to": "closed",
                "roles": ["officer"],
                "conditions": ["has_amount"],
                "effects": ["email_officers"],
            }
        ],
    }


def test_problems_checks_conditions_and_effects_against_the_names_it_is_given():
    definition = parse(_valid_data(), source="ticket.toml")

    assert problems(definition, Vocabulary()) == [
        "ticket.toml: transition 'close' names unknown role 'officer'",
        "ticket.toml: transition 'close' names unknown condition 'has_amount'",
        "ticket.toml: transition 'close' names unknown effect 'email_officers'",
    ]


def test_problems_accepts_a_definition_whose_conditions_and_effects_are_registered():
    definition = parse(_valid_data(), source="ticket.toml")

    assert problems(definition, vocabulary()) == []


def test_a_single_from_state_may_be_written_as_a_plain_string():
    definition = parse(_valid_data())

    assert definition.transitions["close"].sources == ("open",)


def test_labels_default_to_the_name_in_sentence_case():
    data = _valid_data()
    data["states"].append({"name": "on_hold"})

    definition = parse(data)

    assert definition.states["on_hold"].label == "On hold"


# -- timers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "offset"),
    [
        ("closes_at", "closes_at", timedelta()),
        ("due_date + 1 day", "due_date", timedelta(days=1)),
        ("due_date + 7 days", "due_date", timedelta(days=7)),
        ("end_date - 90 days", "end_date", timedelta(days=-90)),
        ("opens_at + 2 hours", "opens_at", timedelta(hours=2)),
        ("opens_at - 30 minutes", "opens_at", timedelta(minutes=-30)),
        ("  due_date+1day  ", "due_date", timedelta(days=1)),
    ],
)
def test_a_timer_is_read_as_a_field_plus_an_offset(text, field, offset):
    assert Timer.parse(text) == Timer(field=field, offset=offset)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("closes_at", "closes_at"),
        ("end_date - 90 days", "end_date - 90 days"),
        ("opens_at + 2 hours", "opens_at + 120 minutes"),
        ("opens_at - 30 minutes", "opens_at - 30 minutes"),
    ],
)
def test_a_timer_is_shown_in_the_form_it_was_written(text, shown):
    assert str(Timer.parse(text)) == shown


@pytest.mark.parametrize(
    "text",
    ["closes_at", "due_date + 1 day", "end_date - 90 days", "opens_at + 2 hours", "opens_at - 90 minutes"],
)
def test_a_timer_as_shown_can_be_read_back_unchanged(text):
    timer = Timer.parse(text)

    assert Timer.parse(str(timer)) == timer
