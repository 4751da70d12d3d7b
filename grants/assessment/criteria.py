"""A round's scoring criteria, as data: name, guidance, scale with a descriptor per score, weight, minimum.

The rules for a criterion live here (`check_values`), which names every field that is
wrong; the view puts each message on its field. Once any score exists for the round the
criteria are fixed, so that every score keeps the meaning it was given under.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grants import audit
from grants.assessment.services import NotFound, scoring_begun
from grants.errors import FieldErrors
from grants.extensions import db
from grants.models import Criterion, Round

SCORING_BEGUN = "Scoring has begun, so the criteria are fixed: existing scores must keep their meaning"
LOWEST_SCORE, HIGHEST_SCORE = 0, 100
MAX_WEIGHT = Decimal("9999.99")  # Numeric(6, 2)
_INTEGER = re.compile(r"^-?\d{1,4}$")
_DESCRIPTOR = re.compile(r"^(-?\d{1,4})\s*:\s*(.*)$")


class CriteriaFixed(Exception):
    def __init__(self) -> None:
        super().__init__(SCORING_BEGUN)


class CriterionInvalid(FieldErrors):
    """A criterion as typed cannot be saved; `errors` names each field and says why."""


@dataclass(frozen=True)
class CriterionValues:
    name: str
    guidance: str
    scale_min: int
    scale_max: int
    descriptors: dict[str, str]
    weight: Decimal
    minimum_score: int | None
    comment_required: bool

    def as_audit(self) -> dict[str, Any]:
        values = asdict(self)
        values["weight"] = str(self.weight)
        return values


# -- reading -----------------------------------------------------------------------------------
def criteria_of(round_: Round) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position, Criterion.id)
        )
    )


def criterion_of(round_: Round, criterion_id: int) -> Criterion:
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.round_id != round_.id:
        raise NotFound(criterion_id)
    return criterion


def descriptors_text(descriptors: dict[str, str]) -> str:
    """Descriptors as the form shows them: one 'score: meaning' per line, highest score first."""
    return "\n".join(f"{score}: {text}" for score, text in sorted(descriptors.items(), key=lambda kv: -int(kv[0])))


def form_values(criterion: Criterion) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "scale_min": str(criterion.scale_min),
        "scale_max": str(criterion.scale_max),
        "descriptors": descriptors_text(criterion.descriptors or {}),
        "weight": f"{criterion.weight.normalize():f}",
        "minimum_score": "" if criterion.minimum_score is None else str(criterion.minimum_score),
        "comment_required": criterion.comment_required,
    }


# -- the rules ----------------------------------------------------------------------------------
def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if _INTEGER.match(text) else None


def parse_descriptors(text: str, low: int | None, high: int | None) -> tuple[dict[str, str], str | None]:
    """'5: Strong' lines as {"5": "Strong"}, and the first problem found, if any."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _DESCRIPTOR.match(line)
        if match is None or not match.group(2).strip():
            return found, (
                "Write each descriptor on its own line as a score, a colon and what it means, like 5: Strong"
            )
        score, meaning = int(match.group(1)), match.group(2).strip()
        if low is not None and high is not None and not low <= score <= high:
            return found, f"The descriptor for {score} is outside the scale of {low} to {high}"
        if str(score) in found:
            return found, f"There are two descriptors for {score}: give each score one"
        if len(meaning) > 200:
            return found, f"The descriptor for {score} must be 200 characters or fewer"
        found[str(score)] = meaning
    return found, None


