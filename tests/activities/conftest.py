import pytest

from maillage.accounts.models import Organization


@pytest.fixture
def library(demo):
    """The demo library: an organisation with places, an administrator, a mediator, a volunteer and a viewer."""
    return Organization.objects.get(name="Médiathèque Toussaint")


@pytest.fixture
def place(library):
    return library.places.order_by("name").first()
