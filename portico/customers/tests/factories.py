"""Customers for the tests: valid RFCs made with python-stdnum's own check digit (never guessed),
a customer by quick create, and a complete one (ACTV)."""

from __future__ import annotations

import datetime as dt
import itertools
import string
from typing import Any

from stdnum.mx import rfc

from portico.clients.models import ClientKind
from portico.core.actors import Actor, ActorKind
from portico.customers.actions import (
    customer_address_add,
    customer_contact_link,
    customer_quick_create,
    customer_update,
)
from portico.customers.models import Customer
from portico.sat69b.models import Sat69bEntry
from testing.world import World, client_make

_serial = itertools.count(1)


def staff(world: World) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.30", user_agent="staff-phone")


def company_rfc(n: int | None = None, *, letters: str = "") -> str:
    """A valid company RFC (12 characters): 3 letters, a real date, 2 characters, the check digit."""
    n = next(_serial) if n is None else n
    if not letters:
        a = string.ascii_uppercase
        letters = a[n % 26] + a[(n // 26) % 26] + a[(n // 676) % 26]
        if letters in ("BUE", "CAC", "CAG", "KAK", "PUT", "MEO", "MOC"):  # avoid anything stdnum might refuse
            letters = "QRS"
    day = 1 + n % 28
    base = f"{letters}{n % 100:02d}0{1 + n % 9}{day:02d}A{1 + n % 9}"
    return base + rfc.calc_check_digit(base)


def person_rfc(n: int | None = None) -> str:
    """A valid person RFC (13 characters)."""
    n = next(_serial) if n is None else n
    a = string.ascii_uppercase
    letters = "G" + a[n % 26] + a[(n // 26) % 26] + "E"
    base = f"{letters}{(50 + n) % 100:02d}1{n % 3}{1 + n % 28:02d}G{1 + n % 9}"
    return base + rfc.calc_check_digit(base)


def customer_make(world: World, *, legal_name: str = "", trade_name: str = "", tax_id: str = "") -> Customer:
    n = next(_serial)
    created = customer_quick_create(
        org=world.org,
        actor=staff(world),
        legal_name=legal_name or f"Industrias {n} S.A. de C.V.",
        trade_name=trade_name or f"Marca {n}",
        tax_id=tax_id or company_rfc(n),
    )
    return created.customer


def person_make(world: World, name: str = "") -> Any:
    n = next(_serial)
    return client_make(world, name or f"Contacto{n} Persona", email=f"contact{n}@example.test", kind=ClientKind.PERSON)


def customer_complete(world: World, customer: Customer | None = None) -> Customer:
    """Every required field filled: the customer ends ACTV."""
    customer = customer or customer_make(world)
    actor = staff(world)
    customer_update(
        customer=customer,
        actor=actor,
        industry="Construction",
        payment_terms="net30",
        sales_owner=world.admin,
        regimen_fiscal="601",
        uso_cfdi="G03",
        fiscal_postal_code="06600",
    )
    customer_address_add(
        customer=customer, actor=actor, line1="Av. Reforma 100", state="CDMX", postal_code="06600", country="MX"
    )
    customer_contact_link(customer=customer, actor=actor, contact=person_make(world), role="primary")
    customer.refresh_from_db()
    return customer


def sat69b_entry(tax_id: str, situation: str = "presunto", **dates: Any) -> Sat69bEntry:
    dates.setdefault("presunto_published_on", dt.date(2024, 3, 15))
    return Sat69bEntry.objects.create(rfc=tax_id, name="Factureras Simuladas S.A.", situation=situation, **dates)
