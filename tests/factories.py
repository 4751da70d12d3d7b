"""factory_boy factories for test data, bound to the current db.session: one for every mapped model
(tests/platform/test_factories.py checks that each model has one and that each builds a row that saves)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
import pyotp
from factory.alchemy import SQLAlchemyModelFactory

from grants.auth.passwords import hash_password
from grants.extensions import db
from grants.models import (
    AgreementTerms,
    ApiToken,
    Application,
    ApplicationSection,
    ApplicationTerm,
    Approval,
    Assessment,
    AuditEvent,
    Award,
    BackgroundJob,
    Budget,
    CaseNote,
    CaseOfficer,
    CommissioningReminder,
    Contract,
    Criterion,
    Document,
    EmailTemplate,
    GrantReport,
    IncomingGrant,
    IncomingGrantYear,
    Invitation,
    MatchContribution,
    Membership,
    MonitoringPlan,
    MonitoringReturn,
    MonitoringTarget,
    OpenDataFile,
    Organisation,
    OutboxMessage,
    Passkey,
    Payment,
    PaymentRun,
    Programme,
    QuestionSet,
    Recommendation,
    Recovery,
    RecoveryCode,
    Reminder,
    ReturnMetric,
    ReturnSection,
    RoleGrant,
    Round,
    SchedulerHeartbeat,
    Score,
    ScreeningCheck,
    Term,
    Uplift,
    User,
    UserSession,
    Variation,
)
from grants.workflow import engine

PASSWORD = "correct-horse-battery"  # noqa: S105


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    active = True


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
    org_type = "community_group"
    district = "leeds"
    postcode = "LS1 1AA"
    # An organisation paid grants has given its bank details (nothing is paid without them).
    bank_account_name = factory.LazyAttribute(lambda o: o.name[:200])
    bank_sort_code = "401276"
    bank_account_number = factory.Sequence(lambda n: f"{31_000_000 + n:08d}")


class ProgrammeFactory(Base):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    kind = "grant_rounds"


class AgreementTermsFactory(Base):
    class Meta:
        model = AgreementTerms

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    version = 1
    text = "1. Use of the grant. Spend it on the project you described.\n2. Monitoring. Send the returns on time."


def _workflowed(obj, workflow: str, state: str | None = None) -> None:
    definition = engine().registry.latest(workflow)
    obj.workflow = definition.name
    obj.workflow_version = definition.version
    obj.state = state or definition.initial
    obj.state_changed_at = datetime.now(UTC)


class RoundFactory(Base):
    class Meta:
        model = Round

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"R-{n}")
    title = factory.Sequence(lambda n: f"Test round {n}")
    opens_at = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: datetime.now(UTC) + timedelta(days=7))
    max_grant_pence = 800_000
    workflow = "round"
    workflow_version = 1
    state = "open"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class ApplicationFactory(Base):
    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    project_title = factory.Sequence(lambda n: f"Project {n}")
    amount_requested_pence = 500_000
    workflow = "application"
    workflow_version = 1
    state = "draft"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class AssessmentFactory(Base):
    class Meta:
        model = Assessment

    application = factory.SubFactory(ApplicationFactory, state="in_assessment")
    assessor = factory.SubFactory(UserFactory)
    workflow = "assessment"
    workflow_version = 1
    state = "assigned"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class AwardFactory(Base):
    class Meta:
        model = Award

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    public_reference = factory.Sequence(lambda n: f"AWD-{n:04d}")
    title = "Test award"
    amount_pence = 800_000
    amount_at_decision_pence = 800_000
    decided_at = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(days=30))
    budget_stream = "community_safety"
    cost_centre = "PCC-CS"
    workflow = "award"
    workflow_version = 2
    state = "accepted"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class PaymentFactory(Base):
    class Meta:
        model = Payment

    award = factory.SubFactory(AwardFactory)
    instalment = 1
    amount_pence = 400_000
    due_on = factory.LazyFunction(lambda: datetime.now(UTC).date())
    workflow = "payment"
    workflow_version = 2
    state = "scheduled"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class VariationFactory(Base):
    class Meta:
        model = Variation

    award = factory.SubFactory(AwardFactory)
    number = 1
    old_amount_pence = factory.LazyAttribute(lambda o: o.award.amount_pence)
    new_amount_pence = 700_000
    reason = "The project costs less than planned."
    workflow = "variation"
    workflow_version = 1
    state = "requested"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class RecoveryFactory(Base):
    class Meta:
        model = Recovery

    award = factory.SubFactory(AwardFactory)
    kind = "underspend_returned"
    amount_pence = 25_000
    received_on = factory.LazyFunction(lambda: datetime.now(UTC).date())
    reason = "Venue hire came in under budget."


class BudgetFactory(Base):
    class Meta:
        model = Budget

    budget_stream = "community_safety"
    financial_year = 2022
    cost_centre = "PCC-CS"
    amount_pence = 100_000_000


class ReturnFactory(Base):
    class Meta:
        model = MonitoringReturn

    award = factory.SubFactory(AwardFactory)
    period_label = "Q1 2026-27"
    period_starts_on = factory.LazyFunction(lambda: datetime.now(UTC).date() - timedelta(days=90))
    period_ends_on = factory.LazyFunction(lambda: datetime.now(UTC).date() - timedelta(days=1))
    due_date = factory.LazyFunction(lambda: datetime.now(UTC).date() + timedelta(days=14))
    workflow = "monitoring_return"
    workflow_version = 1
    state = "awaiting"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class ContractFactory(Base):
    class Meta:
        model = Contract

    programme = factory.SubFactory(ProgrammeFactory)
    public_reference = factory.Sequence(lambda n: f"VRU-2026-{n:03d}")
    title = "Test intervention"
    amount_pence = 10_000_000
    workflow = "contract"
    workflow_version = 2
    state = "need_identified"
    state_changed_at = factory.LazyFunction(lambda: datetime.now(UTC))


# -- the rest of the models: one factory each --------------------------------------------------------


class TermFactory(Base):
    class Meta:
        model = Term

    vocabulary = "theme"
    code = factory.Sequence(lambda n: f"term-{n}")
    label = factory.Sequence(lambda n: f"Term {n}")
    position = factory.Sequence(lambda n: n)


class QuestionSetFactory(Base):
    class Meta:
        model = QuestionSet

    name = factory.Sequence(lambda n: f"question-set-{n}")
    version = 1
    title = factory.Sequence(lambda n: f"Application form {n}")
    definition = factory.LazyFunction(lambda: {"sections": []})


class CriterionFactory(Base):
    class Meta:
        model = Criterion

    class Params:
        round = factory.SubFactory(RoundFactory, state="closed")

    round_id = factory.SelfAttribute("round.id")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(lambda n: n)
    scale_min = 0
    scale_max = 5


class ApplicationSectionFactory(Base):
    class Meta:
        model = ApplicationSection

    application = factory.SubFactory(ApplicationFactory)
    section_key = factory.Sequence(lambda n: f"section_{n}")
    answers = factory.LazyFunction(dict)
    status = "completed"


class ApplicationTermFactory(Base):
    class Meta:
        model = ApplicationTerm

    class Params:
        application = factory.SubFactory(ApplicationFactory)
        term = factory.SubFactory(TermFactory)

    application_id = factory.SelfAttribute("application.id")
    term_id = factory.SelfAttribute("term.id")


class DocumentFactory(Base):
    class Meta:
        model = Document

    application = factory.SubFactory(ApplicationFactory)
    question_key = "safeguarding_policy"
    original_name = "safeguarding.pdf"
    stored_name = factory.Sequence(lambda n: f"{n:032x}")
    content_type = "application/pdf"
    size_bytes = 1024
    sha256 = "0" * 64


class ScreeningCheckFactory(Base):
    class Meta:
        model = ScreeningCheck

    application = factory.SubFactory(ApplicationFactory, state="submitted")
    answers = factory.LazyFunction(dict)
    notes = ""


class ScoreFactory(Base):
    class Meta:
        model = Score

    class Params:
        assessment = factory.SubFactory(AssessmentFactory, state="scoring")
        criterion = factory.SubFactory(CriterionFactory, round=factory.SelfAttribute("..assessment.application.round"))

    assessment_id = factory.SelfAttribute("assessment.id")
    criterion_id = factory.SelfAttribute("criterion.id")
    score = 3
    comment = "Meets the criterion."


class RecommendationFactory(Base):
    class Meta:
        model = Recommendation

    application = factory.SubFactory(ApplicationFactory, state="in_assessment")
    recommended_amount_pence = factory.LazyAttribute(lambda o: o.application.amount_requested_pence)


class ApprovalFactory(Base):
    class Meta:
        model = Approval

    class Params:
        application = factory.SubFactory(ApplicationFactory, state="recommended")
        approver = factory.SubFactory(UserFactory)

    application_id = factory.SelfAttribute("application.id")
    approver_id = factory.SelfAttribute("approver.id")


class MembershipFactory(Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_owner = False


class InvitationFactory(Base):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: datetime.now(UTC) + timedelta(days=7))


class RoleGrantFactory(Base):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "officer"
    programme = factory.SubFactory(ProgrammeFactory)


class ApiTokenFactory(Base):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    prefix = factory.Sequence(lambda n: f"gf_{n:06d}")
    role = "officer"
    programme = factory.SubFactory(ProgrammeFactory)


class OutboxMessageFactory(Base):
    class Meta:
        model = OutboxMessage

    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.org")
    subject = "Your application"
    body = "We have received your application."


class MonitoringPlanFactory(Base):
    class Meta:
        model = MonitoringPlan

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    version = 1
    definition = factory.LazyFunction(lambda: {"schedule": "months_after_start", "months": [6, 12]})


class ReturnSectionFactory(Base):
    class Meta:
        model = ReturnSection

    monitoring_return = factory.SubFactory(ReturnFactory)
    section_key = "delivery"
    answers = factory.LazyFunction(dict)
    status = "in_progress"


class ReturnMetricFactory(Base):
    class Meta:
        model = ReturnMetric

    monitoring_return_id = factory.LazyFunction(lambda: ReturnFactory().id)
    metric = "people_reached"
    value = 120


class MonitoringTargetFactory(Base):
    class Meta:
        model = MonitoringTarget

    award_id = factory.LazyFunction(lambda: AwardFactory().id)
    metric = "people_reached"
    period_label = "Q1 2026-27"
    baseline = 0
    target = 100


class ReminderFactory(Base):
    class Meta:
        model = Reminder

    monitoring_return_id = factory.LazyFunction(lambda: ReturnFactory().id)
    rule = "before-14"
    on_date = factory.LazyFunction(lambda: datetime.now(UTC).date())
    audience = "organisation"
    recipients = 1


class AuditEventFactory(Base):
    class Meta:
        model = AuditEvent

    class Params:
        subject = factory.SubFactory(ApplicationFactory)

    subject_type = "application"
    subject_id = factory.SelfAttribute("subject.id")
    subject_reference = factory.LazyAttribute(lambda o: o.subject.reference)
    action = "submit"
    from_state = "draft"
    to_state = "submitted"


def passed_screening(application, officer: User | None = None) -> None:
    """Every screening item passed, fraud risk low: the application may be marked eligible.
    With an officer, the checklist is theirs, with a note of the registers checked."""
    from grants.models import ScreeningCheck
    from grants.models.assessments import SCREENING_ITEMS

    check = ScreeningCheck(
        application_id=application.id, answers=dict.fromkeys(SCREENING_ITEMS, "pass"), fraud_risk="low"
    )
    if officer is not None:
        check.updated_by_id = officer.id
        check.notes = "Checked against the Charity Commission and Companies House registers."
    db.session.add(check)
    db.session.commit()


def staff_user(role: str, programme: Programme | None = None, **kwargs) -> User:
    """A user with one staff role, on one programme or (programme None) on every programme, with
    two-factor sign-in set up (their app's key: `totp_secret`), as staff have once they first signed in."""
    kwargs.setdefault("totp_secret", pyotp.random_base32(length=32))
    kwargs.setdefault("totp_enrolled_at", datetime.now(UTC))
    user = UserFactory(**kwargs)
    db.session.add(RoleGrant(user_id=user.id, role=role, programme_id=programme.id if programme else None))
    db.session.commit()
    return user


def member_of(organisation: Organisation, **kwargs) -> User:
    user = UserFactory(**kwargs)
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=True))
    db.session.commit()
    return user


