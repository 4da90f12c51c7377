"""The screening alert partial (customers/_screening_alert.html) for each situation and action."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from portico.customers.screening import screening_check
from portico.sat69b.tests.factories import sample_import

CASES = [
    ("CCO150312KLA", "Presunto", "presumes", "warn"),
    ("DEF160801N2A", "Desvirtuado", "proved to the SAT", "warn"),
    ("AAA190524M17", "Definitivo", "confirmed", "block"),
    ("EMP180228P59", "Sentencia favorable", "court ruled", "warn"),
]


@pytest.mark.parametrize(("rfc", "label", "meaning", "action"), CASES)
def test_the_alert_shows_the_taxpayer_situation_dates_and_what_was_done(org_a, rfc, label, meaning, action):
    sample_import()
    screening = screening_check(org=org_a.org, tax_id=rfc)
    assert screening.action == action
    html = render_to_string("customers/_screening_alert.html", {"entry": screening.entry, "action": screening.action})
    assert rfc in html and screening.entry.name.replace("&", "&amp;") in html
    assert label in html and meaning in html
    assert f'data-action="{action}"' in html
    for _stage, when in screening.entry.publications():
        assert str(when.year) in html
    if action == "block":
        assert "Creation blocked" in html and "was not created" in html
    else:
        assert "Warning" in html and "was created" in html
