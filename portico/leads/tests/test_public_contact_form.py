"""The public contact form (/w/<org_slug>/): a visitor's message becomes one lead with where it
came from, and the lead navigators are told; bots get the usual thanks and make nothing; floods
get a 429; the page is framable by any site and needs no CSRF cookie (the signed token stands in)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.leads.actions import lead_settings_save
from portico.leads.models import Lead
from portico.leads.public import form_token_new
from portico.notifications.models import Notification
from testing.world import portal_set_up, run_tasks

from .conftest import form_token_from, visitor_post

pytestmark = pytest.mark.django_db

URL = reverse("lead_contact_form", args=["alpha"])
GOOD = {"name": "Vera Visitor", "email": "Vera@Example.test", "phone": "", "message": "A new roof, please."}


@pytest.fixture
def visitor():
    """A browser in another site's frame: no session, and Django's CSRF checks on."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")


def test_the_form_carries_the_portal_branding_and_may_be_framed(visitor, org_a):
    portal_set_up(org_a, services="Roofing\nGutters", primary_colour="#aa3300")
    page = visitor.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alpha Org Portal" in text and "#aa3300" in text
    assert '<option value="Roofing">' in text and 'name="website"' in text and 'name="form_token"' in text
    assert "X-Frame-Options" not in page.headers  # any site may embed it
    assert page.headers["Cache-Control"].startswith("max-age=0")
    # Only these pages: the staff pages still refuse to be framed.
    assert visitor.get(reverse("account_login")).headers["X-Frame-Options"] == "DENY"


def test_a_real_submission_makes_one_lead_with_its_source_and_tells_the_lead_navigators(visitor, org_a, lead_navigator):
    portal_set_up(org_a, services="Roofing\nGutters")
    url = URL + "?utm_source=google&utm_campaign=spring&utm_bogus=x&page=https://alpha.example/roofs"
    response = visitor_post(
        visitor, url, {**GOOD, "service": "Roofing", "tz": "America/Mexico_City"}, HTTP_USER_AGENT="Firefox"
    )
    assert response.status_code == 200
    assert "We received your message" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.org, lead.name, lead.email, lead.source, lead.state, lead.service) == (
        org_a.org,
        "Vera Visitor",
        "vera@example.test",
        "form",
        "new",
        "Roofing",
    )
    assert lead.utm == {"utm_source": "google", "utm_campaign": "spring"}
    assert lead.page == "https://alpha.example/roofs"
    assert lead.time_zone == "America/Mexico_City"
    assert lead.message == "A new roof, please."
    event = AuditEvent.objects.get(action=AuditAction.LEAD_RECEIVED)
    assert (event.ip, event.user_agent) == ("198.51.100.7", "Firefox")
    # The visitor's answer does not wait for the notifications: the worker tells the lead navigators.
    assert not Notification.objects.exists()
    assert run_tasks() >= 1
    [note] = Notification.objects.filter(kind="lead_received")
    assert note.recipient == lead_navigator and "Vera Visitor" in note.title
    assert note.url == reverse("lead_detail", args=["alpha", lead.pk])
    # The admin is staff too, but was not chosen to hear of leads.
    assert not Notification.objects.filter(recipient=org_a.admin).exists()


def test_the_page_field_comes_from_the_form_when_the_address_has_none(visitor, org_a):
    visitor_post(visitor, URL, {**GOOD, "page": "https://alpha.example/contact"})
    assert Lead.objects.get().page == "https://alpha.example/contact"


def test_a_page_that_is_no_web_address_is_not_kept(visitor, org_a):
    visitor_post(visitor, URL, {**GOOD, "page": "javascript:alert(1)"})
    assert Lead.objects.get().page == ""


def test_the_organizations_thank_you_text_is_shown(visitor, org_a):
    lead_settings_save(
        org=org_a.org, actor=Actor.system(), navigators=[], public_forms=True, thank_you="We call within a day."
    )
    assert "We call within a day." in visitor_post(visitor, URL, GOOD).content.decode()


