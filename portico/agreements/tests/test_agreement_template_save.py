"""Templates: each change of the text is a new version (kept), one default per organization,
archive; bad input changes nothing."""

from __future__ import annotations

import pytest

from portico.agreements.actions import agreement_template_archive, agreement_template_update
from portico.agreements.models import AgreementTemplate, AgreementTemplateVersion
from portico.agreements.tests.factories import template_make
from portico.core.errors import PorticoError
from portico.estimates.tests.factories import staff

pytestmark = pytest.mark.django_db


def _update(world, template, **changes):
    latest = template.versions.order_by("-number").first()
    values = {"name": template.name, "title": latest.title, "body": latest.body, "is_default": template.is_default}
    return agreement_template_update(template=template, actor=staff(world), **{**values, **changes})


def test_a_changed_text_is_a_new_version_and_the_old_one_is_kept(org_a):
    template = template_make(org_a, body="<p>One</p>")
    _update(org_a, template, body="<p>Two</p>")
    _update(org_a, template, name="Renamed")  # the name alone: no new version
    versions = list(AgreementTemplateVersion.objects.filter(template=template).order_by("number"))
    assert [(v.number, v.body) for v in versions] == [(1, "<p>One</p>"), (2, "<p>Two</p>")]
    template.refresh_from_db()
    assert template.name == "Renamed"


def test_the_text_is_cleaned_on_save(org_a):
    template = template_make(org_a, body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert template.versions.get().body == "<p>Hi</p>"


def test_an_unknown_field_is_refused_and_nothing_is_saved(org_a):
    template = template_make(org_a)
    with pytest.raises(PorticoError, match=r"\{\{ client\.nickname \}\}"):
        _update(org_a, template, body="<p>{{ client.nickname }}</p>")
    assert template.versions.count() == 1
    with pytest.raises(PorticoError):
        template_make(org_a, name="Bad", body="<p>{{ nope }}</p>")
    assert not AgreementTemplate.objects.filter(name="Bad").exists()


def test_one_default_per_organization(org_a, org_b):
    first = template_make(org_a, default=True)
    other_org = template_make(org_b, default=True)
    second = template_make(org_a, default=True)
    first.refresh_from_db()
    assert not first.is_default and second.is_default
    _update(org_a, first, is_default=True)
    second.refresh_from_db()
    other_org.refresh_from_db()
    assert not second.is_default and other_org.is_default


def test_archive_keeps_the_versions_and_ends_the_default(org_a):
    template = template_make(org_a, default=True)
    agreement_template_archive(template=template, actor=staff(org_a))
    template.refresh_from_db()
    assert template.archived_at is not None and not template.is_default
    assert template.versions.count() == 1
    with pytest.raises(PorticoError, match="archived"):
        _update(org_a, template, body="<p>Later</p>")
    with pytest.raises(PorticoError, match="archived already"):
        agreement_template_archive(template=template, actor=staff(org_a))


@pytest.mark.parametrize(
    ("name", "title", "body"), [("", "T", "<p>x</p>"), ("N", "", "<p>x</p>"), ("N", "T", "<script>x</script>")]
)
def test_a_name_a_title_and_a_text_are_required(org_a, name, title, body):
    with pytest.raises(PorticoError):
        template_make(org_a, name=name or " ", title=title or " ", body=body)
