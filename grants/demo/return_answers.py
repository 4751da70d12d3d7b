"""The answers of the demo's monitoring returns, filled in as a grantee would through the form engine.

`fill(returns)` writes one completed ReturnSection per section of each return's form (question set), in
one statement, with answers in the engine's shape ({"raw": what was typed, "values": checked answers}):
counts as whole numbers, money in pence (typed as pounds and pence), text stripped, radios by value,
groups as a list of lines. Figures come from the caller (the same numbers as the return's ReturnMetric
rows); the narrative is short, realistic and seeded (the same every time).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from grants.extensions import db
from grants.models import MonitoringReturn, QuestionSet, ReturnSection
from grants.models.applications import COMPLETED

SEED = 20240501

TEXTS: dict[str, tuple[str, ...]] = {
    "delivery_summary": (
        "Weekly evening sessions ran from April in the community centre, with a summer programme of trips "
        "in August. {people} people have taken part so far, most of them aged 11 to 16 from the estate.",
        "We have run two six-week courses and a drop-in every Saturday. Attendance grew after the school "
        "assemblies in May; {people} people have come at least once and about half come every week.",
        "The project started a month late while our volunteers' DBS checks came through, then ran twice a "
        "week. {people} people have taken part, and local PCSOs have joined three of the sessions.",
    ),
    "what_was_delivered": (
        "Over the year we ran 44 evening sessions and a summer programme, reaching {people} people. Two "
        "volunteers completed youth work training and now lead sessions on their own.",
        "The project ran weekly all year apart from two weeks at Christmas. {people} people took part; "
        "twelve young people finished the full course and four now help run it.",
        "We delivered the workshops in three schools and at the community hub, {people} people in all, "
        "and held a celebration event in March with families and the neighbourhood policing team.",
    ),
    "outcomes_progress": (
        "Early signs are good: attendance is steady and the school reports fewer incidents after lunchtimes. "
        "We will measure confidence again at the end of the project.",
        "Most participants say they feel safer walking home since the sessions began; the feedback forms "
        "show 8 in 10 would recommend the project to a friend.",
    ),
    "outcomes_achieved": (
        "All three outcomes in our application were met: young people report feeling safer, anti-social "
        "behaviour reports near the park fell over the year, and volunteers have kept the sessions going.",
        "Two of our three outcomes were met in full. Referrals from the school were lower than planned "
        "because of staff changes there, which we explain in the spending notes.",
    ),
    "learning": (
        "Sessions worked best when young people helped plan them. We would start recruiting volunteers "
        "earlier and budget for a second coach from the start.",
        "Working with the school from the beginning made referrals much easier. Next time we would keep "
        "some money back for transport, which cost more than we expected.",
    ),
    "case_study": (
        "A 14-year-old was referred by his head of year after a number of exclusions. He came every week, "
        "started helping the younger ones, and has not been excluded since March.",
        "A mother who had stopped going out after dark now walks with the group twice a week and has "
        "joined our committee. She says she feels part of the area again.",
        "Two sisters who had been targeted on the bus home now travel with the group's volunteers and have "
        "gone back to after-school clubs they had stopped attending.",
    ),
    "risks": (
        "None",
        "Our main venue is booked for repairs in the autumn; we have agreed to use the church hall instead.",
        "One of our two coaches is leaving in December. We are recruiting and a volunteer will cover until then.",
        "Demand is higher than we planned for; we have started a waiting list and are talking to partners.",
    ),
    "narrative": (
        "Demand stayed high this quarter, with most referrals coming from the police and the hubs. Waiting "
        "times for a first contact stayed under five working days.",
        "A new advocate started in the second month, which brought waiting times down. Referrals from "
        "health settings rose after our awareness sessions with practice nurses.",
        "The service ran as planned. Two staff were off sick for part of the quarter; we used agency cover so "
        "that no one waited more than a week for a first appointment.",
        "We moved the helpline to longer hours on Tuesdays and Thursdays; calls in the evening rose by a "
        "quarter. Court support was busy with the backlog of trials.",
    ),
    "spend_notes": (
        "",
        "",
        "Venue hire cost less than budgeted; we moved the difference to session materials.",
    ),
}
EIA_ACTIONS = (
    ("Sessions at times that suit parents with young children", ("green", "green", "amber")),
    ("Materials in Urdu, Polish and easy read", ("green", "amber")),
    ("A step-free venue for every session", ("green", "green", "red")),
    ("Female-only sessions on request", ("green", "amber")),
)
EIA_PROGRESS = {
    "green": "Done and in use; we check it at each review.",
    "amber": "Under way; it is taking longer than planned but will be in place next quarter.",
    "red": "Not yet: the only suitable venue is being repaired. We have asked the council for another.",
}


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def answers(
    definition: Mapping[str, Any], figures: Mapping[str, int], rng: random.Random
) -> list[tuple[str, dict[str, Any]]]:
    """(section key, {"raw": ..., "values": ...}) for each section of the form, every section completed.

    `figures` gives each metric's value (counts whole, money in pence); an optional metric question with no
    figure is left empty. Required questions without a figure get a seeded answer."""
    people = figures.get("people_reached") or figures.get("young_people_engaged") or figures.get("victims_supported")
    made = []
    for section in definition.get("sections", []):
        raw: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for question in section.get("questions", []):
            key, kind = question["key"], question.get("type")
            required = question.get("required", True)
            if kind == "file":
                continue
            if kind in ("count", "money", "number"):
                value = figures.get(question.get("metric") or key)
                if value is None and required:
                    value = rng.randint(2, 12)
                raw[key] = ["" if value is None else (_pounds(value) if kind == "money" else str(value))]
                values[key] = value
            elif kind in ("textarea", "text"):
                pool = TEXTS.get(key, ("See the attached notes.",) if required else ("",))
                text = rng.choice(pool).format(people=people or "Many")
                if not required and rng.random() < 0.6:
                    text = ""
                raw[key], values[key] = [text], text
            elif kind == "radios":
                options = [option["value"] for option in question.get("options", [])]
                choice = options[0] if rng.random() < 0.8 else rng.choice(options)
                raw[key], values[key] = [choice], choice
            elif kind == "group":
                lines = []
                for index, (action, statuses) in enumerate(rng.sample(EIA_ACTIONS, 2)):
                    status = rng.choice(statuses)
                    line = {"action": action, "progress": EIA_PROGRESS[status], "status": status}
                    for field, text in line.items():
                        raw[f"{key}-{index}-{field}"] = [text]
                    lines.append(line)
                values[key] = lines
        made.append((section["key"], {"raw": raw, "values": values}))
    return made


def fill(
    returns: Sequence[tuple[MonitoringReturn, Mapping[str, int], Any, datetime]],
) -> int:
    """Completed sections for each (return, figures, who filled it, when), in one statement; returns with
    no form, or with sections already, are left alone. Returns how many sections were written."""
    ids = [ret.id for ret, _f, _u, _w in returns if ret.question_set_id is not None]
    if not ids:
        return 0
    have = set(
        db.session.scalars(
            select(ReturnSection.monitoring_return_id).where(ReturnSection.monitoring_return_id.in_(ids)).distinct()
        )
    )
    forms = {
        row.id: row.definition
        for row in db.session.scalars(
            select(QuestionSet).where(QuestionSet.id.in_({r.question_set_id for r, _f, _u, _w in returns}))
        )
    }
    rows = []
    for ret, figures, user, when in returns:
        if ret.question_set_id is None or ret.id in have:
            continue
        rng = random.Random(f"{SEED}-{ret.reference}")
        for key, answer in answers(forms[ret.question_set_id], figures, rng):
            rows.append(
                {
                    "monitoring_return_id": ret.id,
                    "section_key": key,
                    "answers": answer,
                    "status": COMPLETED,
                    "updated_at": when,
                    "updated_by_id": getattr(user, "id", None),
                    "version_id": 1,
                }
            )
    if rows:
        db.session.execute(insert(ReturnSection), rows)
    return len(rows)
