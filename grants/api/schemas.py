"""What the JSON API says, as marshmallow schemas: resources (dump only) and list query parameters (load).

The OpenAPI document (grants/api/openapi.py) is generated from these same classes, so the
document and the answers cannot drift apart. Money is given twice: a string of pounds
("1234.56", never a float) and the exact integer pence. Dates and times are ISO 8601
(times in UTC with their offset). Bank details are in no schema here, on purpose.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from grants.formatting import pounds_text
from grants.workflow import engine

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"  # round and programme codes, public references
MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class Pounds(fields.String):
    """An amount held in pence, given as a string of pounds with two decimals."""

    def __init__(self, pence_attribute: str, description: str, **kwargs: Any):
        super().__init__(
            attribute=pence_attribute,
            required=True,
            dump_only=True,
            metadata={"description": f"{description}, in pounds", "pattern": MONEY_PATTERN, "example": "1234.56"},
            **kwargs,
        )

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else pounds_text(int(value))


class Pence(fields.Integer):
    def __init__(self, attribute: str, description: str, **kwargs: Any):
        super().__init__(
            attribute=attribute,
            required=True,
            dump_only=True,
            metadata={"description": f"{description}, in pence"},
            **kwargs,
        )


def _text(description: str, **kwargs: Any) -> fields.String:
    return fields.String(required=True, metadata={"description": description}, **kwargs)


def _date(description: str, **kwargs: Any) -> fields.Date:
    return fields.Date(required=True, metadata={"description": description}, **kwargs)


def _moment(description: str, **kwargs: Any) -> fields.DateTime:
    return fields.DateTime(required=True, metadata={"description": f"{description} (UTC)"}, **kwargs)


# -- resources -------------------------------------------------------------------------------------


class TermSchema(Schema):
    code = _text("Stable code of the term")
    label = _text("The term as people read it")


class TermList(fields.List):
    """An application's terms of one vocabulary (district, area of focus, priority, theme)."""

    def __init__(self, vocabulary: str, description: str):
        self.vocabulary = vocabulary
        super().__init__(
            fields.Nested(TermSchema),
            attribute="terms",
            required=True,
            dump_only=True,
            metadata={"description": description},
        )

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[Any] | None:
        chosen = [term for term in value or [] if term.vocabulary == self.vocabulary]
        return super()._serialize(chosen, attr, obj, **kwargs)


class OrganisationSchema(Schema):
    """The organisation an application or award belongs to: public identifiers only, never bank details."""

    name = _text("Name")
    charity_number = _text("Registered charity number", allow_none=True)
    company_number = _text("Companies House number", allow_none=True)
    other_identifier = _text("An org-id.guide identifier, for bodies with neither number", allow_none=True)
    district = _text("District code", allow_none=True)


class RoundSchema(Schema):
    code = _text("The round's code, e.g. MSCF-R3")
    programme = _text("The programme's code, e.g. MSCF", attribute="programme.code")
    number = fields.Integer(required=True, metadata={"description": "The round's number within its programme"})
    title = _text("Title")
    state = _text("Where the round is in its workflow (round workflow)")
    opens_at = _moment("When applications open", allow_none=True)
    closes_at = _moment("When applications close", allow_none=True)
    budget = Pounds("budget_pence", "Budget", allow_none=True)
    budget_pence = Pence("budget_pence", "Budget", allow_none=True)
    min_grant = Pounds("min_grant_pence", "Smallest grant an application may ask for", allow_none=True)
    min_grant_pence = Pence("min_grant_pence", "Smallest grant an application may ask for", allow_none=True)
    max_grant = Pounds("max_grant_pence", "Largest grant an application may ask for", allow_none=True)
    max_grant_pence = Pence("max_grant_pence", "Largest grant an application may ask for", allow_none=True)
    delivery_starts_on = _date("Projects may start from", allow_none=True)
    delivery_ends_on = _date("Projects must end by", allow_none=True)
    decision_on = _date("Date of the funding decision", allow_none=True)
    applications_received = fields.Integer(
        required=True, attribute="application_count", metadata={"description": "Applications submitted so far"}
    )


