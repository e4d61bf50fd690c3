import pytest
from axes.utils import reset as reset_axes

from maillage.accounts.models import Organization


@pytest.fixture
def mediatheque(demo):
    """The demo organisation with a member of every role: admin, mediateur, benevole, observateur."""
    return Organization.objects.get(name="Médiathèque Toussaint")


@pytest.fixture
def ccas(demo):
    """Another demo organisation, administered by demo user "ccas"."""
    return Organization.objects.get(name="CCAS de Cholet")


@pytest.fixture
def clean_axes(db):
    """No failed login left over from elsewhere: django-axes counts from zero."""
    reset_axes()
    yield
    reset_axes()
