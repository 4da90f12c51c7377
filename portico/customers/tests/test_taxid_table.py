"""The tax id validation table of quick create (issue 14): valid and invalid RFCs of persons and
companies, bad dates, bad check digits, the generic RFCs, EINs. Valid check digits come from
python-stdnum itself; each refusal says exactly what is wrong."""

from __future__ import annotations

import pytest
from stdnum.mx import rfc

from portico.core.errors import PorticoError
from portico.customers.actions import customer_quick_create
from portico.customers.models import Customer
from portico.customers.tests.factories import staff

pytestmark = pytest.mark.django_db


def _valid(base: str) -> str:
    return base + rfc.calc_check_digit(base)


def _wrong_digit(base: str) -> str:
    right = rfc.calc_check_digit(base)
    return base + ("1" if right != "1" else "2")


COMPANY = _valid("ABC680524P7")  # 12: company
PERSON = _valid("GODE561231GR")  # 13: person

VALID = [
    (COMPANY, COMPANY),
    (COMPANY.lower(), COMPANY),
    (f"{COMPANY[:3]}-{COMPANY[3:9]}-{COMPANY[9:]}", COMPANY),
    (PERSON, PERSON),
    (_valid("MAR991231AB"), _valid("MAR991231AB")),
    (_valid("PEPJ000229H1"), _valid("PEPJ000229H1")),  # 29 February 2000
    ("XAXX010101000", "XAXX010101000"),  # generic: the general public
    ("XEXX010101000", "XEXX010101000"),  # generic: foreign residents
    ("04-2103594", "042103594"),  # EIN with a valid prefix
    ("042103594", "042103594"),
]

INVALID = [
    ("ABC68052", "12 characters for a company or 13 for a person"),
    ("ABCD5612310000X", "12 characters for a company or 13 for a person"),
    (_wrong_digit("ABC680524P7"), "check digit"),
    (_wrong_digit("GODE561231GR"), "check digit"),
    (_valid("ABC681324P7"), "date part"),  # month 13
    (_valid("GODE560230GR"), "date part"),  # 30 February
    (_valid("PEPJ010229H1"), "date part"),  # 29 February 2001
    (_valid("ABC680524007"[:11]), "homoclave"),
    ("1BC680524P73", "3 letters (company) or 4 (person)"),
    (_valid("BUEI561231GR"), "first four letters"),  # a word the SAT replaces
    ("00-1234567", "prefix the IRS assigns"),  # EIN prefix 00 is never assigned
]


@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_valid_tax_ids_are_stored_compact(org_a, typed, stored):
    created = customer_quick_create(org=org_a.org, actor=staff(org_a), legal_name="L", trade_name="T", tax_id=typed)
    assert created.customer.client.tax_id == stored


@pytest.mark.parametrize(("typed", "says"), INVALID)
def test_invalid_tax_ids_are_refused_saying_what_is_wrong(org_a, typed, says):
    with pytest.raises(PorticoError) as refused:
        customer_quick_create(org=org_a.org, actor=staff(org_a), legal_name="L", trade_name="T", tax_id=typed)
    assert refused.value.code == "invalid_tax_id"
    assert refused.value.extra["field"] == "tax_id"
    assert says in str(refused.value.message)
    assert not Customer.objects.exists()
