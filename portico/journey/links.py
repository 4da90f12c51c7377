"""Links to many objects of one URL pattern, built without a ``reverse()`` per row: the pattern
is reversed once with a marker id, and each link puts its id where the marker was."""

from __future__ import annotations

from django.urls import reverse

_MARKER = 987654321987  # an id no row has; only its position in the reversed URL is used


class IdUrl:
    """``IdUrl("client_detail", org.slug)(42) == reverse("client_detail", args=[org.slug, 42])``:
    the id is the pattern's last argument."""

    def __init__(self, name: str, *args: object) -> None:
        url = reverse(name, args=[*args, _MARKER])
        before, marker, after = url.rpartition(str(_MARKER))
        if not marker:  # pragma: no cover - a pattern that does not show its id
            raise ValueError(f"{name}: the id does not appear in {url}")
        self.before, self.after = before, after

    def __call__(self, pk: int) -> str:
        return f"{self.before}{pk}{self.after}"
