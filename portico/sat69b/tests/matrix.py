"""The sat69b app's factories for orgs/tests/test_permission_matrix.py: an upload is a real file
(support operators only: the list is the installation's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from portico.sat69b.tests.factories import sample_bytes
from testing.world import World

POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "sat69b_upload": lambda w: {"file": SimpleUploadedFile("69b.csv", sample_bytes(), content_type="text/csv")},
}
