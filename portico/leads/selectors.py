"""Reads of leads: the organization's lead settings, the leads list (keyset pages), one lead and
the clients it matches, referral links, and the organization behind a public page. Lookups by id
happen inside the organization; another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import User
from portico.clients.models import Client
from portico.clients.selectors import client_duplicates
from portico.core.keyset import Page, keyset_page
from portico.core.sql import JSONArrayAgg
from portico.core.timezones import time_zone_get
from portico.leads.models import Lead, LeadSettings, ReferralLink
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.orgs.selectors import is_active_member
from portico.portal.models import PortalSettings

PAGE_SIZE = 25
ORDER = ("-created_at", "-id")
# The list's age filter: received today (the organization's day), in the last 7 days, or before.
AGES = (
    ("today", _("Today")),
    ("week", _("This week")),
    ("older", _("Older than 7 days")),
)
REFERRALS_SHOWN = 20


# --- settings ---


def lead_settings_of(*, org: Organization) -> LeadSettings:
    """The organization's lead settings; the defaults (unsaved) until someone saves them."""
    found = LeadSettings.objects.filter(org=org).first()
    return found if found is not None else LeadSettings(org=org)


def lead_navigators(*, org: Organization) -> list[User]:
    """The people told of new leads: the chosen navigators who are still active staff (one query)."""
    chosen = LeadSettings.navigators.through.objects.filter(leadsettings__org=org, user=OuterRef("pk"))
    active = Membership.objects.filter(org=org, user=OuterRef("pk"), status=MembershipStatus.ACTIVE)
    return list(User.objects.filter(Exists(chosen), Exists(active)).order_by("full_name", "id"))


def staff_choices(*, org: Organization) -> QuerySet[User]:
    """Active staff, who may be chosen to hear of new leads."""
    return User.objects.filter(memberships__org=org, memberships__status=MembershipStatus.ACTIVE).order_by(
        "full_name", "id"
    )


# --- the public pages ---


@dataclass
class PublicOrg:
    org: Organization
    lead_settings: LeadSettings
    portal: PortalSettings | None  # the branding, when the portal is set up

    @property
    def name(self) -> str:
        return self.portal.portal_name if self.portal is not None else self.org.name

    @property
    def services(self) -> list[str]:
        return self.portal.services_list if self.portal is not None else []


def public_org_get(*, org_slug: str) -> PublicOrg:
    """The organization behind a public page, with its lead settings and branding in one query;
    404 when there is none or its public forms are off."""
    org = Organization.objects.select_related("lead_settings", "portal_settings").filter(slug=org_slug).first()
    if org is None:
        raise Http404
    lead_settings = getattr(org, "lead_settings", None) or LeadSettings(org=org)
    if not lead_settings.public_forms:
        raise Http404
    portal = getattr(org, "portal_settings", None) if org.portal_enabled else None
    return PublicOrg(org=org, lead_settings=lead_settings, portal=portal)


def referral_link_by_code(*, org: Organization, code: str) -> ReferralLink:
    """A referral link that still works: its client record is live, or its staff member still active."""
    link = get_object_or_404(
        ReferralLink.objects.filter(org=org).select_related("client", "user"), code=code.strip()[:16]
    )
    if link.client is not None and link.client.deleted_at is not None:
        raise Http404
    if link.user is not None and not is_active_member(org=org, user=link.user):
        raise Http404
    return link


# --- the list and one lead ---


@dataclass
class LeadFilters:
    source: str = ""
    state: str = ""
    age: str = ""  # today, week, older

    @property
    def any(self) -> bool:
        return bool(self.source or self.state or self.age)


def _matching_clients(org_ref: Any, email_ref: Any, phone_ref: Any) -> QuerySet[Client]:
    """Live client records of the organization with the same email or the same mobile, as a
    subquery for the list's ``has_match`` EXISTS (one lead's matches use clients'
    ``client_duplicates``, which returns rows and cannot take outer references)."""
    return Client.objects.filter(org=org_ref, deleted_at=None).filter(
        Q(email=email_ref, email__gt="") | Q(phone=phone_ref, phone__gt="")
    )


