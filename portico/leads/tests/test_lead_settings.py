"""The website leads settings: who hears of new leads (active staff only), public forms on or
off, the thank-you text; and the embed snippets for each public page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.leads.actions import lead_settings_save
from portico.leads.models import LeadSettings
from testing.world import portal_set_up

pytestmark = pytest.mark.django_db
URL = reverse("lead_settings", args=["alpha"])


def test_the_defaults_until_saved_then_saved_and_audited(client, org_a):
    client.force_login(org_a.admin)
    page = client.get(URL)
    assert page.status_code == 200 and not LeadSettings.objects.exists()  # a page view writes nothing
    assert page.context["form"]["public_forms"].value() is True
    response = client.post(URL, {"navigators": [org_a.readonly.pk], "public_forms": "", "thank_you": "Thanks!"})
    assert response.status_code == 302
    saved = LeadSettings.objects.get(org=org_a.org)
    assert (list(saved.navigators.all()), saved.public_forms, saved.thank_you) == ([org_a.readonly], False, "Thanks!")
    event = AuditEvent.objects.get(action=AuditAction.LEAD_SETTINGS_CHANGED)
    assert event.detail["public_forms"] == {"from": True, "to": False}
    assert event.detail["navigators"] == {"from": [], "to": [org_a.readonly.pk]}


def test_only_active_staff_of_the_organization_can_be_notified(client, org_a, org_b):
    with pytest.raises(PorticoError):
        lead_settings_save(
            org=org_a.org, actor=Actor.system(), navigators=[org_b.admin], public_forms=True, thank_you=""
        )
    client.force_login(org_a.admin)
    response = client.post(URL, {"navigators": [org_b.admin.pk], "public_forms": "on"})
    assert response.status_code == 200 and not LeadSettings.objects.exists()


def test_the_page_shows_an_iframe_and_a_script_snippet_for_each_public_page(client, org_a):
    client.force_login(org_a.admin)
    text = client.get(URL).content.decode()
    contact = "http://testserver" + reverse("lead_contact_form", args=["alpha"])
    script = "http://testserver" + reverse("lead_embed_js", args=["alpha"])
    assert f"&lt;iframe src=&quot;{contact}&quot;" in text
    assert f"&lt;script src=&quot;{script}&quot; data-page=&quot;contact&quot;" in text
    assert "data-page=&quot;referral&quot;" in text


def test_embed_js_frames_the_chosen_page_and_follows_its_height(org_a):
    portal_set_up(org_a)
    response = Client().get(reverse("lead_embed_js", args=["alpha"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    js = response.content.decode()
    assert '"contact": "http://testserver/w/alpha/"' in js
    assert '"referral": "http://testserver/w/alpha/r/CODE/"' in js
    assert 'data.portico === "height"' in js
    assert "event.origin !== config.origin" in js and 'document.createElement("iframe")' in js
    assert Client().get(reverse("lead_embed_js", args=["nope"])).status_code == 404


def test_embed_js_is_404_when_public_forms_are_off(org_a):
    lead_settings_save(org=org_a.org, actor=Actor.system(), navigators=[], public_forms=False, thank_you="")
    assert Client().get(reverse("lead_embed_js", args=["alpha"])).status_code == 404


def test_settings_need_the_settings_permission(client, org_a, org_b):
    client.force_login(org_a.readonly)
    assert client.get(URL).status_code == 403
    client.force_login(org_b.admin)
    assert client.get(URL).status_code == 404
