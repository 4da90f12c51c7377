"""The bookings app's factories for orgs/tests/test_permission_matrix.py.

Its organization pages (booking_settings, my_availability, booking_list) take no id parameter
and answer GET, so the matrix needs nothing from here; their POST forms are tested in
test_availability.py. The public pages (/w/<org_slug>/…) are not organization pages: their
cross-organization cases are in test_booking_widget.py and test_booking_manage.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

URL_FACTORIES: dict[str, Callable[..., dict[str, Any]]] = {}
ID_FACTORIES: dict[str, Callable[..., int]] = {}
POST_DATA: dict[str, Callable[..., dict[str, Any]]] = {}
EXPECTED_REFUSALS: dict[str, str] = {}
NEEDS_PORTAL: set[str] = set()
