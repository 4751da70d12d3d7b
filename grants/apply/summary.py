"""A form's answers (an application's, a return's) as people read them: check-your-answers rows and the email copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from grants.apply.questions import Question, QuestionSetDefinition, Section
from grants.formatting import london_date, money


@dataclass(frozen=True)
class Row:
    section: Section
    question: Question
    text: str


def display(question: Question, value: Any, labels: dict[str, str], documents: dict[str, Any]) -> str:
    """One answer as text: money as £, dates in words, choices by their labels."""
    if question.type == "file":
        document = documents.get(question.key)
        return document.original_name if document else "Not uploaded"
    if value in (None, "", []):
        return "Not answered"
    if question.type == "money":
        return money(value)
    if question.type in ("number", "count"):
        return f"{value:,}"
    if question.type == "date":
        return london_date(date.fromisoformat(value))
    if question.type in {"radios", "select"}:
        return labels.get(value, value)
    if question.type == "checkboxes":
        return "; ".join(labels.get(v, v) for v in value)
    if question.type == "group":
        lines = []
        for item in value:
            parts = [display(sub, item.get(sub.key), labels, documents) for sub in question.fields]
            lines.append(", ".join(parts))
        total = sum(item.get(question.total_of) or 0 for item in value) if question.total_of else None
        if total is not None:
            lines.append(f"{question.total_label}: {money(total)}")
        return "\n".join(lines)
    return str(value)


def rows(
    definition: QuestionSetDefinition,
    answers: dict[str, dict[str, Any]],
    labels: dict[str, str],
    documents: dict[str, Any],
) -> list[tuple[Section, list[Row]]]:
    result = []
    for section in definition.sections:
        values = answers.get(section.key, {})
        result.append(
            (section, [Row(section, q, display(q, values.get(q.key), labels, documents)) for q in section.questions])
        )
    return result


def as_text(grouped: list[tuple[Section, list[Row]]]) -> str:
    lines: list[str] = []
    for section, section_rows in grouped:
        lines += ["", section.title.upper()]
        for row in section_rows:
            lines += [f"{row.question.label}", f"  {row.text.replace(chr(10), chr(10) + '  ')}"]
    return "\n".join(lines).strip()
