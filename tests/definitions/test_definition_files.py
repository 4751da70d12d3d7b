"""The shipped grant workflow definitions are sound against the application's vocabulary."""

import pytest

from tests.definitions.support import DEFINITIONS, SHIPPED_FILES, vocabulary
from workflows.definition import load_file, problems
from workflows.registry import check_folder, load_registry

# -- the shipped definitions -----------------------------------------------------------------------


def test_every_shipped_workflow_loads_into_the_registry():
    registry = load_registry(DEFINITIONS, vocabulary())

    assert registry.names() == [
        "application",
        "assessment",
        "award",
        "contract",
        "monitoring_return",
        "payment",
        "round",
        "variation",
    ]


def test_the_shipped_definitions_folder_has_no_problems():
    definitions, found = check_folder(DEFINITIONS, vocabulary())

    assert found == []
    assert len(definitions) == len(SHIPPED_FILES)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_each_shipped_definition_is_sound(path):
    definition = load_file(path)

    assert problems(definition, vocabulary()) == []


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_each_shipped_file_name_matches_the_workflow_and_version_inside_it(path):
    definition = load_file(path)

    assert path.name == f"{definition.name}.v{definition.version}.toml"
