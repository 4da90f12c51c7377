import pytest


@pytest.fixture(autouse=True)
def _portal_request_page(settings):
    """Staff replies link to the portal's request page (a stand-in until it is in this branch)."""
    settings.ROOT_URLCONF = "portico.requests.tests.urls_portal_stub"


@pytest.fixture
def navigator(org_a):
    """A third staff member with the Navigator role."""
    from portico.core.actors import Actor
    from portico.core.testing import user_create
    from portico.orgs.actions import membership_add

    user = user_create("nina@alpha.test", name="Nina Navigator")
    membership_add(org=org_a.org, user=user, role=org_a.roles["Navigator"], actor=Actor.system())
    return user
