"""Merge fields: a fixed whitelist, refused by name when unknown, values escaped, the text never
run through the template engine, the estimate's lines with the estimate's own amounts."""

from __future__ import annotations

import datetime as dt

import pytest

from portico.agreements.merge import (
    FIELDS,
    MergeSource,
    body_clean,
    fields_check,
    fields_named,
    merge_fill,
    merge_for,
    merge_values,
)
from portico.agreements.tests.factories import approved_estimate_make
from portico.core.errors import PorticoError
from portico.estimates.tests.factories import joined
from portico.estimates.totals import money_text
from testing.world import client_make

pytestmark = pytest.mark.django_db


def test_an_unknown_field_is_refused_naming_it():
    with pytest.raises(PorticoError) as caught:
        fields_check(
            "<p>Dear {{ client.name }}, you owe {{ client.balance }} and {{ estimate.totl }}</p>", where="text"
        )
    message = str(caught.value.message)
    assert "{{ client.balance }}" in message and "{{ estimate.totl }}" in message
    assert "client.name" not in message
    assert caught.value.extra["unknown"] == ["client.balance", "estimate.totl"]


@pytest.mark.parametrize("text", ["{{ client.name }", "{{ 3 }}", "{{ client.name|upper }}", "}} {{"])
def test_a_field_written_wrongly_is_refused(text):
    with pytest.raises(PorticoError):
        fields_check(f"<p>{text}</p>", where="text")


def test_every_documented_field_passes_and_the_lines_table_is_refused_in_the_title():
    fields_check(fields_named(list(FIELDS)).replace(",", ""), where="text")
    with pytest.raises(PorticoError, match="text only"):
        fields_check("Agreement {{ estimate.lines }}", where="title", title=True)


def test_values_are_escaped_and_never_expanded_again(org_a):
    values = {"client.name": "<script>alert(1)</script> {{ organization.name }}", "organization.name": "Acme"}
    title, body = merge_fill("For {{ client.name }}", "<p>{{client.name}}</p>", values)
    assert body == "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{ organization.name }}</p>"
    assert title == "For <script>alert(1)</script> {{ organization.name }}"  # plain text, escaped where shown


def test_the_text_is_not_a_django_template(org_a):
    client = client_make(org_a, "Tag Client", email="tag@example.test")
    source = MergeSource(org=org_a.org, client=client, estimate=None)
    _title, body = merge_for(source, "T", "<p>{% now 'Y' %} {{ client.name }}</p>", language="en")
    assert body == "<p>{% now 'Y' %} Tag Client</p>"


def test_cleaning_keeps_the_safe_subset_only():
    dirty = (
        '<h1 onclick="x()">Title</h1><script>alert(1)</script><p style="color:red">Hi <a href="http://x">link</a>'
        '<img src="http://x/y.png"></p><table><tr><td colspan="2">a</td></tr></table><iframe></iframe>'
    )
    cleaned = body_clean(dirty)
    assert cleaned == '<h1>Title</h1><p>Hi link</p><table><tbody><tr><td colspan="2">a</td></tr></tbody></table>'


def test_the_lines_table_shows_the_estimates_own_totals(org_a):
    record, person = joined(org_a)
    estimate = approved_estimate_make(org_a, record, person, n_lines=3)
    values = merge_values(MergeSource(org=org_a.org, client=record, estimate=estimate))
    assert values["estimate.total"] == money_text(estimate.total, estimate.currency)
    table = values["estimate.lines"]
    assert table.startswith("<table") and table.count("Work item") == 3
    assert money_text(estimate.total, estimate.currency) in table
    assert values["estimate.number"] == f"#{estimate.number} v1"


def test_today_is_the_organizations_date(org_a):
    org_a.org.time_zone = "Pacific/Kiritimati"  # UTC+14
    org_a.org.save(update_fields=["time_zone"])
    late = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)  # already 2 March there
    values = merge_values(MergeSource(org=org_a.org, client=None, estimate=None, now=late))
    assert "2" in values["today"] and "March" in values["today"]


def test_a_preview_shows_missing_values_by_name(org_a):
    _title, body = merge_fill("T", "<p>{{ estimate.total }}</p>", {"estimate.total": ""}, missing="[%(field)s]")
    assert body == "<p>[estimate.total]</p>"
