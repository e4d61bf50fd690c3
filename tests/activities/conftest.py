import pytest


@pytest.fixture
def place(library):
    """The demo library's first place, by name."""
    return library.places.order_by("name").first()
