import pytest
from axes.utils import reset as reset_axes


@pytest.fixture
def clean_axes(db):
    """No failed login left over from elsewhere: django-axes counts from zero."""
    reset_axes()
    yield
    reset_axes()
