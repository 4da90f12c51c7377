"""Row links built without a reverse() per row give exactly what reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from portico.journey.links import IdUrl


@pytest.mark.parametrize("name", ["client_detail", "journey_remind"])
@pytest.mark.parametrize("slug", ["alpha", "org-0", "a1b2"])
def test_an_id_url_is_what_reverse_gives(name, slug):
    url = IdUrl(name, slug)
    for pk in (0, 1, 7, 10, 99, 123456, 2**31):
        assert url(pk) == reverse(name, args=[slug, pk])


def test_a_pattern_without_an_id_is_refused():
    with pytest.raises(NoReverseMatch):
        IdUrl("journey_board", "alpha")
