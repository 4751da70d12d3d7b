"""Every mapped model has a factory in tests/factories.py, and each factory builds a row that saves."""

from __future__ import annotations

import inspect

import pytest
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import inspect as sa_inspect

from grants.extensions import db
from grants.models import Base
from tests import factories

FACTORIES = {
    cls._meta.model: cls
    for _, cls in inspect.getmembers(factories, inspect.isclass)
    if issubclass(cls, SQLAlchemyModelFactory) and not cls._meta.abstract
}
MODELS = sorted((mapper.class_ for mapper in Base.registry.mappers), key=lambda model: model.__name__)


def test_every_mapped_model_has_a_factory():
    missing = [model.__name__ for model in MODELS if model not in FACTORIES]
    assert not missing, f"add a factory to tests/factories.py for: {', '.join(missing)}"


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_each_factory_builds_a_row_that_saves(app_context, model):
    row = FACTORIES[model]()
    db.session.expire_all()

    identity = sa_inspect(row).identity
    assert identity is not None
    assert db.session.get(model, identity) is not None
