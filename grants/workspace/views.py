"""Your work (the staff home page, where each role's waiting work is counted and linked), search, and
an organisation's whole picture for staff."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.pagination import page_number
from grants.workspace import organisation as organisations
from grants.workspace import search, services

bp = Blueprint("workspace", __name__)
READERS = ("officer", "finance", "decision_maker", "admin")


@bp.route("/work/")
@staff(*services.STAFF_ROLES)
def home() -> ResponseReturnValue:
    user = signed_in_user()
    return render_template(
        "workspace/home.html",
        roles=services.your_work(user),
        budgets=services.budget_positions(user),
        member=services.is_member(user),
        may_search=search.may_search(user),
    )


@bp.route("/search")
@staff(*READERS)
def find() -> ResponseReturnValue:
    """Search; a reference that names exactly one case opens it."""
    results = search.search(signed_in_user(), request.args.get("q", ""))
    exact = [hit for hit in results.hits if hit.reference.upper() == results.query.upper() and not hit.note]
    if len(exact) == 1 and request.args.get("list") != "1":
        return redirect(exact[0].href)
    status = 400 if results.message else 200
    return render_template("workspace/search.html", results=results), status


@bp.route("/work/organisations/<int:organisation_id>")
@staff(*READERS)
def organisation(organisation_id: int) -> ResponseReturnValue:
    picture = organisations.picture(signed_in_user(), organisation_id)
    return render_template("workspace/organisation.html", picture=picture)


@bp.route("/work/organisations/<int:organisation_id>/<section>")
@staff(*READERS)
def organisation_section(organisation_id: int, section: str) -> ResponseReturnValue:
    """All of one list of an organisation's picture, a page at a time."""
    organisation, listed = organisations.section_page(
        signed_in_user(), organisation_id, section, page_number(request.args), current_app.config["PAGE_SIZE"]
    )
    return render_template("workspace/organisation_section.html", organisation=organisation, listed=listed)
