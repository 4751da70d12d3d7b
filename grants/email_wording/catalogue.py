"""Which emails the service sends through a template, and the placeholders each one knows.

A transition's email is keyed `<workflow>.<transition>.<audience>` (audience `organisation` or
`officers`): every transition of a registered definition whose effects include `email_organisation`
or `email_officers`. Other emails register a key of their own here (`assessors.assigned`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

AUDIENCES = {"email_organisation": "organisation", "email_officers": "officers"}
AUDIENCE_LABELS = {"organisation": "to the organisation", "officers": "to the programme's officers"}
ASSESSORS_ASSIGNED = "assessors.assigned"


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    example: str


@dataclass(frozen=True)
class Email:
    """One email a programme may word for itself."""

    key: str
    title: str  # "Grant application: Approve"
    audience: str  # "to the organisation", "to each assessor"
    case_kind: str  # the kind of case a preview is shown on ("application"; "round" for assessors)
    case_label: str  # "Grant application"
    placeholders: tuple[Placeholder, ...]
    # The wording an officer starts from (the service's standard email, written with placeholders).
    subject: str = ""
    body: str = ""

    def names(self) -> list[str]:
        return [p.name for p in self.placeholders]


_TRANSITION = (
    Placeholder("reference", "The case's reference", "MSCF-R4-0002"),
    Placeholder("case_label", "What the case is, in lower case", "grant application"),
    Placeholder("state", "What the case is now, in lower case", "approved"),
    Placeholder("previous_state", "What the case was before, in lower case", "awaiting decision"),
    Placeholder("action", "What happened", "Approve"),
    Placeholder("reason", "The reason given, if one was (otherwise nothing)", "The project meets every criterion."),
    Placeholder("organisation", "The organisation's name", "Riverside Community Trust"),
    Placeholder("programme", "The programme's name", "Mid-Shire Community Fund"),
    Placeholder("round", "The funding round's title, where the case belongs to one", "Round 4"),
    Placeholder(
        "details",
        "What the service's standard email adds for this step (for example an offer's amount and when to reply)",
        "Amount: £7,500.00",
    ),
    Placeholder(
        "link", "Where the reader sees the case in grantflow (a full web address)", "https://grantflow.example/apply/"
    ),
)
_AMOUNT = Placeholder("amount", "The case's amount of money", "£7,500.00")
_ASSESSORS = (
    Placeholder("count", "How many bids this assessor has been given, in words", "3 bids"),
    Placeholder("round", "The funding round's title", "Round 4"),
    Placeholder("programme", "The programme's name", "Mid-Shire Community Fund"),
    Placeholder(
        "due_date",
        "When the scores are due (the round's assessment due date, else its decision date)",
        "14 February 2027",
    ),
    Placeholder(
        "by_when",
        "When the scores are due, as words that follow the round's title (nothing when the round has no dates)",
        " by 14 February 2027",
    ),
    Placeholder("bids", "The references of the bids, one a line", "- MSCF-R4-0002\n- MSCF-R4-0007"),
    Placeholder(
        "link", "The assessor's list of bids to score (a full web address)", "https://grantflow.example/assessors/"
    ),
)


_STARTING = {
    "organisation": (
        "Your ((case_label)) ((reference)) is now ((state))",
        "Your ((case_label)) ((reference)) is now ((state)).\n\nWhat happened: ((action)).\n\n((details))\n\n"
        "Sign in to grantflow to see it: ((link))",
    ),
    "officers": (
        "((reference)): the ((case_label)) is now ((state))",
        "The ((case_label)) ((reference)) from ((organisation)) is now ((state)).\n\nWhat happened: ((action)).\n\n"
        "((details))\n\nSee it in grantflow: ((link))",
    ),
    ASSESSORS_ASSIGNED: (
        "((count)) to score for ((round))((by_when))",
        "You have been asked to score ((count)) for ((round))((by_when)):\n\n((bids))\n\n"
        "For each bid, first say whether you have a conflict of interest: if you do, you will not see it\n"
        "again and an officer will give it to someone else. Then score it against the round's criteria.\n\n"
        "Your bids to score: ((link))",
    ),
}


def extensions() -> tuple[Any, Any]:
    """The app's engine and case types (grants.workflow imports this package's user, so not it)."""
    return current_app.extensions["workflow_engine"], current_app.extensions["case_types"]


def _has_amount(model: Any) -> bool:
    return hasattr(model, "amount_pence")


def emails() -> list[Email]:
    """Every email the service sends through a template, transition emails by workflow then order."""
    engine, case_types = extensions()
    found: dict[str, Email] = {}
    for definition in sorted(engine.registry, key=lambda d: (d.name, -d.version)):
        case_type = case_types.for_workflow(definition.name)
        if case_type is None:
            continue
        known = _TRANSITION + ((_AMOUNT,) if _has_amount(case_type.model) else ())
        for transition in definition.transitions.values():
            for effect in transition.effects:
                audience = AUDIENCES.get(effect)
                key = f"{definition.name}.{transition.name}.{audience}"
                if audience is None or key in found:
                    continue
                found[key] = Email(
                    key=key,
                    title=f"{definition.label}: {transition.label}",
                    audience=AUDIENCE_LABELS[audience],
                    case_kind=case_type.kind,
                    case_label=definition.label,
                    placeholders=known,
                    subject=_STARTING[audience][0],
                    body=_STARTING[audience][1],
                )
    found[ASSESSORS_ASSIGNED] = Email(
        key=ASSESSORS_ASSIGNED,
        title="Bids given to an assessor to score",
        audience="to each assessor",
        case_kind="round",
        case_label="Funding round",
        placeholders=_ASSESSORS,
        subject=_STARTING[ASSESSORS_ASSIGNED][0],
        body=_STARTING[ASSESSORS_ASSIGNED][1],
    )
    return list(found.values())


# The kinds of case a kind of programme has none of (grants.models.programmes.PROGRAMME_KINDS): open
# rounds take applications and make awards; commissioned programmes make contracts, whose yearly
# allocations are awards with payments and returns.
_NO_CASES_OF = {
    "grant_rounds": frozenset({"contract"}),
    "commissioning": frozenset({"round", "application", "assessment"}),
    "sub_grant": frozenset({"round", "application", "assessment"}),
}


def emails_of_programme(kind: str) -> list[Email]:
    """The emails a programme of this kind sends: those about the kinds of case it has."""
    absent = _NO_CASES_OF.get(kind, frozenset())
    return [e for e in emails() if e.case_kind not in absent]


def email(key: str) -> Email | None:
    return next((e for e in emails() if e.key == key), None)


def known_placeholders(key: str) -> list[Placeholder]:
    """The placeholders an email knows (none for a key the service does not send)."""
    found = email(key)
    return list(found.placeholders) if found else []


def transition_key(workflow: str, transition: str, audience: str) -> str:
    return f"{workflow}.{transition}.{audience}"
