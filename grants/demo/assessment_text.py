"""Round 3's assessment timeline (Europe/London) and the words of it: reasons, notes, assessors' comments."""

from __future__ import annotations

from datetime import date, timedelta

from grants.demo.clock import local

SCREENING_DAYS = [date(2022, 11, d) for d in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18)]
ASSIGNED_AT = local(2022, 11, 21, 10)
CONFLICT_AT = local(2022, 11, 22, 8, 50)
REASSIGNED_AT = local(2022, 11, 22, 11, 30)
PANEL_AT = local(2023, 1, 19, 10)
DECISION_AT = local(2023, 2, 9, 14)
SCORING_DAYS = [
    date(2022, 11, 22) + timedelta(days=n)
    for n in range((date(2023, 1, 13) - date(2022, 11, 22)).days + 1)
    if (date(2022, 11, 22) + timedelta(days=n)).weekday() < 5
    and not date(2022, 12, 23) <= date(2022, 11, 22) + timedelta(days=n) <= date(2023, 1, 2)
]
SESSIONS = ((9, 15), (13, 40), (19, 10))  # assessors score between other duties, evenings too

REJECTED = "Other projects scored higher against the criteria and the fund is limited."
REJECTED_BELOW_MINIMUM = (
    "The project did not reach the minimum score for deliverability and capacity, so it could not be funded."
)
RESERVE_REASON = "Next in line if a recommended project falls away before the decision."
TWO_INSTALMENTS = "The grant will be paid in two instalments: the second after we accept your first monitoring return."
SAFEGUARDING_CONDITION = "Send us your updated safeguarding policy, signed by your chair, before the first payment."

# Failed checks: the item that failed, the kinds of organisation it can happen to, the risk, and the
# reason the applicant reads.
INELIGIBLE: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        "accounts",
        ("registered_charity", "cio"),
        "medium",
        "Your organisation's accounts were not filed with the Charity Commission: the accounts for the year to "
        "31 March 2021 were due by 31 January 2022 and are still shown as overdue. The Fund can only support "
        "organisations whose accounts are up to date. You are welcome to apply to a future round once they are filed.",
    ),
    (
        "organisation_verified",
        ("cic", "company_limited_by_guarantee"),
        "high",
        "Companies House shows a first notice of compulsory strike-off against your company, so we could not "
        "confirm it is in good standing. The Fund can only support organisations that are active on their register.",
    ),
    (
        "governing_document",
        ("community_group",),
        "medium",
        "You did not send a signed governing document. A constituted community group must send its constitution, "
        "signed and dated by two committee members, so we can check it is a not-for-profit group.",
    ),
    (
        "bank_details",
        (),
        "high",
        "The bank account you gave is in a person's name, not your organisation's. We can only pay grants into an "
        "account in the organisation's name that needs two unrelated people to authorise payments.",
    ),
    (
        "safeguarding_policy",
        (),
        "medium",
        "Your project works with children or adults at risk, but your organisation does not have a safeguarding "
        "policy of its own: the one you sent belongs to another organisation. The Fund cannot support such work "
        "without one.",
    ),
    (
        "accounts",
        ("registered_charity", "cio", "cic", "company_limited_by_guarantee"),
        "medium",
        "We could not see your latest annual accounts: none were sent with your application and the registers "
        "hold none for your last financial year. The Fund can only support organisations whose latest accounts "
        "we have seen.",
    ),
    (
        "governing_document",
        ("community_group",),
        "medium",
        "Your governing document allows profits to be shared among members, so your group is not a "
        "not-for-profit organisation and cannot receive a grant from the Fund.",
    ),
)
FAILED_NOTES = {
    "accounts": "Accounts overdue or missing on the register.",
    "organisation_verified": "Not in good standing on the register.",
    "governing_document": "Governing document missing or not for a not-for-profit group.",
    "bank_details": "Bank account in an individual's name.",
    "safeguarding_policy": "No safeguarding policy of its own.",
}
INFORMATION = (
    (
        "Please send your safeguarding policy: the file attached to your application could not be opened.",
        "We have attached our safeguarding policy again, as a PDF. Our committee adopted it in September 2022.",
    ),
    (
        "Please send a recent bank statement: the account name you gave is different from your organisation's name.",
        "The account is in our registered name; the bank shortens it on statements. A statement from October 2022 "
        "is attached.",
    ),
)
CHECKED_NOTES = {
    "registered_charity": "Charity Commission register checked: registered, accounts and annual return up to date.",
    "cio": "Charity Commission register checked: registered CIO, accounts up to date.",
    "cic": "Companies House checked: active, confirmation statement and accounts up to date.",
    "company_limited_by_guarantee": "Companies House and Charity Commission checked: active, accounts up to date.",
    "community_group": "Constitution seen, signed by the chair and secretary; bank statement in the group's name.",
    "school": "Checked against Get Information about Schools: open, maintained school.",
}
MEDIUM_RISK_NOTES = (
    "New organisation and its first grant from the Fund: pay in two instalments.",
    "The grant would be most of the group's yearly income: pay in two instalments.",
    "Treasurer and chair are related; the group has agreed a third signatory.",
)

