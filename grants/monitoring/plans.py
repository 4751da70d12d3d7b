"""Monitoring plans: the TOML an admin writes for a programme, read and checked into a Plan.

A plan says when a programme's returns fall due, which form each uses, whether a second person
at the organisation signs them off, and when reminders go. Version 1 of each programme's plan is
in grants/monitoring/plans/<code>.toml (put in by `grantflow setup`); an admin's edit on
Admin > Monitoring plans adds a version (grants.monitoring.plan_admin). The stored form is the
parsed TOML (MonitoringPlan.definition, JSON), with the text as typed under "source".

The format::

    schedule = "months_after_start"   # or "financial_quarters"
    due_working_days = 20             # a return is due this many working days after its period ends
                                      #   (England and Wales: weekends and bank holidays skipped)
    window_opens_days = 28            # it opens for the organisation this many days before it is due
    sign_off = false                  # a second person at the organisation signs it off first
    last_is_final = false             # financial_quarters only: the award's last quarter is its "final"

    [question_sets]                   # the form (question set name) each kind of return uses;
    progress = "mscf-progress"        #   kinds: progress, final (months_after_start), quarterly
    final = "mscf-final"              #   (financial_quarters, and final if last_is_final)

    [[returns]]                       # months_after_start only: one table per return, in order
    kind = "progress"                 # progress or final (exactly one final, the last)
    months = 6                        # its period runs from the award's start for this many months
    title = "6-month progress report" # what emails and pages call it
    # a final return's period ends on the award's end date when it has one

    [[reminders]]                     # when reminders go, counted in working days from the due date
    key = "due_in_14"                 # a name (letters, digits, _ and -), unique in the plan
    working_days = -14                # -14: 14 working days before; 0: on the due date; 5: 5 after
    repeat_working_days = 5           # optional: again every 5 working days after that (while not sent)
    audience = "organisation"         # organisation (its members), officers (the programme's), lead
                                      #   (the programme lead)

Financial quarters are April–June (Q1), July–September (Q2), October–December (Q3) and
January–March (Q4); a quarterly return's period is labelled like "Q1 2022-23", and an award gets
one for every quarter it overlaps.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import MonitoringPlan, Programme, QuestionSet
from grants.models.monitoring import FINAL, PROGRESS, QUARTERLY

PLANS_FOLDER = Path(__file__).parent / "plans"
MONTHS_AFTER_START, FINANCIAL_QUARTERS = "months_after_start", "financial_quarters"
SCHEDULES = (MONTHS_AFTER_START, FINANCIAL_QUARTERS)
AUDIENCES = ("organisation", "officers", "lead")
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_TEXT = 20_000
TOP_KEYS = {
    "schedule",
    "due_working_days",
    "window_opens_days",
    "sign_off",
    "last_is_final",
    "question_sets",
    "returns",
    "reminders",
}
RETURN_KEYS = {"kind", "months", "title"}
RULE_KEYS = {"key", "working_days", "repeat_working_days", "audience"}


class PlanProblems(ValueError):
    """What is wrong with a plan, each problem in words naming the place; nothing was saved."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ReturnSpec:
    kind: str
    months: int
    title: str


@dataclass(frozen=True)
class ReminderRule:
    key: str
    working_days: int
    repeat_working_days: int | None
    audience: str

    def fires(self, days_from_due: int) -> bool:
        """Whether the rule fires on a working day this many working days after the due date."""
        if days_from_due == self.working_days:
            return True
        if self.repeat_working_days and days_from_due > self.working_days:
            return (days_from_due - self.working_days) % self.repeat_working_days == 0
        return False

    def describe(self) -> str:
        n = abs(self.working_days)
        days = f"{n} working day{'s' if n != 1 else ''}"
        when = "on the due date" if n == 0 else f"{days} {'before' if self.working_days < 0 else 'after'} the due date"
        if self.repeat_working_days:
            when += f", then every {self.repeat_working_days} working days until it is sent"
        who = {"organisation": "the organisation", "officers": "the programme's officers", "lead": "the programme lead"}
        return f"{when}, to {who[self.audience]}"


