"""Filling in one section of an application: load, save as you go, upload, and finish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage, MultiDict

from grants import audit
from grants.apply import formbuilder, uploads
from grants.apply.questions import Question, QuestionSetDefinition, Section
from grants.apply.services import (
    NotAllowed,
    accepts_submissions,
    definition_for,
    documents_of,
    now,
    vocabularies,
)
from grants.extensions import db
from grants.formatting import london, london_day, whole_number
from grants.models import Application, ApplicationSection, ApplicationTerm, Document, Term
from grants.models.applications import COMPLETED, IN_PROGRESS

CONTINUE, LATER = "continue", "later"
# Where "Save and continue" may go back to instead of the next section (the page maps each to a URL).
RETURNS = frozenset({"check"})


def return_to(value: str | None) -> str | None:
    """A known place to go back to after saving ("check": check your answers); anything else is ignored."""
    return value if value in RETURNS else None


@dataclass
class SectionPage:
    """Everything the section page shows: the form, its errors, and where the user goes next."""

    application: Application
    definition: QuestionSetDefinition
    section: Section
    form: Any
    version_id: int
    errors: list[dict[str, str]] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    saved: bool = False
    next_section: Section | None = None
    notice: str | None = None
    return_to: str | None = None
    moved_to: str | None = None  # after adding or removing a line, or removing a file: the id to show

    @property
    def has_terms_link(self) -> bool:
        return any(question.terms_link for question in self.section.questions)

    def group_total(self, question: Question) -> int:
        return formbuilder.group_total(self.form, question)


def _has_files(section: Section) -> bool:
    return any(question.type == "file" for question in section.questions)


def _context(application: Application, documents: dict[str, Document]) -> formbuilder.FormContext:
    round_ = application.round
    return formbuilder.FormContext(
        vocabularies=vocabularies(),
        max_grant_pence=round_.max_grant_pence,
        min_grant_pence=round_.min_grant_pence,
        delivery_starts_on=round_.delivery_starts_on,
        delivery_ends_on=round_.delivery_ends_on,
        documents=documents,
        today=london_day(now()),
    )


def _row(application: Application, key: str) -> ApplicationSection | None:
    return db.session.scalar(
        select(ApplicationSection).where(
            ApplicationSection.application_id == application.id, ApplicationSection.section_key == key
        )
    )


def editable(application: Application) -> bool:
    return application.state == "draft" and accepts_submissions(application.round)


def load(application: Application, key: str, back_to: str | None = None) -> SectionPage:
    """The section as saved. No errors are shown until the user presses a button: a section
    saved part-way says so on the task list ("In progress"), not with a list of problems."""
    definition = definition_for(application)
    try:
        section = definition.section(key)
    except KeyError:
        raise LookupError(key) from None
    row = _row(application, key)
    raw = row.answers.get("raw", {}) if row else {}
    documents = documents_of(application) if _has_files(section) else {}
    page = _page(application, definition, section, raw, documents, row.version_id if row else 0)
    page.return_to = return_to(back_to)
    return page


def _page(
    application: Application,
    definition: QuestionSetDefinition,
    section: Section,
    raw: dict[str, list[str]],
    documents: dict[str, Document],
    version_id: int,
) -> SectionPage:
    """The section's page: its form filled with what was typed (`raw`), and the documents uploaded to it."""
    form = formbuilder.build_form(section, _context(application, documents), formbuilder.formdata_from_raw(raw))
    return SectionPage(
        application,
        definition,
        section,
        form,
        version_id,
        documents=documents,
        next_section=definition.next_section(section.key),
    )


def _check(page: SectionPage) -> bool:
    context = _context(page.application, page.documents)
    valid = page.form.validate()
    page.problems = formbuilder.check_section(page.form, page.section, context)
    page.errors = formbuilder.error_list(page.form, page.section, page.problems)
    return valid and not page.problems