def ensure_terms(spec: dict[tuple[str, str], str]):
    """Vocabulary terms {(vocabulary, code): label}, made where missing; returns them by code."""
    from sqlalchemy import select

    from grants.models import Term

    found = {}
    for position, ((vocabulary, code), label) in enumerate(spec.items()):
        term = db.session.scalar(select(Term).where(Term.vocabulary == vocabulary, Term.code == code))
        if term is None:
            term = Term(vocabulary=vocabulary, code=code, label=label, position=position)
            db.session.add(term)
        found[code] = term
    db.session.commit()
    return found


class IncomingGrantFactory(Base):
    class Meta:
        model = IncomingGrant

    reference = factory.Sequence(lambda n: f"HO-GRANT-{n:03d}")
    title = "Home Office grant"
    funder = "Home Office"
    amount_pence = 100_000_000
    starts_on = date(2026, 4, 1)
    ends_on = date(2027, 3, 31)


class IncomingGrantYearFactory(Base):
    class Meta:
        model = IncomingGrantYear

    incoming_grant = factory.SubFactory(IncomingGrantFactory)
    financial_year = 2026
    amount_pence = 100_000_000


class GrantReportFactory(Base):
    class Meta:
        model = GrantReport

    incoming_grant = factory.SubFactory(IncomingGrantFactory)
    due_on = date(2026, 7, 31)
    what = "Q1 return to the funder"


