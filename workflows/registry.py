"""Every workflow definition, every version, loaded from files and validated against a vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
        return sorted((d for d in self._by_key.values() if d.name == name), key=lambda d: d.version)

    def tagged(self, name: str, tag: str) -> frozenset[str]:
        """The states carrying `tag` in any version of the workflow: running cases keep old versions."""
        return frozenset().union(*(d.tagged(tag) for d in self.versions(name)))

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._by_key})

    def all(self) -> list[Definition]:
        return sorted(self._by_key.values(), key=lambda d: (d.name, d.version))

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.all())


def definition_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def check_files(paths: Iterable[Path], vocabulary: Vocabulary) -> tuple[list[Definition], list[str]]:
    """Load and validate every file; return the definitions and every problem found."""
    definitions: list[Definition] = []
    found: list[str] = []
    for path in paths:
        try:
            definition = load_file(path)
        except DefinitionError as exc:
            found.append(str(exc))
            continue
        found.extend(problems(definition, vocabulary))
        definitions.append(definition)
    if not definitions and not found:
        found.append("no workflow definitions (*.toml)")
    try:
        Registry(definitions)
    except DefinitionError as exc:
        found.append(str(exc))
    return definitions, found


def check_folder(folder: Path, vocabulary: Vocabulary) -> tuple[list[Definition], list[str]]:
    """Every *.toml file of a folder, checked."""
    files = definition_files(folder)
    if not files:
        return [], [f"{folder}: no workflow definitions (*.toml)"]
    return check_files(files, vocabulary)


def load_registry(folder: Path | str, vocabulary: Vocabulary) -> Registry:
    """The registry of a folder, or DefinitionError naming every file and problem."""
    definitions, found = check_folder(Path(folder), vocabulary)
    if found:
        raise DefinitionError("; ".join(found))
    return Registry(definitions)
