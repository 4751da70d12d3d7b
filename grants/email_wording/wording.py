"""A programme's wording of an email if it has one, else the service's default, with its values filled in."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from sqlalchemy import select

from grants.email_wording.placeholders import render
from grants.extensions import db
from grants.models import EmailTemplate

_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")  # an empty placeholder on a line of its own leaves no gap


def override(programme_id: int | None, key: str) -> EmailTemplate | None:
    """The programme's own wording of this email, if it has one."""
    if programme_id is None:
        return None
    return db.session.scalar(
        select(EmailTemplate).where(EmailTemplate.programme_id == programme_id, EmailTemplate.key == key)
    )


def rendered(subject: str, body: str, values: Mapping[str, object]) -> tuple[str, str]:
    """A template's subject (on one line) and body with its placeholders filled in."""
    body_text = _BLANK_LINES.sub("\n\n", render(body, values).replace("\r\n", "\n")).strip()
    return " ".join(render(subject, values).split()), body_text


def worded(
    programme_id: int | None, key: str, default: tuple[str, str], values: Callable[[], Mapping[str, object]]
) -> tuple[str, str]:
    """The subject and body to send: the programme's template rendered with `values()` (worked out
    only then), or `default` (the service's own wording, written out) when the programme has none."""
    template = override(programme_id, key)
    if template is None:
        return default
    return rendered(template.subject, template.body, values())