class MatchContributionFactory(Base):
    class Meta:
        model = MatchContribution

    incoming_grant_id = factory.LazyFunction(lambda: IncomingGrantFactory().id)
    financial_year = 2026
    partner = "West Yorkshire Police"
    amount_pence = 1_000_000


class CommissioningReminderFactory(Base):
    class Meta:
        model = CommissioningReminder

    subject_type = "contract"
    subject_id = 1
    rule = "ends_within_6_months"
    on_date = date(2027, 3, 31)


class UpliftFactory(Base):
    class Meta:
        model = Uplift

    reference = factory.Sequence(lambda n: f"MOJ-UPLIFT-2026-{n:02d}")
    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    financial_year = 2026
    percent = 9
    scope = "vcse"
    reason = "Mayor's decision"
    items = factory.LazyFunction(list)


class PaymentRunFactory(Base):
    class Meta:
        model = PaymentRun

    reference = factory.Sequence(lambda n: f"PR-2026-{n:04d}")
    paid_on = factory.LazyFunction(lambda: datetime.now(UTC).date())
    finance_reference = factory.Sequence(lambda n: f"BACS-{n:06d}")
    instalments = 0
    total_pence = 0
    made_by_id = factory.LazyFunction(lambda: UserFactory().id)


class UserSessionFactory(Base):
    class Meta:
        model = UserSession

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    user_agent = "Mozilla/5.0"


