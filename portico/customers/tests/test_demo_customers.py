"""The demo organization has three customers: one partial (PAIN), one active (ACTV), one inactive."""

from django.core.management import call_command

from portico.customers.models import Customer
from portico.web.demo import DEMO_CUSTOMERS


def test_the_demo_has_a_customer_in_each_status(db):
    call_command("load_demo")
    customers = Customer.objects.filter(org__slug="northwind").select_related("client")
    assert sorted(c.status for c in customers) == ["ACTV", "INAC", "PAIN"]
    assert {c.client.tax_id for c in customers} == {tax_id for _l, _t, tax_id, _s in DEMO_CUSTOMERS}
    assert all(c.sales_owner.email == "sam@northwind.example" for c in customers)
