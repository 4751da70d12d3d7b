"""Reference data that does not change with a round, read from grants/setup/reference.toml.

`grantflow setup` (grants.setup.seed) puts it in the database; the districts are also read from here
by code that must know them without the database (organisation details, the 360Giving export).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).resolve().parent / "setup" / "reference.toml"


@cache
def reference_data() -> dict[str, Any]:
    """The reference file as read: `programmes` (a list of tables) and `vocabularies` (name -> terms)."""
    return tomllib.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


# (code, name, ONS local authority code)
WEST_YORKSHIRE_DISTRICTS: list[tuple[str, str, str]] = [
    (term["code"], term["label"], term["external_code"]) for term in reference_data()["vocabularies"]["district"]
]
DISTRICT_NAMES: dict[str, str] = {code: name for code, name, _ons in WEST_YORKSHIRE_DISTRICTS}
