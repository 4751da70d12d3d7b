"""An answer of only spaces (or tabs, or line breaks) is no answer, on every form the app has: every
required field of every form class, given only spaces, says what to enter; none uses WTForms'
InputRequired, which counts spaces as an answer. The question sets' own forms have their tests in
tests/apply; the amount on "start an application" has its page test here."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

import grants
from tests.factories import OrganisationFactory, RoundFactory, member_of
from tests.fixtures import post_form

BLANKS = ("   ", "\t", " \r\n ")


def _form_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(grants.__path__, "grants."):
        importlib.import_module(module.name)
    found, queue = [], list(FlaskForm.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("grants."):
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def test_every_required_field_of_every_form_refuses_only_spaces(app):
    checked, unbuildable = 0, []
    for cls in _form_classes():
        for blank in BLANKS:
            names = [name for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField)]
            with app.test_request_context(method="POST", data=dict.fromkeys(names, blank)):
                try:
                    form = cls(meta={"csrf": False})
                except TypeError:
                    unbuildable.append(cls.__name__)
                    continue
                for field in form:
                    assert not any(isinstance(v, (InputRequired, DataRequired)) for v in field.validators), (
                        f"{cls.__name__}.{field.name} counts spaces as an answer"
                    )
                    if not field.flags.required:
                        continue
                    try:
                        field.validate(form)
                    except TypeError:  # a choice field whose choices its view sets
                        continue
                    assert field.errors, f"{cls.__name__}.{field.name} accepted {blank!r}"
                    checked += 1
    assert checked > 40, checked
    assert unbuildable == [], unbuildable


@pytest.mark.parametrize("blank", BLANKS)
def test_an_amount_of_only_spaces_on_the_eligibility_check_says_enter_the_amount(client, sign_in, blank):
    round_ = RoundFactory(state="open")
    organisation = OrganisationFactory()
    sign_in(member_of(organisation))

    response = post_form(
        client,
        f"/rounds/{round_.code}/eligibility",
        {"organisation": str(organisation.id), "in_west_yorkshire": "yes", "amount": blank,
         "ends_on": ["1", "4", "2027"]},
    )  # fmt: skip

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter how much you will ask for" in page
