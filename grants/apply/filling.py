"""What the form engine fills: a form holder (an application, a monitoring return) seen through one adapter.

The engine (sections.py: load, save, upload, finish) knows nothing of applications or returns: it asks
a `Filling` for the holder's form (its question set), its saved section rows and documents, whether
it may be changed and why not, what the form is checked against (the round's or the award's limits and
dates), and what to copy out when a section is completed (an application's title and amount; a return's
metric figures). Each holder has its own adapter: `ApplicationFilling` here, `ReturnFilling` in
grants/returns.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import url_for
from sqlalchemy import Integer, bindparam, delete, insert, inspect, literal, select

from grants.apply import formbuilder
from grants.apply.questions import QuestionSetDefinition, Section
from grants.apply.services import accepts_submissions, definition_for, documents_of, now, vocabularies
from grants.extensions import db
from grants.formatting import london, london_day
from grants.models import Application, ApplicationSection, ApplicationTerm, Document, Term


class Filling:
    """A form holder as the engine sees it. Subclasses answer each question for their kind of holder."""

    holder: Any
    endpoint: str  # the blueprint whose pages fill this holder: "apply", "returns"
    id_arg: str  # the URL argument naming the holder: "application_id", "return_id"
    section_model: Any  # the model of one section's answers (ApplicationSection, ReturnSection)
    holder_column: str  # that model's (and Document's) column naming the holder

    def definition(self) -> QuestionSetDefinition:
        raise NotImplementedError

    def editable(self) -> bool:
        raise NotImplementedError

    def locked_reason(self) -> str:
        raise NotImplementedError

    def context(self, documents: dict[str, Document]) -> formbuilder.FormContext:
        return formbuilder.FormContext(vocabularies=vocabularies(), documents=documents)

    def completed(self, user: Any, section: Section, values: dict[str, Any]) -> None:
        """Copy what lists and reports need out of a completed section's answers (nothing by default)."""

    def completed_again(
        self, user: Any, section: Section, values: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        """completed(), told the section's answers as it was last completed (None: it was not)."""
        self.completed(user, section, values)

    @property
    def caption(self) -> str:
        """The line above a section's heading."""
        return ""

    # -- rows and documents: the same for every holder, by its column ------------------------------
    def row(self, key: str) -> Any | None:
        query = _row_query(self.section_model, self.holder_column)
        return db.session.scalar(query, {"holder_id": self.holder.id, "key": key})

    def new_row(self, key: str) -> Any:
        row = self.section_model(section_key=key, answers={}, **{self.holder_column: self.holder.id})
        db.session.add(row)
        return row

    def forget_loaded_rows(self) -> None:
        """After a save's commit, which keeps what the session holds (grants.apply.sections), a list of the
        holder's section rows loaded before it would miss a row the save added: it is read afresh next
        time it is asked for (no statement if it is not)."""
        state = inspect(self.holder)
        for relationship in state.mapper.relationships:
            if relationship.mapper.class_ is self.section_model and relationship.key not in state.unloaded:
                db.session.expire(self.holder, [relationship.key])

    def rows(self) -> dict[str, Any]:
        model = self.section_model
        return {
            row.section_key: row
            for row in db.session.scalars(select(model).where(getattr(model, self.holder_column) == self.holder.id))
        }

    def documents(self) -> dict[str, Document]:
        column = getattr(Document, self.holder_column)
        return {
            d.question_key: d
            for d in db.session.scalars(select(Document).where(column == self.holder.id).order_by(Document.id))
        }

    def new_document(self, **fields: Any) -> Document:
        return Document(**{self.holder_column: self.holder.id}, **fields)

    # -- where its pages are ---------------------------------------------------------------------
    def url(self, page: str, **values: Any) -> str:
        """A page of this holder's journey: "show", "section" (key=…), "check", "document" (document_id=…)."""
        return url_for(f"{self.endpoint}.{page}", **{self.id_arg: self.holder.id}, **values)


class ApplicationFilling(Filling):
    """An application: filled while a draft in a round that is open; its sections copy the title,
    the amount asked for, the people it will reach and its tags onto the application."""

    endpoint = "apply"
    id_arg = "application_id"
    section_model = ApplicationSection
    holder_column = "application_id"

    def __init__(self, application: Application):
        self.holder = application

    @property
    def application(self) -> Application:
        return self.holder

    def definition(self) -> QuestionSetDefinition:
        return definition_for(self.application)

    def editable(self) -> bool:
        return self.application.state == "draft" and accepts_submissions(self.application.round)

    def locked_reason(self) -> str:
        application = self.application
        if application.state != "draft":
            return "This application has been submitted, so it can no longer be changed."
        closed = london(application.round.closes_at)
        return f"This round closed on {closed}. Your draft is kept but cannot be changed or submitted."

    def context(self, documents: dict[str, Document]) -> formbuilder.FormContext:
        round_ = self.application.round
        return formbuilder.FormContext(
            vocabularies=vocabularies(),
            max_grant_pence=round_.max_grant_pence,
            min_grant_pence=round_.min_grant_pence,
            delivery_starts_on=round_.delivery_starts_on,
            delivery_ends_on=round_.delivery_ends_on,
            documents=documents,
            today=london_day(now()),
        )

    @property
    def caption(self) -> str:
        return self.application.round.title

    def documents(self) -> dict[str, Document]:
        return documents_of(self.application)

    def url(self, page: str, **values: Any) -> str:
        endpoint = {"show": "application"}.get(page, page)
        return url_for(f"apply.{endpoint}", application_id=self.application.id, **values)

    def completed(self, user: Any, section: Section, values: dict[str, Any]) -> None:
        """Answers that lists and reports need: title, amount, reach, and the tags (districts, areas...)."""
        self.completed_again(user, section, values, None)

    def completed_again(
        self, user: Any, section: Section, values: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        """As completed(); tags the section gave last time it was completed are not written again when
        they are the same (where no other question of the form gives tags of that vocabulary)."""
        application = self.application
        for question in section.questions:
            if not question.maps_to:
                continue
            value = values.get(question.key)
            if (
                question.maps_to.startswith("terms:")
                and before is not None
                and question.key in before
                and before[question.key] == value
                and self._only_question_mapping(question.maps_to)
            ):
                continue
            if question.maps_to == "project_title":
                application.project_title = value or ""
            elif question.maps_to == "people_reached":
                application.people_reached = value
            elif question.maps_to == "amount_requested":
                if question.type == "group":
                    value = sum(item.get(question.total_of) or 0 for item in value or [])
                application.amount_requested_pence = value or 0
            elif question.maps_to.startswith("terms:"):
                vocabulary = question.maps_to.split(":", 1)[1]
                term_ids = select(Term.id).where(Term.vocabulary == vocabulary)
                db.session.execute(
                    delete(ApplicationTerm).where(
                        ApplicationTerm.application_id == application.id, ApplicationTerm.term_id.in_(term_ids)
                    )
                )
                if value:
                    chosen = select(literal(application.id, Integer), Term.id).where(
                        Term.vocabulary == vocabulary, Term.code.in_(value)
                    )
                    db.session.execute(insert(ApplicationTerm).from_select(["application_id", "term_id"], chosen))

    def _only_question_mapping(self, maps_to: str) -> bool:
        questions = (q for s in self.definition().sections for q in s.questions)
        return sum(1 for q in questions if q.maps_to == maps_to) == 1


@cache
def _row_query(model: Any, holder_column: str) -> Any:
    """One section's row of a holder, as a statement built once per kind of holder (each page runs it)."""
    return select(model).where(
        getattr(model, holder_column) == bindparam("holder_id"), model.section_key == bindparam("key")
    )


def filling_of(holder: Application | Filling) -> Filling:
    """The engine's view of a holder: an application gets its adapter; a Filling is itself."""
    return holder if isinstance(holder, Filling) else ApplicationFilling(holder)
