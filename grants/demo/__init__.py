"""Demo data: realistic, fictional organisations on the real shapes of docs/domain.md.

`grantflow demo` runs this; it is idempotent (everything is looked up by its
code, reference or email before it is made) and refused in production.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants.demo import awards as demo_awards
from grants.demo import commissioning as demo_commissioning
from grants.demo import history as demo_history
from grants.auth.passwords import hash_password
from grants.auth.services import create_user, find_user
from grants.demo.assessment import ASSIGNED_AT, PANEL, assess_round3, ensure_criteria, panel_accounts
from grants.demo.awards import Steps, walk
from grants.demo.round3 import DEMO_R3_FUNDED as DEMO_R3_FUNDED
from grants.demo.round3 import load_round3_applications
from grants.demo.round3 import round3_funded_applications as round3_funded_applications
from grants.demo.round3 import round3_funded_references as round3_funded_references
from grants.extensions import db
from grants.formatting import london_to_utc
from grants.models import (
    Application,
    Award,
    Contract,
    Membership,
    MonitoringReturn,
    Organisation,
    Payment,
    Programme,
    RoleGrant,
    Round,
    ScreeningCheck,
    Term,
)
from grants.models.assessments import SCREENING_ITEMS
from grants.reference import WEST_YORKSHIRE_DISTRICTS
from grants.workflow import start_case

ROUND3_ASSESSING_AT = ASSIGNED_AT - timedelta(minutes=15)
DEMO_PASSWORD = "grantflow-demo"  # noqa: S105 - demo only, refused in production

DISTRICTS = WEST_YORKSHIRE_DISTRICTS
AREAS_OF_FOCUS = [
    ("serious_violence", "Serious Violence"),
    ("high_street_crime", "High Street Crime"),
    ("recovery_from_covid", "Recovery from COVID"),
    ("hate_crime", "Hate Crime"),
    ("countering_terrorism", "Countering Terrorism"),
    ("drugs_and_alcohol", "Drugs and Alcohol"),
    ("neighbourhood_crime_and_asb", "Neighbourhood Crime and ASB"),
    ("road_safety", "Road Safety, Speeding and Dangerous Driving"),
]
PRIORITIES = [
    ("victims_and_justice", "Supporting Victims and Witnesses and Improving Criminal Justice Outcomes"),
    ("keeping_people_safe", "Keeping People Safe and Building Resilience"),
    ("safer_places", "Safer Places and Thriving Communities"),
    ("complex_needs", "Responding to Multiple and Complex Needs"),
]
THEMES = [
    ("women_and_girls", "Safety of Women and Girls"),
    ("equality_diversity_inclusion", "Equality, Diversity and Inclusion"),
    ("early_intervention", "Early Intervention and Prevention"),
]
BUDGET_STREAMS = [
    ("victims_of_crime", "Victims of Crime"),
    ("community_safety", "Community Safety"),
    ("criminal_justice", "Criminal Justice"),
    ("violence_reduction_unit", "Violence Reduction Unit"),
    ("partnership_contributions", "Partnership Contributions"),
]

PROGRAMMES = [
    {
        "code": "MSCF",
        "name": "Mayor's Safer Communities Fund",
        "kind": "grant_rounds",
        "budget_stream": "community_safety",
        "description": "Open grant rounds for grassroots projects, funded by money recovered from criminals "
        "under the Proceeds of Crime Act.",
    },
    {
        "code": "VRU",
        "name": "Violence Reduction Unit commissioned interventions",
        "kind": "commissioning",
        "budget_stream": "violence_reduction_unit",
        "budget_pence": 230_000_000,
        "starts_on": date(2023, 4, 1),
        "ends_on": date(2024, 3, 31),
        "description": "Interventions commissioned against a specification and rated against the Youth "
        "Endowment Fund toolkit. 2023/24: £4.4m budget, £2.3m earmarked for commissioned interventions.",
    },
    {
        "code": "MOJ",
        "name": "Ministry of Justice victims' services 2022-25",
        "kind": "sub_grant",
        "budget_stream": "victims_of_crime",
        "budget_pence": 1_400_000_000,
        "starts_on": date(2022, 4, 1),
        "ends_on": date(2025, 3, 31),
        "description": "A £14m grant to the Mayor, 1 April 2022 to 31 March 2025, sub-granted or contracted "
        "to 34 providers as 72 strands of provision.",
    },
]

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


def _term(vocabulary: str, code: str, label: str, position: int, external: str | None = None) -> None:
    found = db.session.scalar(select(Term).where(Term.vocabulary == vocabulary, Term.code == code))
    if found is None:
        db.session.add(Term(vocabulary=vocabulary, code=code, label=label, position=position, external_code=external))


def _vocabularies() -> None:
    for i, (code, label, ons) in enumerate(DISTRICTS):
        _term("district", code, label, i, ons)
    for vocabulary, items in (
        ("area_of_focus", AREAS_OF_FOCUS),
        ("priority", PRIORITIES),
        ("theme", THEMES),
        ("budget_stream", BUDGET_STREAMS),
    ):
        for i, (code, label) in enumerate(items):
            _term(vocabulary, code, label, i)


def _programmes() -> dict[str, Programme]:
    found: dict[str, Programme] = {}
    for spec in PROGRAMMES:
        programme = db.session.scalar(select(Programme).where(Programme.code == spec["code"]))
        if programme is None:
            programme = Programme(**spec)
            db.session.add(programme)
        found[spec["code"]] = programme
    db.session.flush()
    return found


def _organisations() -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for name, org_type, charity, company, district, postcode in ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(
                name=name,
                org_type=org_type,
                charity_number=charity,
                company_number=company,
                district=district,
                postcode=postcode,
            )
            db.session.add(org)
        found[name] = org
    db.session.flush()
    return found


def _accounts(organisation: Organisation, mscf: Programme) -> dict[str, Any]:
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
    db.session.flush()
    return users


def passed_screening(application: Application, officer: Any, at: datetime) -> ScreeningCheck:
    """A screening checklist with every item passed and a low fraud risk."""
    return ScreeningCheck(
        application_id=application.id,
        answers=dict.fromkeys(SCREENING_ITEMS, "pass"),
        fraud_risk="low",
        notes="Checked against the Charity Commission and Companies House registers.",
        updated_by_id=officer.id,
        updated_at=at,
    )


def _local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return london_to_utc(datetime(year, month, day, hour, minute))


def _rounds(mscf: Programme, users: dict[str, Any]) -> tuple[dict[int, Round], dict[int, Steps]]:
    """Every round, walked as far as open; the steps that follow (closing, decision) are returned."""
    officer, decision = users["officer"], users["decision_maker"]
    today = datetime.now(UTC).date()
    specs = [
        (1, "Round 1", _local(2021, 10, 4), _local(2021, 11, 5, 12), 600_000, date(2022, 2, 10)),
        (2, "Round 2", _local(2022, 3, 7), _local(2022, 4, 8, 12), 600_000, date(2022, 7, 14)),
        (3, "Round 3", _local(2022, 10, 3), _local(2022, 11, 4, 12), 800_000, date(2023, 2, 9)),
        (
            4,
            "Round 4",
            _local(*(today - timedelta(days=21)).timetuple()[:3]),
            _local(*(today + timedelta(days=60)).timetuple()[:3], 12),
            800_000,
            None,
        ),
    ]
    rounds: dict[int, Round] = {}
    later: dict[int, Steps] = {}
    for number, title, opens, closes, cap, decided in specs:
        code = f"MSCF-R{number}"
        found = db.session.scalar(select(Round).where(Round.code == code))
        if found is not None:
            rounds[number] = found
            continue
        round_ = Round(
            programme_id=mscf.id,
            number=number,
            code=code,
            title=f"Mayor's Safer Communities Fund {title}",
            guidance=(
                "Grants for grassroots projects that make West Yorkshire's communities safer. "
                f"You can ask for up to £{cap // 100:,}. Projects must deliver in West Yorkshire "
                "(Bradford, Calderdale, Kirklees, Leeds or Wakefield) and tackle one or more areas of focus."
            ),
            opens_at=opens,
            closes_at=closes,
            max_grant_pence=cap,
            min_grant_pence=50_000,
            budget_pence=51_000_000 if number == 3 else 50_000_000,
            delivery_starts_on=(decided or today) + timedelta(days=30) if decided else date(today.year + 1, 4, 1),
            delivery_ends_on=(decided or today) + timedelta(days=395) if decided else date(today.year + 2, 3, 31),
            decision_on=decided,
        )
        start_case(round_, "round", officer, now=opens - timedelta(days=30))
        walk(round_, [("publish", officer, None, opens - timedelta(days=14)), ("open", None, None, opens)])
        steps: Steps = []
        if decided:
            steps += [
                ("close", None, None, closes),
                ("start_assessment", officer, None, closes + timedelta(days=3)),
                (
                    "record_decision",
                    decision,
                    None,
                    london_to_utc(datetime.combine(decided, datetime.min.time())) + timedelta(hours=14),
                ),
            ]
            if number < 3:
                steps.append(("complete", officer, None, closes + timedelta(days=200)))
        later[number] = steps
        rounds[number] = round_
    return rounds, later


def _cases(
    rounds: dict[int, Round],
    later_round_steps: dict[int, Steps],
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, Any],
    panel: list[Any],
) -> None:
    officer, decision, finance, applicant = (users[r] for r in ("officer", "decision_maker", "finance", "applicant"))
    if db.session.scalar(select(Award).where(Award.public_reference == "MSCF-R3-0001")) is not None:
        return
    kitchen = orgs["Bramley Community Kitchen"]
    boxing = orgs["Calder Valley Boxing Club CIC"]
    r3, r4 = rounds[3], rounds[4]

    # Round 3: an approved bid with its award, payments and a monitoring return.
    approved = Application(
        round_id=r3.id,
        organisation_id=boxing.id,
        public_reference="MSCF-R3-0001",
        project_title="Gloves Not Knives: boxing and mentoring for 11-16s",
        amount_requested_pence=798_500,
    )
    start_case(approved, r3.application_workflow, _member(boxing, applicant), now=r3.closes_at - timedelta(days=20))
    walk(approved, [("submit", _member(boxing, applicant), None, r3.closes_at - timedelta(days=2))])
    # The other 197 bids of Round 3 (198 in all), submitted before it closes.
    load_round3_applications(r3, approved, _member(boxing, applicant), hash_password(DEMO_PASSWORD))
    r3_steps = later_round_steps.pop(3, [])
    for number, steps in later_round_steps.items():
        walk(rounds[number], steps)
    # Round 3 closes (screening starts), goes to 'assessing' when the screened bids go to the
    # assessors, and all 198 are scored and decided (MSCF-R3-0001 approved among the 73);
    # then the round's decision is recorded.
    walk(
        r3,
        [
            (name, user, reason, ROUND3_ASSESSING_AT if name == "start_assessment" else when)
            for name, user, reason, when in r3_steps
            if name != "record_decision"
        ],
    )
    assess_round3(r3, officer, decision, panel)
    walk(r3, [step for step in r3_steps if step[0] == "record_decision"])
    boxer = _member(boxing, applicant)
    award = Award(
        public_reference="MSCF-R3-0001",
        programme_id=r3.programme_id,
        organisation_id=boxing.id,
        application_id=approved.id,
        title=approved.project_title,
        amount_pence=798_500,
        amount_at_decision_pence=798_500,
        decided_at=demo_awards.DECIDED_AT,
        budget_stream="community_safety",
        cost_centre=demo_awards.cost_centre("community_safety", 2022),
        starts_on=date(2023, 3, 1),
        ends_on=date(2024, 2, 29),
    )
    start_case(award, "award", officer, now=_local(2023, 2, 10))
    demo_awards.prepare_offer(
        award, date(2023, 3, 13), "Coaches and mentors hold enhanced DBS checks before sessions start."
    )
    walk(award, [("offer", officer, None, _local(2023, 2, 13))])
    demo_awards.sign(award, boxer.name, "Chair", date(2023, 2, 20))
    walk(award, [("accept", boxer, None, _local(2023, 2, 20))])
    payments = []
    for instalment, amount, due in ((1, 600_000, date(2023, 3, 15)), (2, 198_500, date(2023, 9, 15))):
        payment = Payment(award_id=award.id, instalment=instalment, amount_pence=amount, due_on=due)
        db.session.add(payment)
        start_case(payment, "payment", officer, now=_local(2023, 2, 10))
        payments.append(payment)
    db.session.flush()
    db.session.refresh(award)
    walk(award, [("start_delivery", officer, None, _local(2023, 3, 1))])
    demo_awards.pay(payments[0], finance, _local(2023, 3, 10), date(2023, 3, 15), "AP-2023-004417")
    for label, starts, ends, due in (
        ("Q1 2023-24", date(2023, 4, 1), date(2023, 6, 30), date(2023, 7, 14)),
        ("Q2 2023-24", date(2023, 7, 1), date(2023, 9, 30), date(2023, 10, 13)),
    ):
        ret = MonitoringReturn(
            award_id=award.id, period_label=label, period_starts_on=starts, period_ends_on=ends, due_date=due
        )
        start_case(ret, "monitoring_return", officer, now=_local(2023, 3, 1))
        if label.startswith("Q1"):
            walk(
                ret,
                [
                    ("submit", boxer, None, _local(2023, 7, 12)),
                    ("accept", officer, None, _local(2023, 7, 20)),
                ],
            )
        else:
            walk(ret, [("become_overdue", None, None, _local(2023, 10, 14, 0, 5))])

    # Round 4 (open now): the demo applicant's draft, and a submitted bid from another group.
    draft = Application(
        round_id=r4.id,
        organisation_id=kitchen.id,
        created_by_id=applicant.id,
        project_title="Safe Suppers: evening meals and youth activities in Bramley",
        amount_requested_pence=650_000,
    )
    start_case(draft, r4.application_workflow, applicant, now=datetime.now(UTC) - timedelta(days=5))
    submitted = Application(
        round_id=r4.id,
        organisation_id=orgs["Manningham Mothers' Network"].id,
        project_title="Walk Home Safe: volunteer escorts from Manningham Lane",
        amount_requested_pence=480_000,
    )
    start_case(
        submitted,
        r4.application_workflow,
        _member(orgs["Manningham Mothers' Network"], applicant),
        now=datetime.now(UTC) - timedelta(days=9),
    )
    walk(
        submitted,
        [
            (
                "submit",
                _member(orgs["Manningham Mothers' Network"], applicant),
                None,
                datetime.now(UTC) - timedelta(days=2),
            )
        ],
    )
    db.session.add(passed_screening(submitted, officer, datetime.now(UTC) - timedelta(days=1)))

    # VRU: an A&E navigator intervention being delivered; MoJ: an ISVA strand.
    youth = orgs["Aire Valley Youth Outreach"]
    contract = Contract(
        public_reference="VRU-2023-001",
        programme_id=programmes["VRU"].id,
        provider_id=youth.id,
        title="A&E navigators: youth workers in Leeds and Bradford emergency departments",
        amount_pence=32_000_000,
        budget_stream="violence_reduction_unit",
        yef_rating="high impact",
        starts_on=date(2023, 4, 1),
        end_date=date(2024, 3, 31),
    )
    start_case(contract, "contract", officer, now=_local(2022, 10, 3))
    walk(
        contract,
        [
            ("choose_competition", officer, None, _local(2022, 11, 1)),
            ("start_procurement", officer, None, _local(2022, 12, 1)),
            ("award_contract", decision, None, _local(2023, 2, 20)),
            ("mobilise", officer, None, _local(2023, 3, 1)),
            ("start_delivery", officer, None, _local(2023, 4, 1)),
        ],
    )
    strand = Contract(
        public_reference="MOJ-S-001",
        programme_id=programmes["MOJ"].id,
        provider_id=orgs["Pennine Victim Support Services"].id,
        title="Independent Sexual Violence Advisers (ISVA) service, Kirklees and Calderdale",
        amount_pence=41_250_000,
        budget_stream="victims_of_crime",
        starts_on=date(2022, 4, 1),
        end_date=date(2025, 3, 31),
    )
    start_case(strand, "contract", officer, now=_local(2022, 1, 10))
    walk(
        strand,
        [
            (
                "choose_direct_award",
                officer,
                "Continuation of an existing specialist ISVA service; no other provider in the area "
                "(Contract Standing Orders, direct award exemption).",
                _local(2022, 2, 1),
            ),
            ("start_procurement", officer, None, _local(2022, 2, 7)),
            ("award_contract", decision, None, _local(2022, 3, 1)),
            ("mobilise", officer, None, _local(2022, 3, 7)),
            ("start_delivery", officer, None, _local(2022, 4, 1)),
        ],
    )


def _member(organisation: Organisation, fallback: Any) -> Any:
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


MSCF_ELIGIBLE_TYPES = [
    "registered_charity",
    "cio",
    "cic",
    "company_limited_by_guarantee",
    "community_group",
    "school",
]


def _forms(rounds: dict[int, Round]) -> None:
    """Round 3's question set, used by Rounds 3 and 4; grassroots organisations may apply, not public bodies."""
    from grants.apply.question_set_admin import load_shipped

    question_set = load_shipped("mscf-round-3.v1")
    for round_ in rounds.values():
        if round_.number >= 3 and round_.question_set_id is None:
            round_.question_set_id = question_set.id
        if round_.allowed_org_types is None:
            round_.allowed_org_types = MSCF_ELIGIBLE_TYPES
    db.session.flush()


