"""Staff pages of the providers: the directory, and each provider's commissioned picture."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import listing, providers

bp = Blueprint("providers", __name__, url_prefix="/commissioning/providers")

STAFF = ("officer", "finance", "decision_maker", "admin")


@bp.route("/")
@staff(*STAFF)
def index() -> ResponseReturnValue:
    user = signed_in_user()
    programme = request.args.get("programme", "").replace("\x00", "")[:16]
    kind = request.args.get("kind", "").replace("\x00", "")[:16]
    return render_template(
        "commissioning/providers/index.html",
        rows=providers.directory(user, programme, kind),
        programmes=listing.visible_programmes(user),
        kinds=providers.KINDS,
        chosen={"programme": programme, "kind": kind},
    )


@bp.route("/<int:organisation_id>")
@staff(*STAFF)
def provider(organisation_id: int) -> ResponseReturnValue:
    return render_template(
        "commissioning/providers/provider.html", shown=providers.page(signed_in_user(), organisation_id)
    )
