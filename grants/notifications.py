"""What some emails add to the standard 'your case has moved' message."""

from __future__ import annotations

from workflows.context import Context


def subject_line(context: Context) -> str | None:
    """A subject that reads well to the person it is for, where the standard one would not."""
    subject = context.subject
    if subject.__audit_type__ == "award" and context.transition.name == "offer":
        from grants.formatting import money

        reply = f": please reply by {subject.respond_by:%-d %B %Y}" if subject.respond_by else ""
        return f"Your grant offer {subject.reference} for {money(subject.amount_pence)}{reply}"
    return None


def details(context: Context) -> str | None:
    subject = context.subject
    if subject.__audit_type__ == "application" and context.transition.name == "submit":
        from grants.apply.services import answers_summary
        from grants.apply.summary import as_text

        return (
            f"Thank you. We have received your application {subject.reference}. "
            "Keep this email: it is your copy of what you sent.\n\n" + as_text(answers_summary(subject))
        )
    if subject.__audit_type__ == "application" and context.transition.name in ("approve", "reject"):
        from grants.decisions.decisions import outcome_text

        # The decision: the amount and conditions of an approval, and the panel's feedback.
        return outcome_text(subject, context.transition.name)
    if subject.__audit_type__ == "award":
        from grants.awards.emails import details as award_details

        # The offer itself (amount, conditions, reply-by date and link); who signed an acceptance.
        return award_details(subject, context.transition.name)
    return None
