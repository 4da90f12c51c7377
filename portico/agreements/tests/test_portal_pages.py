"""The client's agreement pages: read (the exact hashed bytes), consent, sign, download the sealed
copy; the consent page; another organization's or person's agreement is a 404 everywhere."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portico.agreements.models import AgreementEvent, AgreementEventKind, AgreementSignature, ElectronicConsent
from portico.agreements.seal import pdf_check
from portico.agreements.tests.factories import BODY, agreement_sent_make, approved_estimate_make
from portico.agreements.tests.signing_helpers import DRAWING, consent, sent_for
from portico.agreements.urls import urlpatterns
from portico.audit.models import AuditAction, AuditEvent
from portico.estimates.tests.factories import joined

pytestmark = pytest.mark.django_db


def _signed_in(client, person):
    client.force_login(person)
    return client


def _url(name, agreement, **more):
    return reverse(name, kwargs={"org_slug": agreement.org.slug, "agreement_id": agreement.pk, **more})


def _sign_post(client, agreement, **fields):
    data = {"name_typed": "Mark Client", "intent": "1", "document_hash": agreement.document_hash, **fields}
    return client.post(_url("portal_agreement_sign", agreement), data)


def test_the_pdf_served_is_the_stored_hashed_document(client, org_a):
    agreement, person = sent_for(org_a)
    response = _signed_in(client, person).get(_url("portal_agreement_pdf", agreement))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == agreement.document_hash
    page = client.get(_url("portal_agreement_detail", agreement))
    assert agreement.document_hash in page.content.decode()


def test_a_stored_document_that_no_longer_matches_its_hash_is_refused(client, org_a):
    agreement, person = sent_for(org_a)
    agreement.document.save("changed.pdf", ContentFile(b"%PDF-1.7 changed"), save=True)
    response = _signed_in(client, person).get(_url("portal_agreement_pdf", agreement))
    assert response.status_code == 409 and b"does not match" in response.content


def test_the_first_view_in_a_session_is_recorded_once(client, org_a):
    agreement, person = sent_for(org_a)
    _signed_in(client, person)
    for _ in range(2):
        assert client.get(_url("portal_agreement_detail", agreement)).status_code == 200
    assert AgreementEvent.objects.filter(agreement=agreement, kind=AgreementEventKind.VIEWED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_VIEWED, target_id=str(agreement.pk)).count() == 1


def test_consent_then_sign_then_download_the_sealed_copy(client, org_a):
    agreement, person = sent_for(org_a)
    _signed_in(client, person)
    page = client.get(_url("portal_agreement_detail", agreement)).content.decode()
    assert 'id="consent-step"' in page and 'id="sign-form"' not in page
    assert "paper" in page and "withdraw" in page.lower()
    refused = _sign_post(client, agreement)
    assert refused.status_code == 302 and not AgreementSignature.objects.filter(agreement=agreement).exists()
    # The consent form names the disclosure it showed and comes back to the agreement.
    d_version = page.split('name="version" value="')[1].split('"')[0]
    d_hash = page.split('name="hash" value="')[1].split('"')[0]
    here = _url("portal_agreement_detail", agreement)
    response = client.post(
        reverse("portal_consent", args=[org_a.org.slug]),
        {"step": "give", "agree": "1", "version": d_version, "hash": d_hash, "agreement": agreement.pk, "next": here},
    )
    assert response.status_code == 302 and response["Location"] == here
    given = ElectronicConsent.objects.get(user=person, withdrawn_at=None)
    assert given.disclosure_hash == d_hash and given.email == person.email
    assert AgreementEvent.objects.filter(agreement=agreement, kind=AgreementEventKind.CONSENTED).count() == 1
    page = client.get(here).content.decode()
    assert 'id="sign-form"' in page
    assert _sign_post(client, agreement, drawing=DRAWING).status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == "signed" and agreement.signed_hash
    signature = AgreementSignature.objects.get(agreement=agreement)
    assert (
        signature.method == "drawn"
        and signature.session_hash == hashlib.sha256(client.session.session_key.encode()).hexdigest()
    )
    sealed = client.get(_url("portal_agreement_signed_pdf", agreement))
    assert sealed.status_code == 200 and hashlib.sha256(sealed.content).hexdigest() == agreement.signed_hash
    assert pdf_check(sealed.content).ok
    assert 'id="agreement-signed"' in client.get(here).content.decode()


def test_two_sign_posts_make_one_signature(client, org_a):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    _signed_in(client, person)
    assert _sign_post(client, agreement).status_code == 302
    agreement.refresh_from_db()
    head = agreement.chain_head
    second = _sign_post(client, agreement, name_typed="Other Name")
    assert second.status_code == 302
    agreement.refresh_from_db()
    assert AgreementSignature.objects.filter(agreement=agreement).count() == 1 and agreement.chain_head == head
    messages = [str(m) for m in client.get(second["Location"]).context["messages"]]
    assert any("already signed" in m for m in messages)


def test_a_changed_disclosure_is_not_consented(client, org_a):
    _agreement, person = sent_for(org_a)
    _signed_in(client, person)
    response = client.post(
        reverse("portal_consent", args=[org_a.org.slug]), {"step": "give", "agree": "1", "version": "0", "hash": "x"}
    )
    assert response.status_code == 302 and not ElectronicConsent.objects.filter(user=person).exists()


def test_the_consent_page_withdraws_after_a_confirmation(client, org_a):
    agreement, person = sent_for(org_a)
    given = consent(org_a, person)
    _signed_in(client, person)
    assert reverse("portal_consent", args=[org_a.org.slug]) in client.get(reverse("portal_account")).content.decode()
    url = reverse("portal_consent", args=[org_a.org.slug])
    page = client.get(url).content.decode()
    assert 'id="consent-standing"' in page and 'id="withdraw-form"' not in page
    assert 'id="withdraw-form"' in client.get(url + "?withdraw=1").content.decode()
    assert client.post(url, {"step": "withdraw"}).status_code == 302
    given.refresh_from_db()
    assert given.withdrawn_at is not None and given.withdrawn_ip
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN, target_id=str(given.pk)).count() == 1
    refused = _sign_post(client, agreement)
    assert refused.status_code == 302 and not AgreementSignature.objects.filter(agreement=agreement).exists()


def test_the_disclosure_pdf_opens(client, org_a):
    _agreement, person = sent_for(org_a)
    response = _signed_in(client, person).get(reverse("portal_consent_pdf", args=[org_a.org.slug]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def _portal_routes():
    return [p for p in urlpatterns if str(p.pattern).startswith("portal/")]


@pytest.mark.parametrize("route", _portal_routes(), ids=lambda p: p.name)
def test_another_organizations_client_gets_404_on_every_portal_route(client, org_a, org_b, route):
    agreement, _person = sent_for(org_a)
    _other, stranger = joined(org_b, "Beta Client", "beta-client@example.test")
    _signed_in(client, stranger)
    kwargs = {"org_slug": org_a.org.slug}
    if "agreement_id" in route.pattern.converters:
        kwargs["agreement_id"] = agreement.pk
    url = reverse(route.name, kwargs=kwargs)
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "give"}).status_code == 404
    # In their own portal, the other organization's agreement id is a 404 too.
    if "agreement_id" in route.pattern.converters:
        own = reverse(route.name, kwargs={"org_slug": org_b.org.slug, "agreement_id": agreement.pk})
        assert client.get(own).status_code == 404


@pytest.mark.parametrize("name", [p.name for p in _portal_routes() if "agreement_id" in p.pattern.converters])
def test_another_person_of_the_same_organization_gets_404(client, org_a, name):
    agreement, _person = sent_for(org_a)
    _other, neighbour = joined(org_a, "Neighbour Client", "neighbour@example.test")
    consent(org_a, neighbour)
    _signed_in(client, neighbour)
    assert client.get(_url(name, agreement)).status_code == 404
    if name == "portal_agreement_sign":
        assert _sign_post(client, agreement).status_code == 404
    assert not AgreementSignature.objects.filter(agreement=agreement).exists()


def test_signed_in_staff_without_a_portal_account_get_404(client, org_a):
    agreement, _person = sent_for(org_a)
    client.force_login(org_a.admin)
    assert client.get(_url("portal_agreement_detail", agreement)).status_code == 404


@pytest.mark.parametrize("route", _portal_routes(), ids=lambda p: p.name)
def test_logged_out_visitors_are_sent_to_sign_in(client, org_a, route):
    agreement, _person = sent_for(org_a)
    kwargs = {"org_slug": org_a.org.slug}
    if "agreement_id" in route.pattern.converters:
        kwargs["agreement_id"] = agreement.pk
    response = client.get(reverse(route.name, kwargs=kwargs))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _give(client, agreement):
    page = client.get(_url("portal_agreement_detail", agreement)).content.decode()
    d_version = page.split('name="version" value="')[1].split('"')[0]
    d_hash = page.split('name="hash" value="')[1].split('"')[0]
    client.post(
        reverse("portal_consent", args=[agreement.org.slug]),
        {"step": "give", "agree": "1", "version": d_version, "hash": d_hash, "agreement": agreement.pk},
    )
    given = ElectronicConsent.objects.get(user=agreement.client.profile.organizer, withdrawn_at=None)
    audit = AuditEvent.objects.get(action=AuditAction.CONSENT_GIVEN, target_id=str(given.pk))
    event = AgreementEvent.objects.get(agreement=agreement, kind=AgreementEventKind.CONSENTED)
    return audit.detail["pdf_opened"], event.data["pdf_opened"]


@pytest.mark.parametrize("opened", [True, False])
def test_the_consent_records_whether_the_disclosure_pdf_was_opened(client, org_a, opened):
    agreement, person = sent_for(org_a)
    _signed_in(client, person)
    page = client.get(_url("portal_agreement_detail", agreement)).content.decode()
    assert 'id="disclosure-viewer"' in page  # the page says the agreement opens in the same viewer
    if opened:
        assert client.get(reverse("portal_consent_pdf", args=[org_a.org.slug])).status_code == 200
    assert _give(client, agreement) == (opened, opened)


def test_the_agreement_text_keeps_the_estimate_table_in_the_document_wrapper(client, org_a):
    record, person = joined(org_a, "Table Client", "table@example.test")
    approved_estimate_make(org_a, record, person)
    agreement = agreement_sent_make(org_a, client=record, body=BODY + "{{ estimate.lines }}")
    page = _signed_in(client, person).get(_url("portal_agreement_detail", agreement)).content.decode()
    assert 'class="agreement-doc"' in page and 'class="estimate-lines"' in page
