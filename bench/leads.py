"""Website lead benchmarks (PostgreSQL).

The organization "leads-bench" gets N = BENCH_LEAD_N (default 100,000) leads (sources and states
mixed, one every minute back in time), inserted set-based (INSERT … SELECT generate_series), a
set-up portal with services, and one lead navigator (so every submission also notifies). Then,
through the Django test client (the full middleware stack, CSRF checks on as for a framed page):

- ``leads.submit``: the public contact form's POST by a visitor: a real signed form token, shown
  more than PORTICO_PUBLIC_FORM_MIN_SECONDS before, the honeypot empty; the rate limits are raised
  for the run (settings override) so every post is judged human and makes its lead, audit row and
  the task that tells the lead navigator (run by the worker, outside the visitor's wait). Target p95 ≤ 25 ms.

Alone: ``DATABASE_URL=postgres://…/portico_bench_leads python -m bench.leads`` (prints the figures;
the lead wires ``run``/``note`` into bench/run.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

if TYPE_CHECKING:
    from portico.orgs.models import Organization

N = int(os.environ.get("BENCH_LEAD_N", "100000"))
SLUG = "leads-bench"
NAVIGATOR_EMAIL = f"navigator@{SLUG}.test"
VISITOR_EMAIL = "visitor@leads-bench.example"

LEADS_INSERT = """
INSERT INTO leads_lead (org_id, name, email, phone, message, service, source, referrer_client_id, referrer_user_id,
    utm, page, time_zone, state, disqualify_reason, client_id, created_at, converted_at)
SELECT %(org)s, 'Bench Lead ' || g, 'lead' || g || '@example.test', '', 'Hello', 'Roofing',
       (ARRAY['form','booking','referral','api'])[1 + g %% 4], NULL, NULL, '{}'::jsonb, '', '',
       (ARRAY['new','contacted','new','disqualified'])[1 + g %% 4], '', NULL, now() - g * interval '1 minute', NULL