@dataclass(frozen=True)
class Plan:
    schedule: str
    due_working_days: int
    window_opens_days: int
    sign_off: bool
    last_is_final: bool
    question_sets: dict[str, str]
    returns: tuple[ReturnSpec, ...]
    reminders: tuple[ReminderRule, ...]

    def title(self, kind: str, sequence: int, period_label: str) -> str:
        """What people call one return: "6-month progress report", "Q1 2022-23 quarterly return"."""
        if self.schedule == MONTHS_AFTER_START and 1 <= sequence <= len(self.returns):
            return self.returns[sequence - 1].title
        if kind == FINAL:
            return f"{period_label} final return"
        return f"{period_label} {kind} return"


# -- reading ---------------------------------------------------------------------------------------


def _whole(problems: list[str], raw: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = raw.get(key)
    if value is None:
        problems.append(f"{where}: add {key} (a whole number from {low} to {high})")
        return low
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}: {key} must be a whole number from {low} to {high}, not {value!r}")
        return low
    if not low <= value <= high:
        problems.append(f"{where}: {key} must be from {low} to {high}, not {value}")
    return value


def _unknown(problems: list[str], raw: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        problems.append(f"{where}: unknown setting {', '.join(unknown)} (the settings are {', '.join(sorted(known))})")


def _flag(problems: list[str], raw: dict[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"{key} must be true or false, not {value!r}")
        return default
    return value


def parse(text: str) -> Plan:
    """Read and check a plan's TOML; PlanProblems lists everything wrong, each naming its place."""
    if len(text) > MAX_TEXT:
        raise PlanProblems([f"The plan must be {MAX_TEXT:,} characters or fewer"])
    if "\x00" in text:
        raise PlanProblems(["The plan must not contain a NUL character (\\0)"])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanProblems([f"The plan is not valid TOML: {exc}"]) from None
    return from_definition(raw)


def from_definition(raw: dict[str, Any]) -> Plan:
    """A Plan from parsed TOML (or a stored definition); PlanProblems if it does not make sense."""
    problems: list[str] = []
    unknown = sorted(set(raw) - TOP_KEYS - {"source"})
    if unknown:
        problems.append(f"Unknown setting {', '.join(unknown)}: the settings are {', '.join(sorted(TOP_KEYS))}")
    schedule = raw.get("schedule")
    if schedule not in SCHEDULES:
        problems.append(f'schedule must be "{SCHEDULES[0]}" or "{SCHEDULES[1]}", not {schedule!r}')
    due = _whole(problems, raw, "due_working_days", "The plan", 0, 120)
    opens = _whole(problems, raw, "window_opens_days", "The plan", 0, 365)
    sign_off = _flag(problems, raw, "sign_off", False)
    last_is_final = _flag(problems, raw, "last_is_final", False)

    returns: list[ReturnSpec] = []
    raw_returns = raw.get("returns", [])
    if schedule == MONTHS_AFTER_START:
        if not isinstance(raw_returns, list) or not raw_returns:
            problems.append('A "months_after_start" plan needs at least one [[returns]] table (kind, months, title)')
            raw_returns = []
        for number, spec in enumerate(raw_returns, start=1):
            where = f"Return {number}"
            if not isinstance(spec, dict):
                problems.append(f"{where}: write it as a [[returns]] table")
                continue
            _unknown(problems, spec, RETURN_KEYS, where)
            kind = spec.get("kind")
            if kind not in (PROGRESS, FINAL):
                problems.append(f'{where}: kind must be "progress" or "final", not {kind!r}')
            months = _whole(problems, spec, "months", where, 1, 120)
            title = spec.get("title")
            if not isinstance(title, str) or not title.strip():
                problems.append(f'{where}: add a title, e.g. "6-month progress report"')
                title = ""
            returns.append(ReturnSpec(str(kind), months, title.strip()[:120]))
        finals = [n for n, r in enumerate(returns, start=1) if r.kind == FINAL]
        if returns and finals != [len(returns)]:
            problems.append("Exactly one return must be the final one, and it must be the last")
        if any(b.months <= a.months for a, b in zip(returns, returns[1:], strict=False)):
            problems.append("Each return's months must be more than the one before")
    elif raw_returns:
        problems.append('[[returns]] tables belong to "months_after_start" plans: quarters need none')

    question_sets = raw.get("question_sets", {})
    if not isinstance(question_sets, dict):
        problems.append('question_sets must be a table, e.g. question_sets = {quarterly = "vru-quarterly"}')
        question_sets = {}
    kinds = {r.kind for r in returns} if schedule == MONTHS_AFTER_START else {QUARTERLY}
    for kind, name in question_sets.items():
        if kind not in (PROGRESS, FINAL, QUARTERLY):
            problems.append(f"question_sets: {kind!r} is not a kind of return (progress, final or quarterly)")
        elif not isinstance(name, str) or not name.strip():
            problems.append(f"question_sets: give the name of the question set {kind} returns use")
    for kind in sorted(kinds - set(question_sets)):
        problems.append(f'question_sets: name the question set {kind} returns use, e.g. {kind} = "{kind}-form"')

    rules: list[ReminderRule] = []
    raw_rules = raw.get("reminders", [])
    if not isinstance(raw_rules, list):
        problems.append("Write each reminder as a [[reminders]] table")
        raw_rules = []
    seen: set[str] = set()
    for number, spec in enumerate(raw_rules, start=1):
        where = f"Reminder {number}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: write it as a [[reminders]] table")
            continue
        key = spec.get("key")
        if not isinstance(key, str) or not KEY_SHAPE.match(key):
            problems.append(f"{where}: key must be 1 to 32 letters, digits, _ or -, not {key!r}")
            key = f"rule{number}"
        elif key in seen:
            problems.append(f"{where}: the key {key!r} is used twice; each reminder needs its own")
        seen.add(key)
        where = f"Reminder {key!r}"
        _unknown(problems, spec, RULE_KEYS, where)
        offset = _whole(problems, spec, "working_days", where, -120, 250)
        repeat = spec.get("repeat_working_days")
        if repeat is not None:
            repeat = _whole(problems, spec, "repeat_working_days", where, 1, 60)
        audience = spec.get("audience")
        if audience not in AUDIENCES:
            problems.append(f'{where}: audience must be "organisation", "officers" or "lead", not {audience!r}')
        rules.append(ReminderRule(key, offset, repeat, str(audience)))
    if problems:
        raise PlanProblems(problems)
    return Plan(
        schedule=str(schedule),
        due_working_days=due,
        window_opens_days=opens,
        sign_off=sign_off,
        last_is_final=last_is_final,
        question_sets={k: v.strip() for k, v in question_sets.items()},
        returns=tuple(returns),
        reminders=tuple(rules),
    )


def definition_of(text: str) -> dict[str, Any]:
    """What is stored for a plan: the parsed TOML (checked), with the text as typed."""
    parse(text)
    return {**tomllib.loads(text), "source": text}


def source_of(plan_row: MonitoringPlan) -> str:
    return str(plan_row.definition.get("source", ""))


def standard_text(code: str) -> str | None:
    """The plan file a programme starts with (grants/monitoring/plans/<code>.toml), if there is one."""
    path = PLANS_FOLDER / f"{code.lower()}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


# -- stored plans ----------------------------------------------------------------------------------


def current_plan(programme_id: int) -> MonitoringPlan | None:
    """The programme's newest plan version, or None."""
    return db.session.scalar(
        select(MonitoringPlan)
        .where(MonitoringPlan.programme_id == programme_id)
        .order_by(MonitoringPlan.version.desc())
        .limit(1)
    )


def plan_of(row: MonitoringPlan) -> Plan:
    return from_definition(row.definition)


def question_set_id(name: str | None) -> int | None:
    """The newest question set of that name, or None if there is none yet."""
    if not name:
        return None
    return db.session.scalar(
        select(QuestionSet.id).where(QuestionSet.name == name).order_by(QuestionSet.version.desc()).limit(1)
    )


def seed_plans() -> list[str]:
    """Version 1 of each programme's plan from its file, where the programme has no plan; flushed."""
    with_plans = select(MonitoringPlan.programme_id)
    added = []
    for programme in db.session.scalars(
        select(Programme).where(Programme.id.not_in(with_plans)).order_by(Programme.code)
    ):
        text = standard_text(programme.code)
        if text is None:
            continue
        db.session.add(MonitoringPlan(programme_id=programme.id, version=1, definition=definition_of(text)))
        added.append(programme.code)
    db.session.flush()
    return added