@pytest.mark.parametrize(
    "bot",
    [
        pytest.param({"website": "http://spam.example"}, id="honeypot"),
        pytest.param({"form_token": "forged"}, id="forged-token"),
        pytest.param({"form_token": ""}, id="no-token"),
    ],
)
def test_bots_get_the_usual_thanks_and_make_nothing(visitor, org_a, lead_navigator, bot):
    token = form_token_from(visitor, URL)
    response = visitor.post(URL, {"form_token": token, **GOOD, **bot})
    assert response.status_code == 200 and "We received your message" in response.content.decode()
    assert not Lead.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LEAD_RECEIVED).exists()


def test_a_form_sent_faster_than_a_person_types_makes_nothing(visitor, org_a):
    response = visitor_post(visitor, URL, GOOD, seconds_ago=0.5)
    assert response.status_code == 200 and "We received your message" in response.content.decode()
    assert not Lead.objects.exists()
    # The same visitor, after a person's pause, gets through.
    visitor_post(visitor, URL, GOOD, seconds_ago=5)
    assert Lead.objects.count() == 1


def test_another_organizations_token_makes_nothing(visitor, org_a, org_b):
    theirs = form_token_from(visitor, reverse("lead_contact_form", args=["beta"]))
    response = visitor.post(URL, {"form_token": theirs, **GOOD})
    assert response.status_code == 200 and "We received your message" in response.content.decode()
    assert not Lead.objects.exists()


def test_a_token_from_just_now_made_by_the_server_is_too_fast(visitor, org_a):
    visitor.post(URL, {"form_token": form_token_new(org_a.org), **GOOD})
    assert not Lead.objects.exists()


def test_too_many_posts_from_one_address_get_429_and_make_nothing(visitor, org_a, settings):
    settings.PORTICO_PUBLIC_FORM_RATE_PER_IP = 2
    assert visitor_post(visitor, URL, GOOD).status_code == 200
    assert visitor_post(visitor, URL, {**GOOD, "website": "bot"}).status_code == 200  # bots count too
    limited = visitor_post(visitor, URL, GOOD)
    assert limited.status_code == 429
    assert "try again" in limited.content.decode().lower()
    assert Lead.objects.count() == 1
    # Another address is not held back by this one.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert visitor_post(other, URL, GOOD).status_code == 200
    assert Lead.objects.count() == 2


def test_too_many_posts_to_one_organization_get_429(org_a, settings):
    settings.PORTICO_PUBLIC_FORM_RATE_PER_ORG = 1
    assert visitor_post(Client(REMOTE_ADDR="203.0.113.1"), URL, GOOD).status_code == 200
    assert visitor_post(Client(REMOTE_ADDR="203.0.113.2"), URL, GOOD).status_code == 429
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "phone": ""}, "Enter an email address or a mobile number"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": "", "phone": "12"}, "Enter a valid phone number"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_validation_errors_show_the_form_again_and_make_nothing(visitor, org_a, data, message):
    response = visitor_post(visitor, URL, {**GOOD, **data})
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and 'id="lead-form"' in text
    assert 'value="Vera Visitor"' in text or not data.get("name", "x")  # what they typed is kept
    assert not Lead.objects.exists()


def test_a_mobile_number_alone_is_enough(visitor, org_a):
    visitor_post(visitor, URL, {**GOOD, "email": "", "phone": "+52 55 1234 5678"})
    assert Lead.objects.get().phone == "+525512345678"


def test_an_unknown_organization_is_404(visitor, org_a):
    assert visitor.get(reverse("lead_contact_form", args=["nope"])).status_code == 404
    assert visitor.post(reverse("lead_contact_form", args=["nope"]), GOOD).status_code == 404


def test_public_forms_switched_off_are_404(visitor, org_a, org_b):
    lead_settings_save(org=org_a.org, actor=Actor.system(), navigators=[], public_forms=False, thank_you="")
    assert visitor.get(URL).status_code == 404
    assert visitor.post(URL, GOOD).status_code == 404
    assert visitor.get(reverse("lead_contact_form", args=["beta"])).status_code == 200  # theirs is on
