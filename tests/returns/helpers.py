"""The returns tests' building blocks live in tests/datasets/returns.py (the browser tests share them)."""

from tests.datasets.returns import EIA, GOOD, complete, member, open_return, question_set, save, send, version_on

__all__ = ["EIA", "GOOD", "complete", "member", "open_return", "question_set", "save", "send", "version_on"]
