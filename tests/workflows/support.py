"""A vocabulary of the engine tests' own: no grant word, just enough names for small definitions."""

from __future__ import annotations

from workflows import Context, Vocabulary


def has_amount(ctx: Context) -> str | None:
    return None if getattr(ctx.subject, "amount", 0) > 0 else "Give an amount first."


def email_officers(ctx: Context) -> None:
    ctx.host.sent.append(ctx.transition.name)


def ticket_vocabulary() -> Vocabulary:
    vocabulary = Vocabulary()
    vocabulary.role("officer", "an officer")
    vocabulary.role("customer", "the customer")
    vocabulary.tag("ended", "nothing more happens")
    vocabulary.guard("has_amount", has_amount)
    vocabulary.effect("email_officers", email_officers)
    return vocabulary