class ApplicationSchema(Schema):
    reference = _text("Public reference, e.g. MSCF-R3-0042", attribute="public_reference")
    round = _text("The round's code", attribute="round.code")
    programme = _text("The programme's code", attribute="round.programme.code")
    organisation = fields.Nested(OrganisationSchema, required=True)
    project_title = _text("Project title")
    amount_requested = Pounds("amount_requested_pence", "Amount asked for")
    amount_requested_pence = Pence("amount_requested_pence", "Amount asked for")
    people_reached = fields.Integer(
        required=True, allow_none=True, metadata={"description": "People the project expects to reach"}
    )
    state = _text("Where the application is in its workflow (application workflow)")
    submitted_at = _moment("When it was submitted", allow_none=True)
    districts = TermList("district", "Districts the project works in")
    areas_of_focus = TermList("area_of_focus", "Areas of focus the project tackles")
    priorities = TermList("priority", "Police and Crime Plan priorities")
    themes = TermList("theme", "Cross-cutting themes")


class AwardSchema(Schema):
    reference = _text("Public reference", attribute="public_reference")
    programme = _text("The programme's code", attribute="programme.code")
    # null (not left out) for awards with no application, such as allocations to commissioned providers
    round = _text(
        "The round's code, for awards made from an application",
        attribute="application.round.code",
        allow_none=True,
        dump_default=None,
    )
    application = _text(
        "The application's reference, for awards made from an application",
        attribute="application.public_reference",
        allow_none=True,
        dump_default=None,
    )
    organisation = fields.Nested(OrganisationSchema, required=True)
    title = _text("Title")
    state = _text("Where the award is in its workflow (award workflow)")
    amount = Pounds("amount_pence", "Current amount (after any variations)")
    amount_pence = Pence("amount_pence", "Current amount (after any variations)")
    amount_at_decision = Pounds("amount_at_decision_pence", "Amount at the decision", allow_none=True)
    amount_at_decision_pence = Pence("amount_at_decision_pence", "Amount at the decision", allow_none=True)
    paid = Pounds("paid_pence", "Paid so far")
    paid_pence = Pence("paid_pence", "Paid so far")
    budget_stream = _text("Budget stream the award is charged to", allow_none=True)
    cost_centre = _text("Cost centre", allow_none=True)
    decided_at = _moment("When the award was decided", allow_none=True)
    offered_at = _moment("When the offer was sent", allow_none=True)
    respond_by = _date("The grantee must reply to the offer by", allow_none=True)
    accepted_at = _moment("When the grantee accepted the offer", allow_none=True)
    starts_on = _date("Planned start", allow_none=True)
    ends_on = _date("Planned end", allow_none=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if attr == "paid_pence":
            return obj.paid_pence()  # from the payments the service loaded with the award
        return super().get_attribute(obj, attr, default)


class PaymentSchema(Schema):
    reference = _text("Reference: the award's reference and the instalment, e.g. MSCF-R3-0042-P1")
    award = _text("The award's reference", attribute="award.public_reference")
    programme = _text("The programme's code", attribute="award.programme.code")
    organisation = _text("The grantee's name", attribute="award.organisation.name")
    instalment = fields.Integer(required=True, metadata={"description": "Instalment number, from 1"})
    state = _text("Where the payment is in its workflow (payment workflow)")
    amount = Pounds("amount_pence", "Amount")
    amount_pence = Pence("amount_pence", "Amount")
    due_on = _date("Date due")
    paid_on = _date("Date paid, as finance's system records it", allow_none=True)
    finance_reference = _text("Finance system reference", allow_none=True)


class PageSchema(Schema):
    page = fields.Integer(required=True, metadata={"description": "This page's number, from 1"})
    per_page = fields.Integer(required=True, metadata={"description": "Items per page"})
    total = fields.Integer(required=True, metadata={"description": "Items matching, on every page"})
    next = _text("URL of the next page; null on the last page", allow_none=True)
    prev = _text("URL of the previous page; null on the first page", allow_none=True)


class RoundPageSchema(PageSchema):
    items = fields.List(fields.Nested(RoundSchema), required=True)


class ApplicationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ApplicationSchema), required=True)