def save(
    user: Any,
    application: Application,
    key: str,
    formdata: MultiDict,
    files: MultiDict,
    action: str,
    expected_version: int,
    back_to: str | None = None,
) -> SectionPage:
    """Keep what was typed; upload any files; mark the section completed when it all checks out.

    Raises NotAllowed if the application can no longer be changed.
    """
    if not editable(application):
        raise NotAllowed(_locked_reason(application))
    definition = definition_for(application)
    section = definition.section(key)
    raw = formbuilder.raw_from_formdata(formdata)
    moved_to = None
    for question in section.questions:
        if question.type == "group":
            if action == f"add-{question.key}":
                raw = formbuilder.add_entry(raw, question)
                moved_to = formbuilder.entry_id(question, formbuilder.entry_count(raw, question) - 1)
            elif action.startswith(f"remove-{question.key}-"):
                index = whole_number(action.rsplit("-", 1)[1])
                if index is not None:
                    raw = formbuilder.remove_entry(raw, question, index)
                moved_to = question.key
    documents = documents_of(application) if _has_files(section) else {}
    upload_problems: dict[str, str] = {}
    for question in section.questions:
        if question.type == "file":
            if action == f"delete-{question.key}" and question.key in documents:
                _delete_document(user, application, documents.pop(question.key))
                moved_to = question.key
            upload: FileStorage | None = files.get(question.key)
            if upload is not None and upload.filename:
                try:
                    documents[question.key] = _store_document(user, application, question, upload, documents)
                except uploads.UploadError as exc:
                    upload_problems[question.key] = str(exc)
    page = _page(application, definition, section, raw, documents, expected_version)
    page.return_to = return_to(back_to)
    row = _row(application, key)
    current_version = row.version_id if row else 0
    if current_version != expected_version:
        page.version_id = current_version
        page.notice = (
            "Someone else in your organisation saved this section while you were editing it. "
            "What you typed is below and has not been saved: check it against theirs, then save again."
        )
        _check(page)
        return page
    complete = _check(page) and not upload_problems
    for question_key, message in upload_problems.items():
        page.problems[question_key] = message
        page.errors.append({"text": message, "href": f"#{question_key}"})
    if action not in (CONTINUE, LATER):
        page.errors, page.problems = ([], {}) if not upload_problems else (page.errors, page.problems)
    values = formbuilder.values_from_form(page.form, section) if complete else None
    try:
        page.version_id = _persist(user, application, section, row, raw, values)
    except StaleDataError:
        db.session.rollback()
        page.notice = (
            "Someone else in your organisation saved this section while you were editing it. "
            "What you typed is below and has not been saved: check it, then save again."
        )
        return page
    page.saved = action in (CONTINUE, LATER) and (complete or action == LATER)
    if action not in (CONTINUE, LATER) and not upload_problems:
        page.moved_to = moved_to or section.key  # saved as typed: show the page again, at the change
    return page


def _persist(
    user: Any,
    application: Application,
    section: Section,
    row: ApplicationSection | None,
    raw: dict[str, list[str]],
    values: dict[str, Any] | None,
) -> int:
    if row is None:
        row = ApplicationSection(application_id=application.id, section_key=section.key, answers={})
        db.session.add(row)
    row.answers = {"raw": raw, "values": values or {}}
    row.status = COMPLETED if values is not None else IN_PROGRESS
    row.updated_at = now()
    row.updated_by_id = user.id
    if values is not None:
        _copy_to_application(application, section, values)
    db.session.flush()
    version = row.version_id
    db.session.commit()
    return version


def _copy_to_application(application: Application, section: Section, values: dict[str, Any]) -> None:
    """Answers that lists and reports need: title, amount, reach, and the tags (districts, areas...)."""
    for question in section.questions:
        if not question.maps_to:
            continue
        value = values.get(question.key)
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
            chosen = db.session.scalars(
                select(Term.id).where(Term.vocabulary == vocabulary, Term.code.in_(value or []))
            ).all()
            db.session.add_all(ApplicationTerm(application_id=application.id, term_id=t) for t in chosen)


def _store_document(
    user: Any, application: Application, question: Question, upload: FileStorage, documents: dict[str, Document]
) -> Document:
    checked = uploads.check(upload.stream, question.accept, question.label)
    stored = uploads.store(current_app.config["UPLOAD_FOLDER"], checked)
    if question.key in documents:
        _delete_document(user, application, documents[question.key])
    document = Document(
        application_id=application.id,
        question_key=question.key,
        original_name=(upload.filename or "upload")[:255],
        stored_name=stored,
        content_type=checked.content_type,
        size_bytes=len(checked.content),
        sha256=checked.sha256,
        uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record_on(
        application,
        actor=user,
        action="upload_document",
        data={"question": question.key, "file": document.original_name, "sha256": document.sha256},
    )
    db.session.commit()
    return document


def _delete_document(user: Any, application: Application, document: Document) -> None:
    audit.record_on(
        application,
        actor=user,
        action="remove_document",
        data={"question": document.question_key, "file": document.original_name},
    )
    db.session.delete(document)
    db.session.commit()


def _locked_reason(application: Application) -> str:

    if application.state != "draft":
        return "This application has been submitted, so it can no longer be changed."
    closed = london(application.round.closes_at)
    return f"This round closed on {closed}. Your draft is kept but cannot be changed or submitted."


def locked_reason(application: Application) -> str:
    return _locked_reason(application)