FROM generate_series(1, %(n)s) AS g
"""


def seed() -> Organization:
    """The organization, its portal, its lead navigator and N leads (reused when present)."""
    from portico.accounts.models import User
    from portico.core.actors import Actor
    from portico.leads.actions import lead_settings_save
    from portico.leads.models import Lead
    from portico.orgs.actions import membership_add
    from portico.orgs.models import Membership, Organization
    from portico.portal.models import PortalSettings
    from testing.world import user_create, world_create

    with transaction.atomic():
        if not Organization.objects.filter(slug=SLUG).exists():
            world_create(SLUG)
        org = Organization.objects.get(slug=SLUG)
        if not PortalSettings.objects.filter(org=org).exists():
            from portico.portal.actions import portal_settings_save

            portal_settings_save(
                org=org,
                actor=Actor.system(),
                portal_name="Leads Bench Portal",
                sender_name="Leads Bench",
                services="Roofing\nGutters\nSolar",
            )
            org.refresh_from_db()
        navigator = User.objects.filter(email=NAVIGATOR_EMAIL).first() or user_create(NAVIGATOR_EMAIL, name="Lena Nav")
        if not Membership.objects.filter(org=org, user=navigator).exists():
            membership_add(org=org, user=navigator, role=org.roles.get(name="Sales"), actor=Actor.system())
        lead_settings_save(org=org, actor=Actor.system(), navigators=[navigator], public_forms=True, thank_you="")
    _forget_runs(org)
    have = Lead.objects.filter(org=org).count()
    if have != N:
        print(f"leads: loading {N:,} leads into '{SLUG}' (had {have:,})")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM leads_lead WHERE org_id = %s", [org.pk])
            cursor.execute(LEADS_INSERT, {"org": org.pk, "n": N})
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) leads_lead")
    return org


def _forget_runs(org: Organization) -> None:
    """The leads (and their notifications) an earlier run posted: the table stays at N."""
    from portico.leads.models import Lead
    from portico.notifications.models import Notification

    Notification.objects.filter(org=org, kind="lead_received").delete()
    Lead.objects.filter(org=org, email=VISITOR_EMAIL).delete()


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    """Seed, then time the public form's POST with run.py's ``_time`` (warm-up, repeats, p50/p95, queries)."""
    from portico.core.actors import Actor
    from portico.leads.actions import lead_settings_save
    from portico.leads.models import Lead
    from portico.leads.selectors import lead_settings_of

    t0 = time.perf_counter()
    org = seed()
    print(f"leads: {N:,} leads in '{SLUG}' ({time.perf_counter() - t0:.1f}s)")
    url = reverse("lead_contact_form", args=[org.slug]) + "?utm_source=bench&utm_medium=cpc"
    visitor = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT="bench")
    page = visitor.get(url)
    assert page.status_code == 200
    token = page.content.decode().split('name="form_token" value="', 1)[1].split('"', 1)[0]
    time.sleep(settings.PORTICO_PUBLIC_FORM_MIN_SECONDS + 0.2)  # a person's pause: the token is old enough
    data = {
        "form_token": token,
        "website": "",
        "name": "Vera Visitor",
        "email": VISITOR_EMAIL,
        "phone": "+52 55 1234 5678",
        "service": "Roofing",
        "message": "A new roof, please.",
        "page": "https://leads-bench.example/contact",
        "tz": "America/Mexico_City",
    }
    before = Lead.objects.filter(org=org).count()
    with override_settings(PORTICO_PUBLIC_FORM_RATE_PER_IP=10**9, PORTICO_PUBLIC_FORM_RATE_PER_ORG=10**9):
        result = time_measure(measure_class("leads.submit", N, lambda c: c.post(url, data)), visitor)
    made = Lead.objects.filter(org=org).count() - before
    assert made > 0 and Lead.objects.filter(org=org, email=VISITOR_EMAIL).count() == made, "the posts made no leads"
    # The same post with no lead navigator chosen: what the notification costs, by difference.
    navigators = list(lead_settings_of(org=org).navigators.all())
    lead_settings_save(org=org, actor=Actor.system(), navigators=[], public_forms=True, thank_you="")
    try:
        with override_settings(PORTICO_PUBLIC_FORM_RATE_PER_IP=10**9, PORTICO_PUBLIC_FORM_RATE_PER_ORG=10**9):
            quiet = time_measure(measure_class("leads.submit.no_navigator", N, lambda c: c.post(url, data)), visitor)
    finally:
        lead_settings_save(org=org, actor=Actor.system(), navigators=navigators, public_forms=True, thank_you="")
    _forget_runs(org)
    # The staff side: the leads list over the N leads, first page and one filtered by state and source.
    from portico.accounts.models import User

    staff = Client()
    staff.force_login(User.objects.get(email=f"admin@{SLUG}.test"))
    leads_url = reverse("lead_list", args=[org.slug])
    listed = staff.get(leads_url)
    assert listed.status_code == 200 and len(listed.context["page"].rows) == 25
    pages = [
        time_measure(measure_class("leads.list", N, lambda c: c.get(leads_url)), staff),
        time_measure(
            measure_class("leads.list.filtered", N, lambda c: c.get(leads_url, {"state": "new", "source": "referral"})),
            staff,
        ),
    ]
    return [result, quiet, *pages]


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"leads.submit: the public contact form's POST (signed token older than the minimum fill time, honeypot "
        f"empty, rate limits raised for the run) in an organization with {N:,} leads and one lead navigator: each "
        "post makes the lead, its audit row and the task row that has the worker tell the lead navigator (the "
        "notification itself is not in the visitor's wait). leads.submit.no_navigator: the same with no lead "
        "navigator chosen. Through the Django test client with CSRF checks on, as a framed page. "
        "leads.list(.filtered): the staff leads page over them, first page (filtered: new referrals), signed in "
        "as the organization's admin."
    )


if __name__ == "__main__":
    from bench import run as bench_run  # sets Django up (portico.settings_test)

    if connection.vendor != "postgresql":
        raise SystemExit("bench.leads runs on PostgreSQL (DATABASE_URL=postgres://…)")
    bench_run.setup_test_environment()
    bench_run._ensure_database()
    bench_run.call_command("migrate", verbosity=0)
    # This machine's floor in the same run: the cheapest organization page (the bell partial).
    from portico.accounts.models import User

    staff = Client()
    staff.force_login(User.objects.get(email=f"admin@{SLUG}.test"))
    bell = reverse("notification_bell", args=[SLUG])
    floor = bench_run._time(bench_run.Measure("floor.org_page", 0, lambda c: c.get(bell)), staff)
    results = [floor, *run(bench_run._time, bench_run.Measure)]
    results.append(bench_run._time(bench_run.Measure("floor.org_page", 0, lambda c: c.get(bell)), staff))
    for r in results:
        bench_run._print(r)
    print(note(results))
