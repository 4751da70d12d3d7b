"""Good answers to the Round 3 application form, section by section, and files to upload.

Used by the apply and assessors tests and by the browser journeys.
"""

from __future__ import annotations

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

GOOD = {
    "organisation": {
        "contact_name": "Aisha Rahman",
        "contact_phone": "0113 496 0000",
        "what_you_do": "We cook evening meals with young people in Bramley.",
        "years_operating": "6",
    },
    "project": {
        "project_title": "Safe Suppers",
        "summary": "Evening meals and activities for young people.",
        "description": "Three evenings a week at the community centre.",
        "start_date": ["1", "4", "2027"],
        "end_date": ["31", "3", "2028"],
        "districts": ["leeds", "bradford"],
        "wards": "Bramley, LS13",
    },
    "focus": {"areas_of_focus": ["neighbourhood_crime_and_asb", "drugs_and_alcohol"], "mental_health": "yes"},
    "priorities": {"priorities": ["safer_places"], "themes": ["early_intervention"]},
    "people": {"people_reached": "1,200", "who": "Young people aged 11 to 16 in Bramley."},
    "outcomes": {"outcomes": "Fewer young people drawn into crime.", "measures": "Attendance and surveys."},
    "budget": {
        "budget_lines-0-item": "Food",
        "budget_lines-0-cost": "£4,500.50",
        "budget_lines-0-kind": "revenue",
        "budget_lines-1-item": "Cooker",
        "budget_lines-1-cost": "1500",
        "budget_lines-1-kind": "capital",
        "match_funding": "",
        "match_funding_source": "",
    },
    "safeguarding": {"works_with_vulnerable": "yes", "dbs_checks": "yes"},
    "equality": {
        "eia_groups": "Young people of all faiths.",
        "eia_barriers": "Cost of travel; we pay bus fares.",
        "eia_monitoring": "Anonymous sign-in sheets.",
    },
    "declarations": {
        "declarations": ["true_and_complete", "terms", "monitoring"],
        "declared_by": "Aisha Rahman",
        "declared_position": "Chair",
    },
}
FILES = ("safeguarding_policy", "governing_document", "latest_accounts")


def form_fields(section: str, **changes) -> list[tuple[str, str]]:
    answers = dict(GOOD[section], **changes)
    pairs: list[tuple[str, str]] = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs
