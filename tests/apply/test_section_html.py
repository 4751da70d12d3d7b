"""The section page is the same page whatever the caches hold: every question type, empty, typed, saved,
refused with errors, stale, with a group line added and with a file uploaded, rendered with the form
caches on (cold, then warm) and off must be the same HTML, byte for byte."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from grants.apply.question_set_admin import load_question_set
from grants.extensions import db
from grants.models import Application
from tests.apply.helpers import open_round, page_every_way, token_and_version, upload
from tests.factories import OrganisationFactory, member_of
from tests.fixtures import csrf_token

EVERY_TYPE = """
name = "every-type"
version = 1
title = "Every question type"

[[sections]]
key = "everything"
title = "Every kind of question"
description = "One question of each type, some from vocabularies, some optional."

  [[sections.questions]]
  key = "project_title"
  name = "the project title"
  type = "text"
  label = "Project title"
  hint = "A few words & no <tags>"
  max_length = 40
  maps_to = "project_title"

  [[sections.questions]]
  key = "nickname"
  type = "text"
  label = "Nickname (optional)"
  required = false

  [[sections.questions]]
  key = "summary"
  name = "a summary"
  type = "textarea"
  label = "Summarise your project"
  max_words = 12

  [[sections.questions]]
  key = "notes"
  type = "textarea"
  label = "Anything else? (optional)"
  required = false

  [[sections.questions]]
  key = "years"
  name = "the years running"
  type = "number"
  label = "How many years has it run?"
  min = 0
  max = 200

  [[sections.questions]]
  key = "people"
  name = "the people reached"
  type = "count"
  label = "How many people will it reach?"
  maps_to = "people_reached"

  [[sections.questions]]
  key = "amount"
  name = "the amount"
  type = "money"
  label = "How much are you asking for?"
  max = "round.max_grant"
  min = 100

  [[sections.questions]]
  key = "start_date"
  name = "the start date"
  type = "date"
  label = "When will it start?"
  within_delivery_window = true

  [[sections.questions]]
  key = "end_date"
  name = "the end date"
  type = "date"
  label = "When will it end?"
  after = "start_date"
  after_error = "The end date must be after the start date"

  [[sections.questions]]
  key = "mental_health"
  name = "whether it supports mental health"
  type = "radios"
  label = "Does it support mental health?"
  options = [{ value = "yes", label = "Yes" }, { value = "no", label = "No" }]

  [[sections.questions]]
  key = "main_district"
  name = "the main district"
  type = "radios"
  label = "Which district is it mostly in?"
  vocabulary = "district"

  [[sections.questions]]
  key = "districts"
  name = "the districts"
  type = "checkboxes"
  label = "Which districts will it serve?"
  vocabulary = "district"
  maps_to = "terms:district"

  [[sections.questions]]
  key = "kinds"
  name = "the kinds of activity"
  type = "checkboxes"
  label = "What kinds of activity?"
  options = [
    { value = "sport", label = "Sport" },
    { value = "food", label = "Food & cooking" },
    { value = "art", label = "Art" },
  ]

  [[sections.questions]]
  key = "priority"
  name = "the priority"
  type = "select"
  label = "Which priority does it meet?"
  vocabulary = "priority"

  [[sections.questions]]
  key = "size"
  name = "the size"
  type = "select"
  label = "How big is it?"
  options = [{ value = "small", label = "Small" }, { value = "large", label = "Large" }]

  [[sections.questions]]
  key = "policy"
  name = "your safeguarding policy"
  type = "file"
  label = "Upload your safeguarding policy"
  accept = ["pdf"]

  [[sections.questions]]
  key = "budget_lines"
  type = "group"
  label = "Budget"
  hint = "One line for each thing you will buy"
  item_label = "Budget line"
  min_items = 1
  max_items = 3
  total_of = "cost"
  total_label = "Total asked for"
  total_max = "round.max_grant"

    [[sections.questions.fields]]
    key = "item"
    name = "what it is"
    type = "text"
    label = "What is it?"

    [[sections.questions.fields]]
    key = "cost"
    name = "the cost"
    type = "money"
    label = "Cost"

    [[sections.questions.fields]]
    key = "kind"
    name = "the kind of cost"
    type = "radios"
    label = "Kind of cost"
    options = [{ value = "capital", label = "Capital" }, { value = "revenue", label = "Revenue" }]

  [[sections.questions]]
  key = "declarations"
  name = "the declarations"
  type = "checkboxes"
  label = "Declarations"
  hint = "Agree to each"
  terms_link = true
  all_required = true
  options = [{ value = "true", label = "It is true" }, { value = "terms", label = "I accept the terms" }]

[[sections]]
key = "last"
title = "The last section"

  [[sections.questions]]
  key = "anything"
  type = "text"
  label = "Anything?"
