"""The engine knows no grant word: its code names none of the application's roles, cases or programmes."""

import re
from pathlib import Path

import workflows

GRANT_WORDS = [
    "applicant", "assessor", "officer", "finance", "decision_maker", "admin",
    "round", "application", "assessment", "award", "payment", "variation", "contract", "grant",
    "programme", "organisation", "MSCF", "VRU", "MoJ", "West Yorkshire", "submitted_at", "offered_at",
]  # fmt: skip


def test_the_engine_s_code_names_no_grant_word():
    found = []
    for path in sorted(Path(workflows.__file__).parent.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for word in GRANT_WORDS:
                if re.search(rf"\b{re.escape(word)}", line, flags=re.IGNORECASE):
                    found.append(f"{path.name}:{number}: {word}")

    assert found == []


def test_the_engine_ships_no_definitions_of_its_own():
    assert list(Path(workflows.__file__).parent.rglob("*.toml")) == []
