"""Reference data that does not change with a round: the five West Yorkshire districts."""

from __future__ import annotations

# (code, name, ONS local authority code)
WEST_YORKSHIRE_DISTRICTS: list[tuple[str, str, str]] = [
    ("bradford", "Bradford", "E08000032"),
    ("calderdale", "Calderdale", "E08000033"),
    ("kirklees", "Kirklees", "E08000034"),
    ("leeds", "Leeds", "E08000035"),
    ("wakefield", "Wakefield", "E08000036"),
]
DISTRICT_NAMES: dict[str, str] = {code: name for code, name, _ons in WEST_YORKSHIRE_DISTRICTS}