"""

# Answers a person might type that are wrong in every way a field can be wrong, with the characters that
# must be escaped, leading spaces, several lines, a Unicode line separator and a NUL.
BAD = [
    ("project_title", '  <script>alert("x")</script> & a title far longer than forty characters in all  '),
    ("nickname", 'O\'Brien & "Sons"'),
    ("summary", "one two three four five\nsix seven eight\r\nnine ten eleven twelve thirteen <b>fourteen</b>"),
    ("notes", "line one\u2028line two\n\n  indented line\x00"),
    ("years", "12x"),
    ("people", "-3"),
    ("amount", "£9,999,999.999"),
    ("start_date", "31"),
    ("start_date", "February"),
    ("start_date", "2027"),
    ("end_date", ""),
    ("end_date", "3"),
    ("end_date", "2026"),
    ("mental_health", "perhaps"),
    ("main_district", "leeds"),
    ("districts", "leeds"),
    ("districts", "nowhere"),
    ("kinds", "food"),
    ("priority", ""),
    ("size", "large"),
    ("budget_lines-0-item", "Food & <drink>"),
    ("budget_lines-0-cost", "£4,500.50"),
    ("budget_lines-0-kind", "revenue"),
    ("budget_lines-1-item", ""),
    ("budget_lines-1-cost", "lots"),
    ("budget_lines-1-kind", ""),
    ("declarations", "true"),
]

GOOD = [
    ("project_title", "Safe Suppers & more"),
    ("nickname", ""),
    ("summary", "Evening meals\nfor young people."),
    ("notes", ""),
    ("years", "6"),
    ("people", "1,200"),
    ("amount", "4500"),
    ("start_date", "1"),
    ("start_date", "4"),
    ("start_date", "2027"),
    ("end_date", "31"),
    ("end_date", "March"),
    ("end_date", "2028"),
    ("mental_health", "yes"),
    ("main_district", "bradford"),
    ("districts", "leeds"),
    ("districts", "bradford"),
    ("kinds", "sport"),
    ("kinds", "art"),
    ("priority", "safer_places"),
    ("size", "small"),
    ("budget_lines-0-item", "Food"),
    ("budget_lines-0-cost", "1,500.50"),
    ("budget_lines-0-kind", "revenue"),
    ("declarations", "true"),
    ("declarations", "terms"),
]


@pytest.fixture
def application(client, sign_in):
    question_set = load_question_set(EVERY_TYPE, "every-type.toml")
    round_ = open_round(question_set_id=question_set.id)
    organisation = OrganisationFactory(name="Bramley Community Kitchen", org_type="community_group")
    user = member_of(organisation, email="aisha@example.org")
    sign_in(user)
    token = csrf_token(client, "/sign-out")
    response = client.post(
        f"/rounds/{round_.code}/start", data={"csrf_token": token, "organisation_id": organisation.id}
    )
    assert response.status_code == 302
    return db.session.get(Application, int(response.headers["Location"].rsplit("/", 1)[1]))


def _url(application) -> str:
    return f"/applications/{application.id}/sections/everything"


def _get(client, application):
    return client.get(_url(application))


def _post(client, application, pairs, action="continue", files=None, version_behind=0):
    """Post the section as the browser does, with the version its page shows (or one `version_behind` it)."""
    token, version = token_and_version(_get(client, application).get_data(as_text=True))
    data = MultiDict(pairs)
    data.add("csrf_token", token)
    data.add("version_id", str(int(version) - version_behind))
    data.add("action", action)
    for key, value in (files or {}).items():
        data.add(key, value)
    return client.post(_url(application), data=data, content_type="multipart/form-data")


def _every_way(app, show, status: int = 200) -> str:
    """The page with the caches off, cold and warm: the same, the warm one's every field from the cache."""
    return page_every_way(app, show, status=status, fields=20)


def test_an_empty_section_is_the_same_page_from_the_caches(app, client, application):
    html = _every_way(app, lambda: _get(client, application))

    for label in (
        "Project title",
        "Nickname (optional)",
        "Bradford",
        "Upload your safeguarding policy",
        "Budget line 1",
    ):
        assert label in html
    assert "Read the grant terms and conditions" in html
    assert "A few words &amp; no &lt;tags&gt;" in html


def test_answers_refused_show_the_same_errors_and_typed_values_from_the_caches(app, client, application):
    html = _every_way(app, lambda: _post(client, application, BAD))

    assert "There is a problem" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # escaped, never run
    assert "O&#39;Brien &amp; &#34;Sons&#34;" in html
    assert "six seven eight\r\nnine ten" in html or "six seven eight\nnine ten" in html
    assert "A summary must be 12 words or fewer" in html
    assert "The years running must be a whole number, like 25" in html
    assert "Enter 0 or more for the people reached" in html
    assert "The start date must be a real date" in html
    assert "The end date must include a day" in html
    assert "Select the priority" in html
    assert "Upload your safeguarding policy" in html
    assert "Budget line 2:" in html
    assert 'value="lots"' in html


def test_answers_typed_but_not_finished_are_the_same_page_from_the_caches(app, client, application):
    assert _post(client, application, BAD, action="later").status_code == 302
    _get(client, application)  # the flash message "Your answers have been saved" is shown once

    html = _every_way(app, lambda: _get(client, application))

    assert "There is a problem" not in html  # a page opened shows no errors until a button is pressed
    assert "O&#39;Brien &amp; &#34;Sons&#34;" in html
    assert 'value="12x"' in html
    assert 'value="February"' in html


def test_answers_saved_are_the_same_page_from_the_caches(app, client, application):
    response = _post(client, application, GOOD, action="later", files={"policy": upload("policy.pdf")})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    _get(client, application)  # the flash message "Your answers have been saved" is shown once

    html = _every_way(app, lambda: _get(client, application))

    assert "Safe Suppers &amp; more" in html
    assert 'value="1,200"' in html or 'value="1200"' in html
    assert "policy.pdf" in html
    assert "Replace: Upload your safeguarding policy" in html
    assert re.search(r'value="bradford"\s+checked', html)


def test_a_line_added_and_a_stale_save_are_the_same_page_from_the_caches(app, client, application):
    assert _post(client, application, GOOD, action="add-budget_lines").status_code == 302

    html = _every_way(app, lambda: _get(client, application))
    assert "Budget line 2" in html

    stale = _every_way(app, lambda: _post(client, application, GOOD, version_behind=1), status=409)  # saved since
    assert "Your changes have not been saved" in stale