def check_values(raw: dict[str, Any]) -> CriterionValues:
    """The typed values as a criterion, or CriterionInvalid naming each field that is wrong."""
    errors: dict[str, str] = {}
    name = str(raw.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter the name of the criterion"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    guidance = str(raw.get("guidance") or "").strip()
    if len(guidance) > 5000:
        errors["guidance"] = "The guidance must be 5,000 characters or fewer"

    low = _whole_number(str(raw.get("scale_min") or ""))
    high = _whole_number(str(raw.get("scale_max") or ""))
    if low is None or not LOWEST_SCORE <= low <= HIGHEST_SCORE:
        errors["scale_min"] = f"Enter the lowest score as a whole number from {LOWEST_SCORE} to {HIGHEST_SCORE}, like 0"
    if high is None or not LOWEST_SCORE <= high <= HIGHEST_SCORE:
        errors["scale_max"] = (
            f"Enter the highest score as a whole number from {LOWEST_SCORE} to {HIGHEST_SCORE}, like 5"
        )
    elif low is not None and high <= low:
        errors["scale_max"] = "The highest score must be more than the lowest score"
    scale_ok = "scale_min" not in errors and "scale_max" not in errors

    descriptors, problem = parse_descriptors(
        str(raw.get("descriptors") or ""), low if scale_ok else None, high if scale_ok else None
    )
    if problem:
        errors["descriptors"] = problem

    weight_text = str(raw.get("weight") or "").strip()
    weight: Decimal | None = None
    try:
        weight = Decimal(weight_text) if weight_text else None
    except InvalidOperation:
        weight = None
    if weight is None or not weight.is_finite():
        errors["weight"] = "Enter the weight as a number, like 1 or 1.5"
    elif weight <= 0 or weight > MAX_WEIGHT:
        errors["weight"] = "The weight must be more than 0 and no more than 9,999.99"
    elif weight != weight.quantize(Decimal("0.01")):
        errors["weight"] = "The weight can have at most 2 decimal places"

    minimum_text = str(raw.get("minimum_score") or "").strip()
    minimum = _whole_number(minimum_text) if minimum_text else None
    if minimum_text and minimum is None:
        errors["minimum_score"] = "Enter the minimum score as a whole number, or leave it empty"
    elif minimum is not None and scale_ok and low is not None and high is not None and not low <= minimum <= high:
        errors["minimum_score"] = f"The minimum score must be on the scale, from {low} to {high}"

    if errors:
        raise CriterionInvalid(errors)
    assert low is not None and high is not None and weight is not None
    return CriterionValues(
        name=name,
        guidance=guidance,
        scale_min=low,
        scale_max=high,
        descriptors=descriptors,
        weight=weight.quantize(Decimal("0.01")),
        minimum_score=minimum,
        comment_required=bool(raw.get("comment_required")),
    )


# -- changing them -----------------------------------------------------------------------------
def _refuse_once_scoring_begun(round_: Round) -> None:
    if scoring_begun(round_):
        raise CriteriaFixed()


def _name_taken(round_: Round, name: str, other_than: int | None = None) -> bool:
    query = select(Criterion.id).where(Criterion.round_id == round_.id, func.lower(Criterion.name) == name.lower())
    if other_than is not None:
        query = query.where(Criterion.id != other_than)
    return db.session.scalar(query.limit(1)) is not None


def _audit(user: Any, round_: Round, action: str, data: dict[str, Any]) -> None:
    audit.record_on(
        round_,
        actor=user,
        action=action,
        data=data,
    )


def _commit(round_: Round, name: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise CriterionInvalid({"name": f"{round_.code} already has a criterion called '{name}'"}) from None


def _apply(criterion: Criterion, values: CriterionValues) -> None:
    for name, value in asdict(values).items():
        setattr(criterion, name, value)


def add_criterion(user: Any, round_: Round, values: CriterionValues) -> Criterion:
    _refuse_once_scoring_begun(round_)
    if _name_taken(round_, values.name):
        raise CriterionInvalid({"name": f"{round_.code} already has a criterion called '{values.name}'"})
    last = db.session.scalar(select(func.max(Criterion.position)).where(Criterion.round_id == round_.id))
    criterion = Criterion(round_id=round_.id, position=(last or 0) + 1)
    _apply(criterion, values)
    db.session.add(criterion)
    db.session.flush()
    _audit(user, round_, "add_criterion", {"criterion_id": criterion.id, **values.as_audit()})
    _commit(round_, values.name)
    return criterion


def update_criterion(user: Any, round_: Round, criterion_id: int, values: CriterionValues) -> list[str]:
    """Change a criterion; returns the names of the fields that changed (none: nothing written)."""
    criterion = criterion_of(round_, criterion_id)
    _refuse_once_scoring_begun(round_)
    if _name_taken(round_, values.name, other_than=criterion.id):
        raise CriterionInvalid({"name": f"{round_.code} already has a criterion called '{values.name}'"})
    before = CriterionValues(
        name=criterion.name,
        guidance=criterion.guidance,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        descriptors=dict(criterion.descriptors or {}),
        weight=Decimal(criterion.weight),
        minimum_score=criterion.minimum_score,
        comment_required=criterion.comment_required,
    )
    old, new = before.as_audit(), values.as_audit()
    changed = [name for name in new if old[name] != new[name] and name != "weight"]
    if Decimal(criterion.weight) != values.weight:
        changed.append("weight")
    if not changed:
        return []
    _apply(criterion, values)
    _audit(
        user,
        round_,
        "change_criterion",
        {"criterion_id": criterion.id, "changed": {name: [old[name], new[name]] for name in changed}},
    )
    _commit(round_, values.name)
    return changed


def remove_criterion(user: Any, round_: Round, criterion_id: int) -> str:
    criterion = criterion_of(round_, criterion_id)
    _refuse_once_scoring_begun(round_)
    name = criterion.name
    _audit(user, round_, "remove_criterion", {"criterion_id": criterion.id, "name": name})
    db.session.delete(criterion)
    db.session.commit()
    return name


def load_criteria(
    round_: Round, rows: list[dict[str, Any]], user: Any = None, *, commit: bool = True
) -> list[Criterion]:
    """Make the round's criteria exactly these, in this order (for the demo and tests).

    Each row has name, and optionally guidance, scale_min (0), scale_max (5), descriptors (a
    {score: meaning} mapping, or 'score: meaning' lines), weight (1), minimum_score,
    comment_required (True). A criterion already there is matched by name and changed in
    place; any not in the list is removed. Refused (CriteriaFixed) once scoring has begun;
    CriterionInvalid names the first row that is wrong. With commit=False the caller commits.
    """
    _refuse_once_scoring_begun(round_)
    checked: list[CriterionValues] = []
    for number, row in enumerate(rows, start=1):
        descriptors = row.get("descriptors") or {}
        if isinstance(descriptors, dict):
            descriptors = descriptors_text({str(k): str(v) for k, v in descriptors.items()})
        raw = {"scale_min": 0, "scale_max": 5, "weight": 1, **row, "descriptors": descriptors}
        text: dict[str, Any] = {key: "" if value is None else str(value) for key, value in raw.items()}
        text["comment_required"] = bool(row.get("comment_required", True))
        try:
            checked.append(check_values(text))
        except CriterionInvalid as exc:
            raise CriterionInvalid(
                {f"row {number}: {field}": message for field, message in exc.errors.items()}
            ) from None
    names = [values.name.lower() for values in checked]
    if len(set(names)) != len(names):
        raise CriterionInvalid({"name": "Two criteria have the same name"})
    existing = {criterion.name.lower(): criterion for criterion in criteria_of(round_)}
    kept = []
    for position, values in enumerate(checked, start=1):
        criterion = existing.pop(values.name.lower(), None) or Criterion(round_id=round_.id)
        _apply(criterion, values)
        criterion.position = position
        db.session.add(criterion)
        kept.append(criterion)
    for criterion in existing.values():
        db.session.delete(criterion)
    db.session.flush()
    _audit(
        user,
        round_,
        "load_criteria",
        {"criteria": [{"criterion_id": c.id, **v.as_audit()} for c, v in zip(kept, checked)]},
    )
    if commit:
        db.session.commit()
    return kept