def load_demo() -> list[tuple[str, str]]:
    """Load (or top up) the demo data; returns the demo accounts as (email, role)."""
    _vocabularies()
    programmes = _programmes()
    demo_awards.ensure_budgets()
    orgs = _organisations()
    users = _accounts(orgs["Bramley Community Kitchen"], programmes["MSCF"])
    rounds, later_round_steps = _rounds(programmes["MSCF"], users)
    db.session.flush()
    _forms(rounds)
    for number in (3, 4):
        ensure_criteria(rounds[number])
    panel = panel_accounts(programmes["MSCF"], users["assessor"].password_hash)
    _cases(rounds, later_round_steps, orgs, programmes, users, panel)
    # A demo loaded before assessment existed: Round 3 is assessed now (a no-op once done).
    assess_round3(rounds[3], users["officer"], users["decision_maker"], panel)
    demo_awards.award_round3(rounds[3], users, lambda organisation: _member(organisation, users["applicant"]))
    demo_history.import_rounds_1_and_2(rounds, users)
    demo_commissioning.load_commissioning(
        programmes, users, lambda organisation: _member(organisation, users["applicant"])
    )
    db.session.commit()
    accounts = [(email, role) for email, _name, role in ACCOUNTS]
    return accounts + [(email, "assessor") for email, _name in PANEL if email not in dict(accounts)]