class AwardPageSchema(PageSchema):
    items = fields.List(fields.Nested(AwardSchema), required=True)


class PaymentPageSchema(PageSchema):
    items = fields.List(fields.Nested(PaymentSchema), required=True)


class ErrorSchema(Schema):
    error = _text("A short code: bad_request, unauthorized, invalid_token, forbidden, not_found")
    message = _text("What went wrong, in words")
    problems = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For bad query parameters: what is wrong with each"},
    )


# -- query parameters -------------------------------------------------------------------------------


class WorkflowStates(validate.OneOf):
    """One of a workflow's states (any version), read from the running app's definitions.

    Read when used, so a new workflow version's states are accepted (and documented) at once.
    """

    def __init__(self, workflow: str, *, leave_out: tuple[str, ...] = ()):
        self.workflow = workflow
        self.leave_out = frozenset(leave_out)
        self.labels: list[str] = []
        self.labels_text = ""
        self.error = "must be one of: {choices}"

    @property
    def choices(self) -> list[str]:  # type: ignore[override]

        names: list[str] = []
        for definition in engine().registry.all():
            if definition.name == self.workflow:
                names += [s for s in definition.states if s not in names and s not in self.leave_out]
        return names

    @property
    def choices_text(self) -> str:  # type: ignore[override]
        return ", ".join(self.choices)


def _code(description: str) -> fields.String:
    return fields.String(
        validate=validate.Regexp(CODE_PATTERN, error="is not a code (letters, digits and hyphens)"),
        metadata={"description": description},
    )


class ListQuery(Schema):
    """page and per_page; anything not documented is refused, so a mistyped filter never goes unnoticed."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE, error=f"must be a whole number from 1 to {MAX_PAGE}"),
        error_messages={"invalid": "must be a whole number"},
        metadata={"description": "Page number, from 1"},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE, error=f"must be a whole number from 1 to {MAX_PER_PAGE}"),
        error_messages={"invalid": "must be a whole number"},
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}"},
    )


class RoundQuery(ListQuery):
    programme = _code("Only this programme's rounds (its code, e.g. MSCF)")


class ApplicationQuery(ListQuery):
    round = _code("Only this round's applications (its code, e.g. MSCF-R3)")
    state = fields.String(
        validate=WorkflowStates("application", leave_out=("draft",)),
        metadata={"description": "Only applications in this state (drafts are never listed)"},
    )


class AwardQuery(ListQuery):
    programme = _code("Only this programme's awards (its code)")
    round = _code("Only awards made from this round's applications (its code)")
    state = fields.String(validate=WorkflowStates("award"), metadata={"description": "Only awards in this state"})


class PaymentQuery(ListQuery):
    award = _code("Only this award's payments (its reference)")
    state = fields.String(validate=WorkflowStates("payment"), metadata={"description": "Only payments in this state"})
    due_from = fields.Date(
        error_messages={"invalid": "must be a date like 2023-04-01"},
        metadata={"description": "Only payments due on or after this date"},
    )
    due_to = fields.Date(
        error_messages={"invalid": "must be a date like 2024-03-31"},
        metadata={"description": "Only payments due on or before this date"},
    )

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            raise ValidationError("must not be after due_to", field_name="due_from")


def query_problems(error: ValidationError) -> tuple[str, dict[str, list[str]]]:
    """A ValidationError from a query schema as one sentence and a message list per parameter."""
    raw = error.normalized_messages()
    problems: dict[str, list[str]] = {}
    for name, messages in raw.items():
        items = messages if isinstance(messages, list) else [str(messages)]
        problems[name] = ["is not a parameter of this endpoint" if m == "Unknown field." else str(m) for m in items]
    sentence = "; ".join(f"{name} {' and '.join(messages)}" for name, messages in sorted(problems.items()))
    return f"Check the query parameters: {sentence}.", problems
