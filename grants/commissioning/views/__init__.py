"""The commissioning area's pages: one blueprint per module of this package, each a page family
(contracts, providers, funding agreements, the VRU dashboard, incoming grants, uplifts).

Modules here are the request layer: they call the area's services (grants/commissioning/*.py),
never the models or the session.
"""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """Every blueprint of the area, for the app factory to register (imported late, as it is)."""
    from grants.commissioning.views.contracts import bp as contracts_bp
    from grants.commissioning.views.figures import bp as figures_bp
    from grants.commissioning.views.incoming import bp as incoming_bp
    from grants.commissioning.views.lists import bp as lists_bp
    from grants.commissioning.views.portal import bp as portal_bp
    from grants.commissioning.views.providers import bp as providers_bp
    from grants.commissioning.views.uplifts import bp as uplifts_bp

    found: list[Blueprint] = [lists_bp, contracts_bp, figures_bp, portal_bp, incoming_bp, uplifts_bp, providers_bp]
    return found
