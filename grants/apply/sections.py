"""Filling in one section of a form: load, save as you go, upload, and finish.

The form's holder (an application, a monitoring return) is reached through its `Filling`
(grants/apply/filling.py); an Application passed in gets its own adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage, MultiDict

from grants import audit
from grants.apply import formbuilder, uploads
from grants.apply.filling import Filling, filling_of
from grants.apply.questions import Question, QuestionSetDefinition, Section
from grants.apply.services import NotAllowed, now
from grants.extensions import db
from grants.formatting import whole_number
from grants.models import Application, Document
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

    filling: Filling
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

    @property
    def application(self) -> Any:
        """The form's holder (named for the application pages that came first)."""
        return self.filling.holder

    @property
    def holder(self) -> Any:
        return self.filling.holder


def _has_files(section: Section) -> bool:
    return any(question.type == "file" for question in section.questions)


def editable(holder: Application | Filling) -> bool:
    return filling_of(holder).editable()


def load(holder: Application | Filling, key: str, back_to: str | None = None) -> SectionPage:
    """The section as saved. No errors are shown until the user presses a button: a section
    saved part-way says so on the task list ("In progress"), not with a list of problems."""
    filling = filling_of(holder)
    definition = filling.definition()
    try:
        section = definition.section(key)
    except KeyError:
        raise LookupError(key) from None
    row = filling.row(key)
    raw = row.answers.get("raw", {}) if row else {}
    documents = filling.documents() if _has_files(section) else {}
    page = _page(filling, definition, section, raw, documents, row.version_id if row else 0)
    page.return_to = return_to(back_to)
    return page


def _page(
    filling: Filling,
    definition: QuestionSetDefinition,
    section: Section,
    raw: dict[str, list[str]],
    documents: dict[str, Document],
    version_id: int,
) -> SectionPage:
    """The section's page: its form filled with what was typed (`raw`), and the documents uploaded to it."""
    form = formbuilder.build_form(section, filling.context(documents), formbuilder.formdata_from_raw(raw))
    return SectionPage(
        filling,
        definition,
        section,
        form,
        version_id,
        documents=documents,
        next_section=definition.next_section(section.key),
    )


def _check(page: SectionPage) -> bool:
    context = page.filling.context(page.documents)
    valid = page.form.validate()
    page.problems = formbuilder.check_section(page.form, page.section, context)
    page.errors = formbuilder.error_list(page.form, page.section, page.problems)
    return valid and not page.problems


