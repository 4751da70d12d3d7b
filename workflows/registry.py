"""Every workflow definition, every version, loaded from a folder and validated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workflows.conditions import CONDITIONS
from workflows.definition import Definition, DefinitionError, load_file, problems
from workflows.effects import EFFECTS


class Registry:
    def __init__(self, definitions: list[Definition]):
        self._by_key: dict[tuple[str, int], Definition] = {}
        for definition in definitions:
            if definition.key in self._by_key:
                other = self._by_key[definition.key]
                raise DefinitionError(
                    f"{definition.source}: {definition.name} version {definition.version} "
                    f"is also defined in {other.source}"
                )
            self._by_key[definition.key] = definition

    def get(self, name: str, version: int) -> Definition:
        try:
            return self._by_key[(name, version)]
        except KeyError:
            raise DefinitionError(f"no workflow {name!r} version {version}") from None

    def latest(self, name: str) -> Definition:
        versions = [d for d in self._by_key.values() if d.name == name]
        if not versions:
            raise DefinitionError(f"no workflow named {name!r}")
        return max(versions, key=lambda d: d.version)

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._by_key})

    def all(self) -> list[Definition]:
        return sorted(self._by_key.values(), key=lambda d: (d.name, d.version))

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.all())


def check_folder(folder: Path) -> tuple[list[Definition], list[str]]:
    """Load and validate every *.toml file; return the definitions and every problem found."""
    definitions: list[Definition] = []
    found: list[str] = []
    files = sorted(folder.glob("*.toml"))
    if not files:
        found.append(f"{folder}: no workflow definitions (*.toml)")
    for path in files:
        try:
            definition = load_file(path)
        except DefinitionError as exc:
            found.append(str(exc))
            continue
        found.extend(problems(definition, set(CONDITIONS), set(EFFECTS)))
        definitions.append(definition)
    try:
        Registry(definitions)
    except DefinitionError as exc:
        found.append(str(exc))
    return definitions, found


def load_registry(folder: Path | str) -> Registry:
    """The registry of a folder, or DefinitionError naming every file and problem."""
    definitions, found = check_folder(Path(folder))
    if found:
        raise DefinitionError("; ".join(found))
    return Registry(definitions)
