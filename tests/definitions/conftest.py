"""Some grant guards ask the definitions which states carry a tag: they run inside an app context."""

import pytest

from grants import create_app


@pytest.fixture(autouse=True, scope="module")
def app_context():
    app = create_app("test")
    with app.app_context():
        yield