COMMENTS: tuple[dict[str, tuple[str, ...]], ...] = (
    {
        "high": (
            "Strong local evidence of need in {place}: crime figures, referrals and what residents have said.",
            "Need is clearly evidenced and the group knows its area well; partners confirm the demand.",
        ),
        "mid": (
            "Need is described, but mostly from the group's own experience; little local data.",
            "A reasonable case for {place}, though the evidence is general rather than local.",
        ),
        "low": (
            "Need is asserted rather than evidenced: no local figures or consultation.",
            "Not clear why this is needed in {place} or how it adds to what is already there.",
        ),
    },
    {
        "high": (
            "Specific, measurable outcomes with a baseline and before-and-after measures.",
            "Realistic outcomes and a sensible plan to measure them.",
        ),
        "mid": (
            "Outcomes are reasonable, but the measures are mostly attendance counts.",
            "Some measurable outcomes; the survey needs a baseline to show change.",
        ),
        "low": (
            "Outcomes are vague and there is no real plan to measure them.",
            "The measures are outputs (sessions run), not outcomes for people.",
        ),
    },
    {
        "high": (
            "Good value at about £{per_head} a person reached; costs explained line by line.",
            "Modest, well-justified costs, with volunteer time and match funding on top.",
        ),
        "mid": (
            "Costs are reasonable overall, though some lines are not explained.",
            "Acceptable value at about £{per_head} a person reached.",
        ),
        "low": (
            "Expensive for the numbers reached (about £{per_head} a person).",
            "Budget lines are not explained and the staff costs look high.",
        ),
    },
    {
        "high": (
            "Experienced group with a track record of similar work; a realistic timetable.",
            "Named staff and volunteers, venue and partners in place; confident it will deliver.",
        ),
        "mid": (
            "A plausible plan, but it relies heavily on one or two volunteers.",
            "The timetable is tight and the project worker is not yet recruited.",
        ),
        "low": (
            "Not confident it can be delivered: no staff, volunteers or venue identified.",
            "Depends on partners and a venue not yet agreed, and the group has no track record.",
        ),
    },
    {
        "high": (
            "Tackles {area} directly: a strong fit with the Police and Crime Plan.",
            "A clear link to keeping people safe and to the round's areas of focus.",
        ),
        "mid": (
            "Some fit with the Plan, though the link to crime and safety is indirect.",
            "Fits the Plan's priorities in part; {area} is mentioned but not central.",
        ),
        "low": (
            "Little link to community safety or the Police and Crime Plan.",
            "A worthwhile project, but it is not really about crime or safety.",
        ),
    },
)
# What the panel tells an applicant about their weakest criterion.
KEEP_UP = (
    "keep collecting local evidence of need, such as referrals and waiting lists, for your monitoring returns",
    "record a starting point at the beginning so your monitoring can show the difference the project makes",
    "watch the cost per person reached, and tell us early if numbers fall short",
    "recruit and train volunteers early: the plan relies on a small team",
    "show in your monitoring how the project helps the Police and Crime Plan priorities",
)
IMPROVE = (
    "use local figures (police, council, school or health data) and what local people have told you to show the need",
    "say what will change for people and how you will measure it, with a starting point to compare against",
    "explain each budget line and how it helps reach the number of people you expect",
    "show who will run the project, their experience, and the partners and venue you have agreed",
    "explain how the project makes people safer, linking it to the Police and Crime Plan priorities and the "
    "areas of focus",
)
