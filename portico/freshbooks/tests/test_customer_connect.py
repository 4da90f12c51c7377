""" "Connect to FreshBooks" on a customer: creates the client in the organization's FreshBooks through
the SDK (the local fake), once; only for customers not yet connected and not inactive; refused
clearly when the organization has not connected FreshBooks; FreshBooks' errors change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.models import Customer, CustomerAddress, CustomerStatus
from portico.freshbooks.actions import customer_freshbooks_connect
from portico.freshbooks.freshbooks_api import FreshbooksUnavailable
from portico.freshbooks.tests.factories import connect, customer_make, staff


@pytest.fixture
def connected(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    return fake_freshbooks


def _url(org, customer) -> str:
    return reverse("customer_freshbooks_connect", args=[org.slug, customer.pk])


def test_the_customer_is_created_in_freshbooks_with_its_data_and_keeps_the_id(org_a, connected):
    customer = customer_make(
        org_a,
        name="Comercializadora del Norte S.A. de C.V.",
        trade_name="Norteña",
        tax_id="CNO010101AB1",
        email="compras@norte.test",
        phone="+528112345678",
    )
    CustomerAddress.objects.create(
        customer=customer, kind="billing", line1="Av. Uno 1", state="Nuevo León", postal_code="64000", country="MX"
    )
    CustomerAddress.objects.create(
        customer=customer, kind="fiscal", line1="Calle Fiscal 2", city="Monterrey", state="NL", postal_code="64010",
        country="MX",
    )  # fmt: skip
    done = customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    [sent] = connected.clients
    assert sent["organization"] == "Comercializadora del Norte S.A. de C.V."
    assert sent["note"] == "Trade name: Norteña"
    assert (sent["vat_name"], sent["vat_number"]) == ("RFC", "CNO010101AB1")
    assert sent["email"] == "compras@norte.test" and sent["bus_phone"] == "+528112345678"
    assert (sent["p_street"], sent["p_city"], sent["p_code"], sent["p_country"]) == (
        "Calle Fiscal 2", "Monterrey", "64010", "MX",
    )  # fmt: skip
    customer.refresh_from_db()
    assert customer.freshbooks_id == str(sent["id"]) == done.freshbooks_id
    assert customer.freshbooks_connected_at is not None
    event = AuditEvent.objects.get(action=AuditAction.FRESHBOOKS_CUSTOMER_CONNECTED)
    assert event.target_id == str(customer.pk) and event.detail["freshbooks_id"] == customer.freshbooks_id
    assert connected.calls("create")[0]["path"] == f"/accounting/account/{connected.account_id}/users/clients"


def test_a_second_connect_is_refused_and_creates_nothing(org_a, connected):
    customer = customer_make(org_a)
    customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    customer.refresh_from_db()
    with pytest.raises(PorticoError) as refused:
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    assert refused.value.code == "already" and "already connected" in str(refused.value.message)
    assert len(connected.clients) == 1


def test_a_double_click_creates_one_freshbooks_client(client, org_a, connected):
    """The second click carries the page's stale customer (no id yet): the re-read under the lock stops it."""
    customer = customer_make(org_a)
    stale = Customer.objects.get(pk=customer.pk)
    customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    with pytest.raises(PorticoError) as refused:
        customer_freshbooks_connect(customer=stale, actor=staff(org_a))
    assert refused.value.code == "already"
    assert len(connected.clients) == 1 and len(connected.calls("create")) == 1
    # Through the page: two posts, one client.
    other = customer_make(org_a)
    client.force_login(org_a.admin)
    first, second = client.post(_url(org_a.org, other)), client.post(_url(org_a.org, other))
    assert first.status_code == second.status_code == 302
    assert "X-Portico-Refusal" not in first and second["X-Portico-Refusal"] == "already"
    assert len(connected.clients) == 2
    assert AuditEvent.objects.filter(action=AuditAction.FRESHBOOKS_CUSTOMER_CONNECTED).count() == 2


def test_an_inactive_customer_is_refused(org_a, connected):
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    with pytest.raises(PorticoError) as refused:
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    assert refused.value.code == "customer_inactive" and "Reactivate the customer first" in str(refused.value)
    assert not connected.calls("create")
    customer.refresh_from_db()
    assert customer.freshbooks_id == ""


