"""A contract's details, section by section: the need, the procurement, the terms of the award, the strand
(what is delivered and where) and, for an intervention, its Youth Endowment Fund rating and cohort.

Each section is a list of fields described once here: the page shows them, the form asks for them, and
`parse` turns what was typed into values or specific messages that name the figure, keeping the typed
text. `save` writes the changed fields under the contract's optimistic lock and audits them, old and new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from grants import audit
from grants.extensions import db
from grants.form_fields import month_number
from grants.formatting import london_date, money, pence_from_pounds, whole_number
from grants.models import Contract, IncomingGrant, Organisation, Term
from grants.models.commissioning import YEF_COSTS, YEF_IMPACTS

# The most a contract may be worth here: far above any real one, inside a 64-bit integer of pence.
MOST_PENCE = 100_000_000_000  # £1bn
CSO_EXCEPTIONS = [
    ("CSO 4.3(a): below the threshold for competition", "CSO 4.3(a): below the threshold for competition"),
    ("CSO 4.3(b): only one provider can deliver the service", "CSO 4.3(b): only one provider can deliver the service"),
    ("CSO 4.3(c): extreme urgency", "CSO 4.3(c): extreme urgency"),
    ("CSO 4.3(d): continuation of an existing service", "CSO 4.3(d): continuation of an existing service"),
]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | textarea | money | date | number | select | checkboxes
    hint: str = ""
    required: bool = False
    choices: Callable[[Contract | None], list[tuple[str, str]]] | None = None
    low: int | None = None
    high: int | None = None
    max_length: int = 2000


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    fields: tuple[Field, ...]
    states: frozenset[str] | None = None  # where it may change (None: any state but the ended ones)

    def editable_in(self, state: str, ended: frozenset[str]) -> bool:
        return state in self.states if self.states is not None else state not in ended


def terms(vocabulary: str) -> Callable[[Contract | None], list[tuple[str, str]]]:
    def choices(_contract: Contract | None) -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(Term.code, Term.label).where(Term.vocabulary == vocabulary).order_by(Term.position, Term.id)
        )
        return [(code, label) for code, label in rows]

    return choices


def _organisations(_contract: Contract | None) -> list[tuple[str, str]]:
    rows = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [("", "Not chosen yet")] + [(str(i), name) for i, name in rows]


def _funding_agreements(contract: Contract | None) -> list[tuple[str, str]]:
    query = select(IncomingGrant.id, IncomingGrant.title).order_by(IncomingGrant.title)
    if contract is not None:
        query = query.where(
            (IncomingGrant.programme_id == contract.programme_id) | IncomingGrant.programme_id.is_(None)
        )
    return [("", "None")] + [(str(i), title) for i, title in db.session.execute(query)]


def _fixed(options: Mapping[str, str]) -> Callable[[Contract | None], list[tuple[str, str]]]:
    return lambda _contract: [("", "Not rated")] + list(options.items())


NEED = Section(
    "need",
    "The need",
    (
        Field("need_summary", "What is needed", "textarea", required=True),
        Field("need_reason", "Why it is needed", "textarea", required=True),
        Field("need_evidence", "The evidence for it", "textarea", "For example, a needs assessment", True),
        Field("budget_stream", "Budget stream", "select", required=True, choices=terms("budget_stream")),
        Field("estimated_value_pence", "Estimated value", "money", "The whole contract, in pounds", True),
    ),
    frozenset({"need_identified"}),
)
PROCUREMENT = Section(
    "procurement",
    "Procurement",
    (
        Field("procurement_opens_on", "Procurement opens", "date"),
        Field("procurement_closes_on", "Procurement closes", "date"),
        Field("bidders", "Number of bidders", "number", low=0, high=1000),
        Field("evaluation_outcome", "Evaluation outcome", "textarea"),
        Field("provider_id", "Provider chosen", "select", choices=_organisations),
    ),
    frozenset({"route_competed", "route_direct_award", "procurement"}),
)
TERMS = Section(
    "terms",
    "Terms of the award",
    (
        Field("amount_pence", "Contract value", "money", "All years together, in pounds", True),
        Field("starts_on", "Starts", "date", required=True),
        Field("end_date", "Ends", "date", required=True),
        Field("extension_months_allowed", "Extension allowed (months)", "number", "0 for none", low=0, high=120),
        Field(
            "cso_reference",
            "Contract Standing Orders reference",
            "text",
            "For example, CSO-2026-014",
            True,
            max_length=64,
        ),
    ),
    frozenset({"procurement"}),
)
STRAND = Section(
    "strand",
    "What is delivered, and where",
    (
        Field("service_type", "Service type", "select", choices=lambda c: [("", "Not set")] + terms("service_type")(c)),
        Field(
            "districts_served",
            "Districts served",
            "checkboxes",
            "Open data shows these as where the grant benefits",
            choices=terms("district"),
        ),
        Field(
            "incoming_grant_id",
            "Funding agreement",
            "select",
            "The incoming grant it is charged to",
            choices=_funding_agreements,
        ),
    ),
)
INTERVENTION = Section(
    "intervention",
    "Youth Endowment Fund rating and cohort",
    (
        Field(
            "yef_approach",
            "Approach (as the YEF toolkit names it)",
            "text",
            "For example, A&E navigators",
            max_length=200,
        ),
        Field("yef_impact", "Impact", "select", choices=_fixed(YEF_IMPACTS)),
        Field(
            "yef_evidence_strength", "Evidence strength", "number", "From 1 (very low) to 5 (very high)", low=1, high=5
        ),
        Field("yef_cost", "Cost rating", "select", choices=_fixed(YEF_COSTS)),
        Field("cohort_age_from", "Youngest age in the cohort", "number", low=0, high=25),
        Field("cohort_age_to", "Oldest age in the cohort", "number", low=0, high=25),
        Field("settings", "Settings", "checkboxes", choices=terms("setting")),
        Field("reach", "People it expects to reach in a year", "number", low=0, high=10_000_000),
    ),
)
SECTIONS = {s.name: s for s in (NEED, PROCUREMENT, TERMS, STRAND, INTERVENTION)}


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def parse_date(form: Mapping[str, Any], name: str) -> tuple[date | None, str | None]:
    parts = [_clean(str(form.get(f"{name}-{p}", ""))) for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    month = month_number(parts[1]) if parts[1] else None
    day, year = whole_number(parts[0]), whole_number(parts[2])
    if day is None or year is None or month is None or not 1900 <= year <= 2200:
        return None, "must be a real date, like 31 3 2027"
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "must be a real date, like 31 3 2027"


def parse(
    section: Section, form: Mapping[str, Any], contract: Contract | None, getlist: Callable[[str], list[str]]
) -> Parsed:
    """What was typed into a section's form: values by field, or messages by field."""
    parsed = Parsed()
    for f in section.fields:
        value: Any
        if f.kind == "date":
            value, problem = parse_date(form, f.name)
            if problem:
                parsed.errors[f.name] = f"{f.label} {problem}"
                continue
        elif f.kind == "checkboxes":
            allowed = {code for code, _ in (f.choices(contract) if f.choices else [])}
            picked = [_clean(v) for v in getlist(f.name)]
            unknown = [v for v in picked if v not in allowed]
            if unknown:
                parsed.errors[f.name] = f"Choose {f.label.lower()} from the list"
                continue
            value = sorted(set(picked), key=picked.index)
        else:
            typed = _clean(str(form.get(f.name, "")))
            if f.kind in ("text", "textarea") and len(typed) > f.max_length:
                parsed.errors[f.name] = f"{f.label} must be {f.max_length:,} characters or fewer"
                continue
            if f.kind == "money" and typed:
                value = pence_from_pounds(typed)
                if value is None:
                    parsed.errors[f.name] = f"{f.label} must be an amount in pounds, like 95,000 or 95000.50"
                    continue
                if value <= 0:
                    parsed.errors[f.name] = f"{f.label} must be more than £0"
                    continue
                if value > MOST_PENCE:
                    parsed.errors[f.name] = f"{f.label} must be {money(MOST_PENCE)} or less"
                    continue
            elif f.kind == "number" and typed:
                value = whole_number(typed)
                if value is None:
                    parsed.errors[f.name] = f"{f.label} must be a whole number, like 12"
                    continue
                if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
                    parsed.errors[f.name] = f"{f.label} must be between {f.low:,} and {f.high:,}"
                    continue
            elif f.kind == "select" and typed:
                allowed = {code for code, _ in (f.choices(contract) if f.choices else [])}
                if typed not in allowed:
                    parsed.errors[f.name] = f"Choose {f.label.lower()} from the list"
                    continue
                value = int(typed) if f.name.endswith("_id") else typed
            elif f.kind == "textarea":
                value = typed  # long text is never null: empty is ""
            else:
                value = typed or None
        if f.required and value in (None, "", []):
            parsed.errors[f.name] = f"Enter {f.label.lower()}" if f.kind != "select" else f"Choose {f.label.lower()}"
            continue
        parsed.values[f.name] = value
    _cross_checks(parsed)
    return parsed


