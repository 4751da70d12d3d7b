"""Question sets as data: a round's application form or a monitoring return's, read from a TOML file and checked.

A question set has sections (each one page and one task on the task list); a section
has questions. Question types: text, textarea (word limit), number, count (a whole number
of people, cases or sessions, 0 or more), money, date, radios, checkboxes, select, file, and
group (a repeating group such as budget lines or Equality Impact Assessment actions).
Choices come from a list of options or from a vocabulary (district, area_of_focus,
priority, theme). `maps_to` copies an answer onto the application for lists and
reports: project_title, amount_requested, people_reached, or terms:<vocabulary>.
`terms_link = true` adds a link to the programme's grant terms to the question's hint (for a
declaration). A date question's hint gets an example made when the page is shown.
`metric` (on a count or money question of a return's form) names the figure of the
metric catalogue (grants/monitoring/metrics.py) its answer is recorded as; a money
answer may be limited by the award (`max = "award.amount"`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

TYPES = {"text", "textarea", "number", "count", "money", "date", "radios", "checkboxes", "select", "file", "group"}
CHOICE_TYPES = {"radios", "checkboxes", "select"}
VOCABULARIES = {"district", "area_of_focus", "priority", "theme"}
MAPS_TO = {"project_title", "amount_requested", "people_reached"} | {f"terms:{v}" for v in VOCABULARIES}
ROUND_LIMITS = {"round.max_grant", "round.min_grant", "award.amount"}
METRIC_TYPES = {"count", "money"}
FILE_KINDS = {"pdf", "docx", "xlsx", "odt", "jpg", "png"}


class QuestionSetError(ValueError):
    """A question set file that cannot be used; the message names the place and the problem."""


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    vocabulary: str | None = None
    max_length: int | None = None
    max_words: int | None = None
    minimum: int | None = None
    maximum: int | str | None = None
    after: str | None = None
    within_delivery_window: bool = False
    maps_to: str | None = None
    fields: tuple[Question, ...] = ()
    min_items: int = 1
    max_items: int = 20
    total_of: str | None = None
    total_label: str = "Total"
    total_max: str | None = None
    accept: tuple[str, ...] = ()
    all_required: bool = False
    error: str | None = None
    after_error: str | None = None
    item_label: str | None = None
    name: str | None = None
    terms_link: bool = False
    metric: str | None = None

    @property
    def noun(self) -> str:
        """What messages call the answer, e.g. 'the project title'."""
        if self.name:
            return self.name
        label = self.label.removesuffix(" (optional)")
        return label[:1].lower() + label[1:] if not label.endswith("?") else "an answer"

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str = ""
    questions: tuple[Question, ...] = ()

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)


@dataclass(frozen=True)
class QuestionSetDefinition:
    name: str
    version: int
    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def next_section(self, key: str) -> Section | None:
        keys = [s.key for s in self.sections]
        index = keys.index(key)
        return self.sections[index + 1] if index + 1 < len(keys) else None


def _question(raw: dict[str, Any], where: str, *, in_group: bool = False) -> Question:
    try:
        key = str(raw["key"])
        kind = str(raw["type"])
        label = str(raw["label"])
    except KeyError as exc:
        raise QuestionSetError(f"{where}: a question is missing '{exc.args[0]}'") from None
    place = f"{where}, question '{key}'"
    if not key.isidentifier():
        raise QuestionSetError(f"{place}: the key must be letters, digits and underscores")
    if kind not in TYPES:
        raise QuestionSetError(f"{place}: unknown type '{kind}' (use one of {', '.join(sorted(TYPES))})")
    if in_group and kind in {"group", "file", "checkboxes"}:
        raise QuestionSetError(f"{place}: a {kind} question cannot sit inside a group")
    options = tuple((str(o["value"]), str(o["label"])) for o in raw.get("options", []))
    vocabulary = raw.get("vocabulary")
    if kind in CHOICE_TYPES and not options and not vocabulary:
        raise QuestionSetError(f"{place}: a {kind} question needs options or a vocabulary")
    if vocabulary is not None and vocabulary not in VOCABULARIES:
        raise QuestionSetError(f"{place}: unknown vocabulary '{vocabulary}'")
    maps_to = raw.get("maps_to")
    if maps_to is not None and maps_to not in MAPS_TO:
        raise QuestionSetError(f"{place}: cannot map to '{maps_to}'")
    maximum = raw.get("max")
    if isinstance(maximum, str) and maximum not in ROUND_LIMITS:
        raise QuestionSetError(f"{place}: max must be a number or one of {', '.join(sorted(ROUND_LIMITS))}")
    total_max = raw.get("total_max")
    if total_max is not None and total_max not in ROUND_LIMITS:
        raise QuestionSetError(f"{place}: total_max must be one of {', '.join(sorted(ROUND_LIMITS))}")
    accept = tuple(str(a) for a in raw.get("accept", sorted(FILE_KINDS) if kind == "file" else []))
    if set(accept) - FILE_KINDS:
        raise QuestionSetError(f"{place}: files may only be {', '.join(sorted(FILE_KINDS))}")
    metric = raw.get("metric")
    if metric is not None and (kind not in METRIC_TYPES or in_group or not str(metric).isidentifier()):
        raise QuestionSetError(f"{place}: only a count or money question (not in a group) can name a metric")
    fields: tuple[Question, ...] = ()
    if kind == "group":
        fields = tuple(_question(f, place, in_group=True) for f in raw.get("fields", []))
        if not fields:
            raise QuestionSetError(f"{place}: a group needs fields")
        total_of = raw.get("total_of")
        if total_of is not None and total_of not in {f.key for f in fields if f.type == "money"}:
            raise QuestionSetError(f"{place}: total_of must name a money field of the group")
    return Question(
        key=key,
        type=kind,
        label=label,
        hint=str(raw.get("hint", "")),
        required=bool(raw.get("required", True)),
        options=options,
        vocabulary=vocabulary,
        max_length=raw.get("max_length"),
        max_words=raw.get("max_words"),
        minimum=raw.get("min"),
        maximum=maximum,
        after=raw.get("after"),
        within_delivery_window=bool(raw.get("within_delivery_window", False)),
        maps_to=maps_to,
        fields=fields,
        min_items=int(raw.get("min_items", 1)),
        max_items=int(raw.get("max_items", 20)),
        total_of=raw.get("total_of"),
        total_label=str(raw.get("total_label", "Total")),
        total_max=total_max,
        accept=accept,
        all_required=bool(raw.get("all_required", False)),
        error=raw.get("error"),
        after_error=raw.get("after_error"),
        item_label=raw.get("item_label"),
        name=raw.get("name"),
        terms_link=bool(raw.get("terms_link", False)),
        metric=metric,
    )


def parse(data: dict[str, Any], source: str = "<memory>") -> QuestionSetDefinition:
    try:
        name = str(data["name"])
        version = int(data["version"])
        title = str(data["title"])
        raw_sections = data["sections"]
    except KeyError as exc:
        raise QuestionSetError(f"{source}: missing '{exc.args[0]}'") from None
    except (TypeError, ValueError) as exc:
        raise QuestionSetError(f"{source}: {exc}") from None
    sections: list[Section] = []
    seen_sections: set[str] = set()
    seen_questions: set[str] = set()
    seen_metrics: set[str] = set()
    for raw in raw_sections:
        key = str(raw.get("key", ""))
        where = f"{source}: section '{key}'"
        if not key.isidentifier():
            raise QuestionSetError(f"{source}: every section needs a key of letters, digits and underscores")
        if key in seen_sections:
            raise QuestionSetError(f"{where} is defined twice")
        seen_sections.add(key)
        questions = tuple(_question(q, where) for q in raw.get("questions", []))
        if not questions:
            raise QuestionSetError(f"{where}: no questions")
        for question in questions:
            if question.key in seen_questions:
                raise QuestionSetError(f"{where}: question '{question.key}' is used twice in the form")
            seen_questions.add(question.key)
            if question.metric:
                if question.metric in seen_metrics:
                    raise QuestionSetError(f"{where}: metric '{question.metric}' is asked twice in the form")
                seen_metrics.add(question.metric)
        keys = {q.key for q in questions}
        for question in questions:
            if question.after and question.after not in keys:
                raise QuestionSetError(f"{where}, question '{question.key}': 'after' must name a date in the section")
        sections.append(
            Section(
                key=key,
                title=str(raw.get("title", key)),
                description=str(raw.get("description", "")),
                questions=questions,
            )
        )
    if not sections:
        raise QuestionSetError(f"{source}: no sections")
    return QuestionSetDefinition(name=name, version=version, title=title, sections=tuple(sections))


def load_text(text: str, source: str) -> tuple[QuestionSetDefinition, dict[str, Any]]:
    """Parse TOML text; returns the definition and the raw data to store."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionSetError(f"{source}: not valid TOML ({exc})") from None
    return parse(data, source), data
