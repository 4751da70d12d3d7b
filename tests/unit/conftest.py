"""Unit tests need neither Flask nor a database.

The project is not installed into the virtualenv, and tests/ is not a package, so make the
project root importable however pytest is started (``.venv/bin/pytest tests/unit``).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
