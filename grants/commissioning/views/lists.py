"""The commissioning area's front page and its list of contracts and strands (with CSV and XLSX)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, render_template, request, send_file, stream_with_context
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import listing, reminders
from grants.pagination import page_number
from grants.streaming import guarded

bp = Blueprint("commissioning", __name__, url_prefix="/commissioning")

STAFF = ("officer", "finance", "decision_maker", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@staff(*STAFF)
def index() -> ResponseReturnValue:
    user = signed_in_user()
    ids = [p.id for p in listing.visible_programmes(user)]
    return render_template(
        "commissioning/index.html",
        overview=listing.overview(user),
        soon=reminders.dashboard(ids, date.today()),
    )


@bp.route("/contracts")
@staff(*STAFF)
def contracts() -> ResponseReturnValue:
    user = signed_in_user()
    query = listing.read_query(request.args)
    found = listing.listing(user, query, page_number(request.args), current_app.config["PAGE_SIZE"])
    choices = listing.choices(user)
    f = query.filters
    items = {
        name: _items(pairs, chosen, blank)
        for name, pairs, chosen, blank in (
            ("programmes", choices.programmes, f.programme, "All programmes"),
            ("states", choices.states, f.state, "Any state"),
            ("providers", choices.providers, f.provider, "Any provider"),
            ("service_types", choices.service_types, f.service_type, "Any service type"),
            ("districts", choices.districts, f.district, "Any district"),
        )
    }
    return render_template("commissioning/list.html", found=found, query=query, items=items, sorts=listing.SORTS)


def _items(pairs: list[tuple[str, str]], chosen: str, blank: str) -> list[dict[str, object]]:
    blank_item: dict[str, object] = {"value": "", "text": blank}
    return [blank_item] + [{"value": value, "text": text, "selected": value == chosen} for value, text in pairs]


@bp.route("/contracts.csv")
@staff(*STAFF)
def contracts_csv() -> ResponseReturnValue:
    """The list as CSV: every contract it shows (all pages), with the same filters and sort, streamed."""
    chunks = listing.csv(signed_in_user(), listing.read_query(request.args))
    return Response(
        stream_with_context(guarded(chunks)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contracts.csv"'},
    )


@bp.route("/contracts.xlsx")
@staff(*STAFF)
def contracts_xlsx() -> ResponseReturnValue:
    handle = listing.xlsx(signed_in_user(), listing.read_query(request.args))
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name="contracts.xlsx")
