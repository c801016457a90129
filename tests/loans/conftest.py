import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Service messages are read in English here; Persian pages have tests of their own."""
    with translation.override("en"):
        yield
