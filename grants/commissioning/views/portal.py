"""Providers' own pages: the contracts and strands their organisation delivers."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.commissioning import portal
from grants.correspondence import services as correspondence

bp = Blueprint("provider_portal", __name__, url_prefix="/your-contracts")


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template("commissioning/portal/index.html", found=portal.contracts_of(signed_in_user()))


@bp.route("/<reference>")
@signed_in
def contract(reference: str) -> ResponseReturnValue:
    item = portal.contract_of(signed_in_user(), reference)
    messages = correspondence.on_case(item.contract, staff=False)
    return render_template("commissioning/portal/contract.html", item=item, messages=messages)
