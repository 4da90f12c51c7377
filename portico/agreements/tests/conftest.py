import pytest


@pytest.fixture(autouse=True)
def _sealing(seal_certificate):
    """Every agreements test has the installation's seal (a self-signed test certificate)."""
    return seal_certificate
