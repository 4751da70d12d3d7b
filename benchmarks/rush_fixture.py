"""The deadline rush's world (set up before the clock starts), and the answers its applicants post.

A round open for one more hour with the form in rush_form.toml, and the applicants: each an account
(production Argon2 hash) owning its own organisation. The answers are valid for that form and round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from argon2 import PasswordHasher
from support_fixtures import open_round, programme_with_officer

from grants.apply import services as apply_services
from grants.apply.question_set_admin import load_question_set, use_for_round
from grants.apply.questions import load_text
from grants.auth import services as auth_services
from grants.extensions import db
from grants.models import Round
from grants.organisations.details import Details
from grants.organisations.services import create_organisation
from grants.setup.seed import seed_vocabularies

FORM = Path(__file__).resolve().parent / "rush_form.toml"
ROUND_CODE = "RUSH-R1"
PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - throwaway accounts in a throwaway database
CAPACITY_SECTION = "project"  # the section the capacity windows open and save

# -- the answers posted (valid for rush_form.toml and the round made below) ------------------------------
_YEAR = datetime.now(UTC).year
DELIVERY_STARTS = date(_YEAR + 1, 4, 1)
DELIVERY_ENDS = date(_YEAR + 2, 3, 31)


def answers(section: str, n: int) -> list[tuple[str, str]]:
    """Valid answers to one section, as a browser posts them (dates: three fields of one name)."""
    by_section: dict[str, list[tuple[str, str]]] = {
        "contact": [
            ("contact_name", f"Applicant {n}"),
            ("contact_phone", "0113 496 0000"),
            ("what_you_do", "We cook evening meals with young people and run a homework club twice a week."),
        ],
        "project": [
            ("project_title", f"Safe Suppers {n}"),
            ("summary", "Evening meals and activities for young people in Bramley."),
            ("start_date", "1"),
            ("start_date", "5"),
            ("start_date", str(DELIVERY_STARTS.year)),
            ("end_date", "28"),
            ("end_date", "2"),
            ("end_date", str(DELIVERY_ENDS.year)),
        ],
        "focus": [
            ("districts", "leeds"),
            ("districts", "bradford"),
            ("areas_of_focus", "neighbourhood_crime_and_asb"),
            ("areas_of_focus", "drugs_and_alcohol"),
            ("mental_health", "yes"),
        ],
        "people": [("people_reached", "1,200"), ("who", "Young people aged 11 to 16 and their families.")],
        "budget": [("amount", "£4,500.50"), ("match_funding", "250"), ("spend_kind", "revenue")],
        "declarations": [
            ("declarations", "true_and_complete"),
            ("declarations", "terms"),
            ("declared_by", f"Applicant {n}"),
            ("declared_position", "Chair"),
        ],
    }
    return by_section[section]


# -- setup (not timed) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    n: int
    email: str
    organisation_id: int
    application_id: int | None = None  # capacity clients start with a draft


@dataclass
class Fixture:
    round_code: str
    section_keys: list[str]
    required: dict[str, list[str]]  # section key -> keys of its required questions
    rush: list[Account]
    capacity: list[Account]
    probe: Account


# What-if only (--password-hash owasp): the stored hashes' parameters decide what a sign-in costs, since
# argon2 reads them from the hash when it verifies. OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
HASH_PROFILES: dict[str, dict[str, Any] | None] = {
    "production": None,
    "owasp": {"time_cost": 2, "memory_cost": 19_456, "parallelism": 1},
}


def build_fixture(applicants: int, capacity_clients: int, hash_profile: str = "production") -> Fixture:
    """Vocabularies, a programme, an officer, a round open for one more hour with the benchmark form,
    and the applicants: each an account (create_user, production Argon2) owning its own organisation."""
    seed_vocabularies()
    db.session.commit()
    officer = auth_services.create_user("Bench Officer", "officer@rush.example", PASSWORD)
    programme = programme_with_officer("RUSH", "Deadline rush benchmark programme", officer)
    db.session.commit()

    now = datetime.now(UTC)
    round_ = open_round(
        programme,
        officer,
        now,
        ROUND_CODE,
        "Deadline rush benchmark round",
        guidance="A benchmark round.",
        closes_at=now + timedelta(hours=1),
        min_grant_pence=10_000,
        max_grant_pence=800_000,
        budget_pence=50_000_000,
        delivery_starts_on=DELIVERY_STARTS,
        delivery_ends_on=DELIVERY_ENDS,
        allowed_org_types=["community_group", "registered_charity", "cio", "cic"],
    )
    question_set = load_question_set(FORM.read_text(encoding="utf-8"), FORM.name, officer)
    use_for_round(ROUND_CODE, question_set, officer)
    definition, _ = load_text(FORM.read_text(encoding="utf-8"), FORM.name)

    # Every account gets the production Argon2id hash of the same password, computed once: the
    # stored hash, and so the cost of checking it at sign-in, is what production stores.
    shared_hash = auth_services.hash_password(PASSWORD)
    what_if = HASH_PROFILES[hash_profile]
    if what_if is not None:
        shared_hash = PasswordHasher(**what_if).hash(PASSWORD)

    def account(n: int, prefix: str) -> tuple[Any, Any]:
        with mock.patch.object(auth_services, "hash_password", lambda _password: shared_hash):
            user = auth_services.create_user(f"{prefix.title()} Applicant {n}", f"{prefix}{n}@rush.example", PASSWORD)
        db.session.flush()
        organisation = create_organisation(
            user,
            Details(
                name=f"{prefix.title()} Community Group {n}",
                org_type="community_group",
                address_line_1=f"{n} High Street",
                town="Leeds",
                postcode="LS1 2AB",
                district="leeds",
                annual_income="25,000",
                safeguarding_lead_name="Sam Lead",
                safeguarding_lead_email=f"safeguarding{n}@rush.example",
                bank_account_name=f"{prefix.title()} Community Group {n}",
                bank_sort_code="30-94-30",
                bank_account_number="00733445",
            ),
        )
        return user, organisation

    rush = []
    for n in range(applicants):
        user, organisation = account(n, "rush")
        rush.append(Account(n, user.email, organisation.id))
    round_ = db.session.get(Round, round_.id)
    extra = []
    for n in range(capacity_clients + 1):
        user, organisation = account(n, "capacity")
        application = apply_services.start_application(user, round_, organisation.id)
        extra.append(Account(10_000 + n, user.email, organisation.id, application.id))
    db.session.commit()
    db.session.remove()
    return Fixture(
        round_code=ROUND_CODE,
        section_keys=[s.key for s in definition.sections],
        required={s.key: [q.key for q in s.questions if q.required] for s in definition.sections},
        rush=rush,
        capacity=extra[:-1],
        probe=extra[-1],
    )
