"""Loading a question set (an application form) from a TOML file, and giving it to a round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from grants import audit
from grants.apply.questions import QuestionSetError, load_text
from grants.extensions import db
from grants.models import Application, QuestionSet, Round

SHIPPED = Path(__file__).resolve().parent / "question_sets"


def load_question_set(text: str, source: str, user: Any = None) -> QuestionSet:
    """Store a new question set version; the same name and version again must be the same form."""
    definition, data = load_text(text, source)
    existing = db.session.scalar(
        select(QuestionSet).where(QuestionSet.name == definition.name, QuestionSet.version == definition.version)
    )
    if existing is not None:
        if existing.definition != data:
            raise QuestionSetError(
                f"{source}: {definition.name} version {definition.version} is already loaded with different "
                "questions; give the changed form a new version number"
            )
        return existing
    question_set = QuestionSet(
        name=definition.name,
        version=definition.version,
        title=definition.title,
        definition=data,
        loaded_by_id=getattr(user, "id", None),
    )
    db.session.add(question_set)
    db.session.flush()
    audit.record(
        actor=user,
        subject_type="question_set",
        subject_id=question_set.id,
        subject_reference=f"{definition.name} v{definition.version}",
        action="load_question_set",
    )
    db.session.commit()
    return question_set


def load_shipped(name: str) -> QuestionSet:
    path = SHIPPED / f"{name}.toml"
    return load_question_set(path.read_text(encoding="utf-8"), path.name)


def use_for_round(round_code: str, question_set: QuestionSet, user: Any = None) -> Round:
    """Give a round this form. Applications already started keep the form they started on."""
    round_ = db.session.scalar(select(Round).where(Round.code == round_code))
    if round_ is None:
        raise QuestionSetError(f"no round {round_code}")
    before = round_.question_set_id
    round_.question_set_id = question_set.id
    db.session.flush()
    audit.record_on(
        round_,
        actor=user,
        action="set_question_set",
        data={"from": before, "to": question_set.id},
    )
    db.session.commit()
    return round_


def applications_started(round_: Round) -> int:

    return (
        db.session.scalar(select(func.count()).select_from(Application).where(Application.round_id == round_.id)) or 0
    )
