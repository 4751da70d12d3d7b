"""The monitoring tests' building blocks live in tests/datasets/monitoring.py (the browser tests share them)."""

from tests.datasets.monitoring import (
    accepted_award,
    audit_rows,
    due_return,
    emails_to,
    plan_row,
    programme_with_plan,
    returns_of,
)

__all__ = ["accepted_award", "audit_rows", "due_return", "emails_to", "plan_row", "programme_with_plan", "returns_of"]