def test_not_connected_at_organization_level_is_a_clear_refusal(org_a, fake_freshbooks):
    customer = customer_make(org_a)
    with pytest.raises(PorticoError) as refused:
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    assert refused.value.code == "freshbooks_not_connected"
    assert "An administrator must connect FreshBooks in Settings first" in str(refused.value.message)
    assert not fake_freshbooks.requests


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (401, "FreshBooks answered 401: The server could not verify that you are authorized"),
        (422, "FreshBooks answered 422: Invalid email address."),
        (500, "FreshBooks answered 500: An internal error occurred"),
    ],
)
def test_freshbooks_errors_are_shown_and_change_nothing(client, org_a, connected, status, shown):
    customer = customer_make(org_a)
    connected.fail_next("create", status)
    client.force_login(org_a.admin)
    page = reverse("freshbooks_settings", args=[org_a.org.slug])  # any page of the organization
    response = client.post(_url(org_a.org, customer), HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    assert response["X-Portico-Refusal"] == "freshbooks_error"
    assert shown in client.get(page).content.decode()
    customer.refresh_from_db()
    assert customer.freshbooks_id == "" and customer.freshbooks_connected_at is None
    assert not connected.clients
    assert not AuditEvent.objects.filter(action=AuditAction.FRESHBOOKS_CUSTOMER_CONNECTED).exists()
    # Once FreshBooks answers again, the same button works.
    client.post(_url(org_a.org, customer))
    customer.refresh_from_db()
    assert customer.freshbooks_id


def test_a_timeout_is_shown_and_changes_nothing(org_a, connected, settings):
    settings.FRESHBOOKS_TIMEOUT = 0.3
    customer = customer_make(org_a)
    connected.stall_next("create", 1.0)
    with pytest.raises(FreshbooksUnavailable) as refused:
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    assert "did not answer in time" in str(refused.value.message)
    customer.refresh_from_db()
    assert customer.freshbooks_id == ""


def test_the_page_says_so_and_goes_back_where_the_button_was(client, org_a, connected):
    customer = customer_make(org_a, name="Aceros Unidos S.A.")
    client.force_login(org_a.admin)
    back = "http://testserver" + reverse("freshbooks_settings", args=[org_a.org.slug])
    response = client.post(_url(org_a.org, customer), HTTP_REFERER=back)
    assert response.status_code == 302 and response["Location"] == back
    customer.refresh_from_db()
    assert f"Aceros Unidos S.A. is connected to FreshBooks (client {customer.freshbooks_id})" in (
        client.get(back).content.decode()
    )


def test_htmx_gets_a_redirect_header(client, org_a, connected):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(_url(org_a.org, customer), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/o/{org_a.org.slug}/customers/{customer.pk}/"


def test_another_organizations_customer_is_404(client, org_a, org_b, connected):
    customer = customer_make(org_b)
    client.force_login(org_a.admin)
    assert client.post(_url(org_a.org, customer)).status_code == 404
    assert not connected.requests[2:]  # only the connect flow's token and identity calls


def test_read_only_staff_cannot_connect_a_customer(client, org_a, connected):
    customer = customer_make(org_a)
    client.force_login(org_a.readonly)
    response = client.post(_url(org_a.org, customer))
    assert response.status_code == 403 and b"customers.manage" in response.content
    assert not connected.clients


def _customer_page(client, org, customer) -> str:
    return client.get(reverse("customer_detail", args=[org.slug, customer.pk])).content.decode()


def test_the_action_is_offered_only_until_the_customer_is_connected(client, org_a, connected):
    """The customer's page (the row menu is covered in the customers app): the button until the
    customer is connected, then the link and no button; never for an inactive customer or for
    staff who only read."""
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    before = _customer_page(client, org_a.org, customer)
    assert "Connect to FreshBooks" in before and _url(org_a.org, customer) in before
    customer = customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    after = _customer_page(client, org_a.org, customer)
    assert "Connect to FreshBooks" not in after
    assert f'href="https://my.freshbooks.com/#/client/{customer.freshbooks_id}"' in after
    inactive = customer_make(org_a, status=CustomerStatus.INACTIVE)
    assert "Connect to FreshBooks" not in _customer_page(client, org_a.org, inactive)
    client.force_login(org_a.readonly)
    assert "Connect to FreshBooks" not in _customer_page(client, org_a.org, customer_make(org_a))
