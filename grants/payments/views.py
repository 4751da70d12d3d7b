"""Pages of the payments area (thin: each view calls a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")
