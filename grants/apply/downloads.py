"""Who may download an uploaded document: the organisation's members, staff on the programme,
and assessors assigned to the bid who have not declared a conflict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grants.access import can_see_application
from grants.apply import uploads
from grants.apply.services import NotFound, application_for_staff_or_member
from grants.extensions import db
from grants.models import Document


def document_for(user: Any, application_id: int, document_id: int) -> Document:
    try:
        application_id = application_for_staff_or_member(user, application_id).id
    except NotFound:
        if not can_see_application(user, application_id):
            raise
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application_id:
        raise NotFound(document_id)
    return document


def path(folder: str, document: Document) -> Path:
    return uploads.path_of(folder, document.stored_name)


def served_name(document: Any) -> str:
    """The name the browser saves the document under (uploads.download_name)."""
    return uploads.download_name(document.original_name, document.content_type)
