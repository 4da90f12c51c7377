"""`make run` loads the demo organization: its logins work and it has client records."""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portico.clients.models import Client as ClientRecord
from portico.orgs.models import Organization
from portico.web.demo import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_USERS


def test_the_demo_loads_once_with_working_logins_and_clients(db):
    call_command("load_demo")
    call_command("load_demo")  # a second run changes nothing
    org = Organization.objects.get(slug="northwind")
    # The customers catalog's companies and their contacts are records too (customers/tests/test_demo_customers.py).
    people = ClientRecord.objects.filter(org=org, customer=None, customer_contacts=None)
    assert people.count() == len(DEMO_CLIENTS)
    assert ClientRecord.objects.filter(org=org).first().case_number.startswith("NW-")
    for email, _name, _role in DEMO_USERS:
        browser = Client()
        assert browser.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD}).status_code == 302
    assert browser.get(reverse("support_org_list")).status_code == 200  # the last one is the operator
