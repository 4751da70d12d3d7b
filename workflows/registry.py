"""Every workflow definition, every version, loaded from files and validated against a vocabulary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workflows.definition import Definition, DefinitionError, load_file, problems
from workflows.vocabulary import Vocabulary


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
        # A registry never changes once built: what is asked per request is worked out once.
        self._versions: dict[str, list[Definition]] = {}
        self._tagged: dict[tuple[str, str], frozenset[str]] = {}
        self._labels: dict[str, dict[str, str]] = {}

    def get(self, name: str, version: int) -> Definition:
        try:
            return self._by_key[(name, version)]
        except KeyError:
            raise DefinitionError(f"no workflow {name!r} version {version}") from None

    def latest(self, name: str) -> Definition:
        versions = self.versions(name)
        if not versions:
            raise DefinitionError(f"no workflow named {name!r}")
        return versions[-1]

    def versions(self, name: str) -> list[Definition]:
        """Every version of one workflow, oldest first."""
        if name not in self._versions:
            self._versions[name] = sorted((d for d in self._by_key.values() if d.name == name), key=lambda d: d.version)
        return self._versions[name]

    def tagged(self, name: str, tag: str) -> frozenset[str]:
        """The states carrying `tag` in any version of the workflow: running cases keep old versions."""
        key = (name, tag)
        if key not in self._tagged:
            self._tagged[key] = frozenset().union(*(d.tagged(tag) for d in self.versions(name)))
        return self._tagged[key]

    def labels(self, name: str) -> dict[str, str]:
        """Each state's label over every version of the workflow (the newest label wins); do not change it."""
        if name not in self._labels:
            labels: dict[str, str] = {}
            for definition in self.versions(name):
                labels.update({state: s.label for state, s in definition.states.items()})
            self._labels[name] = labels
        return self._labels[name]

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._by_key})

    def all(self) -> list[Definition]:
        return sorted(self._by_key.values(), key=lambda d: (d.name, d.version))

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.all())


def check_folder(folder: Path, vocabulary: Vocabulary) -> tuple[list[Definition], list[str]]:
    """Load and validate every *.toml file of a folder; return the definitions and every problem found."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        return [], [f"{folder}: no workflow definitions (*.toml)"]
    definitions: list[Definition] = []
    found: list[str] = []
    for path in files:
        try:
            definition = load_file(path)
        except DefinitionError as exc:
            found.append(str(exc))
            continue
        found.extend(problems(definition, vocabulary))
        definitions.append(definition)
    try:
        Registry(definitions)
    except DefinitionError as exc:
        found.append(str(exc))
    return definitions, found


def load_registry(folder: Path | str, vocabulary: Vocabulary) -> Registry:
    """The registry of a folder, or DefinitionError naming every file and problem."""
    definitions, found = check_folder(Path(folder), vocabulary)
    if found:
        raise DefinitionError("; ".join(found))
    return Registry(definitions)
