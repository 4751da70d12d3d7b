"""The demo's people and organisations: eight fictional groups and the six demo accounts, with their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from grants.auth.services import create_user, find_user
from grants.extensions import db
from grants.models import Membership, Organisation, Programme, RoleGrant
from grants.models.base import utcnow

DEMO_PASSWORD = "grantflow-demo"  # noqa: S105 - demo only, refused in production
# The demo's staff accounts come with two-factor sign-in set up with this authenticator key, so people
# and scripts can sign in to the demo: add it to an app, or run `grantflow users totp EMAIL`.
DEMO_TOTP_SECRET = "GRANTFLOWDEMOTWOFACTORKEY2345672"  # noqa: S105 - demo only, refused in production

ORGANISATIONS = [
    ("Bramley Community Kitchen", "community_group", None, None, "leeds", "LS13 3AB"),
    ("Calder Valley Boxing Club CIC", "cic", None, "13456789", "calderdale", "HX7 8AD"),
    ("Manningham Mothers' Network", "cio", "1187654", None, "bradford", "BD8 7BX"),
    ("Dewsbury Road Safety Partnership", "company_limited_by_guarantee", "1123456", "07654321", "kirklees", "WF13 2AE"),
    ("Pontefract Men's Shed", "registered_charity", "1176543", None, "wakefield", "WF8 1PL"),
    ("Aire Valley Youth Outreach", "registered_charity", "1165432", "09876543", "leeds", "LS11 5QR"),
    ("Pennine Victim Support Services", "registered_charity", "1145678", "08765432", "kirklees", "HD1 2QA"),
    ("West Riding Hospitals NHS Trust", "public_body", None, None, "wakefield", "WF1 4DG"),
]

ACCOUNTS = [
    ("applicant@example.org", "Aisha Rahman", "applicant"),
    ("assessor@example.org", "Gareth Lloyd", "assessor"),
    ("officer@example.org", "Priya Sharma", "officer"),
    ("finance@example.org", "Tom Haigh", "finance"),
    ("decision@example.org", "Deputy Mayor (demo)", "decision_maker"),
    ("admin@example.org", "Sam Okafor", "admin"),
]
# Contracts above £100,000 need a second, different decision maker: the Mayor approves after the Deputy.
SECOND_DECISION_MAKER = ("mayor@example.org", "Mayor (demo)")
# Finance marks instalments paid that another finance user approved (segregation of duties).
SECOND_FINANCE = ("payments@example.org", "Ruth Ackroyd (demo payments)")


def organisations() -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for number, (name, org_type, charity, company, district, postcode) in enumerate(ORGANISATIONS, start=1):
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(
                name=name,
                org_type=org_type,
                charity_number=charity,
                company_number=company,
                district=district,
                postcode=postcode,
                # Fictional bank details (nothing is paid without them).
                bank_account_name=name[:200],
                bank_sort_code=f"30{number:02d}{number * 7 % 100:02d}",
                bank_account_number=f"{41_000_000 + number * 1_237:08d}",
            )
            db.session.add(org)
        found[name] = org
    db.session.flush()
    return found


def accounts(organisation: Organisation, mscf: Programme) -> dict[str, Any]:
    users: dict[str, Any] = {}
    for email, name, role in ACCOUNTS:
        user = find_user(email) or create_user(name, email, DEMO_PASSWORD)
        db.session.flush()
        users[role] = user
        if role == "applicant":
            if not db.session.scalar(select(Membership).where(Membership.user_id == user.id)):
                db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=True))
            continue
        programme_id = mscf.id if role == "assessor" else None
        exists = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == role))
        if exists is None:
            db.session.add(RoleGrant(user_id=user.id, role=role, programme_id=programme_id))
    email, name = SECOND_DECISION_MAKER
    second = find_user(email) or create_user(name, email, DEMO_PASSWORD)
    db.session.flush()
    if db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == second.id)) is None:
        db.session.add(RoleGrant(user_id=second.id, role="decision_maker", programme_id=None))
    users["second_decision_maker"] = second
    email, name = SECOND_FINANCE
    payer = find_user(email) or create_user(name, email, DEMO_PASSWORD)
    db.session.flush()
    if db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == payer.id)) is None:
        db.session.add(RoleGrant(user_id=payer.id, role="finance", programme_id=None))
    users["payer"] = payer
    enrol_with_demo_key(user for role, user in users.items() if role != "applicant")
    db.session.flush()
    return users


def enrol_with_demo_key(people: Iterable[Any]) -> None:
    """Staff sign in with a code: the demo's staff all use the one printed key (left alone if set)."""
    for user in people:
        if user.totp_secret is None:
            user.totp_secret, user.totp_enrolled_at = DEMO_TOTP_SECRET, utcnow()


def member(organisation: Organisation, fallback: Any) -> Any:
    """A member of the organisation to act as its applicant (a made-up volunteer if it has none)."""
    membership = db.session.scalar(select(Membership).where(Membership.organisation_id == organisation.id))
    if membership is not None:
        return membership.user
    slug = "".join(ch for ch in organisation.name.lower() if ch.isalnum())[:24]
    user = find_user(f"{slug}@example.org") or create_user(
        f"{organisation.name} volunteer", f"{slug}@example.org", DEMO_PASSWORD
    )
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=True))
    db.session.flush()
    return user
