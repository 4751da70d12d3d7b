"""SQLAlchemy models, one module per aggregate."""

from grants.models.applications import Application, ApplicationSection, ApplicationTerm, Document
from grants.models.assessments import Approval, Assessment, Recommendation, Score, ScreeningCheck
from grants.models.audit import AuditEvent
from grants.models.awards import Award, Payment, PaymentRun, Recovery, Variation
from grants.models.base import Base, Workflowed
from grants.models.budgets import Budget
from grants.models.case_officers import CaseOfficer
from grants.models.commissioning import Contract, IncomingGrant, IncomingGrantYear
from grants.models.correspondence import CaseNote
from grants.models.email_templates import EmailTemplate
from grants.models.incoming import CommissioningReminder, GrantReport, MatchContribution, Uplift
from grants.models.jobs import BackgroundJob
from grants.models.monitoring import (
    MonitoringPlan,
    MonitoringReturn,
    MonitoringTarget,
    Reminder,
    ReturnMetric,
    ReturnSection,
)
from grants.models.open_data import OpenDataFile
from grants.models.operations import SchedulerHeartbeat
from grants.models.outbox import OutboxMessage
from grants.models.people import (
    Invitation,
    Membership,
    Organisation,
    Passkey,
    RecoveryCode,
    RoleGrant,
    User,
    UserSession,
)
from grants.models.programmes import AgreementTerms, Criterion, Programme, QuestionSet, Round, Term
from grants.models.tokens import ApiToken

__all__ = [
    "BackgroundJob",
    "CaseNote",
    "CaseOfficer",
    "EmailTemplate",
    "AgreementTerms",
    "ApiToken",
    "Budget",
    "PaymentRun",
    "Recovery",
    "Variation",
    "Application",
    "Approval",
    "Assessment",
    "Criterion",
    "Recommendation",
    "Score",
    "ScreeningCheck",
    "ApplicationSection",
    "ApplicationTerm",
    "Document",
    "Invitation",
    "QuestionSet",
    "AuditEvent",
    "Award",
    "Base",
    "Contract",
    "IncomingGrant",
    "CommissioningReminder",
    "GrantReport",
    "MatchContribution",
    "Uplift",
    "IncomingGrantYear",
    "Membership",
    "MonitoringPlan",
    "MonitoringReturn",
    "MonitoringTarget",
    "Reminder",
    "ReturnMetric",
    "ReturnSection",
    "OpenDataFile",
    "Organisation",
    "OutboxMessage",
    "Payment",
    "Programme",
    "RoleGrant",
    "SchedulerHeartbeat",
    "Round",
    "Term",
    "User",
    "UserSession",
    "Passkey",
    "RecoveryCode",
    "Workflowed",
]
