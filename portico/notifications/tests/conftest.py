import pytest


@pytest.fixture
def navigator(org_a):
    """A third staff member with the Navigator role."""
    from portico.core.actors import Actor
    from portico.orgs.actions import membership_add
    from testing.world import user_create

    user = user_create("nina@alpha.test", name="Nina Navigator")
    membership_add(org=org_a.org, user=user, role=org_a.roles["Navigator"], actor=Actor.system())
    return user
