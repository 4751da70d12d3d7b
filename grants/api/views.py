"""The JSON API's endpoints (thin: each calls a service and dumps with a marshmallow schema)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