class RecoveryCodeFactory(Base):
    class Meta:
        model = RecoveryCode

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    code_hash = factory.Sequence(lambda n: f"{n:064x}")


class PasskeyFactory(Base):
    class Meta:
        model = Passkey

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    credential_id = factory.Sequence(lambda n: f"credential-{n}")
    public_key = b"a COSE public key"
    sign_count = 0
    name = "Work laptop"


class CaseNoteFactory(Base):
    class Meta:
        model = CaseNote

    case_kind = "application"
    case_id = factory.LazyFunction(lambda: ApplicationFactory().id)
    kind = "note"
    body = "Spoke to the applicant about their match funding."
    author_id = factory.LazyFunction(lambda: UserFactory().id)


class EmailTemplateFactory(Base):
    class Meta:
        model = EmailTemplate

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    key = factory.Sequence(lambda n: f"application.approve.organisation{n}")
    subject = "Your application ((reference)) has been approved"
    body = "Dear ((organisation)),\n\nYour application ((reference)) has been approved."


class SchedulerHeartbeatFactory(Base):
    class Meta:
        model = SchedulerHeartbeat

    name = factory.Sequence(lambda n: f"scheduler-{n}")
    beat_at = factory.LazyFunction(lambda: datetime.now(UTC))
    host = "scheduler-host"
    pid = 4242


class CaseOfficerFactory(Base):
    class Meta:
        model = CaseOfficer

    case_kind = "application"
    case_id = factory.LazyFunction(lambda: ApplicationFactory().id)
    officer_id = factory.LazyFunction(lambda: UserFactory().id)


class BackgroundJobFactory(Base):
    class Meta:
        model = BackgroundJob

    kind = "finance_export"
    parameters = factory.LazyFunction(
        lambda: {
            "programme": "FIN",
            "starts_on": "2022-04-01",
            "ends_on": "2023-03-31",
            "format": "xlsx",
            "with_bank_details": False,
        }
    )
    dedupe_key = factory.Sequence(lambda n: f"finance_export:{n}")
    title = "FIN finance spreadsheet, 1 April 2022 to 31 March 2023"
    download_name = "FIN-finance-2022-04-01-to-2023-03-31.xlsx"
    requested_by_id = factory.LazyFunction(lambda: UserFactory().id)
    state = "queued"
    rows_done = 0
    attempts = 0
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
    heartbeat_at = factory.LazyFunction(lambda: datetime.now(UTC))


class OpenDataFileFactory(Base):
    """A programme's published 360Giving file, as the worker leaves it (the file itself is not written)."""

    class Meta:
        model = OpenDataFile

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    output_format = "xlsx"
    stored_name = factory.Sequence(lambda n: f"open-data-P{n}-0000000000000000.xlsx")
    stamp = "0" * 64
    grants = 5001
    size_bytes = 1_200_000
    made_at = factory.LazyFunction(lambda: datetime.now(UTC))