def lead_queryset(*, org: Organization, filters: LeadFilters, now: dt.datetime | None = None) -> QuerySet[Lead]:
    qs = Lead.objects.filter(org=org)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.age:
        now = now or timezone.now()
        local = timezone.localtime(now, time_zone_get(org.time_zone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        week_ago = now - dt.timedelta(days=7)
        if filters.age == "today":
            qs = qs.filter(created_at__gte=midnight)
        elif filters.age == "week":
            qs = qs.filter(created_at__gte=week_ago)
        elif filters.age == "older":
            qs = qs.filter(created_at__lt=week_ago)
    return qs


def lead_page(*, org: Organization, filters: LeadFilters, cursor: str = "", page_size: int = PAGE_SIZE) -> Page[Lead]:
    """One page of leads, newest first, by keyset (created_at, id): one query whatever the page, with
    who referred each and whether it matches an existing client (``has_match``)."""
    qs = (
        lead_queryset(org=org, filters=filters)
        .select_related("referrer_client", "referrer_user", "client")
        .annotate(has_match=Exists(_matching_clients(OuterRef("org_id"), OuterRef("email"), OuterRef("phone"))))
    )
    return keyset_page(qs, order=ORDER, cursor=cursor, page_size=page_size)


def lead_get(*, org: Organization, lead_id: int) -> Lead:
    """One of the organization's leads; another's id is a 404."""
    return get_object_or_404(
        Lead.objects.filter(org=org).select_related("org", "referrer_client", "referrer_user", "client"), pk=lead_id
    )


def lead_matches(*, lead: Lead) -> list[Client]:
    """The live client records the lead may be: the same email or mobile in its organization."""
    return client_duplicates(org=lead.org, email=lead.email, phone=lead.phone)


# --- referral links ---


@dataclass
class Referrals:
    link: ReferralLink | None
    leads: list[dict[str, object]] = field(default_factory=list)  # id, name, state; newest first
    more: int = 0


def client_referrals(*, org: Organization, client: Client) -> Referrals:
    """The client's referral link with the newest leads it brought (id, name, state; at most
    REFERRALS_SHOWN, cut in the database) and how many more there are, in one query."""
    newest = (Lead.objects.filter(referrer_client=OuterRef(OuterRef("client_id"))).order_by("-id").values("id"))[
        :REFERRALS_SHOWN
    ]
    referred = (
        Lead.objects.filter(pk__in=Subquery(newest))
        .values("referrer_client")
        .annotate(data=JSONArrayAgg(JSONObject(id=F("id"), name=F("name"), state=F("state"))))
        .values("data")
    )
    total = (
        Lead.objects.filter(referrer_client=OuterRef("client_id"))
        .values("referrer_client")
        .annotate(n=Count("id"))
        .values("n")
    )
    link = (
        ReferralLink.objects.filter(org=org, client=client)
        .annotate(referred=Subquery(referred, output_field=JSONField()), brought=Subquery(total))
        .first()
    )
    if link is None:
        return Referrals(link=None)
    leads = sorted(link.referred or [], key=lambda lead: -int(lead["id"]))  # type: ignore[attr-defined]
    return Referrals(link=link, leads=leads, more=max(0, (link.brought or 0) - len(leads)))  # type: ignore[attr-defined]


def staff_referral_link(*, org: Organization, user: User) -> ReferralLink | None:
    return ReferralLink.objects.filter(org=org, user=user).first()


def referral_link_of_records(*, org: Organization, client_ids: list[int]) -> ReferralLink | None:
    """A portal user's referral link: the first of the records they organize that has one."""
    if not client_ids:
        return None
    return ReferralLink.objects.filter(org=org, client_id__in=client_ids).order_by("id").first()
