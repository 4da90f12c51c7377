"""The admin's client portal set-up page (org.settings)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portico.audit.models import AuditAction, AuditEvent
from portico.orgs.models import Organization
from portico.portal.models import PortalSettings

pytestmark = pytest.mark.django_db

VALID = {
    "portal_name": "Alpha Portal",
    "primary_colour": "#112233",
    "accent_colour": "#445566",
    "sender_name": "Alpha Services",
    "reply_to": "help@alpha.test",
    "sms_sender": "+15005550006",
    "invitation_lifetime_days": "10",
    "invitation_email_subject": "{org_name} invites you",
    "invitation_email_body": "Hi {client_name}, join {portal_name}: {link} (until {expires})",
    "invitation_sms_body": "{org_name}: {link}",
    "services": "Payroll\nTax",
}


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_first_save_sets_the_portal_up(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("portal_setup", args=["alpha"])
    assert "not set up yet" in client.get(url).content.decode()
    response = client.post(url, {**VALID, "logo": png()})
    assert response.status_code == 302
    org = Organization.objects.get(pk=org_a.org.pk)
    assert org.portal_enabled
    portal = PortalSettings.objects.get(org=org)
    assert portal.invitation_lifetime_days == 10 and portal.logo
    assert AuditEvent.objects.filter(action=AuditAction.PORTAL_SETTINGS_CHANGED).count() == 1
    page = client.get(url).content.decode()
    preview_url = reverse("invitation_preview", args=["alpha"])
    assert "Preview" in page and preview_url in page  # loaded into the page by htmx
    preview = client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Hi Mark Sample, join Alpha Portal" in preview
    # The logo is public branding (it appears in emails).
    client.logout()
    assert client.get(reverse("portal_logo", args=["alpha"])).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("invitation_email_body", "Hi {nme} {link}", "Unknown placeholder {nme}"),
        ("invitation_sms_body", "No link here", "must contain {link}"),
        ("invitation_lifetime_days", "0", "greater than or equal to 1"),
        ("primary_colour", "blue", "hex colour"),
        ("sms_sender", "not a sender!", "international format"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, org_a, field, value, message):
    client.force_login(org_a.admin)
    response = client.post(reverse("portal_setup", args=["alpha"]), {**VALID, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PortalSettings.objects.exists()
    assert not Organization.objects.get(pk=org_a.org.pk).portal_enabled


def test_not_an_image_logo_is_refused(client, org_a):
    client.force_login(org_a.admin)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(reverse("portal_setup", args=["alpha"]), {**VALID, "logo": fake})
    assert response.status_code == 200 and not PortalSettings.objects.exists()


def test_readonly_gets_403_and_other_org_404(client, org_a, org_b):
    client.force_login(org_a.readonly)
    assert client.get(reverse("portal_setup", args=["alpha"])).status_code == 403
    client.force_login(org_b.admin)
    assert client.get(reverse("portal_setup", args=["alpha"])).status_code == 404


def test_a_new_portal_starts_with_texts_in_the_organizations_language(client, org_a):
    from portico.orgs.models import Organization

    Organization.objects.filter(pk=org_a.org.pk).update(language="es")
    client.force_login(org_a.admin)
    page = client.get(reverse("portal_setup", args=["alpha"])).content.decode()
    assert "le invita a {portal_name}" in page