def save(
    user: Any,
    holder: Application | Filling,
    key: str,
    formdata: MultiDict,
    files: MultiDict,
    action: str,
    expected_version: int,
    back_to: str | None = None,
) -> SectionPage:
    """Keep what was typed; upload any files; mark the section completed when it all checks out.

    Raises NotAllowed if the form can no longer be changed.
    """
    filling = filling_of(holder)
    if not filling.editable():
        raise NotAllowed(filling.locked_reason())
    definition = filling.definition()
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
    documents = filling.documents() if _has_files(section) else {}
    row = filling.row(key)
    current_version = row.version_id if row else 0
    stale = current_version != expected_version
    # Files change with the section, in its one transaction: nothing is stored or removed for a stale
    # save, and a save that fails leaves the documents (and the files on disk) as they were.
    change = _FileChange(documents=dict(documents))
    upload_problems: dict[str, str] = {}
    for question in section.questions:
        if question.type != "file" or stale:
            continue
        if action == f"delete-{question.key}" and question.key in documents:
            change.remove(documents.pop(question.key))
            moved_to = question.key
        upload: FileStorage | None = files.get(question.key)
        if upload is not None and upload.filename:
            try:
                documents[question.key] = change.add(user, filling, question, upload, documents.get(question.key))
            except uploads.UploadError as exc:
                upload_problems[question.key] = str(exc)
    page = _page(filling, definition, section, raw, documents, expected_version)
    page.return_to = return_to(back_to)
    if stale:
        page.version_id = current_version
        chosen = any(f.filename for f in files.values()) if files else False
        page.notice = (
            "Someone else in your organisation saved this section while you were editing it. "
            "What you typed is below and has not been saved: check it against theirs, then save again."
            + (" Choose your files again: they were not saved." if chosen else "")
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
    folder = current_app.config["UPLOAD_FOLDER"]
    try:
        change.record(user, filling)
        page.version_id = _persist(user, filling, section, row, formbuilder.storable(raw), values)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        uploads.discard(folder, change.stored)
        page.documents.clear()
        page.documents.update(change.documents)  # as saved: the old documents, none of the new
        page.notice = (
            "Someone else in your organisation saved this section while you were editing it. "
            "What you typed is below and has not been saved: check it, then save again."
            + (" Choose your files again: they were not saved." if change.stored else "")
        )
        return page
    except BaseException:
        db.session.rollback()
        uploads.discard(folder, change.stored)
        raise
    uploads.discard(folder, change.replaced)
    # A refused file is never passed over: the page shows why, even on "save and come back later".
    page.saved = action in (CONTINUE, LATER) and (complete or action == LATER) and not upload_problems
    if action not in (CONTINUE, LATER) and not upload_problems:
        page.moved_to = moved_to or section.key  # saved as typed: show the page again, at the change
    return page


def _persist(
    user: Any,
    filling: Filling,
    section: Section,
    row: Any | None,
    raw: dict[str, list[str]],
    values: dict[str, Any] | None,
) -> int:
    if row is None:
        row = filling.new_row(section.key)
    before = (row.answers or {}).get("values") if row.status == COMPLETED else None
    row.answers = {"raw": raw, "values": values or {}}
    row.status = COMPLETED if values is not None else IN_PROGRESS
    row.updated_at = now()
    row.updated_by_id = user.id
    if values is not None:
        filling.completed_again(user, section, values, before)
    db.session.flush()
    version = row.version_id
    with _kept_after_commit():
        db.session.commit()
    filling.forget_loaded_rows()
    return version


@contextmanager
def _kept_after_commit() -> Iterator[None]:
    """Commit without expiring what the session holds: the page after a save (or its redirect) needs the
    user, the application and its round as this save left them, and reading them again would cost a
    statement each. Only this commit: everywhere else a commit expires as usual."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


@dataclass
class _FileChange:
    """The documents one save adds and removes, applied with the section's answers in one commit.

    `documents` are the section's documents as saved before this save; `stored` the files written
    for it (removed again if the save fails); `replaced` the files of documents it removes (removed
    once the save is committed)."""

    documents: dict[str, Document]
    added: list[tuple[Question, Document]] = field(default_factory=list)
    removed: list[Document] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)

    @property
    def replaced(self) -> list[str]:
        return [document.stored_name for document in self.removed]

    def remove(self, document: Document) -> None:
        self.removed.append(document)

    def add(
        self, user: Any, filling: Filling, question: Question, upload: FileStorage, old: Document | None
    ) -> Document:
        """Check and store an upload (UploadError if it is refused: nothing stored, the old one kept)."""
        checked = uploads.check(upload.stream, question.accept, question.label)
        stored = uploads.store(current_app.config["UPLOAD_FOLDER"], checked)
        self.stored.append(stored)
        if old is not None:
            self.removed.append(old)
        document = filling.new_document(
            question_key=question.key,
            original_name=(upload.filename or "upload")[:255],
            stored_name=stored,
            content_type=checked.content_type,
            size_bytes=len(checked.content),
            sha256=checked.sha256,
            uploaded_by_id=user.id,
        )
        self.added.append((question, document))
        return document

    def record(self, user: Any, filling: Filling) -> None:
        """Put the change in the session, each part audited; the caller commits it with the section."""
        for document in self.removed:
            audit.record_on(
                filling.holder,
                actor=user,
                action="remove_document",
                data={"question": document.question_key, "file": document.original_name},
            )
            db.session.delete(document)
        for question, document in self.added:
            db.session.add(document)
            audit.record_on(
                filling.holder,
                actor=user,
                action="upload_document",
                data={"question": question.key, "file": document.original_name, "sha256": document.sha256},
            )


def locked_reason(holder: Application | Filling) -> str:
    return filling_of(holder).locked_reason()
