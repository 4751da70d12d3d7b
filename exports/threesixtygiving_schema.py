"""The 360Giving Data Standard 1.4.3, vendored in exports/standards/360giving (CC BY 4.0), as a validator.

The package schema refers to the grant schema by its URL; here that URL is served from the
local file, so validating needs no network. The files say
"$schema": "http://json-schema.org/draft/2020-12/schema" (http, not the official https), so the
dialect is named rather than guessed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

STANDARD = Path(__file__).resolve().parent / "standards" / "360giving"


def _load(name: str) -> Any:
    return json.loads((STANDARD / name).read_text(encoding="utf-8"))


@cache
def validator() -> Draft202012Validator:
    """The package schema with its grant schema (referred to by URL) served locally, formats checked."""
    package = _load("360-giving-package-schema.json")
    grant = DRAFT202012.create_resource(_load("360-giving-schema.json"))
    referred = package["properties"]["grants"]["items"]["$ref"]  # names 1.4.2 while the file says 1.4.3
    registry = Registry().with_resources([(referred, grant), (grant.id() or referred, grant)])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(document: Any) -> list[str]:
    """Every way the document breaks the standard, as 'path: message'; empty when it is valid."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(document)]
