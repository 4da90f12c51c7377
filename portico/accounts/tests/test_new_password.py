"""Every form that creates a login checks the new password the way account_create does: the two
entries match, and Django's validators run with the person's own address and name."""

from __future__ import annotations

import pytest

from portico.invitations.forms import AccountCreateForm
from portico.orgs.forms import InvitationAcceptForm

pytestmark = pytest.mark.django_db

LIKE_THE_ADDRESS = "maria.lopez.example"


@pytest.mark.parametrize(
    "make",
    [
        lambda data: InvitationAcceptForm(data, email="maria.lopez@example.test"),
        lambda data: AccountCreateForm(data, fixed_email="maria.lopez@example.test"),
    ],
    ids=["staff invitation", "portal invitation"],
)
def test_a_password_like_the_address_or_mistyped_is_refused(make):
    similar = make({"full_name": "María López", "password1": LIKE_THE_ADDRESS, "password2": LIKE_THE_ADDRESS})
    assert not similar.is_valid() and "password1" in similar.errors
    differ = make({"full_name": "María López", "password1": "a-long-unique-phrase-9", "password2": "another-9"})
    assert not differ.is_valid() and differ.errors["password2"] == ["The two passwords differ."]
    good = make(
        {"full_name": "María López", "password1": "a-long-unique-phrase-9", "password2": "a-long-unique-phrase-9"}
    )
    assert good.is_valid(), good.errors