def _cross_checks(parsed: Parsed) -> None:
    v, errors = parsed.values, parsed.errors
    if v.get("starts_on") and v.get("end_date") and v["end_date"] < v["starts_on"]:
        errors["end_date"] = (
            f"The contract cannot end ({london_date(v['end_date'])}) before it starts ({london_date(v['starts_on'])})"
        )
    if (
        v.get("procurement_opens_on")
        and v.get("procurement_closes_on")
        and v["procurement_closes_on"] < v["procurement_opens_on"]
    ):
        errors["procurement_closes_on"] = "Procurement cannot close before it opens"
    low, high = v.get("cohort_age_from"), v.get("cohort_age_to")
    if low is not None and high is not None and high < low:
        errors["cohort_age_to"] = f"The oldest age ({high}) cannot be below the youngest ({low})"


def typed_values(section: Section, form: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> dict[str, Any]:
    """What the user typed, to show again beside the messages."""
    typed: dict[str, Any] = {}
    for f in section.fields:
        if f.kind == "date":
            typed[f.name] = tuple(
                str(form.get(f"{f.name}-{p}", "")).replace("\x00", "") for p in ("day", "month", "year")
            )
        elif f.kind == "checkboxes":
            typed[f.name] = [v.replace("\x00", "") for v in getlist(f.name)]
        else:
            typed[f.name] = str(form.get(f.name, "")).replace("\x00", "")
    return typed


def current_values(section: Section, contract: Contract) -> dict[str, Any]:
    """The contract's values as the form shows them."""
    shown: dict[str, Any] = {}
    for f in section.fields:
        value = getattr(contract, f.name)
        if f.kind == "date":
            shown[f.name] = (str(value.day), str(value.month), str(value.year)) if value else ("", "", "")
        elif f.kind == "money":
            shown[f.name] = f"{value / 100:,.2f}" if value else ""
        elif f.kind == "checkboxes":
            shown[f.name] = list(value or [])
        else:
            shown[f.name] = "" if value is None else str(value)
    return shown


def display(section: Section, contract: Contract) -> list[tuple[str, str]]:
    """The section as a summary list: label, value in words."""
    rows = []
    for f in section.fields:
        value = getattr(contract, f.name)
        if f.kind == "money":
            text = money(value) if value else ""
        elif f.kind == "date":
            text = london_date(value) if value else ""
        elif f.kind in ("select", "checkboxes") and f.choices is not None:
            labels = dict(f.choices(contract))
            codes = value if isinstance(value, list) else ([] if value in (None, "") else [str(value)])
            text = ", ".join(labels.get(str(code), str(code)) for code in codes)
        else:
            text = "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
        rows.append((f.label, text or "Not given"))
    return rows


def apply_values(user: Any, contract: Contract, section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set the values on the contract and audit what changed (old and new); caller commits."""
    changed: dict[str, Any] = {}
    for name, new in values.items():
        old = getattr(contract, name)
        if old != new:
            changed[name] = {"from": _plain(old), "to": _plain(new)}
            setattr(contract, name, new)
    if changed:
        audit.record_on(contract, actor=user, action=f"{section.name}_recorded", data=changed)
    return changed


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
